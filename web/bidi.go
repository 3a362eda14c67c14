package web

import "strings"

// bidiControls are the embedding, override and isolate controls
// (U+202A-U+202E, U+2066-U+2069): in a name they could turn the text
// after it around ("txt.exe" shown as "exe.txt"). HTML isolates names
// with dir="auto"; plain-text outputs (CSV, Markdown, og:title, the
// preview image) drop the controls.
var bidiControls = strings.NewReplacer(
	"\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "",
	"\u2066", "", "\u2067", "", "\u2068", "", "\u2069", "",
)

// StripBidi returns s without bidi control characters.
func StripBidi(s string) string {
	if !strings.ContainsAny(s, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") {
		return s
	}
	return bidiControls.Replace(s)
}
