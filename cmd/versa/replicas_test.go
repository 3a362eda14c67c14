package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"versa/internal/postgres"
	"versa/internal/postgres/pgtest"
)

// TestDatabaseFlags: --database-url and VERSA_DATABASE_URL choose
// PostgreSQL; a URL of another kind is refused without quoting it (it may
// hold a password); the pool size and timeout must be usable.
func TestDatabaseFlags(t *testing.T) {
	t.Setenv("VERSA_DATABASE_URL", "postgres://versa:pw@db.internal:5432/versa")
	_, cfg, _, err := parseArgs([]string{"--database-pool-size", "3"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DatabaseURL != "postgres://versa:pw@db.internal:5432/versa" || cfg.DatabasePoolSize != 3 || cfg.DatabaseTimeout != defaultTimeout {
		t.Errorf("cfg = %+v", cfg)
	}
	os.Unsetenv("VERSA_DATABASE_URL")
	if _, cfg, _, err := parseArgs(nil, &bytes.Buffer{}); err != nil || cfg.DatabaseURL != "" || cfg.DatabasePoolSize != defaultPoolSize {
		t.Errorf("default: %+v, %v; want SQLite (no URL) and pool %d", cfg, err, defaultPoolSize)
	}
	for _, bad := range [][]string{
		{"--database-url", "mysql://root:s3cret@db/versa"},
		{"--database-url", "s3cret"},
		{"--database-pool-size", "0"},
		{"--database-timeout", "0s"},
	} {
		_, _, _, err := parseArgs(bad, &bytes.Buffer{})
		if err == nil {
			t.Errorf("parseArgs(%q) accepted", bad)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("parseArgs(%q) = %v: quotes the URL", bad, err)
		}
	}
}

// pgCluster is a PostgreSQL server of a test's own (.ci/pg-cluster), which
// the test may stop and start.
type pgCluster struct {
	dir, port, url string
}

func (c *pgCluster) run(t *testing.T, cmd string) {
	t.Helper()
	args := []string{cmd, c.dir}
	if cmd == "start" {
		args = append(args, c.port)
	}
	out, err := exec.Command("../../.ci/pg-cluster", args...).CombinedOutput()
	if err != nil {
		t.Fatalf(".ci/pg-cluster %s: %v\n%s", cmd, err, out)
	}
}

// startCluster starts a throwaway cluster on a free port. It runs where
// VERSA_TEST_DATABASE_URL says PostgreSQL tests are meant to (and fails
// under CI=true without it).
func startCluster(t *testing.T) *pgCluster {
	t.Helper()
	if !pgtest.Available(t) {
		return nil
	}
	// Under root the cluster belongs to the postgres user, which must
	// reach the folder: not in t.TempDir (0700).
	base, err := os.MkdirTemp("", "versa-pg-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(base, 0o755)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	c := &pgCluster{dir: filepath.Join(base, "data"), port: port,
		url: "postgres://versa@127.0.0.1:" + port + "/postgres?sslmode=disable"}
	c.run(t, "start")
	t.Cleanup(func() {
		exec.Command("../../.ci/pg-cluster", "stop", c.dir).Run()
		os.RemoveAll(base)
	})
	return c
}

var noRedirect = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// pinOn posts a pin of the compare view u to base; it returns the status
// and the snapshot path of a 303, or the error of a request that got no
// answer.
func pinOn(base, u string) (int, string, error) {
	res, err := noRedirect.PostForm(base+"/s", url.Values{"url": {u}})
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header.Get("Location"), nil
}

func mustPin(t *testing.T, base, u string) string {
	t.Helper()
	status, loc, err := pinOn(base, u)
	if err != nil || status != http.StatusSeeOther || !strings.HasPrefix(loc, "/s/") {
		t.Fatalf("pin %s on %s = %d %q %v; want 303 to /s/{id}", u, base, status, loc, err)
	}
	return loc
}

// TestReplicas runs two versa serve processes over the same content with
// their pins and history in one real PostgreSQL: what one pins the other
// reads; both pinning one view make one snapshot; a kill -9 while pinning
// loses no pin that was answered 303; with PostgreSQL stopped content
// pages still answer 200 and pins 503, and when it is back pins work again
// without a restart.
func TestReplicas(t *testing.T) {
	versaBinary(t) // skips in -short mode
	pg := startCluster(t)
	contentDir := filepath.Join(t.TempDir(), "content")
	writeGenerated(t, contentDir, genSpec{topics: 1, systems: 24, features: 12, paras: 1, noteWords: 3})
	replica := func() (*child, string) {
		return serveReady(t, 2*time.Minute, "--content", contentDir, "--data", t.TempDir(), "--watch=false",
			"--database-url", pg.url, "--database-pool-size", "4", "--database-timeout", "2s",
			"--pin-rate", "-1", "--base-url", "https://versa.example")
	}
	a, baseA := replica()
	_, baseB := replica()
	view := func(i, j int) string {
		return fmt.Sprintf("/compare/%s/system-%04d-vs-system-%04d", genMarkerTopic, i, j)
	}

	// Pin on A, read the same bytes on B.
	loc := mustPin(t, baseA, view(0, 1))
	statusA, pageA := fetchURL(t, baseA+loc)
	statusB, pageB := fetchURL(t, baseB+loc)
	if statusA != http.StatusOK || statusB != http.StatusOK || pageA != pageB {
		t.Errorf("%s: A answered %d, B %d; same page: %v", loc, statusA, statusB, pageA == pageB)
	}
	// The same view pinned on both: one id, one row.
	if again := mustPin(t, baseB, view(0, 1)); again != loc {
		t.Errorf("B pinned the same view as %s, A as %s", again, loc)
	}
	db, err := postgres.Open(context.Background(), pg.url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.CountPins(context.Background()); err != nil || n != 1 {
		t.Errorf("PostgreSQL holds %d pins (%v), want 1", n, err)
	}
	// Both loaded the same content: its baseline is recorded once.
	if revs, err := db.Revisions(context.Background(), 0, 0); err != nil || len(revs) != 1 {
		t.Errorf("PostgreSQL holds %d revisions (%v), want 1", len(revs), err)
	}

	// kill -9 A while it is pinning: every pin answered 303 is on B.
	var mu sync.Mutex
	var answered []string
	var wg sync.WaitGroup
	next := make(chan string)
	go func() {
		defer close(next)
		for i := 1; i < 24; i++ {
			for j := i + 1; j < 24; j++ {
				next <- view(i, j)
			}
		}
	}()
	killed := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for u := range next {
				status, loc, err := pinOn(baseA, u)
				if err != nil {
					return // A is gone
				}
				if status == http.StatusSeeOther {
					mu.Lock()
					answered = append(answered, loc)
					if len(answered) == 20 {
						a.cmd.Process.Signal(syscall.SIGKILL)
						close(killed)
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	select {
	case <-killed:
	default:
		t.Fatalf("only %d pins answered before the views ran out; A was not killed", len(answered))
	}
	go func() {
		for range next { // drain
		}
	}()
	a.wait(t, time.Minute)
	for _, loc := range answered {
		if status, _ := fetchURL(t, baseB+loc); status != http.StatusOK {
			t.Errorf("%s: answered 303 by A before its kill, B answers %d", loc, status)
		}
	}
	t.Logf("%d pins answered 303 before kill -9; all %d read on B", len(answered), len(answered))

	// A pin B has not served yet (B keeps the pages it served, which a
	// pin's never change, in its page cache).
	unread := mustPin(t, baseB, view(0, 2))

	// Stop PostgreSQL: content pages still 200, pins 503, /readyz says so.
	pg.run(t, "stop")
	for _, path := range []string{"/", "/topics/" + genMarkerTopic, "/topics/" + genMarkerTopic + "/" + genMarkerSys, view(2, 3)} {
		if status, _ := fetchURL(t, baseB+path); status != http.StatusOK {
			t.Errorf("with PostgreSQL stopped, %s = %d, want 200", path, status)
		}
	}
	if status, _, err := pinOn(baseB, view(5, 9)); err != nil || status != http.StatusServiceUnavailable {
		t.Errorf("with PostgreSQL stopped, a pin = %d %v; want 503", status, err)
	}
	if status, body := fetchURL(t, baseB+unread); status != http.StatusServiceUnavailable || !strings.Contains(body, "not answering") {
		t.Errorf("with PostgreSQL stopped, %s = %d; want 503 with the page saying the database is not answering", unread, status)
	}
	// The change history is in PostgreSQL too.
	if status, _ := fetchURL(t, baseB+"/topics/"+genMarkerTopic+"/changes"); status != http.StatusServiceUnavailable {
		t.Errorf("with PostgreSQL stopped, the topic's changes = %d, want 503", status)
	}
	if status, body := fetchURL(t, baseB+"/readyz"); status != http.StatusOK || !strings.Contains(body, "database: down") {
		t.Errorf("with PostgreSQL stopped, /readyz = %d %q; want 200 naming the database down", status, body)
	}

	// Start it again: pins work, no restart.
	pg.run(t, "start")
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, got, err := pinOn(baseB, view(5, 9))
		if err == nil && status == http.StatusSeeOther {
			if status, _ := fetchURL(t, baseB+got); status != http.StatusOK {
				t.Errorf("after PostgreSQL is back, the new pin %s = %d", got, status)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30 s after PostgreSQL is back, a pin still answers %d %v", status, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if status, _ := fetchURL(t, baseB+unread); status != http.StatusOK {
		t.Errorf("after PostgreSQL is back, %s = %d", unread, status)
	}
	if status, _ := fetchURL(t, baseB+"/topics/"+genMarkerTopic+"/changes"); status != http.StatusOK {
		t.Errorf("after PostgreSQL is back, the topic's changes = %d", status)
	}
	if status, body := fetchURL(t, baseB+"/readyz"); status != http.StatusOK || !strings.Contains(body, "database: ok") {
		t.Errorf("after PostgreSQL is back, /readyz = %d %q", status, body)
	}
}
