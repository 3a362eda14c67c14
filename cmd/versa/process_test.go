package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Tests in this file's family run the real binary as a child process, to
// see what a signal, a kill -9 or a broken data folder does to it. The
// binary is built once per test run, on first use.

// binDir holds the built binary; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "versa-bin-")
	if err != nil {
		return "", err
	}
	binDir = dir
	if err := os.Chmod(dir, 0o755); err != nil { // for tests that run it as another user
		return "", err
	}
	bin := filepath.Join(dir, "versa")
	cmd := exec.Command(goTool(), "build", "-o", bin, ".")
	// The flags of a plain `go build ./...`, so its cached packages are reused.
	cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// goTool is the go command of the toolchain running the tests.
func goTool() string {
	if p := filepath.Join(os.Getenv("GOROOT"), "bin", "go"); os.Getenv("GOROOT") != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "go"
}

// versaBinary returns the path of the built binary; the tests that need it
// are skipped in -short mode.
func versaBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the binary as a child process; skipped in -short mode")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// outBuffer is a bytes.Buffer safe for the child's output goroutines and
// the test reading it.
type outBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *outBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *outBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// child is a running versa child process.
type child struct {
	cmd    *exec.Cmd
	stdout *outBuffer
	stderr *outBuffer
	done   chan struct{} // closed when the process has exited
	code   int           // exit code once done; -1 when killed by a signal
}

// startVersa runs the binary with args; the process is killed when the test
// ends if it is still running.
func startVersa(t *testing.T, args ...string) *child {
	t.Helper()
	return startVersaAs(t, nil, args...)
}

// startVersaAs is startVersa as another user (nil: this process's).
func startVersaAs(t *testing.T, cred *syscall.Credential, args ...string) *child {
	t.Helper()
	p := &child{
		cmd:    exec.Command(versaBinary(t), args...),
		stdout: &outBuffer{},
		stderr: &outBuffer{},
		done:   make(chan struct{}),
	}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	p.cmd.Env = append(os.Environ(), "VERSA_LOG_FORMAT=text")
	if cred != nil {
		p.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("versa %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), p.stdout, p.stderr)
		}
	})
	return p
}

// wait waits up to d for the process to exit and returns its exit code.
func (p *child) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(d):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("versa %s still running after %s", strings.Join(p.cmd.Args[1:], " "), d)
		return 0
	}
}

// exited reports whether the process has exited.
func (p *child) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// runVersa runs the binary to its end, within d.
func runVersa(t *testing.T, d time.Duration, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runVersaAs(t, nil, d, args...)
}

// runVersaAs is runVersa as another user (nil: this process's).
func runVersaAs(t *testing.T, cred *syscall.Credential, d time.Duration, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	p := startVersaAs(t, cred, args...)
	code = p.wait(t, d)
	return code, p.stdout.String(), p.stderr.String()
}

var servingRE = regexp.MustCompile(`msg=serving addr=(\S+)`)

// serveReady starts versa serve on a free loopback port and waits up to d
// for /readyz; it returns the process and the base URL.
func serveReady(t *testing.T, d time.Duration, args ...string) (*child, string) {
	t.Helper()
	p := startVersa(t, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	deadline := time.Now().Add(d)
	base := ""
	for {
		if p.exited() {
			t.Fatalf("versa serve exited with %d before it was ready:\n%s", p.code, p.stderr)
		}
		if time.Now().After(deadline) {
			t.Fatalf("versa serve not ready after %s:\n%s", d, p.stderr)
		}
		if base == "" {
			if m := servingRE.FindStringSubmatch(p.stderr.String()); m != nil {
				base = "http://" + m[1]
			}
		}
		if base != "" {
			if res, err := http.Get(base + "/readyz"); err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					return p, base
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fetchURL GETs url and returns the status and body.
func fetchURL(t *testing.T, url string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	res, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return res.StatusCode, string(body)
}

// revisionOf is the content revision /api/status reports.
func revisionOf(t *testing.T, base string) string {
	t.Helper()
	status, body := fetchURL(t, base+"/api/status")
	if status != http.StatusOK {
		t.Fatalf("/api/status = %d: %s", status, body)
	}
	var s struct {
		Revision string `json:"revision"`
	}
	if err := json.Unmarshal([]byte(body), &s); err != nil || s.Revision == "" {
		t.Fatalf("/api/status: no revision in %s (%v)", body, err)
	}
	return s.Revision
}

// searchHits waits up to d for the search index (it may still be building)
// and returns the number of hits for q.
func searchHits(t *testing.T, base, q string, d time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		status, body := fetchURL(t, base+"/api/search?q="+q)
		switch {
		case status == http.StatusOK:
			var res struct {
				Total int `json:"total"`
			}
			if err := json.Unmarshal([]byte(body), &res); err != nil {
				t.Fatalf("/api/search: %v in %s", err, body)
			}
			return res.Total
		case status != http.StatusServiceUnavailable:
			t.Fatalf("/api/search?q=%s = %d: %s", q, status, body)
		case time.Now().After(deadline):
			t.Fatalf("search still not ready after %s", d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Generated content: topics of systems with every feature set and prose
// sections, big enough that a build takes a while.
const (
	genMarker      = "zyxquorp"    // one system's pros say it: a search finds exactly that system
	genMarkerTopic = "generated-0" // where the marked system lives
	genMarkerSys   = "system-0007"
)

var genWords = strings.Fields(`the a fast small mature async typed cached stable plugin template
	router session request handler database migration schema index query cluster replica
	thread worker queue stream socket header cookie token secret backup restore deploy
	container image volume metric trace log alert budget latency throughput memory disk`)

// genSpec is the shape of a generated content folder.
type genSpec struct {
	topics, systems, features int
	paras                     int // paragraphs of prose per system
	noteWords                 int // words of the note of a partial cell
}

// writeGenerated writes a content folder of the given shape into dir.
func writeGenerated(t *testing.T, dir string, g genSpec) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	prose := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(genWords[rng.IntN(len(genWords))])
		}
		return b.String()
	}
	write := func(name, s string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for ti := range g.topics {
		topic := fmt.Sprintf("generated-%d", ti)
		var y strings.Builder
		fmt.Fprintf(&y, "title: Generated %d\nsummary: A generated topic.\ncategories:\n  - key: general\n    title: General\n  - key: more\n    title: More\nfeatures:\n", ti)
		for fi := range g.features {
			cat := "general"
			if fi%2 == 1 {
				cat = "more"
			}
			fmt.Fprintf(&y, "  - key: f%d\n    name: Feature %d\n    category: %s\n    description: %s.\n", fi, fi, cat, prose(8))
		}
		write(topic+"/topic.yaml", y.String())
		for si := range g.systems {
			slug := fmt.Sprintf("system-%04d", si)
			var s strings.Builder
			fmt.Fprintf(&s, "---\nname: System %d\nhomepage: https://example.org/%s\nsummary: %s.\ntags: [generated]\nfeatures:\n", si, slug, prose(10))
			for fi := range g.features {
				switch rng.IntN(4) {
				case 0:
					fmt.Fprintf(&s, "  f%d: yes\n", fi)
				case 1:
					fmt.Fprintf(&s, "  f%d: {support: partial, note: %s}\n", fi, prose(max(g.noteWords, 1)))
				case 2:
					fmt.Fprintf(&s, "  f%d: no\n", fi)
				}
			}
			s.WriteString("---\n")
			for range g.paras {
				s.WriteString(prose(60) + ".\n\n")
			}
			s.WriteString("## Pros\n")
			for range 4 {
				s.WriteString("- " + prose(12) + "\n")
			}
			if topic == genMarkerTopic && slug == genMarkerSys {
				s.WriteString("- " + genMarker + " support\n")
			}
			s.WriteString("\n## Cons\n- " + prose(12) + "\n\n## Use cases\n- " + prose(12) + "\n")
			write(topic+"/systems/"+slug+".md", s.String())
		}
		write(topic+"/articles/overview.md", fmt.Sprintf("---\ntitle: Overview %d\nsummary: All of them.\nupdated: 2026-01-02\nsystems: [system-0000, system-0001]\n---\n%s\n\n```matrix\nsystems: system-0000, system-0001\n```\n", ti, prose(200)))
	}
}

var revisionRE = regexp.MustCompile(`revision ([0-9a-f]{12})`)

// buildRevision runs versa build and returns the revision it printed.
func buildRevision(t *testing.T, contentDir, data string) (string, string) {
	t.Helper()
	code, out, errOut := runVersa(t, 5*time.Minute, "build", "--content", contentDir, "--data", data)
	if code != 0 {
		t.Fatalf("versa build exited %d:\n%s\n%s", code, out, errOut)
	}
	m := revisionRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("versa build printed no revision:\n%s", out)
	}
	return m[1], out
}
