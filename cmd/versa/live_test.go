package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// liveServer is `versa serve` run in-process on a free port.
type liveServer struct {
	base    string
	content string
	client  *http.Client
}

// startServe runs serve on a copy of src (or on src itself when copy is
// false) until the test ends, and waits until pages and search answer.
func startServe(tb testing.TB, src string, copyContent bool, extra ...string) *liveServer {
	tb.Helper()
	dir := src
	if copyContent {
		dir = filepath.Join(tb.TempDir(), "content")
		if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
			tb.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	args := append([]string{"serve", "--addr", addr, "--content", dir, "--data", tb.TempDir()}, extra...)
	go func() { done <- run(ctx, args, io.Discard, io.Discard) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("serve: %v", err)
		}
	})
	s := &liveServer{base: "http://" + addr, content: dir, client: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	deadline := time.Now().Add(2 * time.Minute)
	for _, path := range []string{"/readyz", "/api/search?q=python"} {
		for {
			if code, _ := s.get(tb, path); code == 200 {
				break
			}
			select {
			case err := <-done:
				tb.Fatalf("serve stopped: %v", err)
			default:
			}
			if time.Now().After(deadline) {
				tb.Fatalf("%s did not answer 200 in time", path)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return s
}

func (s *liveServer) get(tb testing.TB, path string) (int, string) {
	res, err := s.client.Get(s.base + path)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		return res.StatusCode, res.Header.Get("Location")
	}
	return res.StatusCode, string(b)
}

func (s *liveServer) write(tb testing.TB, rel, data string) {
	tb.Helper()
	p := filepath.Join(s.content, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func (s *liveServer) read(tb testing.TB, rel string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(s.content, filepath.FromSlash(rel)))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// eventually polls path until ok accepts what it answers, for up to 10 s.
func (s *liveServer) eventually(tb testing.TB, what, path string, ok func(code int, body string) bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := s.get(tb, path)
		if ok(code, body) {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: %s still answers %d:\n%.400s", what, path, code, body)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (s *liveServer) status(tb testing.TB) (revision string, problems []string) {
	tb.Helper()
	code, body := s.get(tb, "/api/status")
	if code != 200 {
		tb.Fatalf("/api/status = %d", code)
	}
	var st struct {
		Revision string   `json:"revision"`
		Problems []string `json:"problems"`
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		tb.Fatalf("/api/status: %v", err)
	}
	return st.Revision, st.Problems
}

const pwf = "python-web-frameworks"

// hitOf matches a search hit of the django system in /api/search's JSON.
var hitOf = regexp.MustCompile(`"system":\s*"django"`)

// TestLiveEdits makes each kind of change to a served folder and checks
// that the site follows.
func TestLiveEdits(t *testing.T) {
	s := startServe(t, "../../content", true)
	contains := func(want string) func(int, string) bool {
		return func(code int, body string) bool { return code == 200 && strings.Contains(body, want) }
	}

	t.Run("edit", func(t *testing.T) {
		django := s.read(t, pwf+"/systems/django.md")
		s.write(t, pwf+"/systems/django.md", strings.Replace(django, "name: Django", "name: Djangoedited", 1))
		s.eventually(t, "edited name", "/topics/"+pwf+"/django", contains("Djangoedited"))
		s.eventually(t, "edited name in search", "/api/search?q=djangoedited", func(code int, body string) bool { return code == 200 && hitOf.MatchString(body) })
	})

	t.Run("bad edit keeps the last good content", func(t *testing.T) {
		flask := s.read(t, pwf+"/systems/flask.md")
		s.write(t, pwf+"/systems/flask.md", strings.Replace(flask, "name: Flask", "name: [Flask", 1))
		s.eventually(t, "problem on /status", "/status", contains("systems/flask.md:"))
		if code, body := s.get(t, "/topics/"+pwf+"/flask"); code != 200 || !strings.Contains(body, "Flask") {
			t.Fatalf("flask page during a bad edit = %d", code)
		}
		s.write(t, pwf+"/systems/flask.md", strings.Replace(flask, "name: Flask", "name: Flaskfixed", 1))
		s.eventually(t, "fixed", "/topics/"+pwf+"/flask", contains("Flaskfixed"))
		if _, problems := s.status(t); len(problems) != 0 {
			t.Fatalf("problems after the fix: %v", problems)
		}
	})

	t.Run("delete and rename", func(t *testing.T) {
		old := pwf + "/articles/real-time-and-websockets.md"
		body := s.read(t, old)
		if err := os.Remove(filepath.Join(s.content, old)); err != nil {
			t.Fatal(err)
		}
		s.eventually(t, "deleted article", "/articles/"+pwf+"/real-time-and-websockets", func(code int, _ string) bool { return code == 404 })
		// Renamed, with the old slug kept as an alias: old links redirect.
		renamed := strings.Replace(body, "\n---", "\naliases: [real-time-and-websockets]\n---", 1)
		s.write(t, pwf+"/articles/realtime.md", renamed)
		s.eventually(t, "renamed article", "/articles/"+pwf+"/real-time-and-websockets", func(code int, loc string) bool {
			return code == http.StatusPermanentRedirect && strings.HasSuffix(loc, "/articles/"+pwf+"/realtime")
		})
	})

	t.Run("ignored files", func(t *testing.T) {
		before, _ := s.status(t)
		s.write(t, pwf+"/systems/.django.md.swp", "junk")
		s.write(t, pwf+"/systems/django.md~", "junk")
		s.write(t, pwf+"/systems/4913", "junk")
		s.write(t, ".git/HEAD", "ref: refs/heads/main")
		time.Sleep(300 * time.Millisecond) // longer than a burst's wait
		if after, problems := s.status(t); after != before || len(problems) != 0 {
			t.Fatalf("temporary files moved the revision (%.8s -> %.8s) or made problems %v", before, after, problems)
		}
	})

	t.Run("new topic folder", func(t *testing.T) {
		s.write(t, "databases/topic.yaml", "title: Databases\nfeatures:\n  - key: sql\n    name: SQL\n")
		s.write(t, "databases/systems/postgres.md", "---\nname: PostgreSQL\nfeatures:\n  sql: yes\n---\n")
		s.eventually(t, "new topic", "/topics/databases", contains("PostgreSQL"))
		// A file added later in the new folder is seen too.
		s.write(t, "databases/systems/sqlite.md", "---\nname: SQLite\nfeatures:\n  sql: yes\n---\n")
		s.eventually(t, "system in the new folder", "/topics/databases/sqlite", contains("SQLite"))
	})

	t.Run("symlink out of the folder", func(t *testing.T) {
		outside := filepath.Join(t.TempDir(), "secret.md")
		os.WriteFile(outside, []byte("---\nname: Secret\n---\n"), 0o644)
		if err := os.Symlink(outside, filepath.Join(s.content, pwf, "systems", "secret.md")); err != nil {
			t.Fatal(err)
		}
		s.eventually(t, "symlink refused", "/status", contains("points outside the content folder"))
		if code, _ := s.get(t, "/topics/"+pwf+"/secret"); code != 404 {
			t.Fatalf("the symlinked system answers %d, want 404", code)
		}
		os.Remove(filepath.Join(s.content, pwf, "systems", "secret.md"))
		s.eventually(t, "symlink gone", "/status", func(code int, body string) bool {
			return code == 200 && !strings.Contains(body, "points outside")
		})
	})
}

func TestLivePoll(t *testing.T) {
	s := startServe(t, "../../content", true, "--poll", "50ms")
	bottle := s.read(t, pwf+"/systems/bottle.md")
	s.write(t, pwf+"/systems/bottle.md", strings.Replace(bottle, "name: Bottle", "name: Bottlepolled", 1))
	s.eventually(t, "polled edit", "/topics/"+pwf+"/bottle", func(code int, body string) bool {
		return code == 200 && strings.Contains(body, "Bottlepolled")
	})
}

func TestReloadOnSIGHUP(t *testing.T) {
	s := startServe(t, "../../content", true, "--watch=false")
	bottle := s.read(t, pwf+"/systems/bottle.md")
	s.write(t, pwf+"/systems/bottle.md", strings.Replace(bottle, "name: Bottle", "name: Bottlehup", 1))
	time.Sleep(100 * time.Millisecond)
	if _, body := s.get(t, "/topics/"+pwf+"/bottle"); strings.Contains(body, "Bottlehup") {
		t.Fatal("an edit showed with --watch=false before SIGHUP")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	s.eventually(t, "reload on SIGHUP", "/topics/"+pwf+"/bottle", func(code int, body string) bool {
		return code == 200 && strings.Contains(body, "Bottlehup")
	})
}

// TestEditUnderLoad rewrites a system again and again while clients read
// pages and search, and checks that no request fails, that every page shows
// one revision (the name in the header and a cell edited with it always
// agree), and that every edit shows.
func TestEditUnderLoad(t *testing.T) {
	s := startServe(t, "../../content", true)
	django := s.read(t, pwf+"/systems/django.md")
	const style = `value: "Full-stack (batteries included)"`
	if !strings.Contains(django, style) || !strings.Contains(django, "name: Django\n") {
		t.Fatal("django.md changed: update the markers of this test")
	}
	edit := func(n int) string {
		d := strings.Replace(django, "name: Django\n", fmt.Sprintf("name: Django Mark%c\n", 'a'+n), 1)
		return strings.Replace(d, style, fmt.Sprintf(`value: "Mark%c style"`, 'a'+n), 1)
	}
	header := regexp.MustCompile(`Django Mark([a-z])`)
	cell := regexp.MustCompile(`Mark([a-z]) style`)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var requests, failures, torn atomic.Int64
	var firstFailure atomic.Value
	paths := []string{
		"/compare/" + pwf + "/django-vs-flask-vs-fastapi",
		"/topics/" + pwf,
		"/topics/" + pwf + "/django",
		"/api/search?q=orm+admin",
		"/search?q=middleware",
		"/articles/" + pwf + "/django-vs-flask",
		"/api/compare/" + pwf + "/django-vs-flask",
	}
	for i := range 6 {
		wg.Go(func() {
			for k := i; ctx.Err() == nil; k++ {
				path := paths[k%len(paths)]
				code, body := s.get(t, path)
				requests.Add(1)
				if code != 200 {
					if failures.Add(1) == 1 {
						firstFailure.Store(fmt.Sprintf("%s answered %d: %.200s", path, code, body))
					}
					continue
				}
				if strings.HasPrefix(path, "/compare/") {
					h, c := header.FindStringSubmatch(body), cell.FindStringSubmatch(body)
					if (h == nil) != (c == nil) || (h != nil && h[1] != c[1]) {
						torn.Add(1)
					}
				}
			}
		})
	}
	for n := range 15 {
		s.write(t, pwf+"/systems/django.md", edit(n))
		want := fmt.Sprintf("Mark%c style", 'a'+n)
		s.eventually(t, "edit under load", "/compare/"+pwf+"/django-vs-flask-vs-fastapi", func(code int, body string) bool {
			return code == 200 && strings.Contains(body, want)
		})
		s.eventually(t, "edit in search", fmt.Sprintf("/api/search?q=mark%c", 'a'+n), func(code int, body string) bool {
			return code == 200 && hitOf.MatchString(body)
		})
	}
	cancel()
	wg.Wait()
	if f := failures.Load(); f > 0 {
		t.Errorf("%d of %d requests failed; the first: %v", f, requests.Load(), firstFailure.Load())
	}
	if n := torn.Load(); n > 0 {
		t.Errorf("%d compare pages mixed two revisions", n)
	}
	if requests.Load() < 100 {
		t.Errorf("only %d requests ran beside the edits", requests.Load())
	}
	t.Logf("%d requests beside 15 edits", requests.Load())
}
