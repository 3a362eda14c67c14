package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCSVRoundTrip: a spreadsheet imported, checked, and served: the
// compare page shows the spreadsheet's values and notes.
func TestImportCSVRoundTrip(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "matrix.csv")
	if err := os.WriteFile(csv, []byte("feature,category,PostgreSQL,SQLite\n"+
		"Window functions,SQL,yes,yes\n"+
		"Stored procedures,SQL,✓,✗; use application code\n"+
		"Replication,Operations,yes,partial; via Litestream\n"+
		"First release,History,1996,2000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	contentDir := filepath.Join(dir, "content")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"import", "csv", csv, "--topic", "databases", "--content", contentDir}, &out, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "topic.yaml and 2 systems") {
		t.Errorf("import printed %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"check", contentDir}, &out, &out); err != nil {
		t.Fatalf("check of the import: %v\n%s", err, out.String())
	}
	// A second import refuses to overwrite, unless --force.
	out.Reset()
	if err := run(context.Background(), []string{"import", "csv", csv, "--topic", "databases", "--content", contentDir}, &out, &out); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("second import = %v, want a refusal naming --force", err)
	}
	if err := run(context.Background(), []string{"import", "--content", contentDir, "csv", "--force", "--topic", "databases", csv}, &out, &out); err != nil {
		t.Errorf("import --force: %v", err)
	}

	s := startServe(t, contentDir, false)
	code, body := s.get(t, "/compare/databases/postgresql-vs-sqlite")
	if code != 200 {
		t.Fatalf("compare page: %d", code)
	}
	for _, want := range []string{"Window functions", "Stored procedures", "use application code", "via Litestream", "1996", "2000", "Operations"} {
		if !strings.Contains(body, want) {
			t.Errorf("compare page lacks %q", want)
		}
	}
}

// TestImportCSVBadRows: every bad row is printed as FILE:line, the command
// fails and writes nothing.
func TestImportCSVBadRows(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(csv, []byte("feature,A,B\nORM,yes,nope\nAsync,yes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	contentDir := filepath.Join(dir, "content")
	var out bytes.Buffer
	err := run(context.Background(), []string{"import", "csv", csv, "--topic", "t", "--content", contentDir}, &out, &out)
	if !errors.Is(err, errProblems) {
		t.Fatalf("import = %v, want errProblems", err)
	}
	for _, want := range []string{csv + ":3: row has 2 cells", csv + `:2: B, feature "ORM": "nope" is not a support word`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := os.Stat(contentDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("content folder written despite problems: %v", err)
	}
}
