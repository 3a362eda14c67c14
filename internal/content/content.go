// Package content reads a content folder (the editors' Markdown and YAML)
// into validated kb values and reports every mistake as a kb.Problem with
// its file and line. It knows nothing of storage or HTTP.
package content

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"

	"versa/internal/kb"
)

// MaxFileSize bounds one content file; a larger one is reported, not read.
const MaxFileSize = 8 << 20

// Tree is a content folder read into memory: the files Versa reads and the
// revision that identifies them.
type Tree struct {
	Revision string
	Files    []File // sorted by path
	Problems []kb.Problem
}

// File is one content file.
type File struct {
	Path string // relative to the content root, forward slashes
	Data []byte
}

// Ignored reports whether a file or folder name is an editor's temporary or
// hidden file that Versa never reads (.swp, ~, .#, 4913, .git ...).
func Ignored(name string) bool {
	return name == "" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
		strings.HasSuffix(name, "~") || strings.HasSuffix(name, ".swp") ||
		strings.HasSuffix(name, ".swx") || strings.HasSuffix(name, ".tmp") || name == "4913"
}

// Read reads every file of a content folder that Versa uses:
// <topic>/topic.yaml, <topic>/systems/*.md and <topic>/articles/*.md. Other
// files (README.md at the root, images) are left alone. An error is returned
// only when the folder itself cannot be read.
func Read(fsys fs.FS) (*Tree, error) {
	topics, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read content folder: %w", err)
	}
	t := &Tree{}
	for _, d := range topics {
		if !d.IsDir() || Ignored(d.Name()) {
			continue
		}
		dir := d.Name()
		if _, err := fs.Stat(fsys, path.Join(dir, "topic.yaml")); err != nil {
			if !hasAny(fsys, dir, "systems", "articles") {
				continue // not a topic: a folder of other files
			}
			t.Problems = append(t.Problems, kb.Problem{Path: path.Join(dir, "topic.yaml"), Line: 1,
				Msg: "missing topic.yaml: every folder of the content root is a topic and needs one (title, categories, features)"})
			continue
		}
		t.readFile(fsys, path.Join(dir, "topic.yaml"))
		for _, sub := range []string{"systems", "articles"} {
			entries, err := fs.ReadDir(fsys, path.Join(dir, sub))
			if err != nil {
				continue // a topic may have no articles yet
			}
			for _, e := range entries {
				if e.IsDir() || Ignored(e.Name()) || !strings.HasSuffix(e.Name(), ".md") {
					continue
				}
				t.readFile(fsys, path.Join(dir, sub, e.Name()))
			}
		}
	}
	slices.SortFunc(t.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	h := sha256.New()
	for _, f := range t.Files {
		fmt.Fprintf(h, "%s\x00%d\x00", f.Path, len(f.Data))
		h.Write(f.Data)
	}
	t.Revision = hex.EncodeToString(h.Sum(nil))
	return t, nil
}

// hasAny reports whether dir holds any of the named entries.
func hasAny(fsys fs.FS, dir string, names ...string) bool {
	for _, n := range names {
		if _, err := fs.Stat(fsys, path.Join(dir, n)); err == nil {
			return true
		}
	}
	return false
}

func (t *Tree) readFile(fsys fs.FS, name string) {
	info, err := fs.Stat(fsys, name)
	if err == nil && info.Size() > MaxFileSize {
		t.Problems = append(t.Problems, kb.Problem{Path: name, Line: 1,
			Msg: fmt.Sprintf("file is %d bytes, more than the %d allowed: split it", info.Size(), MaxFileSize)})
		return
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Problems = append(t.Problems, kb.Problem{Path: name, Line: 1, Msg: fmt.Sprintf("cannot read file: %v", err)})
		return
	}
	t.Files = append(t.Files, File{Path: name, Data: data})
}

// Load reads and parses a content folder.
func Load(fsys fs.FS) (*kb.Content, []kb.Problem, error) {
	t, err := Read(fsys)
	if err != nil {
		return nil, nil, err
	}
	c, problems := Parse(t)
	return c, problems, nil
}

// Parse checks and parses a read tree. It returns everything that could be
// read, and every problem found, sorted by path and line. Files that cannot
// be read at all are left out; other mistakes leave the rest of the file in.
func Parse(t *Tree) (*kb.Content, []kb.Problem) {
	c := &kb.Content{Revision: t.Revision}
	problems, _ := Stream(t, kb.Sink{
		Topic:   func(x kb.Topic) error { c.Topics = append(c.Topics, x); return nil },
		System:  func(x kb.System) error { c.Systems = append(c.Systems, x); return nil },
		Article: func(x kb.Article) error { c.Articles = append(c.Articles, x); return nil },
	})
	slices.SortFunc(c.Systems, func(a, b kb.System) int { return strings.Compare(a.Path, b.Path) })
	slices.SortFunc(c.Articles, func(a, b kb.Article) int { return strings.Compare(a.Path, b.Path) })
	return c, problems
}

// Stream parses a read tree on every core and hands each topic, system and
// article to sink as soon as it is ready, so a cold load never holds the
// whole parsed content in memory. It returns every problem, sorted by path
// and line; an error from sink stops the parse and is returned.
func Stream(t *Tree, sink kb.Sink) ([]kb.Problem, error) {
	problems := append([]kb.Problem(nil), t.Problems...)

	// Topics first: systems and articles are checked against them.
	topics := map[string]*topicIndex{}
	for _, f := range t.Files {
		dir, rest, _ := strings.Cut(f.Path, "/")
		if rest != "topic.yaml" {
			continue
		}
		pf := &file{path: f.Path}
		ti := parseTopic(pf, dir, f.Data)
		problems = append(problems, pf.problems...)
		if msg := checkSlug(dir); msg != "" {
			problems = append(problems, kb.Problem{Path: f.Path, Line: 1, Msg: msg + " (the folder name is the topic's slug)"})
			continue
		}
		if ti == nil {
			continue
		}
		topics[dir] = &topicIndex{topicInfo: ti, systems: map[string]bool{}}
		if err := sink.Topic(ti.Topic); err != nil {
			return nil, err
		}
	}
	// Systems before articles: a store may check an article's systems.
	var systems, articles []*job
	for _, f := range t.Files {
		dir, rest, _ := strings.Cut(f.Path, "/")
		kind, name, ok := strings.Cut(rest, "/")
		ti := topics[dir]
		if !ok || ti == nil {
			continue
		}
		j := &job{file: f, topic: ti, kind: kind, slug: strings.TrimSuffix(name, ".md")}
		if kind == "systems" {
			if checkSlug(j.slug) == "" {
				ti.systems[j.slug] = true
				ti.sysSlugs = append(ti.sysSlugs, j.slug)
			}
			systems = append(systems, j)
		} else {
			articles = append(articles, j)
		}
	}
	jobs := append(systems, articles...)

	var (
		done     = make(chan *job, 16)
		stop     = make(chan struct{})
		held     []*job // articles parsed while systems were still coming
		sysLeft  = len(systems)
		sinkErr  error
		received int
	)
	go runJobs(jobs, done, stop)
	emit := func(j *job) error {
		switch {
		case checkSlug(j.slug) != "" || (j.kind == "systems" && strings.Contains(j.slug, "-vs-")):
			// Reported by the parser; no URL could reach it.
		case j.system != nil:
			return sink.System(*j.system)
		case j.article != nil:
			return sink.Article(*j.article)
		}
		return nil
	}
	for received < len(jobs) && sinkErr == nil {
		j := <-done
		received++
		problems = append(problems, j.problems...)
		if j.kind == "articles" && sysLeft > 0 {
			held = append(held, j)
			continue
		}
		sinkErr = emit(j)
		j.system = nil // let the collector have it
		if j.kind == "systems" {
			sysLeft--
		}
		if sysLeft == 0 {
			for _, h := range held {
				if sinkErr == nil {
					sinkErr = emit(h)
				}
				h.article = nil
			}
			held = nil
		}
		j.article = nil
	}
	close(stop)
	if sinkErr != nil {
		return nil, sinkErr
	}
	problems = append(problems, checkAliases(jobs)...)
	slices.SortStableFunc(problems, func(a, b kb.Problem) int {
		if a.Path != b.Path {
			return strings.Compare(a.Path, b.Path)
		}
		return a.Line - b.Line
	})
	return problems, nil
}

// job is the parse of one system or article file.
type job struct {
	file      File
	topic     *topicIndex
	kind      string // "systems" or "articles"
	slug      string
	system    *kb.System
	article   *kb.Article
	aliases   []string
	problems  []kb.Problem
	aliasLine int
}

// runJobs parses files on every core and sends each finished job to done,
// until every job is done or stop is closed. goldmark instances are not
// shared between goroutines.
func runJobs(jobs []*job, done chan<- *job, stop <-chan struct{}) {
	var next atomic.Int64
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		go func() {
			md := newMarkdown()
			for {
				k := int(next.Add(1)) - 1
				if k >= len(jobs) {
					return
				}
				j := jobs[k]
				pf := &file{path: j.file.Path}
				if j.kind == "systems" {
					j.system = parseSystem(pf, md, j.topic.topicInfo, j.slug, j.file.Data)
					if j.system != nil {
						j.aliases = j.system.Aliases
					}
				} else {
					j.article = parseArticle(pf, md, j.topic, j.slug, j.file.Data)
					if j.article != nil {
						j.aliases = j.article.Aliases
					}
				}
				j.problems, j.aliasLine = pf.problems, pf.aliasLine
				select {
				case done <- j:
				case <-stop:
					return
				}
			}
		}()
	}
}

// checkAliases reports aliases that collide with a slug or another alias of
// the same kind in the same topic.
func checkAliases(jobs []*job) []kb.Problem {
	type key struct{ topic, kind, slug string }
	type owner struct {
		path   string
		isSlug bool
	}
	owners := map[key]owner{}
	for _, j := range jobs {
		owners[key{j.topic.Slug, j.kind, j.slug}] = owner{path: j.file.Path, isSlug: true}
	}
	var problems []kb.Problem
	for _, j := range jobs {
		for _, a := range j.aliases {
			k := key{j.topic.Slug, j.kind, a}
			o, taken := owners[k]
			switch {
			case !taken:
				owners[k] = owner{path: j.file.Path}
				continue
			case o.isSlug:
				problems = append(problems, kb.Problem{Path: j.file.Path, Line: j.aliasLine,
					Msg: fmt.Sprintf("duplicate slug: alias %q is the slug of %s; remove the alias", a, o.path)})
			default:
				problems = append(problems, kb.Problem{Path: j.file.Path, Line: j.aliasLine,
					Msg: fmt.Sprintf("duplicate alias %q: %s lists it too; an old slug can redirect to only one page", a, o.path)})
			}
		}
	}
	return problems
}
