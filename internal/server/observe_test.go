package server

import (
	"bytes"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestRequestLog checks the one line a request writes: what was asked,
// the answer's status and bytes, and a request ID, a proxy's when it sent
// a sound one, the server's own otherwise, different for every request.
func TestRequestLog(t *testing.T) {
	var buf bytes.Buffer
	h := discoveryServer(t, Config{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	line := func() string {
		t.Helper()
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		buf.Reset()
		var reqs []string
		for _, l := range lines {
			if strings.Contains(l, " msg=request ") {
				reqs = append(reqs, l)
			}
		}
		if len(reqs) != 1 {
			t.Fatalf("request lines %q, want one", reqs)
		}
		return reqs[0]
	}
	idOf := regexp.MustCompile(` request_id=("(?:[^"\\]|\\.)*"|\S+)`)
	id := func(l string) string {
		m := idOf.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("no request_id in %q", l)
		}
		if v, err := strconv.Unquote(m[1]); err == nil {
			return v // the handler quotes a value that needs it
		}
		return m[1]
	}

	first := get(t, h, "/topics/dbs")
	l := line()
	for _, want := range []string{" level=INFO ", " method=GET ", " path=/topics/dbs ", " status=200 ", " bytes=" + strconv.Itoa(first.Body.Len()) + " ", " duration="} {
		if !strings.Contains(l, want) {
			t.Errorf("log line %q lacks %q", l, want)
		}
	}
	own := id(l)
	get(t, h, "/topics/dbs") // from the cache, logged the same
	if again := line(); id(again) == own || !strings.Contains(again, " status=200 ") {
		t.Errorf("second request logged %q after %q: want status 200 and a new ID", again, l)
	}
	send(h, "GET", "/topics/nope", "X-Request-Id", "edge-42")
	if l := line(); id(l) != "edge-42" || !strings.Contains(l, " status=404 ") {
		t.Errorf("request with X-Request-Id edge-42 logged %q", l)
	}
	for _, bad := range []string{"two words", "bell\a", strings.Repeat("x", maxRequestIDBytes+1)} {
		send(h, "GET", "/topics/dbs", "X-Request-Id", bad)
		if got := id(line()); !strings.HasPrefix(got, requestIDPrefix) {
			t.Errorf("X-Request-Id %q was logged as %s, want one of the server's", bad, got)
		}
	}
	send(h, "GET", "/healthz")
	if strings.Contains(buf.String(), "path=/healthz") {
		t.Errorf("a probe was logged at info level: %q", buf.String())
	}
}
