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
	"sync"
	"sync/atomic"
	"time"

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
	// Drafts loads unpublished articles too (draft, a publishDate to come,
	// an expiryDate passed); set it with IncludeDrafts, which also makes
	// it part of the revision.
	Drafts bool
	// StaleBefore, when set, makes the parse warn (as `versa check --stale`
	// asks) about each cell a system file writes with no checked date or
	// one before it. It changes no content, only warnings.
	StaleBefore time.Time
}

// include reads a file of the tree for the include shortcode: the systems
// and articles of the folder.
func (t *Tree) include(p string) ([]byte, bool) {
	i, ok := slices.BinarySearchFunc(t.Files, p, func(f File, p string) int { return strings.Compare(f.Path, p) })
	if !ok {
		return nil, false
	}
	if _, _, _, item := itemPath(p); !item {
		return nil, false
	}
	return t.Files[i].Data, true
}

// IncludeDrafts makes the parse of t keep unpublished articles, as
// `--drafts` asks.
func (t *Tree) IncludeDrafts() {
	if !t.Drafts {
		t.Drafts = true
		t.Revision = draftsRevision(t.Revision, true)
	}
}

// draftsRevision marks a revision that includes unpublished articles, so
// content loaded with and without them is never taken for the same.
func draftsRevision(rev string, drafts bool) string {
	if !drafts {
		return rev
	}
	sum := sha256.Sum256([]byte(rev + "+drafts"))
	return hex.EncodeToString(sum[:])
}

// File is one content file.
type File struct {
	Path string // relative to the content root, forward slashes
	Data []byte
	Hash [sha256.Size]byte // of Data
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
				name := path.Join(dir, sub, e.Name())
				if e.Type()&fs.ModeSymlink != 0 {
					if p := checkLink(fsys, name); p != nil {
						t.Problems = append(t.Problems, *p)
						continue
					}
				}
				t.readFile(fsys, name)
			}
		}
	}
	slices.SortFunc(t.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	hashFiles(t.Files)
	t.Revision = revisionOf(len(t.Files), func(yield func(string, [sha256.Size]byte)) {
		for _, f := range t.Files {
			yield(f.Path, f.Hash)
		}
	})
	return t, nil
}

// hashFiles fills in the files' hashes, on every core.
func hashFiles(files []File) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			for {
				k := int(next.Add(1)) - 1
				if k >= len(files) {
					return
				}
				files[k].Hash = sha256.Sum256(files[k].Data)
			}
		})
	}
	wg.Wait()
}

// revisionOf hashes the paths and file hashes that each yields, in path
// order. Hashing the hashes, not the bytes, lets an incremental load name
// the new revision without reading the files that did not change.
func revisionOf(n int, each func(yield func(string, [sha256.Size]byte))) string {
	h := sha256.New()
	buf := make([]byte, 0, 128)
	each(func(path string, sum [sha256.Size]byte) {
		buf = append(append(append(buf[:0], path...), 0), sum[:]...)
		h.Write(buf)
	})
	fmt.Fprintf(h, "%d files", n)
	return hex.EncodeToString(h.Sum(nil))
}

// checkLink refuses a symlink whose target leaves the content folder (an
// absolute target, or one that climbs out with ..), following chains of
// links. A link inside the folder is read like the file it names.
func checkLink(fsys fs.FS, name string) *kb.Problem {
	at := name
	for range 16 {
		target, err := fs.ReadLink(fsys, at)
		if err != nil {
			return &kb.Problem{Path: name, Line: 1, Msg: fmt.Sprintf("cannot read symlink: %v", err)}
		}
		next := path.Join(path.Dir(at), target)
		if path.IsAbs(target) || next == ".." || strings.HasPrefix(next, "../") {
			return &kb.Problem{Path: name, Line: 1, Msg: fmt.Sprintf(
				"symlink to %s points outside the content folder: refused (copy the file in, or link to a file inside the folder)", target)}
		}
		info, err := fs.Lstat(fsys, next)
		if err != nil {
			return &kb.Problem{Path: name, Line: 1, Msg: fmt.Sprintf("broken symlink to %s: %v", target, err)}
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			return nil
		}
		at = next
	}
	return &kb.Problem{Path: name, Line: 1, Msg: "too many levels of symlinks"}
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
	st, err := StreamState(t, sink)
	if err != nil {
		return nil, err
	}
	return st.Problems(), nil
}

// StreamState is Stream, returning the State that a later Change starts
// from instead of the problems (State.Problems has them).
func StreamState(t *Tree, sink kb.Sink) (*State, error) {
	st := newState(t.Revision)
	st.drafts = t.Drafts
	for _, p := range t.Problems {
		if kind, topic, slug, ok := itemPath(p.Path); ok {
			st.put(p.Path, &fileState{kind: kind, topic: topic, slug: slug, problems: []kb.Problem{p}})
			continue
		}
		st.treeProblems = append(st.treeProblems, p)
	}

	// Topics first: systems and articles are checked against them.
	for _, f := range t.Files {
		dir, rest, _ := strings.Cut(f.Path, "/")
		if rest != "topic.yaml" {
			continue
		}
		pf := &file{path: f.Path}
		ti := parseTopic(pf, dir, f.Data)
		fst := &fileState{hash: f.Hash, read: true, kind: "topic", topic: dir, problems: pf.problems}
		st.put(f.Path, fst)
		if msg := checkSlug(dir); msg != "" {
			fst.problems = append(fst.problems, kb.Problem{Path: f.Path, Line: 1, Msg: msg + " (the folder name is the topic's slug)"})
			continue
		}
		if ti == nil {
			continue
		}
		st.topics[dir] = &topicIndex{topicInfo: ti, systems: map[string]bool{}}
		if err := sink.Topic(ti.Topic); err != nil {
			return nil, err
		}
	}
	// Systems before articles: a store may check an article's systems.
	var systems, articles []*job
	for _, f := range t.Files {
		kind, dir, slug, ok := itemPath(f.Path)
		if !ok {
			continue
		}
		ti := st.topics[dir]
		if ti == nil {
			// Read, so part of the revision, but not parsed: its topic
			// has no topic.yaml that could be read.
			st.put(f.Path, &fileState{hash: f.Hash, read: true, kind: kind, topic: dir, slug: slug})
			continue
		}
		j := &job{file: f, topic: ti, kind: kind, slug: slug, drafts: t.Drafts, include: t.include, staleBefore: t.StaleBefore}
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
	err := streamJobs(jobs, len(systems), sink, func(j *job) { st.put(j.file.Path, j.state()) })
	if err != nil {
		return nil, err
	}
	return st, nil
}

// itemPath splits the path of a system or article file,
// <topic>/systems/<slug>.md or <topic>/articles/<slug>.md.
func itemPath(p string) (kind, topic, slug string, ok bool) {
	topic, rest, _ := strings.Cut(p, "/")
	kind, name, found := strings.Cut(rest, "/")
	if !found || (kind != "systems" && kind != "articles") || strings.Contains(name, "/") || !strings.HasSuffix(name, ".md") {
		return "", "", "", false
	}
	return kind, topic, strings.TrimSuffix(name, ".md"), true
}

// streamJobs parses jobs (the first nsys of them systems) on every core and
// hands what they parsed to sink, every system before any article. parsed
// sees each job once it is done.
func streamJobs(jobs []*job, nsys int, sink kb.Sink, parsed func(*job)) error {
	var (
		done     = make(chan *job, runtime.GOMAXPROCS(0))
		stop     = make(chan struct{})
		held     []*job // articles parsed while systems were still coming
		sysLeft  = nsys
		sinkErr  error
		received int
	)
	go runJobs(jobs, done, stop)
	for received < len(jobs) && sinkErr == nil {
		j := <-done
		received++
		parsed(j)
		if j.kind == "articles" && sysLeft > 0 {
			held = append(held, j)
			continue
		}
		sinkErr = j.emit(sink)
		j.system = nil // let the collector have it
		if j.kind == "systems" {
			sysLeft--
		}
		if sysLeft == 0 {
			for _, h := range held {
				if sinkErr == nil {
					sinkErr = h.emit(sink)
				}
				h.article = nil
			}
			held = nil
		}
		j.article = nil
	}
	close(stop)
	return sinkErr
}

// emit hands what the job parsed to sink, unless no URL could reach it (the
// parser reported why).
func (j *job) emit(sink kb.Sink) error {
	switch {
	case checkSlug(j.slug) != "" || (j.kind == "systems" && strings.Contains(j.slug, "-vs-")):
	case j.system != nil:
		return sink.System(*j.system)
	case j.article != nil && j.article.Unpublished && !j.drafts:
		// A draft, or not yet (or no longer) published: checked, not shown.
	case j.article != nil:
		return sink.Article(*j.article)
	}
	return nil
}

// job is the parse of one system or article file.
type job struct {
	file       File
	topic      *topicIndex
	kind       string // "systems" or "articles"
	slug       string
	system     *kb.System
	article    *kb.Article
	aliases    []string
	problems   []kb.Problem
	aliasLine  int
	refs       []string
	unresolved bool
	drafts     bool // emit unpublished articles too
	include    includer
	includes   []string // the paths its include shortcodes name
	warnings   []kb.Problem
	// staleBefore is Tree.StaleBefore.
	staleBefore time.Time
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
				pf := &file{path: j.file.Path, include: j.include, staleBefore: j.staleBefore}
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
				j.refs, j.unresolved = pf.refs, pf.unresolved
				j.warnings, j.includes = pf.warnings, pf.includes
				select {
				case done <- j:
				case <-stop:
					return
				}
			}
		}()
	}
}
