package preview_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"versa/internal/content"
	"versa/internal/server"
	"versa/internal/server/metrics"
	"versa/internal/server/preview"
	"versa/internal/sqlite"
)

// These tests go through the whole HTTP server (a real listener and real
// clients), the way an unauthenticated visitor reaches the og:image.

const hugeName = 100 << 10 // bytes

// site serves a topic "tools" of two systems; the first one's name is
// 100 KB when huge. versa check refuses such a name (over 1 KB), so the
// name is put into the store after the folder is read: it stands for data
// that reached the store another way (an older database, a pinned copy).
func site(t *testing.T, huge bool) (*httptest.Server, *metrics.Set) {
	t.Helper()
	dir := t.TempDir()
	write := func(rel, data string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("tools/topic.yaml", "title: Tools\nsummary: Tools to compare.\ncategories:\n  - key: general\n    title: General\nfeatures:\n  - key: fast\n    name: Fast\n    category: general\n  - key: small\n    name: Small\n    category: general\n")
	write("tools/systems/alpha.md", "---\nname: Alpha\nsummary: The Alpha tool.\nfeatures:\n  fast: yes\n  small: no\n---\nAlpha.\n")
	write("tools/systems/beta.md", "---\nname: Beta\nsummary: The Beta tool.\nfeatures:\n  fast: no\n  small: yes\n---\nBeta.\n")
	c, problems, err := content.Load(os.DirFS(dir))
	if err != nil || len(problems) > 0 {
		t.Fatalf("load: %v %v", err, problems)
	}
	if huge {
		c.Systems[0].Name = strings.Repeat("Wide name ", hugeName/10)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "versa.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.ReplaceContent(context.Background(), c, nil); err != nil {
		t.Fatal(err)
	}
	m := metrics.New()
	srv := httptest.NewServer(server.New(server.Config{Metrics: m}, db))
	t.Cleanup(srv.Close)
	return srv, m
}

// previews reads versa_preview_images_total{result} from the server's
// /metrics.
func previews(t *testing.T, srv *httptest.Server, result string) int {
	t.Helper()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^versa_preview_images_total\{result="` + result + `"\} (\d+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no versa_preview_images_total{result=%q} in /metrics", result)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// requestDeadline is the server's per-request limit (server.requestTimeout).
const requestDeadline = 15 * time.Second

// TestHugeNameImageThroughServer: with a 100 KB system name in the store,
// the compare page's og:image answers, an image or a 503, within the
// request deadline (it ran 1,098 s and never answered before the fix).
func TestHugeNameImageThroughServer(t *testing.T) {
	srv, _ := site(t, true)
	client := &http.Client{Timeout: requestDeadline}
	// The page names its image; the image is what was asked of it.
	page, err := client.Get(srv.URL + "/compare/tools/alpha-vs-beta")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != 200 || !bytes.Contains(body, []byte(`content="/compare/tools/alpha-vs-beta.png"`)) {
		t.Fatalf("compare page: %d, og:image not /compare/tools/alpha-vs-beta.png", page.StatusCode)
	}
	resp, err := client.Get(srv.URL + "/compare/tools/alpha-vs-beta.png")
	if err != nil {
		t.Fatalf("GET the image: %v (no answer within the %s deadline)", err, requestDeadline)
	}
	defer resp.Body.Close()
	img, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		if ct := resp.Header.Get("Content-Type"); ct != "image/png" {
			t.Errorf("Content-Type = %q", ct)
		}
		if _, err := png.Decode(bytes.NewReader(img)); err != nil {
			t.Errorf("not a PNG: %v", err)
		}
		if n := previews(t, srv, preview.Drawn); n != 1 {
			t.Errorf("drawn = %d, want 1", n)
		}
	case http.StatusServiceUnavailable:
		if resp.Header.Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
	default:
		t.Fatalf("status %d\n%s", resp.StatusCode, img)
	}
}

// TestClientGoneStopsDrawing: a real client sends the image request and
// closes its connection while the image is being drawn; the drawing's
// context ends (the hook sees it) and the drawing counts as stopped, not
// drawn. The hook holds the drawing until its context ends, so the close
// always comes mid-drawing, and nothing here waits on a clock except the
// bound on how long the server may take to notice.
func TestClientGoneStopsDrawing(t *testing.T) {
	srv, _ := site(t, true)
	started := make(chan struct{}, 1)
	ended := make(chan error, 1)
	defer preview.SetDrawHook(func(ctx context.Context) {
		started <- struct{}{}
		select {
		case <-ctx.Done():
			ended <- ctx.Err()
		case <-time.After(requestDeadline + 5*time.Second):
			ended <- fmt.Errorf("the drawing's context outlived the request deadline")
		}
	})()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /compare/tools/alpha-vs-beta.png HTTP/1.1\r\nHost: %s\r\n\r\n", srv.Listener.Addr())
	select {
	case <-started:
	case <-time.After(requestDeadline):
		t.Fatal("the drawing never started")
	}
	conn.Close()
	select {
	case err := <-ended:
		if err != context.Canceled {
			t.Fatalf("drawing context ended with %v, want context.Canceled (the client left)", err)
		}
	case <-time.After(requestDeadline + 10*time.Second):
		t.Fatal("the hook never returned")
	}
	// The handler returns after the hook; wait for its count by polling
	// the metric, bounded.
	deadline := time.Now().Add(requestDeadline)
	for previews(t, srv, preview.Stopped) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("stopped = %d, want 1", previews(t, srv, preview.Stopped))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := previews(t, srv, preview.Drawn); n != 0 {
		t.Errorf("drawn = %d after the client left, want 0", n)
	}
}

// TestPreviewCachedPerRevision: the second request for the same og:image
// is served from the page cache, without drawing again, and carries the
// same ETag; a conditional request gets a 304. Counted by the server's own
// metric, which counts every drawing.
func TestPreviewCachedPerRevision(t *testing.T) {
	srv, _ := site(t, false)
	var etags []string
	var bodies [][]byte
	for range 3 {
		resp, err := http.Get(srv.URL + "/compare/tools/alpha-vs-beta.png")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		etags = append(etags, resp.Header.Get("ETag"))
		bodies = append(bodies, b)
	}
	if n := previews(t, srv, preview.Drawn); n != 1 {
		t.Errorf("three requests drew %d images, want 1", n)
	}
	if etags[0] == "" || etags[1] != etags[0] || !bytes.Equal(bodies[1], bodies[0]) {
		t.Errorf("repeat differs: etags %q", etags)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/compare/tools/alpha-vs-beta.png", nil)
	req.Header.Set("If-None-Match", etags[0])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional = %d, want 304", resp.StatusCode)
	}
	// Another view (another URL) is drawn once too.
	for range 2 {
		resp, err := http.Get(srv.URL + "/compare/tools/alpha-vs-beta.png?diff=1")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if n := previews(t, srv, preview.Drawn); n != 2 {
		t.Errorf("drawn = %d after a second view asked twice, want 2", n)
	}
}
