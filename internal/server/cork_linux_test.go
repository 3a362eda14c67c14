package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"testing"
)

// corkState reads TCP_CORK of the connection ConnContext kept for r.
func corkState(t *testing.T, r *http.Request) int {
	c, _ := r.Context().Value(connKey{}).(net.Conn)
	if c == nil {
		t.Error("no connection in the request's context")
		return -1
	}
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Error(err)
		return -1
	}
	v := -1
	_ = rc.Control(func(fd uintptr) {
		v, err = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK)
	})
	if err != nil {
		t.Error(err)
	}
	return v
}

// corkProbe notes TCP_CORK as the body starts to be written.
type corkProbe struct {
	http.ResponseWriter
	t       *testing.T
	r       *http.Request
	atWrite int
}

func (p *corkProbe) Write(b []byte) (int, error) {
	if p.atWrite < 0 {
		p.atWrite = corkState(p.t, p.r)
	}
	return p.ResponseWriter.Write(b)
}

func (p *corkProbe) Unwrap() http.ResponseWriter { return p.ResponseWriter }

// TestCorkedPages sends a cached page over a real connection: a large one
// is written corked and the cork is pulled before the next request, so a
// small answer on the same connection is not held back; bodies arrive
// whole, raw and gzip, from memory and from the page-file folder.
func TestCorkedPages(t *testing.T) {
	db := openDB(t)
	loadDir(t, db, "../../content")
	h := New(Config{PageFiles: t.TempDir()}, db)
	type seen struct {
		path           string
		atWrite, after int
	}
	var mu sync.Mutex
	var log []seen
	srv := &http.Server{
		ConnContext: ConnContext,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := &corkProbe{ResponseWriter: w, t: t, r: r, atWrite: -1}
			h.ServeHTTP(p, r)
			mu.Lock()
			log = append(log, seen{r.URL.Path, p.atWrite, corkState(t, r)})
			mu.Unlock()
		}),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxConnsPerHost: 1}}

	fetch := func(path, encoding string) []byte {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d, %v", path, resp.StatusCode, err)
		}
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		return body
	}
	want := fetch(sixPage, "") // renders and fills the cache
	for _, enc := range []string{"", "gzip", "", "gzip"} {
		if got := fetch(sixPage, enc); !bytes.Equal(got, want) {
			t.Errorf("cached %q page differs from the rendered one (%d bytes, want %d)", enc, len(got), len(want))
		}
		fetch("/healthz", "")
	}
	mu.Lock()
	defer mu.Unlock()
	for i, s := range log {
		if s.after != 0 {
			t.Errorf("request %d (%s) left TCP_CORK = %d", i, s.path, s.after)
		}
		if s.path == sixPage && s.atWrite != 1 {
			t.Errorf("request %d (%s) wrote its body with TCP_CORK = %d, want 1", i, s.path, s.atWrite)
		}
	}
	if len(log) != 9 {
		t.Errorf("%d requests seen, want 9", len(log))
	}
}
