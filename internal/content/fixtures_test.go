package content

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBrokenFixtures loads one folder per kind of mistake and asserts every
// problem: path, line and message.
func TestBrokenFixtures(t *testing.T) {
	tests := []struct {
		dir  string
		want []string
	}{
		{"alias-is-slug", []string{`web/systems/flask.md:4: duplicate slug: alias "django" is the slug of web/systems/django.md; remove the alias`}},
		{"article-unknown-system", []string{`web/articles/django-vs-flask.md:4: systems names unknown system "flsk" (did you mean "flask"?): systems of web are the files in web/systems/`}},
		{"bad-date", []string{`web/articles/django-vs-flask.md:6: updated "15/01/2026" is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31`}},
		{"bad-feature-type", []string{
			`web/systems/django.md:11: feature license: "BSD-3-Clause" is not a support level: use yes, partial, plugin, no or unknown`,
			`web/topic.yaml:23: feature "license" has unknown type "string": use one of support, text, number, year, list`,
		}},
		{"bad-slug", []string{
			`web/articles/django-vs-flask.md:4: systems names unknown system "flask" (known: django): systems of web are the files in web/systems/`,
			`web/articles/django-vs-flask.md:13: matrix names unknown system "flask" (known: django): systems of web are the files in web/systems/`,
			`web/systems/Flask_Old.md:1: bad slug "Flask_Old": use lowercase a-z, 0-9 and single hyphens, e.g. "flask-old" (the file name is the slug)`,
		}},
		{"bad-source-url", []string{`web/systems/django.md:9: feature csrf: source "javascript:alert(1)" is not an http or https URL`}},
		{"bad-support-value", []string{`web/systems/django.md:8: feature orm: "maybe" is not a support level: use yes, partial, plugin, no or unknown`}},
		{"bad-year-value", []string{`web/systems/flask.md:7: feature first_release is a year, but "twenty-ten" is not one: write four digits like 2005`}},
		{"duplicate-alias", []string{`web/systems/flask.md:4: duplicate alias "djangoproject": web/systems/django.md lists it too; an old slug can redirect to only one page`}},
		{"duplicate-feature-key", []string{
			`web/systems/django.md:9: unknown feature "csrf" (known: orm, first_release, license): features are defined in web/topic.yaml`,
			`web/systems/flask.md:6: unknown feature "csrf" (known: orm, first_release, license): features are defined in web/topic.yaml`,
			`web/topic.yaml:13: duplicate feature key "orm" (first defined on line 9)`,
		}},
		{"empty-required-field", []string{"web/systems/django.md:2: missing name: add `name: ...` with the system's display name"}},
		{"matrix-unknown-category", []string{`web/articles/django-vs-flask.md:14: matrix names unknown category "speed" (known: data, security)`}},
		{"matrix-unknown-system", []string{`web/articles/django-vs-flask.md:13: matrix names unknown system "bottle" (known: django, flask): systems of web are the files in web/systems/`}},
		{"missing-front-matter", []string{`web/systems/flask.md:1: missing front matter: the file must start with a line "---", then YAML fields, then a line "---" (or "+++", TOML, "+++")`}},
		{"missing-name", []string{"web/systems/flask.md:1: missing name: add `name: ...` with the system's display name"}},
		{"missing-title", []string{"web/articles/django-vs-flask.md:1: missing title: add `title: ...`"}},
		{"missing-topic-yaml", []string{`other/topic.yaml:1: missing topic.yaml: every folder of the content root is a topic and needs one (title, categories, features)`}},
		{"not-utf8", []string{`web/systems/flask.md:9: file is not valid UTF-8 (invalid byte at column 7): save it as UTF-8`}},
		{"topic-yaml-syntax", []string{`web/topic.yaml:7: invalid YAML: value is not allowed in this context`}},
		{"unclosed-front-matter", []string{`web/systems/flask.md:1: front matter is not closed: add a line "---" after the last YAML field`}},
		{"unknown-category", []string{`web/topic.yaml:15: feature "csrf" names unknown category "securty" (did you mean "security"?)`}},
		{"unknown-feature", []string{`web/systems/django.md:8: unknown feature "orn" (did you mean "orm"?): features are defined in web/topic.yaml`}},
		{"unknown-field", []string{`web/systems/django.md:3: unknown field "homepgae" in system front matter (did you mean "homepage"?); known fields: name, homepage, summary, tags, aliases, checked, features, and Hugo's and Jekyll's (description, lastmod, weight, params ...)`}},
		{"vs-in-system-slug", []string{`web/systems/flask-vs-django.md:1: system slug "flask-vs-django" contains "-vs-", which compare URLs use to separate systems: rename the file`}},
		{"yaml-syntax", []string{`web/systems/django.md:5: invalid YAML: ',' or ']' must be specified`}},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.dir] = true
		t.Run(tt.dir, func(t *testing.T) {
			_, problems, err := Load(os.DirFS(filepath.Join("testdata", "broken", tt.dir)))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			var got []string
			for _, p := range problems {
				got = append(got, p.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
	// Every fixture folder is asserted: a new one without a case fails here.
	entries, err := os.ReadDir(filepath.Join("testdata", "broken"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !seen[e.Name()] {
			t.Errorf("fixture testdata/broken/%s has no test case", e.Name())
		}
	}
}

func TestValidFixture(t *testing.T) {
	c, problems, err := Load(os.DirFS(filepath.Join("testdata", "valid")))
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Fatalf("problems = %v, want none", problems)
	}
	if len(c.Topics) != 1 || len(c.Systems) != 2 || len(c.Articles) != 1 {
		t.Errorf("loaded %d topics, %d systems, %d articles; want 1, 2, 1", len(c.Topics), len(c.Systems), len(c.Articles))
	}
}
