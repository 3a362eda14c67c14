package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"versa/internal/content"
	"versa/internal/kb"
	"versa/internal/sqlite"
)

// TestBackup copies the database while another connection, standing in for
// the server, keeps pinning: the copy opens, holds the content and the
// snapshots made before it, and a second backup to the same file is
// refused.
func TestBackup(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(data, "versa.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, problems, err := content.Load(os.DirFS("../../internal/content/testdata/valid"))
	if err != nil || len(problems) > 0 {
		t.Fatalf("load: %v %v", err, problems)
	}
	if err := db.ReplaceContent(ctx, c, nil); err != nil {
		t.Fatal(err)
	}
	snap := func(i int) kb.Pin {
		return kb.Pin{ID: fmt.Sprintf("snap%012d", i), CreatedAt: time.Now(), Revision: c.Revision,
			URL: "/compare/web/django-vs-flask", Topic: "web", Data: []byte(`{"version":1}`)}
	}
	if _, err := db.PutPin(ctx, snap(0)); err != nil {
		t.Fatal(err)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := db.PutPin(ctx, snap(i)); err != nil {
				t.Errorf("pin while backing up: %v", err)
				return
			}
		}
	}()
	out := filepath.Join(t.TempDir(), "copy.db")
	var stdout bytes.Buffer
	err = run(ctx, []string{"backup", "--data", data, out}, &stdout, &stdout)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, stdout.String())
	}
	if !strings.HasPrefix(stdout.String(), "backed up ") {
		t.Errorf("backup printed %q", stdout.String())
	}

	cp, err := sqlite.Open(ctx, out)
	if err != nil {
		t.Fatalf("open the copy: %v", err)
	}
	defer cp.Close()
	if got, err := cp.GetPin(ctx, snap(0).ID); err != nil || got.URL != snap(0).URL {
		t.Errorf("snapshot in the copy = %+v, %v", got, err)
	}
	if rev, err := cp.Revision(ctx); err != nil || rev.ID != c.Revision {
		t.Errorf("revision in the copy = %q, %v; want %q", rev.ID, err, c.Revision)
	}

	before, _ := os.ReadFile(out)
	if err := run(ctx, []string{"backup", "--data", data, out}, &stdout, &stdout); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("backup over an existing file = %v, want a refusal", err)
	}
	if after, _ := os.ReadFile(out); !bytes.Equal(before, after) {
		t.Error("a refused backup changed the file")
	}
	if err := run(ctx, []string{"backup", "--data", data}, &stdout, &stdout); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("backup without FILE = %v, want usage", err)
	}
	if err := run(ctx, []string{"backup", "--data", t.TempDir(), filepath.Join(t.TempDir(), "x.db")}, &stdout, &stdout); err == nil {
		t.Error("backup of a data folder without a database succeeded")
	}
}
