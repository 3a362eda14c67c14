package search

import "testing"

func TestDocs(t *testing.T) {
	empty, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if n := empty.Docs(); n != 0 {
		t.Errorf("Docs before a build = %d, want 0", n)
	}
	ix := openBuilt(t)
	res := search(t, ix, Query{Text: "django", PerPage: 1})
	if n := ix.Docs(); n < res.Total || n < 50 {
		t.Errorf("Docs = %d, but one search alone matches %d", n, res.Total)
	}
	ix.Close()
	if n := ix.Docs(); n != 0 {
		t.Errorf("Docs after Close = %d, want 0", n)
	}
}
