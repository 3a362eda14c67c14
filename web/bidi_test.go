package web

import (
	"strings"
	"testing"
)

const evilName = "Evil\u202eexe.txt\u2066x\u2069"

func TestStripBidi(t *testing.T) {
	if got := StripBidi(evilName); got != "Evilexe.txtx" {
		t.Fatalf("StripBidi = %q", got)
	}
	for _, r := range "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069" {
		if strings.ContainsRune(StripBidi("a"+string(r)+"b"), r) {
			t.Errorf("%U kept", r)
		}
	}
	if got := StripBidi("Django עברית"); got != "Django עברית" {
		t.Errorf("plain text changed: %q", got)
	}
	if got := (Page{Title: evilName}).previewTitle(); got != "Evilexe.txtx" {
		t.Errorf("og:title %q keeps bidi controls", got)
	}
}

// TestBidiNamesIsolated: a system name in the compare table header is in
// an element of its own direction (dir="auto"), so an override in it does
// not run into the text after it.
func TestBidiNamesIsolated(t *testing.T) {
	v := CompareView{Title: "a vs b", Systems: []CompareColumn{{Slug: "a", Name: evilName, URL: "/x"}, {Slug: "b", Name: "B", URL: "/y"}}}
	_, raw := render(t, ComparePage(v))
	if !strings.Contains(raw, `dir="auto">`+evilName+`</a>`) {
		t.Fatalf("system name not isolated with dir=auto in:\n%s", raw)
	}
}
