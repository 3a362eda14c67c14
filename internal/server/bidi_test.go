package server

import (
	"strings"
	"testing"
)

// TestExportsStripBidi: CSV cells and Markdown text lose bidi controls.
func TestExportsStripBidi(t *testing.T) {
	const name = "Evil\u202eexe.txt\u2067x\u2069"
	for _, got := range []string{spreadsheetSafe(name), mdEscape(name)} {
		if strings.ContainsAny(got, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") {
			t.Errorf("export text %q keeps bidi controls", got)
		}
	}
}
