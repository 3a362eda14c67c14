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

func TestCheck(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"check", "../../internal/content/testdata/valid"}, &out, &out)
	if err != nil {
		t.Fatalf("check valid: %v\n%s", err, out.String())
	}
	if !strings.HasPrefix(out.String(), "ok: 1 topics, 2 systems, 1 articles") {
		t.Errorf("check valid printed %q", out.String())
	}

	broken, err := filepath.Glob("../../internal/content/testdata/broken/*")
	if err != nil || len(broken) == 0 {
		t.Fatalf("no broken fixtures: %v", err)
	}
	for _, dir := range broken {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), []string{"check", dir}, &out, &out)
			if !errors.Is(err, errProblems) {
				t.Fatalf("check = %v, want errProblems (exit 1)", err)
			}
			first, _, _ := strings.Cut(out.String(), "\n")
			// path:line: message, the path relative to the folder checked.
			path, rest, ok := strings.Cut(first, ":")
			line, _, ok2 := strings.Cut(rest, ":")
			if !ok || !ok2 || line == "" || strings.Trim(line, "0123456789") != "" {
				t.Fatalf("first line %q is not path:line: message", first)
			}
			if _, err := os.Stat(filepath.Join(dir, path)); err != nil && !strings.HasSuffix(path, "topic.yaml") {
				t.Errorf("reported path %q does not exist under %s", path, dir)
			}
		})
	}
}

func TestCheckMissingFolder(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"check", filepath.Join(t.TempDir(), "nope")}, &out, &out)
	if err == nil || errors.Is(err, errProblems) {
		t.Fatalf("check of a missing folder = %v, want a plain error", err)
	}
}

func TestBuildTwice(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	args := []string{"build", "--content", "../../internal/content/testdata/valid", "--data", data}
	var out bytes.Buffer
	if err := run(context.Background(), args, &out, &out); err != nil {
		t.Fatalf("first build: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "loaded revision") {
		t.Errorf("first build printed %q, want a load", out.String())
	}
	out.Reset()
	if err := run(context.Background(), args, &out, &out); err != nil {
		t.Fatalf("second build: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "unchanged revision") {
		t.Errorf("second build printed %q, want the store reused", out.String())
	}
}

func TestBuildWithProblemsExits1(t *testing.T) {
	args := []string{"build", "--content", "../../internal/content/testdata/broken/unknown-feature", "--data", t.TempDir()}
	var out bytes.Buffer
	err := run(context.Background(), args, &out, &out)
	if !errors.Is(err, errProblems) {
		t.Fatalf("build = %v, want errProblems", err)
	}
	if !strings.Contains(out.String(), "web/systems/django.md:8: unknown feature") {
		t.Errorf("build output %q lacks the problem", out.String())
	}
}

func TestFlagsAndEnv(t *testing.T) {
	t.Setenv("VERSA_ADDR", ":9999")
	t.Setenv("VERSA_CONTENT", "/c")
	cmd, cfg, rest, err := parseArgs([]string{"check", "--data", "/d", "dir"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cmd != "check" || cfg.Addr != ":9999" || cfg.Content != "/c" || cfg.Data != "/d" || len(rest) != 1 || rest[0] != "dir" {
		t.Errorf("parseArgs = %q %+v %q", cmd, cfg, rest)
	}
	cmd, cfg, _, err = parseArgs([]string{"--addr", ":1"}, &bytes.Buffer{})
	if err != nil || cmd != "serve" || cfg.Addr != ":1" {
		t.Errorf("parseArgs default = %q %+v %v; want serve on :1", cmd, cfg, err)
	}
	if _, _, _, err := parseArgs([]string{"--log-format", "xml"}, &bytes.Buffer{}); err == nil {
		t.Errorf("--log-format xml accepted")
	}
}
