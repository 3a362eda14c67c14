package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

// TestCheckWarnings: an unknown Hugo shortcode is a warning at path:line,
// shown by check, and check still passes.
func TestCheckWarnings(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"t/topic.yaml":     "title: T\ncategories:\n  - key: c\n    title: C\nfeatures:\n  - key: f\n    name: F\n    category: c\n",
		"t/articles/a.md":  "+++\ntitle = \"A\"\ndate = 2026-01-01\n+++\nText {{< sparkles >}} here.\n",
		"t/systems/one.md": "---\nname: One\nfeatures:\n  f: yes\n---\n",
	}
	for p, s := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"check", dir}, &out, &out); err != nil {
		t.Fatalf("check: %v\n%s", err, out.String())
	}
	if want := "t/articles/a.md:5: warning: unknown shortcode \"sparkles\" dropped"; !strings.HasPrefix(out.String(), want) {
		t.Errorf("check printed %q, want it to start with %q", out.String(), want)
	}
	if !strings.Contains(out.String(), "ok: 1 topics, 1 systems, 1 articles") {
		t.Errorf("check printed %q, want ok", out.String())
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
	for _, bad := range [][]string{{"--edit-url", "javascript:alert(1)"}, {"--base-url", "example.com"}} {
		if _, _, _, err := parseArgs(bad, &bytes.Buffer{}); err == nil {
			t.Errorf("parseArgs(%q) accepted", bad)
		}
	}
	_, cfg, _, err = parseArgs([]string{"--edit-url", "https://git.example/kb/edit/main/content/"}, &bytes.Buffer{})
	if err != nil || cfg.EditURL != "https://git.example/kb/edit/main/content/" {
		t.Errorf("--edit-url: %+v %v", cfg, err)
	}
}

// TestAllowedHosts reads --allowed-hosts and VERSA_ALLOWED_HOSTS as a
// comma-separated list of host or host:port, refusing anything else, and
// names the origin absolute URLs fall back to from the listen address.
func TestAllowedHosts(t *testing.T) {
	_, cfg, _, err := parseArgs([]string{"--allowed-hosts", " versa.example, versa.example:8443,,[::1]:80"}, &bytes.Buffer{})
	if err != nil || strings.Join(cfg.AllowedHosts, " ") != "versa.example versa.example:8443 [::1]:80" {
		t.Errorf("--allowed-hosts = %q, %v", cfg.AllowedHosts, err)
	}
	t.Setenv("VERSA_ALLOWED_HOSTS", "env.example")
	if _, cfg, _, err = parseArgs(nil, &bytes.Buffer{}); err != nil || strings.Join(cfg.AllowedHosts, " ") != "env.example" {
		t.Errorf("VERSA_ALLOWED_HOSTS = %q, %v", cfg.AllowedHosts, err)
	}
	for _, bad := range []string{"https://versa.example", "versa.example/path", "user@versa.example", ":8080", "a b"} {
		if _, _, _, err := parseArgs([]string{"--allowed-hosts", bad}, &bytes.Buffer{}); err == nil {
			t.Errorf("--allowed-hosts %q accepted", bad)
		}
	}
	for _, tt := range []struct{ addr, want string }{
		{"0.0.0.0:8080", "http://localhost:8080"},
		{"[::]:8080", "http://localhost:8080"},
		{"127.0.0.1:9000", "http://127.0.0.1:9000"},
		{"[::1]:9000", "http://[::1]:9000"},
	} {
		addr, err := net.ResolveTCPAddr("tcp", tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := listenOrigin(addr); got != tt.want {
			t.Errorf("listenOrigin(%s) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

// TestEnvValues reads every variable through its flag's parser: a value the
// flag would refuse is an error naming the variable, not a silent default,
// and a flag given on the command line wins over its variable.
func TestEnvValues(t *testing.T) {
	t.Setenv("VERSA_POLL", "2s")
	t.Setenv("VERSA_PIN_RATE", "-1")
	t.Setenv("VERSA_EDIT_URL", "https://git.example/e/")
	t.Setenv("VERSA_ADDR", ":1")
	_, cfg, _, err := parseArgs([]string{"--addr", ":2"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Poll != 2*time.Second || cfg.PinRate != -1 || cfg.EditURL != "https://git.example/e/" || cfg.Addr != ":2" {
		t.Errorf("cfg = %+v", cfg)
	}
	for _, tt := range []struct{ key, val string }{
		{"VERSA_SHUTDOWN_TIMEOUT", "10"}, // no unit
		{"VERSA_WATCH", "maybe"},
		{"VERSA_MAX_SNAPSHOTS", "lots"},
	} {
		t.Run(tt.key, func(t *testing.T) {
			t.Setenv(tt.key, tt.val)
			_, _, _, err := parseArgs(nil, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.key) {
				t.Errorf("%s=%s: err = %v, want an error naming the variable", tt.key, tt.val, err)
			}
		})
	}
}
