package main

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver, to age a database
)

// Fault tests: the real binary, killed with SIGKILL at random points or
// started on a broken data folder. The rule they hold: whatever happened
// before, the next start either serves the content correctly or refuses
// with a clear message and exit 1, never a panic.

// generatedContent writes a content folder large enough that a cold
// build takes hundreds of milliseconds, once per test.
func generatedContent(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "content")
	writeGenerated(t, dir, genSpec{topics: 3, systems: 150, features: 40, paras: 6, noteWords: 5})
	return dir
}

// checkServes starts serve on data and checks what a reader would: the
// content of revision want, a system page, and a search that finds the
// marked system (waiting for the index if it is being rebuilt).
func checkServes(t *testing.T, contentDir, data, want string) {
	t.Helper()
	p, base := serveReady(t, 2*time.Minute, "--content", contentDir, "--data", data, "--watch=false")
	if got := revisionOf(t, base); !strings.HasPrefix(got, want) {
		t.Errorf("serving revision %.12s, a clean build has %s", got, want)
	}
	status, body := fetchURL(t, base+"/topics/"+genMarkerTopic+"/"+genMarkerSys)
	if status != http.StatusOK || !strings.Contains(body, genMarker) {
		t.Errorf("system page = %d, has the marker: %v", status, strings.Contains(body, genMarker))
	}
	if status, _ := fetchURL(t, base+"/compare/generated-1/system-0001-vs-system-0002"); status != http.StatusOK {
		t.Errorf("compare page = %d", status)
	}
	if n := searchHits(t, base, genMarker, 2*time.Minute); n != 1 {
		t.Errorf("search for %s found %d hits, want 1", genMarker, n)
	}
	p.cmd.Process.Signal(os.Interrupt)
	if code := p.wait(t, time.Minute); code != 0 {
		t.Errorf("serve exited %d after SIGINT", code)
	}
}

// checkIndexFolder holds that no abandoned index folder is left beside the
// live one after a start.
func checkIndexFolder(t *testing.T, data string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(data, "index"))
	if err != nil {
		t.Fatal(err)
	}
	var folders []string
	for _, e := range entries {
		if e.IsDir() {
			folders = append(folders, e.Name())
		}
	}
	if len(folders) != 1 {
		t.Errorf("index folders after a clean start: %q, want exactly one", folders)
	}
}

// killAt starts versa with args and sends SIGKILL after d. It returns the
// process, and whether it was still running then.
func killAt(t *testing.T, d time.Duration, args ...string) (*child, bool) {
	t.Helper()
	p := startVersa(t, args...)
	select {
	case <-p.done:
		return p, false
	case <-time.After(d):
	}
	p.cmd.Process.Kill()
	<-p.done
	return p, p.code == -1
}

// Kills per test: the target, and the most attempts to reach it.
const (
	wantKills   = 5
	maxAttempts = 15
)

func TestKillDuringBuild(t *testing.T) {
	versaBinary(t) // built before the clock starts
	contentDir := generatedContent(t)
	start := time.Now()
	want, _ := buildRevision(t, contentDir, filepath.Join(t.TempDir(), "clean"))
	cold := time.Since(start)
	t.Logf("a cold build takes %s", cold)
	if cold < 300*time.Millisecond {
		t.Logf("the build is quick on this machine: kills may land after it ends")
	}

	// Each kill lands on what the kills before it left. A build that ends
	// before its kill leaves nothing to break: the next starts afresh.
	data := filepath.Join(t.TempDir(), "data")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	killed := 0
	for i := 0; killed < wantKills && i < maxAttempts; i++ {
		at := time.Duration(rng.Int64N(int64(cold)))
		_, running := killAt(t, at, "build", "--content", contentDir, "--data", data)
		t.Logf("attempt %d: kill at %s (still building: %v)", i, at, running)
		if running {
			killed++
		} else if err := os.RemoveAll(data); err != nil {
			t.Fatal(err)
		}
	}
	if killed < wantKills {
		t.Fatalf("only %d of %d kills landed while the build ran (cold build %s)", killed, maxAttempts, cold)
	}
	got, out := buildRevision(t, contentDir, data)
	if got != want {
		t.Errorf("build after kills: revision %s, a clean build has %s", got, want)
	}
	if !strings.Contains(out, "search index: ") {
		t.Errorf("build after kills printed %q", out)
	}
	checkServes(t, contentDir, data, want)
	checkIndexFolder(t, data)
}

func TestKillDuringServeStart(t *testing.T) {
	versaBinary(t)
	contentDir := generatedContent(t)
	first := filepath.Join(t.TempDir(), "first")
	start := time.Now()
	p, _ := serveReady(t, 2*time.Minute, "--content", contentDir, "--data", first, "--watch=false")
	ready := time.Since(start)
	// The index builds on after the server is ready: a start is whole
	// once the index is built.
	for !strings.Contains(p.stderr.String(), "search index built") {
		if time.Since(start) > 2*time.Minute {
			t.Fatal("the first start built no search index in 2 minutes")
		}
		time.Sleep(5 * time.Millisecond)
	}
	full := time.Since(start)
	p.cmd.Process.Kill()
	<-p.done
	want, _ := buildRevision(t, contentDir, first)

	// Kills land anywhere before the first start was whole: during the
	// load, or while the index builds after ready. A start that got as far
	// as a built index (later starts can be quicker) leaves nothing to
	// break: the next starts afresh.
	data := filepath.Join(t.TempDir(), "data")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	killed := 0
	for i := 0; killed < wantKills && i < maxAttempts; i++ {
		at := time.Duration(rng.Int64N(int64(full)))
		p, _ := killAt(t, at, "serve", "--addr", "127.0.0.1:0", "--content", contentDir, "--data", data, "--watch=false")
		started := strings.Contains(p.stderr.String(), "search index built")
		t.Logf("attempt %d: kill at %s, ready after %s, whole after %s (started in full: %v)", i, at, ready, full, started)
		if !started {
			killed++
		} else if err := os.RemoveAll(data); err != nil {
			t.Fatal(err)
		}
	}
	if killed < wantKills {
		t.Fatalf("only %d of %d kills landed during the start (ready after %s, whole after %s)", killed, maxAttempts, ready, full)
	}
	checkServes(t, contentDir, data, want)
	checkIndexFolder(t, data)
}

// TestKillDuringReload edits every file under a running server, asks it to
// reload (SIGHUP) and kills it during the reload, several times: the next
// start serves the edited content, as a clean build of it does.
func TestKillDuringReload(t *testing.T) {
	versaBinary(t)
	contentDir := generatedContent(t)
	data := filepath.Join(t.TempDir(), "data")
	buildRevision(t, contentDir, data)

	// Every system file gains a paragraph: the reload rewrites everything.
	edit := func(round int) {
		files, err := filepath.Glob(filepath.Join(contentDir, "*", "systems", "*.md"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no system files: %v", err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			b = append(b, []byte("\nEdited in round "+strconv.Itoa(round)+".\n")...)
			if err := os.WriteFile(f, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	for round := range 3 {
		p, _ := serveReady(t, 2*time.Minute, "--content", contentDir, "--data", data, "--watch=false")
		edit(round)
		start := time.Now()
		p.cmd.Process.Signal(syscall.SIGHUP)
		// Wait for the reload to begin, then kill within the time a
		// reload of this folder takes (about a cold build).
		for !strings.Contains(p.stderr.String(), "SIGHUP") && time.Since(start) < 30*time.Second {
			time.Sleep(5 * time.Millisecond)
		}
		at := time.Duration(rng.Int64N(int64(2 * time.Second)))
		time.Sleep(at)
		p.cmd.Process.Kill()
		<-p.done
		t.Logf("round %d: killed %s into the reload", round, at)
	}
	want, _ := buildRevision(t, contentDir, filepath.Join(t.TempDir(), "clean"))
	checkServes(t, contentDir, data, want)
	checkIndexFolder(t, data)
}

func TestCorruptIndexIsRebuilt(t *testing.T) {
	contentDir := generatedContent(t)
	clean := filepath.Join(t.TempDir(), "clean")
	want, _ := buildRevision(t, contentDir, clean)

	garbage := func(t *testing.T, path string) {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, max(fi.Size(), 64))
		rng := rand.New(rand.NewPCG(uint64(fi.Size()), 3))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	live := func(t *testing.T, data string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(data, "index", "current"))
		if err != nil {
			t.Fatal(err)
		}
		return filepath.Join(data, "index", strings.TrimSpace(string(b)))
	}
	tests := []struct {
		name    string
		corrupt func(t *testing.T, data string)
	}{
		{"garbage in every file", func(t *testing.T, data string) {
			err := filepath.WalkDir(live(t, data), func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					garbage(t, p)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}},
		{"garbage in the manifest", func(t *testing.T, data string) {
			garbage(t, filepath.Join(live(t, data), "manifest.json"))
		}},
		{"one shard truncated", func(t *testing.T, data string) {
			if err := os.Truncate(filepath.Join(live(t, data), "shard-0.docs"), 10); err != nil {
				t.Fatal(err)
			}
		}},
		{"garbage in the pointer", func(t *testing.T, data string) {
			garbage(t, filepath.Join(data, "index", "current"))
		}},
		{"index folder gone", func(t *testing.T, data string) {
			if err := os.RemoveAll(live(t, data)); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			if err := os.CopyFS(data, os.DirFS(clean)); err != nil {
				t.Fatal(err)
			}
			before := live(t, data)
			tt.corrupt(t, data)
			checkServes(t, contentDir, data, want)
			checkIndexFolder(t, data)
			// Index folders are named by the time of their build: a new
			// name means the damage was found and the index rebuilt.
			if after := live(t, data); filepath.Base(after) == filepath.Base(before) {
				t.Errorf("still serving %s: the damage went unnoticed", filepath.Base(before))
			}
		})
	}
}

// TestUnusableDataFolder starts serve and build on data folders they
// cannot use: each exits 1 with a message naming the problem, no panic.
func TestUnusableDataFolder(t *testing.T) {
	contentDir := generatedContent(t)
	tmp := t.TempDir()
	file := filepath.Join(tmp, "a-file")
	if err := os.WriteFile(file, []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	var cred *syscall.Credential // set by a setup to run versa as another user
	tests := []struct {
		name  string
		setup func(t *testing.T) string // returns --data
		want  []string                  // in the message, all of them
	}{
		{"data is a file", func(t *testing.T) string { return file }, []string{"data folder", file}},
		{"data under a file", func(t *testing.T) string { return filepath.Join(file, "data") }, []string{"data folder", "not a directory"}},
		{"data under /proc", func(t *testing.T) string { return "/proc/versa-test/data" }, []string{"data folder", "/proc/versa-test/data"}},
		{"database is a folder", func(t *testing.T) string {
			d := filepath.Join(t.TempDir(), "data")
			if err := os.MkdirAll(filepath.Join(d, "versa.db"), 0o755); err != nil {
				t.Fatal(err)
			}
			return d
		}, []string{"versa.db"}},
		{"database is garbage", func(t *testing.T) string {
			d := t.TempDir()
			if err := os.WriteFile(filepath.Join(d, "versa.db"), []byte(strings.Repeat("garbage!", 1024)), 0o644); err != nil {
				t.Fatal(err)
			}
			return d
		}, []string{"versa.db", "not a database"}},
		{"disk full", func(t *testing.T) string {
			// SQLite sees an empty file that refuses every write, as on a
			// full disk.
			if _, err := os.Stat("/dev/full"); err != nil {
				t.Skip("no /dev/full on this system")
			}
			d := t.TempDir()
			if err := os.Symlink("/dev/full", filepath.Join(d, "versa.db")); err != nil {
				t.Fatal(err)
			}
			return d
		}, []string{"versa.db"}},
		{"read-only folder", func(t *testing.T) string {
			d := filepath.Join(t.TempDir(), "data")
			if err := os.Mkdir(d, 0o500); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(d, 0o700) })
			if os.Geteuid() == 0 {
				// root writes through 0500: run versa as nobody, owning the
				// folder, as the container's user would.
				cred = &syscall.Credential{Uid: 65534, Gid: 65534}
				for p := d; p != os.TempDir() && p != "/"; p = filepath.Dir(p) {
					if p != d {
						os.Chmod(p, 0o755) // t.TempDir's folders are 0700
					}
				}
				if err := os.Chown(d, 65534, 65534); err != nil {
					t.Skipf("running as root and cannot hand the folder to nobody: %v", err)
				}
			}
			return d
		}, []string{"versa.db", "must be writable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred = nil
			data := tt.setup(t)
			for _, cmd := range []string{"serve", "build"} {
				code, out, errOut := runVersaAs(t, cred, time.Minute, cmd, "--addr", "127.0.0.1:0", "--content", contentDir, "--data", data)
				if code != 1 {
					t.Errorf("versa %s exited %d, want 1:\n%s%s", cmd, code, out, errOut)
				}
				checkRefusal(t, cmd, errOut, tt.want)
			}
		})
	}
}

// checkRefusal holds a refusal to start to a message, not a crash.
func checkRefusal(t *testing.T, cmd, stderr string, want []string) {
	t.Helper()
	if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
		t.Errorf("versa %s panicked:\n%s", cmd, stderr)
	}
	last := lastLine(stderr)
	t.Logf("versa %s: %s", cmd, last)
	if !strings.HasPrefix(last, "versa: ") {
		t.Errorf("versa %s: last line %q, want a \"versa: \" message", cmd, last)
	}
	for _, w := range want {
		if !strings.Contains(last, w) {
			t.Errorf("versa %s: message %q does not say %q", cmd, last, w)
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestNewerDatabaseRefused(t *testing.T) {
	contentDir := generatedContent(t)
	data := filepath.Join(t.TempDir(), "data")
	buildRevision(t, contentDir, data)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "versa.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(context.Background(), `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, '2030-01-01T00:00:00Z')`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"serve", "build"} {
		code, out, errOut := runVersa(t, time.Minute, cmd, "--addr", "127.0.0.1:0", "--content", contentDir, "--data", data)
		if code != 1 {
			t.Errorf("versa %s exited %d, want 1:\n%s%s", cmd, code, out, errOut)
		}
		checkRefusal(t, cmd, errOut, []string{"schema version 9999 is newer than this binary", "upgrade versa"})
	}
}
