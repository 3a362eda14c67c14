package content

import (
	"bytes"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"versa/internal/kb"
)

// Hugo shortcodes ({{< name args >}} and {{% name args %}}) in Markdown
// bodies written for Hugo. They never reach a page as raw braces: the
// common ones are rewritten into the Markdown they stand for before the
// body is parsed (a note or warning box, a figure, an include of another
// content file, a highlighted block, a video or gist link, ref links);
// unknown ones are dropped with a warning at their line. In fenced code
// and inline code they are text, and the escaped form {{</* x */>}} shows
// as {{< x >}}, as Hugo shows it.

// calloutKinds maps box shortcode names (and their type arguments) to the
// five kinds of GitHub's alert syntax, which the Markdown renderer turns
// into a labelled box.
var calloutKinds = map[string]string{
	"note": "note", "info": "note", "hint": "note", "notice": "note", "details": "note",
	"tip": "tip", "success": "tip",
	"important": "important",
	"warning":   "warning", "alert": "warning", "warn": "warning",
	"caution": "caution", "danger": "caution", "error": "caution",
}

// calloutNames are the shortcodes that open a box; alert, callout,
// admonition and hint take the kind as an argument.
var calloutNames = map[string]bool{
	"note": true, "info": true, "hint": true, "notice": true, "tip": true, "important": true, "warning": true,
	"caution": true, "danger": true, "alert": true, "callout": true, "admonition": true, "details": true,
}

// shortcode is one parsed {{< ... >}} tag.
type shortcode struct {
	name    string
	closing bool // {{< /name >}}
	args    []string
	named   map[string]string
}

func (s *shortcode) arg(name string, pos int) string {
	if v, ok := s.named[name]; ok {
		return v
	}
	if pos >= 0 && pos < len(s.args) {
		return s.args[pos]
	}
	return ""
}

// includer returns the body of another content file, by its path from
// the content root.
type includer func(p string) ([]byte, bool)

// expander rewrites one body.
type expander struct {
	f        *file
	bodyLine int // file line of the body's first line
	include  includer
	out      bytes.Buffer
	// lines maps each output line (0-based) to its body line (1-based).
	lines []int
	// open are the boxes and highlight blocks not yet closed.
	open   []string
	openAt []int // the body line of each open one
	// inHighlight is set between {{< highlight >}} and its closing tag.
	inHighlight bool
	depth       int // include depth
}

// expandShortcodes returns src with its shortcodes rewritten, and the body
// line of each output line. A body without "{{" is returned as it is.
func (f *file) expandShortcodes(src []byte, bodyLine int, inc includer) ([]byte, []int) {
	if !bytes.Contains(src, []byte("{{")) {
		return src, nil
	}
	e := &expander{f: f, bodyLine: bodyLine, include: inc}
	e.body(src, 0)
	for len(e.open) > 0 {
		name, at := e.open[len(e.open)-1], e.openAt[len(e.open)-1]
		e.open, e.openAt = e.open[:len(e.open)-1], e.openAt[:len(e.open)-1]
		e.warn(at, "shortcode %q is not closed: add {{< /%s >}}", name, name)
		if name == "highlight" {
			e.emit("```", len(e.lines))
		}
	}
	return e.out.Bytes(), e.lines
}

func (e *expander) warn(line int, format string, args ...any) {
	e.f.warnf(e.bodyLine+line-1, format, args...)
}

func (e *expander) push(name string, line int) {
	e.open, e.openAt = append(e.open, name), append(e.openAt, line)
}

func (e *expander) pop() {
	e.open, e.openAt = e.open[:len(e.open)-1], e.openAt[:len(e.openAt)-1]
}

// boxes is the number of open boxes.
func (e *expander) boxes() int {
	n := 0
	for _, o := range e.open {
		if o != "highlight" {
			n++
		}
	}
	return n
}

// emit writes one output line (without its newline) for body line n,
// inside the open boxes.
func (e *expander) emit(s string, n int) {
	e.emitIn(s, n, e.boxes())
}

func (e *expander) emitIn(s string, n, depth int) {
	for range depth {
		e.out.WriteString("> ")
	}
	e.out.WriteString(s)
	e.out.WriteByte('\n')
	e.lines = append(e.lines, n)
}

// body expands src; lineOffset is added to its line numbers (non-zero for
// an included file, whose lines all map to the include's line).
func (e *expander) body(src []byte, fixedLine int) {
	var fence string // the opening run of ``` or ~~~ while in a fence
	for i, raw := range strings.SplitAfter(string(src), "\n") {
		if raw == "" {
			continue
		}
		line := strings.TrimSuffix(raw, "\n")
		n := i + 1
		if fixedLine > 0 {
			n = fixedLine
		}
		if e.inHighlight {
			if closingHighlight(line) {
				e.inHighlight = false
				e.pop()
				e.emit("```", n)
				continue
			}
			e.emit(line, n)
			continue
		}
		if fence != "" {
			if isFenceClose(line, fence) {
				fence = ""
			}
			e.emit(unescapeShortcodes(line), n)
			continue
		}
		if f := fenceOpen(line); f != "" {
			fence = f
			e.emit(unescapeShortcodes(line), n)
			continue
		}
		e.line(line, n)
	}
}

// line expands the shortcodes of one line outside fences.
func (e *expander) line(line string, n int) {
	var b strings.Builder
	rest := line
	// A line that opens or closes a box is inside it.
	depth := e.boxes()
	defer func() { e.emitIn(b.String(), n, max(depth, e.boxes())) }()
	for {
		at := indexShortcode(rest)
		if at < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:at])
		rest = rest[at:]
		delim := rest[2] // '<' or '%'
		closer := closerOf(delim)
		inner := rest[3:]
		trimmed := strings.TrimLeft(inner, " \t")
		if strings.HasPrefix(trimmed, "/*") {
			// Escaped: {{</* x */>}} shows as {{< x >}}.
			end := strings.Index(trimmed[2:], "*/")
			if end >= 0 {
				end += 2
			}
			if end >= 0 && strings.HasPrefix(strings.TrimLeft(trimmed[end+2:], " \t"), closer) {
				after := strings.TrimLeft(trimmed[end+2:], " \t")[len(closer):]
				b.WriteString(markdownText("{{" + string(delim) + " " + strings.TrimSpace(trimmed[2:end]) + " " + closer))
				rest = after
				continue
			}
		}
		end := strings.Index(inner, closer)
		if end < 0 {
			e.warn(n, "shortcode is not closed on its line: end it with %s (it was dropped)", closer)
			rest = ""
			break
		}
		sc := parseShortcode(inner[:end])
		rest = inner[end+len(closer):]
		text, block := e.expand(sc, n, &rest)
		depth = max(depth, e.boxes())
		if block != "" {
			// A block shortcode ends the line's text: what came before and
			// after it stays on the same line, in order.
			b.WriteString(block)
			continue
		}
		b.WriteString(text)
	}
}

// expand returns what a shortcode becomes: inline text, or (for boxes and
// highlight blocks) the start of a block. rest is the line after the tag.
func (e *expander) expand(sc shortcode, n int, rest *string) (text, block string) {
	switch {
	case sc.name == "":
		e.warn(n, "empty shortcode dropped")
		return "", ""
	case calloutNames[sc.name]:
		return "", e.callout(sc, n)
	case sc.name == "highlight":
		return "", e.highlight(sc, n, rest)
	case sc.closing:
		e.warn(n, "unknown shortcode %q dropped (its text is kept): Versa renders note, tip, warning, caution, important, alert, details, figure, include, highlight, ref, relref, youtube, vimeo and gist", sc.name)
		return "", ""
	case sc.name == "figure":
		return e.figure(sc, n), ""
	case sc.name == "include" || sc.name == "readfile":
		e.includeFile(sc, n)
		return "", ""
	case sc.name == "ref" || sc.name == "relref":
		return e.ref(sc.arg("path", 0), n), ""
	case sc.name == "youtube" || sc.name == "vimeo" || sc.name == "gist":
		return e.embed(sc, n), ""
	}
	e.warn(n, "unknown shortcode %q dropped: Versa renders note, tip, warning, caution, important, alert, details, figure, include, highlight, ref, relref, youtube, vimeo and gist", sc.name)
	return "", ""
}

// callout opens or closes a box (note, tip, warning, details...): an
// opening tag starts a GitHub-style alert whose body is the rest of the
// line and the lines up to the closing tag (the prefix is written by emit).
func (e *expander) callout(sc shortcode, n int) (block string) {
	if sc.closing {
		if len(e.open) == 0 || e.open[len(e.open)-1] != sc.name {
			e.warn(n, "{{< /%s >}} closes no open %s shortcode: it was dropped", sc.name, sc.name)
			return ""
		}
		e.pop()
		return ""
	}
	kind := calloutKinds[sc.name]
	if k := calloutKinds[strings.ToLower(sc.arg("type", 0))]; k != "" {
		kind = k
	}
	if kind == "" {
		kind = "note"
	}
	title := sc.arg("title", -1)
	if title == "" && sc.name == "details" {
		title = sc.arg("summary", 0)
	}
	if title == "" && (sc.name == "admonition" || sc.name == "callout") {
		title = sc.arg("title", 1)
	}
	e.push(sc.name, n)
	head := "[!" + strings.ToUpper(kind) + "]"
	if title != "" {
		head += " **" + markdownText(title) + "**"
	}
	return head + " "
}

// highlight opens a fenced code block in the shortcode's language; the
// code is on the lines after the tag, up to the closing tag.
func (e *expander) highlight(sc shortcode, n int, rest *string) (block string) {
	if sc.closing {
		e.warn(n, "{{< /highlight >}} closes no open highlight shortcode: it was dropped")
		return ""
	}
	e.push("highlight", n)
	e.inHighlight = true
	lang := sc.arg("lang", 0)
	if strings.TrimSpace(*rest) != "" {
		e.warn(n, "write the code of a highlight shortcode on the lines after it: the text after the tag was dropped")
	}
	*rest = ""
	return "```" + strings.Map(func(r rune) rune {
		if r == '`' || r == ' ' {
			return -1
		}
		return r
	}, lang)
}

// figure is an image with its alt text, title, link and caption.
func (e *expander) figure(sc shortcode, n int) string {
	src := sc.arg("src", 0)
	if src == "" {
		e.warn(n, "figure shortcode without src: it was dropped")
		return ""
	}
	alt := sc.arg("alt", -1)
	if alt == "" {
		alt = sc.arg("caption", -1)
	}
	img := "![" + markdownText(alt) + "](<" + strings.ReplaceAll(src, ">", "%3E") + ">"
	if t := sc.arg("title", -1); t != "" {
		img += ` "` + strings.ReplaceAll(t, `"`, `\"`) + `"`
	}
	img += ")"
	if link := sc.arg("link", -1); link != "" {
		img = "[" + img + "](<" + strings.ReplaceAll(link, ">", "%3E") + ">)"
	}
	if c := sc.arg("caption", -1); c != "" {
		img += " *" + markdownText(c) + "*"
	}
	return img
}

// includeFile expands another content file's Markdown body in place, one
// level deep.
func (e *expander) includeFile(sc shortcode, n int) {
	p := sc.arg("file", 0)
	if p == "" {
		p = sc.arg("path", -1)
	}
	p = path.Clean(strings.TrimPrefix(p, "/"))
	if e.depth > 0 {
		e.warn(n, "include inside an included file is not expanded: include %s from the page itself", p)
		return
	}
	if !slices.Contains(e.f.includes, p) {
		e.f.includes = append(e.f.includes, p)
	}
	data, ok := e.include(p)
	if !ok {
		e.warn(n, "include names %q, which is not a system or article file of the content folder (a path like topic/articles/name.md): it was dropped", p)
		return
	}
	inc := &file{path: p}
	if _, body, _, ok := inc.markdownFile(data); ok {
		data = body
	}
	e.depth++
	e.body(data, n)
	e.depth--
}

// embed is a link to the video or gist an embedding shortcode names:
// Versa embeds no third-party frames.
func (e *expander) embed(sc shortcode, n int) string {
	switch sc.name {
	case "youtube":
		id := sc.arg("id", 0)
		if id == "" {
			e.warn(n, "youtube shortcode without a video id: it was dropped")
			return ""
		}
		return "[YouTube video " + markdownText(id) + "](https://www.youtube.com/watch?v=" + url.QueryEscape(id) + ")"
	case "vimeo":
		id := sc.arg("id", 0)
		if id == "" {
			e.warn(n, "vimeo shortcode without a video id: it was dropped")
			return ""
		}
		return "[Vimeo video " + markdownText(id) + "](https://vimeo.com/" + url.PathEscape(id) + ")"
	}
	user, id := sc.arg("user", 0), sc.arg("id", 1)
	if user == "" || id == "" {
		e.warn(n, "gist shortcode needs a user and an id: it was dropped")
		return ""
	}
	return "[Gist " + markdownText(user+"/"+id) + "](https://gist.github.com/" + url.PathEscape(user) + "/" + url.PathEscape(id) + ")"
}

// ref turns Hugo's ref/relref of another page into its Versa URL: an
// article of the same topic by its file name, or a system.
func (e *expander) ref(p string, n int) string {
	topic, _, _ := strings.Cut(e.f.path, "/")
	p = strings.TrimSuffix(strings.Trim(strings.TrimSpace(p), "/"), ".md")
	frag := ""
	if i := strings.IndexByte(p, '#'); i >= 0 {
		p, frag = p[:i], p[i:]
	}
	parts := strings.Split(p, "/")
	slug := parts[len(parts)-1]
	if slug == "_index" || slug == "index" {
		if len(parts) > 1 {
			slug = parts[len(parts)-2]
		}
	}
	if checkSlug(slug) != "" {
		e.warn(n, "ref %q does not name a page by a slug: it was dropped", p)
		return ""
	}
	for _, s := range parts {
		if s == "systems" {
			return "/topics/" + topic + "/" + slug + frag
		}
	}
	return "/articles/" + topic + "/" + slug + frag
}

// indexShortcode finds the next "{{<" or "{{%" outside inline code.
func indexShortcode(s string) int {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '`':
			// Skip a code span: a run of backticks up to the same run.
			j := i
			for j < len(s) && s[j] == '`' {
				j++
			}
			run := s[i:j]
			end := strings.Index(s[j:], run)
			if end < 0 {
				i = j - 1
				continue
			}
			i = j + end + len(run) - 1
		case s[i] == '\\':
			i++ // an escaped character
		case strings.HasPrefix(s[i:], "{{<") || strings.HasPrefix(s[i:], "{{%"):
			return i
		}
	}
	return -1
}

// closerOf is the end of a tag opened with "{{<" or "{{%".
func closerOf(delim byte) string {
	if delim == '%' {
		return "%}}"
	}
	return ">}}"
}

// parseShortcode reads "name arg key=\"value\" ..." between the delimiters.
func parseShortcode(s string) shortcode {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(s, "/")) // self-closing
	var sc shortcode
	if strings.HasPrefix(s, "/") {
		sc.closing = true
		s = strings.TrimSpace(s[1:])
	}
	toks := splitArgs(s)
	if len(toks) == 0 {
		return sc
	}
	sc.name = strings.ToLower(toks[0])
	for _, t := range toks[1:] {
		if k, v, ok := strings.Cut(t, "="); ok && k != "" && !strings.ContainsAny(k, `"'`+"`") {
			if sc.named == nil {
				sc.named = map[string]string{}
			}
			sc.named[strings.ToLower(k)] = unquote(v)
			continue
		}
		sc.args = append(sc.args, unquote(t))
	}
	return sc
}

// splitArgs splits on spaces outside quotes.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			cur.WriteByte(c)
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
			cur.WriteByte(c)
		case c == ' ' || c == '\t':
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'' || s[0] == '`') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// markdownText escapes text so Markdown shows it as written.
func markdownText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]<>()#+-.!|~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// unescapeShortcodes shows an escaped shortcode in code as Hugo does.
func unescapeShortcodes(line string) string {
	if !strings.Contains(line, "/*") {
		return line
	}
	r := strings.NewReplacer("{{</*", "{{<", "*/>}}", ">}}", "{{%/*", "{{%", "*/%}}", "%}}")
	return r.Replace(line)
}

// fenceOpen returns the fence run (``` or ~~~, three or more) a line opens.
func fenceOpen(line string) string {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return ""
	}
	j := 0
	for j < len(t) && t[j] == t[0] {
		j++
	}
	if j < 3 || (t[0] == '`' && strings.Contains(t[j:], "`")) {
		return ""
	}
	return t[:j]
}

func isFenceClose(line, fence string) bool {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || !strings.HasPrefix(t, fence) {
		return false
	}
	return strings.Trim(t, string(fence[0])+" \t") == ""
}

// closingHighlight reports whether a line holds {{< /highlight >}} (what
// else is on the line is dropped: a fence closes alone).
func closingHighlight(line string) bool {
	at := indexShortcode(line)
	if at < 0 {
		return false
	}
	closer := closerOf(line[at+2])
	end := strings.Index(line[at+3:], closer)
	if end < 0 {
		return false
	}
	sc := parseShortcode(line[at+3 : at+3+end])
	return sc.closing && sc.name == "highlight"
}

// warnf records a warning: shown by `versa check`, never a reason to refuse
// the content.
func (f *file) warnf(line int, format string, args ...any) {
	f.warnings = append(f.warnings, kb.Problem{Path: f.path, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// renderBody renders a Markdown body after expanding its shortcodes. It
// returns the source it rendered and, when that differs from src, the
// body line of each of its lines (for fileLine).
func (f *file) renderBody(md *markdown, src []byte, bodyLine int, withSectionHTML bool) (body, []byte, []int, error) {
	inc := f.include
	if inc == nil {
		inc = func(string) ([]byte, bool) { return nil, false }
	}
	src, lines := f.expandShortcodes(src, bodyLine, inc)
	b, err := md.render(src, withSectionHTML)
	return b, src, lines, err
}

// fileLine is the file line of byte offset off of a rendered body.
func fileLine(src []byte, lines []int, off, bodyLine int) int {
	l := lineAt(src, off)
	if lines != nil && l-1 < len(lines) {
		l = lines[l-1]
	}
	return bodyLine + l - 1
}
