package content

import (
	"slices"
	"strings"
	"time"

	"versa/internal/kb"
)

var (
	articleFields = []string{"title", "summary", "systems", "tags", "updated", "aliases"}
	matrixFields  = []string{"systems", "categories", "features", "diff"}
)

// topicIndex is what an article is checked against: the topic's features
// and the slugs of its systems (known from the file names before any system
// is parsed, so articles can be parsed in parallel with systems).
type topicIndex struct {
	*topicInfo
	systems  map[string]bool
	sysSlugs []string
}

// parseArticle reads articles/<slug>.md. It returns nil when the file cannot
// be read at all.
func parseArticle(f *file, md *markdown, t *topicIndex, slug string, src []byte) *kb.Article {
	fields, bodySrc, bodyLine, ok := f.markdownFile(src)
	if !ok {
		return nil
	}
	a := &kb.Article{Topic: t.Slug, Slug: slug, Path: f.path}
	if msg := checkSlug(slug); msg != "" {
		f.addf(1, "%s (the file name is the slug)", msg)
	}
	titleLine, updatedSeen := 1, false
	var meta pageMeta
	for _, fd := range fields {
		if f.pageField(fd, &meta, true) {
			continue
		}
		switch fd.key {
		case "title":
			a.Title, titleLine = f.sized(fd, "title"), fd.line
		case "summary":
			a.Summary = f.sized(fd, "summary")
		case "systems":
			for _, s := range f.list(fd) {
				if t.checkSystem(f, fd.line, s, "systems") {
					a.Systems = append(a.Systems, s)
				}
			}
		case "tags":
			a.Tags = f.list(fd)
		case "aliases":
			a.Aliases, f.aliasLine = f.pathAliases(fd), fd.line
		case "updated":
			updatedSeen = true
			s := f.str(fd)
			d, err := parseDate(s)
			if err != nil {
				f.addf(fd.line, "updated %q is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31", s)
				continue
			}
			a.Updated = d
		default:
			f.unknownPageField(fd, "article front matter", articleFields)
		}
	}
	if a.Title == "" {
		f.addf(titleLine, "missing title: add `title: ...`")
	}
	applyMeta(f, a, &meta, updatedSeen)
	if !updatedSeen && !meta.dated {
		f.addf(1, "missing updated: add `updated: YYYY-MM-DD` (articles are listed newest first)")
	}
	b, rendered, lines, err := f.renderBody(md, bodySrc, bodyLine, false)
	if err != nil {
		f.addf(bodyLine, "cannot render Markdown: %v", err)
		return nil
	}
	a.HTML = b.HTML
	a.Sections = b.Sections
	for _, m := range b.Matrices {
		a.Matrices = append(a.Matrices, parseMatrix(f, t, a, m, fileLine(rendered, lines, m.Start, bodyLine)))
	}
	return a
}

// applyMeta maps an article's Hugo and Jekyll keys: description is the
// summary unless summary is given, lastmod (else date) the updated date
// unless updated is given, categories and keywords join the tags.
func applyMeta(f *file, a *kb.Article, m *pageMeta, updatedSeen bool) {
	m.merge(f, &a.Summary, &a.Tags, &a.Aliases)
	if !updatedSeen {
		switch {
		case m.lastmodSet:
			a.Updated = m.lastmod
		case m.dateSet:
			a.Updated = m.date
		}
	}
	a.Order, a.ShortTitle, a.Params = m.order, m.shortTitle, m.params
	a.Unpublished = !m.published(time.Now())
}

// merge fills in what Hugo's page fields add to any page: the description
// as summary when there is none; tags, categories and keywords; aliases.
func (m *pageMeta) merge(f *file, summary *string, tags, aliases *[]string) {
	if *summary == "" {
		*summary = m.description
	}
	for _, t := range m.tags {
		if !slices.Contains(*tags, t) {
			*tags = append(*tags, t)
		}
	}
	if len(m.aliases) > 0 {
		*aliases = append(*aliases, m.aliases...)
		if f.aliasLine == 0 {
			f.aliasLine = m.aliasLine
		}
	}
}

// parseDate accepts a date, or a timestamp whose date part is used.
func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", time.RFC3339, "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d.UTC(), nil
		}
	}
	_, err := time.Parse("2006-01-02", s)
	return time.Time{}, err
}

// checkSystem reports a system slug that the topic does not have.
func (t *topicIndex) checkSystem(f *file, line int, slug, where string) bool {
	f.refs = append(f.refs, slug)
	if t.systems[slug] {
		return true
	}
	f.unresolved = true
	f.addf(line, "%s names unknown system %q%s: systems of %s are the files in %s/systems/", where, slug, orList(slug, t.sysSlugs), t.Slug, t.Slug)
	return false
}

// parseMatrix reads the lines of a ```matrix block. line is the file line
// of the block's first content line. A block without `systems:` shows the
// article's systems.
func parseMatrix(f *file, t *topicIndex, a *kb.Article, m *matrixNode, line int) kb.Matrix {
	var mx kb.Matrix
	saved := f.yamlLine
	f.yamlLine = line - 1
	defer func() { f.yamlLine = saved }()
	root, ok := f.parseYAML(m.Src)
	if !ok {
		return mx
	}
	fields, ok := f.fields(root, "a matrix block")
	if !ok {
		return mx
	}
	systemsGiven := false
	for _, fd := range fields {
		switch fd.key {
		case "systems":
			systemsGiven = true
			for _, s := range f.list(fd) {
				if t.checkSystem(f, fd.line, s, "matrix") {
					mx.Systems = append(mx.Systems, s)
				}
			}
		case "categories":
			for _, c := range f.list(fd) {
				if !t.catKeys[c] {
					f.addf(fd.line, "matrix names unknown category %q%s", c, orList(c, catKeysOf(t.Categories)))
					continue
				}
				mx.Categories = append(mx.Categories, c)
			}
		case "features":
			for _, k := range f.list(fd) {
				if _, ok := t.features[k]; !ok {
					f.addf(fd.line, "matrix names unknown feature %q%s", k, orList(k, t.featKeys))
					continue
				}
				mx.Features = append(mx.Features, k)
			}
		case "diff":
			switch v := strings.ToLower(f.str(fd)); v {
			case "true", "yes", "1":
				mx.Diff = true
			case "false", "no", "0", "":
			default:
				f.addf(fd.line, "matrix diff must be true or false, not %q", v)
			}
		default:
			f.unknownField(fd, "a matrix block", matrixFields)
		}
	}
	if !systemsGiven {
		mx.Systems = append([]string(nil), a.Systems...)
		if len(mx.Systems) == 0 {
			f.addf(line, "matrix has no systems: add a line `systems: a, b` or list them in the article's `systems`")
		}
	}
	return mx
}

func catKeysOf(cs []kb.Category) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Key
	}
	return out
}
