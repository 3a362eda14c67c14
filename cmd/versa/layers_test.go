package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayers holds the one direction of imports: content folder ->
// internal/content -> internal/ingest -> internal/sqlite and internal/search
// -> internal/server -> web. Only cmd/versa imports everything.
func TestLayers(t *testing.T) {
	forbidden := map[string][]string{
		"versa/internal/kb":       {"versa/"},
		"versa/internal/link":     {"versa/"},
		"versa/deploy":            {"versa/"},
		"versa/internal/history":  {"versa/"},
		"versa/internal/postgres": {"versa/internal/content", "versa/internal/ingest", "versa/internal/sqlite", "versa/internal/search", "versa/internal/server", "versa/web"},
		"versa/internal/content":  {"versa/internal/ingest", "versa/internal/sqlite", "versa/internal/search", "versa/internal/server", "versa/web"},
		"versa/internal/sqlite":   {"versa/internal/content", "versa/internal/ingest", "versa/internal/search", "versa/internal/server", "versa/web"},
		"versa/internal/search":   {"versa/internal/content", "versa/internal/ingest", "versa/internal/sqlite", "versa/internal/server", "versa/web"},
		"versa/internal/ingest":   {"versa/internal/sqlite", "versa/internal/server", "versa/web"},
		"versa/internal/server":   {"versa/internal/content", "versa/internal/ingest", "versa/internal/sqlite", "versa/internal/search"},
		"versa/web":               {"versa/internal/content", "versa/internal/ingest", "versa/internal/sqlite", "versa/internal/search", "versa/internal/server", "github.com/yuin/goldmark", "github.com/go-chi/chi"},
	}
	// The leaf packages of the server serve it and never call back up into it
	// (nor into the layers below the server's).
	for _, leaf := range []string{"pagecache", "metrics", "ratelimit", "preview"} {
		forbidden["versa/internal/server/"+leaf] = []string{"=versa/internal/server", "versa/internal/content", "versa/internal/ingest", "versa/internal/sqlite", "versa/internal/search"}
	}
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-e", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range bad {
				exact, only := strings.CutPrefix(b, "=") // "=p": p itself, not its subpackages
				hit := dep == exact || (!only && (strings.HasPrefix(dep, b+"/") || (strings.HasSuffix(b, "/") && strings.HasPrefix(dep, b))))
				if hit && dep != pkg {
					t.Errorf("%s imports %s, against the one direction of data", pkg, dep)
				}
			}
		}
	}
}
