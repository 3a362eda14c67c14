package content

import (
	"net/url"
	"os"
	"testing"
)

// TestBundledCellsChecked holds every cell the bundled systems write to
// issue 20's bar: a checked date; a source, or a note saying why there is
// none (no official page states it); and no source that is a bare front
// page (https://example.org/), which backs no particular claim.
func TestBundledCellsChecked(t *testing.T) {
	c, problems, err := Load(os.DirFS("../../content"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("problem: %s", p)
	}
	cells := 0
	for _, s := range c.Systems {
		for _, cell := range s.Cells {
			if !cell.Known() && cell.Note == "" {
				continue // TestBundledContent fails on these
			}
			cells++ // known, or unknown with a note saying why: dated and sourced alike
			if cell.Checked.IsZero() {
				t.Errorf("%s: feature %s has no checked date", s.Path, cell.Feature)
			}
			if cell.Source == "" {
				if cell.Note == "" {
					t.Errorf("%s: feature %s has no source and no note saying why", s.Path, cell.Feature)
				}
				continue
			}
			if frontPage(cell.Source) {
				t.Errorf("%s: feature %s source %q is a front page: link the page that states the fact", s.Path, cell.Feature, cell.Source)
			}
		}
	}
	if cells == 0 {
		t.Fatal("no known cells in the bundled content")
	}
}

// frontPage reports whether u is a site's bare front page: no path
// beyond "/", no query, no fragment.
func frontPage(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	return (p.Path == "" || p.Path == "/") && p.RawQuery == "" && p.Fragment == ""
}

func TestFrontPage(t *testing.T) {
	for u, want := range map[string]bool{
		"https://flask.palletsprojects.com":                           true,
		"https://flask.palletsprojects.com/":                          true,
		"https://www.djangoproject.com/":                              true,
		"https://flask.palletsprojects.com/en/stable/deploying/asgi/": false,
		"https://github.com/marshmallow-code/apispec-webframeworks":   false,
		"https://example.org/?page=security":                          false,
	} {
		if got := frontPage(u); got != want {
			t.Errorf("frontPage(%q) = %v, want %v", u, got, want)
		}
	}
}
