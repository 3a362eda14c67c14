package server

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCheckedInAPI: a cell's checked date is the field "checked" of the
// API's cells, as YYYY-MM-DD: the system file's default on the cells it
// writes, a cell's own date over it, and no field where there is no date.
func TestCheckedInAPI(t *testing.T) {
	h := realServer(t, "../content/testdata/valid")
	cells := func(t *testing.T, target, system string) map[string]map[string]any {
		t.Helper()
		rec := get(t, h, target)
		if rec.Code != 200 {
			t.Fatalf("GET %s = %d", target, rec.Code)
		}
		var doc struct {
			Cells   map[string]map[string]any `json:"cells"`
			Systems []struct {
				Slug  string                    `json:"slug"`
				Cells map[string]map[string]any `json:"cells"`
			} `json:"systems"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Cells != nil {
			return doc.Cells
		}
		for _, s := range doc.Systems {
			if s.Slug == system {
				return s.Cells
			}
		}
		t.Fatalf("GET %s: no system %s", target, system)
		return nil
	}
	for _, target := range []string{"/api/topics/web", "/api/topics/web/django"} {
		django := cells(t, target, "django")
		for _, f := range []string{"orm", "csrf", "first_release", "license"} {
			if got := django[f]["checked"]; got != "2026-12-01" {
				t.Errorf("%s: django %s checked = %v, want the file's 2026-12-01", target, f, got)
			}
		}
	}
	flask := cells(t, "/api/topics/web", "flask")
	if got := flask["orm"]["checked"]; got != "2026-11-20" {
		t.Errorf("flask orm checked = %v, want 2026-11-20", got)
	}
	for _, f := range []string{"csrf", "license"} { // no date; license not in the file
		if got, ok := flask[f]["checked"]; ok {
			t.Errorf("flask %s has checked %v, want no field", f, got)
		}
	}

	// The compare API: each cell, and the note of a cell that has one.
	rec := get(t, h, "/api/compare/web/django-vs-flask")
	var doc apiCompare
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range doc.Categories {
		for _, r := range c.Rows {
			for _, cell := range r.Cells {
				got[cell.System+"."+r.Key] = cell.Checked
			}
		}
	}
	for k, want := range map[string]string{"django.orm": "2026-12-01", "django.license": "2026-12-01", "flask.orm": "2026-11-20", "flask.csrf": "", "flask.license": ""} {
		if got[k] != want {
			t.Errorf("compare %s checked = %q, want %q", k, got[k], want)
		}
	}
	notes := map[string]string{}
	for _, n := range doc.Footnotes {
		notes[n.System+"."+n.Feature] = n.Checked
	}
	if notes["Flask.Built-in ORM"] != "2026-11-20" || notes["Django.CSRF protection"] != "2026-12-01" {
		t.Errorf("footnotes' checked = %v", notes)
	}
	if body := strings.Join(strings.Fields(rec.Body.String()), ""); !strings.Contains(body, `"checked":"2026-11-20"`) {
		t.Errorf("compare JSON lacks \"checked\": \"2026-11-20\"")
	}
}

// TestCheckedShown: the checked date on the pages (in the note of a cell
// that has one on the compare page; with the cell's notes on the system
// and feature pages) and in the CSV and Markdown exports.
func TestCheckedShown(t *testing.T) {
	h := realServer(t, "../content/testdata/valid")
	body := func(target string) string {
		t.Helper()
		rec := get(t, h, target)
		if rec.Code != 200 {
			t.Fatalf("GET %s = %d", target, rec.Code)
		}
		return rec.Body.String()
	}
	page := body("/compare/web/django-vs-flask")
	for _, want := range []string{"via Flask-SQLAlchemy · checked 2026-11-20", "Middleware on by default · checked 2026-12-01"} {
		if !strings.Contains(page, want) {
			t.Errorf("compare page lacks %q", want)
		}
	}
	if n := strings.Count(page, "checked 2026-12-01"); n != 1 {
		t.Errorf("compare page says checked 2026-12-01 %d times, want once (a date alone makes no note)", n)
	}
	sys := body("/topics/web/django")
	if n := strings.Count(sys, "<span>checked 2026-12-01</span>"); n != 4 {
		t.Errorf("django page shows checked 2026-12-01 %d times, want 4 (each cell the file writes)", n)
	}
	feat := body("/topics/web/features/orm")
	for _, want := range []string{"<span>checked 2026-12-01</span>", "<span>checked 2026-11-20</span>"} {
		if !strings.Contains(feat, want) {
			t.Errorf("feature page lacks %q", want)
		}
	}

	csv := body("/compare/web/django-vs-flask.csv")
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if lines[0] != "Feature key,Feature,Category,Django,Flask,Django checked,Flask checked" {
		t.Errorf("csv header = %q", lines[0])
	}
	for _, want := range []string{"orm,Built-in ORM,Data and persistence,yes,plugin,2026-12-01,2026-11-20", "license,Licence,Data and persistence,BSD-3-Clause,unknown,2026-12-01,"} {
		if !strings.Contains(csv, want+"\n") {
			t.Errorf("csv lacks row %q:\n%s", want, csv)
		}
	}
	md := body("/compare/web/django-vs-flask.md")
	for _, want := range []string{"\nChecked: Django 2026-12-01; Flask 2026-11-20 (3 of 4 cells not dated).\n", "via Flask-SQLAlchemy · checked 2026-11-20\n"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}
