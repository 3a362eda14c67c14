package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestCheckStale: with --stale, each cell a system file writes with no
// checked date or one older than the age is a warning at its line, and
// the check still passes; without it, no such warning.
func TestCheckStale(t *testing.T) {
	dir := "../../internal/content/testdata/valid" // django dated 2026-12-01 by default, flask only its orm 2026-11-20
	now := time.Date(2027, 1, 10, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		age  string
		want []string
	}{
		{"", nil},
		{"30d", []string{ // before 2026-12-11
			"web/systems/django.md:9: warning: feature orm was last checked 2026-12-01, before 2026-12-11: verify it and update checked",
			"web/systems/django.md:10: warning: feature csrf was last checked 2026-12-01, before 2026-12-11: verify it and update checked",
			"web/systems/django.md:11: warning: feature first_release was last checked 2026-12-01, before 2026-12-11: verify it and update checked",
			"web/systems/django.md:12: warning: feature license was last checked 2026-12-01, before 2026-12-11: verify it and update checked",
			"web/systems/flask.md:5: warning: feature orm was last checked 2026-11-20, before 2026-12-11: verify it and update checked",
			"web/systems/flask.md:6: warning: feature csrf has no checked date: verify it and add `checked: YYYY-MM-DD` to the cell or once to the front matter",
			"web/systems/flask.md:7: warning: feature first_release has no checked date: verify it and add `checked: YYYY-MM-DD` to the cell or once to the front matter",
		}},
		{"6w", []string{ // before 2026-11-29: django's 2026-12-01 is recent enough
			"web/systems/flask.md:5: warning: feature orm was last checked 2026-11-20, before 2026-11-29: verify it and update checked",
			"web/systems/flask.md:6: warning: feature csrf has no checked date: verify it and add `checked: YYYY-MM-DD` to the cell or once to the front matter",
			"web/systems/flask.md:7: warning: feature first_release has no checked date: verify it and add `checked: YYYY-MM-DD` to the cell or once to the front matter",
		}},
		{"1y", []string{ // only the undated cells
			"web/systems/flask.md:6: warning: feature csrf has no checked date: verify it and add `checked: YYYY-MM-DD` to the cell or once to the front matter",
			"web/systems/flask.md:7: warning: feature first_release has no checked date: verify it and add `checked: YYYY-MM-DD` to the cell or once to the front matter",
		}},
	}
	for _, tt := range tests {
		t.Run("stale="+tt.age, func(t *testing.T) {
			stale, err := parseAge(tt.age)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := check(dir, stale, now, &out); err != nil {
				t.Fatalf("check: %v (warnings must not fail it)\n%s", err, out.String())
			}
			var got []string
			for _, l := range strings.Split(out.String(), "\n") {
				if strings.Contains(l, "checked") {
					got = append(got, l)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if !strings.Contains(out.String(), "ok: 1 topics, 2 systems, 1 articles") {
				t.Errorf("check printed %q", out.String())
			}
		})
	}
}

func TestParseAge(t *testing.T) {
	day := 24 * time.Hour
	for in, want := range map[string]time.Duration{"365d": 365 * day, "52w": 364 * day, "1y": 365 * day, "2y": 730 * day, "": 0} {
		if got, err := parseAge(in); err != nil || got != want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"12m", "365", "d", "-5d", "0d", "1.5y", "8760h", "10000y"} {
		if _, err := parseAge(in); err == nil || !strings.Contains(err.Error(), "like 365d, 52w or 1y") {
			t.Errorf("parseAge(%q) = %v, want an error naming the forms", in, err)
		}
	}
}

// TestCheckStaleFlag: the flag reaches check through run; a bad age is an
// error before anything is read.
func TestCheckStaleFlag(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"check", "--stale", "12m", "../../internal/content/testdata/valid"}, &out, &out); err == nil || !strings.Contains(err.Error(), "--stale") {
		t.Errorf("check --stale 12m = %v, want an error", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"check", "--stale", "1d", "../../internal/content/testdata/valid"}, &out, &out); err != nil {
		t.Fatalf("check --stale 1d: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "web/systems/flask.md:6: warning: feature csrf has no checked date") {
		t.Errorf("check --stale 1d printed %q", out.String())
	}
}
