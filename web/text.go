package web

import (
	"context"
	"io"
	"strings"

	"github.com/a-h/templ"
)

// textEscaper escapes what HTML text content needs escaped: & and <, and >
// as well. Quotes mean nothing there; templ's { s } escapes them too, as
// html.EscapeString does for attributes, at five bytes each.
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// textContent is s as the text content of an element, for the facts that repeat
// in every row and cell of a table (notes, descriptions, values), where
// apostrophes are common. Never use it inside an attribute, or inside
// <script>, <style>, <title> or <textarea>: those take { s }.
func textContent(s string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := textEscaper.WriteString(w, s)
		return err
	})
}
