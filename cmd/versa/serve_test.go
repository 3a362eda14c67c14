package main

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bigPage is a page of the generated content far larger than the socket
// buffers of a loopback connection (Linux grows a send buffer to 4 MiB), so
// a client that stops reading holds its request in flight: the JSON of the
// compare view of 24 systems by 1200 features, with long notes (the HTML
// page of such a view is cut to a row budget; the API is not).
func bigPage(t *testing.T) (contentDir, path string) {
	t.Helper()
	contentDir = filepath.Join(t.TempDir(), "content")
	writeGenerated(t, contentDir, genSpec{topics: 1, systems: 24, features: 1200, paras: 1, noteWords: 100})
	var systems []string
	for i := range 24 {
		systems = append(systems, fmt.Sprintf("system-%04d", i))
	}
	return contentDir, "/api/compare/generated-0/" + strings.Join(systems, "-vs-")
}

// slowGet sends a GET for path and reads only the response's head, with a
// receive buffer of 64 KiB, fixed before connecting (so the window stays
// small but reading later is fast): the server's handler then blocks
// writing the body until the caller reads it from the returned response.
func slowGet(t *testing.T, addr, path string) *http.Response {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second, Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 64<<10)
		})
		return cmp.Or(err, serr)
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: versa.test\r\nAccept-Encoding: identity\r\n\r\n", path)
	res, err := http.ReadResponse(bufio.NewReaderSize(conn, 4096), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", path, res.StatusCode)
	}
	return res
}

// waitRefused waits up to d until addr refuses connections: the server has
// stopped accepting.
func waitRefused(t *testing.T, addr string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("%s still accepts connections %s after the signal", addr, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestGracefulShutdown sends SIGTERM while a request is in flight: the
// server stops accepting at once, the request still completes, and the
// process closes the store and exits 0.
func TestGracefulShutdown(t *testing.T) {
	contentDir, page := bigPage(t)
	data := filepath.Join(t.TempDir(), "data")
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			p, base := serveReady(t, 2*time.Minute, "--content", contentDir, "--data", data, "--watch=false")
			addr := strings.TrimPrefix(base, "http://")
			res := slowGet(t, addr, page)
			if res.ContentLength < 8<<20 {
				t.Fatalf("page of %d bytes: too small to stay in flight", res.ContentLength)
			}

			p.cmd.Process.Signal(sig)
			waitRefused(t, addr, 10*time.Second)
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatalf("reading the body after %s: %v (after %d bytes)", sig, err, len(body))
			}
			if int64(len(body)) != res.ContentLength || !bytes.HasSuffix(bytes.TrimSpace(body), []byte("}")) {
				t.Errorf("body of %d bytes, Content-Length %d: cut short", len(body), res.ContentLength)
			}
			if code := p.wait(t, 30*time.Second); code != 0 {
				t.Errorf("exit code %d after %s, want 0", code, sig)
			}

			// The log shows the request ending after shutdown began: it
			// really was in flight.
			logs := p.stderr.String()
			stopAt := strings.Index(logs, `msg="shutting down"`)
			reqAt := strings.Index(logs, "path="+page)
			if stopAt < 0 || reqAt < 0 || reqAt < stopAt {
				t.Errorf("log does not show the request finishing during shutdown (shutdown at %d, request at %d)", stopAt, reqAt)
			}
			if !strings.Contains(logs, "msg=stopped") {
				t.Errorf("no \"stopped\" in the log")
			}
			// Closing the database checkpoints and removes its WAL.
			if _, err := os.Stat(filepath.Join(data, "versa.db-wal")); err == nil {
				t.Errorf("versa.db-wal left behind: the database was not closed")
			}
		})
	}
}

// TestShutdownBound holds a request that never finishes to the shutdown
// timeout: the process cuts it, says so and exits 1 instead of hanging.
func TestShutdownBound(t *testing.T) {
	contentDir, page := bigPage(t)
	data := filepath.Join(t.TempDir(), "data")
	p, base := serveReady(t, 2*time.Minute, "--content", contentDir, "--data", data, "--watch=false", "--shutdown-timeout", "500ms")
	addr := strings.TrimPrefix(base, "http://")
	slowGet(t, addr, page) // and never read the body

	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	code := p.wait(t, 30*time.Second)
	took := time.Since(start)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if took < 500*time.Millisecond {
		t.Errorf("exited %s after SIGTERM, before the 500ms bound", took)
	}
	checkRefusal(t, "serve", p.stderr.String(), []string{"shutdown", "500ms"})
}

// TestServeLimits sends the real server what it must refuse before any
// handler: an oversized header block, and an oversized URL.
func TestServeLimits(t *testing.T) {
	contentDir := filepath.Join(t.TempDir(), "content")
	writeGenerated(t, contentDir, genSpec{topics: 1, systems: 3, features: 4, paras: 1})
	p, base := serveReady(t, 2*time.Minute, "--content", contentDir, "--data", t.TempDir(), "--https-headers")
	addr := strings.TrimPrefix(base, "http://")
	tests := []struct {
		name    string
		request string
		want    int
	}{
		{"headers over 64 KiB", "GET / HTTP/1.1\r\nHost: v\r\nX-Big: " + strings.Repeat("x", 100<<10) + "\r\n\r\n", http.StatusRequestHeaderFieldsTooLarge},
		{"URL over 8 KiB", "GET /search?q=" + strings.Repeat("x", 9<<10) + " HTTP/1.1\r\nHost: v\r\n\r\n", http.StatusRequestURITooLong},
		{"body over 64 KiB", "POST / HTTP/1.1\r\nHost: v\r\nContent-Length: " + strconv.Itoa(1<<20) + "\r\n\r\n", http.StatusRequestEntityTooLarge},
		{"wrong method", "DELETE /topics/generated-0 HTTP/1.1\r\nHost: v\r\n\r\n", http.StatusMethodNotAllowed},
		{"NUL in the path", "GET /topics/generated-0%00 HTTP/1.1\r\nHost: v\r\n\r\n", http.StatusNotFound},
		{"ok", "GET /topics/generated-0 HTTP/1.1\r\nHost: v\r\n\r\n", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(30 * time.Second))
			io.WriteString(conn, tt.request)
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tt.want {
				t.Errorf("status = %d, want %d", res.StatusCode, tt.want)
			}
			if tt.want != http.StatusRequestHeaderFieldsTooLarge && res.Header.Get("Strict-Transport-Security") == "" {
				t.Errorf("no Strict-Transport-Security with --https-headers")
			}
		})
	}
	if p.exited() {
		t.Fatalf("the server exited:\n%s", p.stderr)
	}
}

func TestHTTPSHeadersFlag(t *testing.T) {
	var stderr bytes.Buffer
	_, cfg, _, err := parseArgs(nil, &stderr)
	if err != nil || cfg.HTTPSHeaders || cfg.ShutdownTimeout != 10*time.Second {
		t.Errorf("defaults: HTTPSHeaders %v, ShutdownTimeout %s (%v)", cfg.HTTPSHeaders, cfg.ShutdownTimeout, err)
	}
	t.Setenv("VERSA_HTTPS_HEADERS", "true")
	t.Setenv("VERSA_SHUTDOWN_TIMEOUT", "3s")
	_, cfg, _, err = parseArgs(nil, &stderr)
	if err != nil || !cfg.HTTPSHeaders || cfg.ShutdownTimeout != 3*time.Second {
		t.Errorf("from the environment: HTTPSHeaders %v, ShutdownTimeout %s (%v)", cfg.HTTPSHeaders, cfg.ShutdownTimeout, err)
	}
	_, cfg, _, err = parseArgs([]string{"--https-headers=false", "--shutdown-timeout", "1m"}, &stderr)
	if err != nil || cfg.HTTPSHeaders || cfg.ShutdownTimeout != time.Minute {
		t.Errorf("flags over the environment: HTTPSHeaders %v, ShutdownTimeout %s (%v)", cfg.HTTPSHeaders, cfg.ShutdownTimeout, err)
	}
}

// TestMetricsWiring scrapes the real server: what serve wires up (the
// startup load, the index size, searches, snapshots) is all on /metrics.
func TestMetricsWiring(t *testing.T) {
	contentDir := filepath.Join(t.TempDir(), "content")
	writeGenerated(t, contentDir, genSpec{topics: 1, systems: 8, features: 4, paras: 1})
	_, base := serveReady(t, 2*time.Minute, "--content", contentDir, "--data", t.TempDir(), "--watch=false")
	searchHits(t, base, genMarker, time.Minute)
	fetchURL(t, base+"/topics/generated-0")
	status, body := fetchURL(t, base+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics = %d", status)
	}
	value := func(series string) string {
		for _, line := range strings.Split(body, "\n") {
			if v, ok := strings.CutPrefix(line, series+" "); ok {
				return v
			}
		}
		return ""
	}
	for series, ok := range map[string]func(v string) bool{
		`versa_content_reloads_total{result="ok"}`:                                   func(v string) bool { return v == "1" },
		`versa_content_problems`:                                                     func(v string) bool { return v == "0" },
		`versa_search_index_documents`:                                               func(v string) bool { n, _ := strconv.Atoi(v); return n > 8 },
		`versa_search_duration_seconds_count{result="ok"}`:                           func(v string) bool { n, _ := strconv.Atoi(v); return n >= 1 },
		`versa_http_requests_total{code="200",method="GET",route="/topics/{topic}"}`: func(v string) bool { return v == "1" },
		`versa_snapshots`:                                                            func(v string) bool { return v == "0" },
		`process_resident_memory_bytes`:                                              func(v string) bool { return v != "" },
	} {
		if v := value(series); !ok(v) {
			t.Errorf("%s = %q", series, v)
		}
	}
}
