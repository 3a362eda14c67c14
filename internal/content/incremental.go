package content

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"syscall"

	"versa/internal/kb"
)

// State is what a load parsed, kept so that the next change re-parses only
// the files it touches: for every file, its hash and problems, and for every
// topic, what its systems and articles are checked against. It holds no
// parsed content, so it stays small (about 300 bytes a file). A State is
// never modified once built; Change returns the next one.
type State struct {
	revision     string
	files        map[string]*fileState
	paths        []string // keys of files, sorted
	topics       map[string]*topicIndex
	treeProblems []kb.Problem // problems of the folder rather than of a file
	// aliases caches aliasProblems, which compares every file's slug and
	// aliases; nil until computed. A change that adds or removes no file
	// and changes no aliases keeps it.
	aliases *[]kb.Problem
	nread   int  // files read; -1 until counted
	drafts  bool // unpublished articles are loaded too (Tree.Drafts)
}

// fileState is what a State keeps of one file.
type fileState struct {
	hash        [sha256.Size]byte
	read        bool   // the bytes were read (the file counts in the revision)
	parsed      bool   // it was parsed against its topic
	kind        string // "topic", "systems" or "articles"
	topic, slug string
	problems    []kb.Problem
	aliases     []string
	aliasLine   int
	refs        []string // system slugs an article names
	unresolved  bool     // one of refs is not a system of the topic
	includes    []string // the files its include shortcodes name
	warnings    []kb.Problem
}

// Warnings returns what `versa check` shows without failing (unknown
// shortcodes dropped), sorted by path and line.
func (s *State) Warnings() []kb.Problem {
	var out []kb.Problem
	for _, p := range s.paths {
		out = append(out, s.files[p].warnings...)
	}
	return out
}

// fsIncluder reads a system or article file for the include shortcode
// during an incremental change.
func fsIncluder(fsys fs.FS) includer {
	return func(p string) ([]byte, bool) {
		if _, _, _, ok := itemPath(p); !ok {
			return nil, false
		}
		data, err := fs.ReadFile(fsys, p)
		return data, err == nil
	}
}

func newState(revision string) *State {
	return &State{revision: revision, files: map[string]*fileState{}, topics: map[string]*topicIndex{}, nread: -1}
}

// put records a file's state, keeping paths sorted.
func (s *State) put(p string, f *fileState) {
	if _, ok := s.files[p]; !ok {
		i, _ := slices.BinarySearch(s.paths, p)
		s.paths = slices.Insert(s.paths, i, p)
	}
	s.files[p] = f
}

// remove forgets a file.
func (s *State) remove(p string) {
	if _, ok := s.files[p]; !ok {
		return
	}
	delete(s.files, p)
	if i, ok := slices.BinarySearch(s.paths, p); ok {
		s.paths = slices.Delete(s.paths, i, i+1)
	}
}

func (j *job) state() *fileState {
	return &fileState{
		hash: j.file.Hash, read: true, parsed: true, kind: j.kind, topic: j.topic.Slug, slug: j.slug,
		problems: j.problems, aliases: j.aliases, aliasLine: j.aliasLine, refs: j.refs, unresolved: j.unresolved,
		warnings: j.warnings, includes: j.includes,
	}
}

// Revision is the revision of the folder as the State saw it.
func (s *State) Revision() string { return s.revision }

// Files is the number of files read.
func (s *State) Files() int {
	if s.nread < 0 {
		n := 0
		for _, f := range s.files {
			if f.read {
				n++
			}
		}
		s.nread = n
	}
	return s.nread
}

// Problems returns every problem of the folder, sorted by path and line.
func (s *State) Problems() []kb.Problem {
	problems := append([]kb.Problem(nil), s.treeProblems...)
	for _, p := range s.paths {
		problems = append(problems, s.files[p].problems...)
	}
	if s.aliases == nil {
		ap := s.aliasProblems()
		s.aliases = &ap
	}
	problems = append(problems, *s.aliases...)
	slices.SortStableFunc(problems, func(a, b kb.Problem) int {
		if a.Path != b.Path {
			return strings.Compare(a.Path, b.Path)
		}
		return a.Line - b.Line
	})
	return problems
}

// aliasProblems reports aliases that collide with a slug or another alias
// of the same kind in the same topic.
func (s *State) aliasProblems() []kb.Problem {
	type key struct{ topic, kind, slug string }
	type owner struct {
		path   string
		isSlug bool
	}
	owners := map[key]owner{}
	for _, p := range s.paths {
		if f := s.files[p]; f.parsed {
			owners[key{f.topic, f.kind, f.slug}] = owner{path: p, isSlug: true}
		}
	}
	var problems []kb.Problem
	for _, p := range s.paths {
		f := s.files[p]
		if !f.parsed {
			continue
		}
		for _, a := range f.aliases {
			k := key{f.topic, f.kind, a}
			o, taken := owners[k]
			switch {
			case !taken:
				owners[k] = owner{path: p}
				continue
			case o.isSlug:
				problems = append(problems, kb.Problem{Path: p, Line: f.aliasLine,
					Msg: fmt.Sprintf("duplicate slug: alias %q is the slug of %s; remove the alias", a, o.path)})
			default:
				problems = append(problems, kb.Problem{Path: p, Line: f.aliasLine,
					Msg: fmt.Sprintf("duplicate alias %q: %s lists it too; an old slug can redirect to only one page", a, o.path)})
			}
		}
	}
	return problems
}

// Change is an incremental load: the files that changed, parsed, and what
// the store and the index drop before they take them.
type Change struct {
	include includer // reads files for the include shortcode
	// Full is set when the change reaches past single systems and articles
	// (a topic.yaml, a topic folder, a systems/ or articles/ folder): the
	// caller loads the whole folder instead, and nothing else is set.
	Full bool
	// Revision is the folder's revision after the change, the one Read
	// would give; equal to the State's when nothing that Versa reads changed.
	Revision string
	Drop     kb.Drop
	Problems []kb.Problem // of the whole folder after the change
	Parsed   int          // files parsed

	jobs []*job // parsed, systems first
	nsys int
	next *State
}

// Changed reports whether the change alters what Versa reads, or what it
// reports: a file that cannot be read (a symlink out of the folder, say) is
// not part of the revision, but its problem comes and goes with it.
func (c *Change) Changed(s *State) bool {
	return c.Full || c.Revision != s.revision || !c.Drop.Empty()
}

// Next returns the State after the change, for the change after it. Use it
// only once the change was applied; otherwise keep the old State and pass
// the same paths again with the next change.
func (c *Change) Next() *State { return c.next }

// Stream hands the parsed systems, then the parsed articles, to sink.
func (c *Change) Stream(sink kb.Sink) error {
	for _, j := range c.jobs {
		if err := j.emit(sink); err != nil {
			return err
		}
	}
	return nil
}

// Change reads the given paths again (files or folders, relative to the
// content root, as a file watcher reports them; paths that do not exist are
// deletions) and works out the change from s: only the files that changed
// are parsed, and with them the articles whose named systems appeared or
// went. Paths that Versa does not read are ignored.
func (s *State) Change(fsys fs.FS, paths []string) (*Change, error) {
	touched, full := s.touched(fsys, paths)
	if full {
		return &Change{Full: true}, nil
	}
	next := &State{
		nread:        -1,
		files:        maps.Clone(s.files),
		paths:        slices.Clone(s.paths),
		topics:       maps.Clone(s.topics),
		treeProblems: s.treeProblems,
		drafts:       s.drafts,
	}
	c := &Change{next: next, include: fsIncluder(fsys)}
	files, err := c.readTouched(fsys, s, touched)
	if err != nil {
		return nil, err
	}
	more, err := c.rereadArticles(fsys, s, touched)
	if err != nil {
		return nil, err
	}
	files = append(files, more...)
	more, err = c.rereadIncluders(fsys, s, touched, files)
	if err != nil {
		return nil, err
	}
	c.parse(append(files, more...))
	next.finish()
	c.Revision = next.revision
	if len(next.paths) == len(s.paths) && s.aliases != nil && sameAliases(s, next) {
		next.aliases = s.aliases
	}
	c.Problems = next.Problems()
	return c, nil
}

// touched is the set of item files (topic/kind/slug.md) among paths, or
// full when a path changes more than items: a topic folder or its
// topic.yaml, a systems or articles folder as a whole, a path outside the
// root, or a file of a topic that has no readable topic.yaml.
func (s *State) touched(fsys fs.FS, paths []string) (touched map[string]bool, full bool) {
	touched = map[string]bool{}
	for _, p := range paths {
		p = path.Clean(strings.TrimPrefix(strings.ReplaceAll(p, "\\", "/"), "/"))
		if p == "." || p == ".." || strings.HasPrefix(p, "../") {
			return nil, true
		}
		parts := strings.Split(p, "/")
		if slices.ContainsFunc(parts, Ignored) {
			continue // hidden, temporary, .git/...
		}
		switch len(parts) {
		case 1: // a topic folder came, went or was renamed; or a root file
			if info, err := fs.Stat(fsys, p); (err == nil && info.IsDir()) || s.knowsTopic(p) {
				return nil, true
			}
		case 2:
			if parts[1] == "topic.yaml" || parts[1] == "systems" || parts[1] == "articles" {
				return nil, true
			}
		case 3:
			if _, _, _, ok := itemPath(p); !ok {
				continue
			}
			if s.topics[parts[0]] == nil {
				// A topic without a readable topic.yaml: its files are
				// reported through the folder as a whole.
				return nil, true
			}
			touched[p] = true
		}
	}
	return touched, false
}

// readTouched reads the touched files again, in path order, and records in
// c.next what each now is (gone, a problem, or read); it returns the files
// to parse, leaving out those written again unchanged.
func (c *Change) readTouched(fsys fs.FS, s *State, touched map[string]bool) ([]File, error) {
	var files []File
	for _, p := range slices.Sorted(maps.Keys(touched)) {
		f, prob, gone, err := readOne(fsys, p)
		if err != nil {
			return nil, err
		}
		old := s.files[p]
		switch {
		case gone && old == nil:
			continue
		case prob == nil && !gone && old != nil && old.read && old.hash == f.Hash:
			continue // written again unchanged
		}
		kind, topic, slug, _ := itemPath(p)
		c.drop(kind, topic, slug)
		if c.record(p, f, prob, gone, kind, topic, slug) {
			files = append(files, f)
		}
	}
	return files, nil
}

// record puts in c.next what the file at p now is, and reports whether it
// was read (and so is to be parsed).
func (c *Change) record(p string, f File, prob *kb.Problem, gone bool, kind, topic, slug string) bool {
	switch {
	case gone:
		c.next.remove(p)
	case prob != nil:
		c.next.put(p, &fileState{kind: kind, topic: topic, slug: slug, problems: []kb.Problem{*prob}})
	default:
		c.next.put(p, &fileState{hash: f.Hash, read: true, kind: kind, topic: topic, slug: slug})
		return true
	}
	return false
}

// rereadArticles follows the systems that appeared or went: each such
// system changes the checks of the articles that name it, and the hints of
// those that name unknown systems, so those articles are read again.
func (c *Change) rereadArticles(fsys fs.FS, s *State, touched map[string]bool) ([]File, error) {
	next := c.next
	changedSys := map[string]map[string]bool{} // topic -> slugs
	for _, p := range slices.Sorted(maps.Keys(touched)) {
		kind, topic, slug, _ := itemPath(p)
		if kind != "systems" || checkSlug(slug) != "" {
			continue
		}
		was := s.files[p] != nil && s.files[p].read
		is := next.files[p] != nil && next.files[p].read
		if was == is {
			continue
		}
		if changedSys[topic] == nil {
			changedSys[topic] = map[string]bool{}
			old := s.topics[topic]
			next.topics[topic] = &topicIndex{topicInfo: old.topicInfo, systems: maps.Clone(old.systems), sysSlugs: old.sysSlugs}
		}
		changedSys[topic][slug] = true
		ti := next.topics[topic]
		if is {
			ti.systems[slug] = true
		} else {
			delete(ti.systems, slug)
		}
	}
	var files []File
	for topic := range changedSys {
		ti := next.topics[topic]
		ti.sysSlugs = nil
		for _, p := range next.paths {
			if kind, t, slug, _ := itemPath(p); kind == "systems" && t == topic && ti.systems[slug] {
				ti.sysSlugs = append(ti.sysSlugs, slug)
			}
		}
		for _, p := range next.paths {
			f := next.files[p]
			if f.kind != "articles" || f.topic != topic || !f.parsed || touched[p] {
				continue
			}
			if !f.unresolved && !slices.ContainsFunc(f.refs, func(r string) bool { return changedSys[topic][r] }) {
				continue
			}
			nf, prob, gone, err := readOne(fsys, p)
			if err != nil {
				return nil, err
			}
			c.drop(f.kind, f.topic, f.slug)
			if c.record(p, nf, prob, gone, f.kind, topic, f.slug) {
				files = append(files, nf)
			}
		}
	}
	return files, nil
}

// rereadIncluders reads again the files that include a file that changed,
// came or went (the include shortcode), unless they are read already.
func (c *Change) rereadIncluders(fsys fs.FS, s *State, touched map[string]bool, read []File) ([]File, error) {
	changed := map[string]bool{}
	for p := range touched {
		// A touched file whose state is the same object was written again
		// unchanged (readTouched kept it).
		if s.files[p] != c.next.files[p] || s.files[p] == nil {
			changed[p] = true
		}
	}
	for _, f := range read {
		changed[f.Path] = true
	}
	var files []File
	for _, p := range s.paths {
		f := s.files[p]
		if !f.parsed || len(f.includes) == 0 || touched[p] || slices.ContainsFunc(read, func(r File) bool { return r.Path == p }) ||
			!slices.ContainsFunc(f.includes, func(i string) bool { return changed[i] }) {
			continue
		}
		nf, prob, gone, err := readOne(fsys, p)
		if err != nil {
			return nil, err
		}
		c.drop(f.kind, f.topic, f.slug)
		if c.record(p, nf, prob, gone, f.kind, f.topic, f.slug) {
			files = append(files, nf)
		}
	}
	return files, nil
}

// parse parses the files read, systems before articles, and records each
// result in c.next.
func (c *Change) parse(files []File) {
	next := c.next
	var systems, articles []*job
	for _, f := range files {
		kind, topic, slug, _ := itemPath(f.Path)
		j := &job{file: f, topic: next.topics[topic], kind: kind, slug: slug, drafts: next.drafts, include: c.include}
		if kind == "systems" {
			systems = append(systems, j)
		} else {
			articles = append(articles, j)
		}
	}
	c.jobs, c.nsys = append(systems, articles...), len(systems)
	c.Parsed = len(c.jobs)
	if len(c.jobs) > 0 {
		done, stop := make(chan *job, len(c.jobs)), make(chan struct{})
		runJobs(c.jobs, done, stop)
		for range c.jobs {
			j := <-done
			next.put(j.file.Path, j.state())
		}
		close(stop)
	}
}

// finish counts the files read and works out the content revision.
func (s *State) finish() {
	s.nread = 0
	for _, p := range s.paths {
		if s.files[p].read {
			s.nread++
		}
	}
	s.revision = revisionOf(s.nread, func(yield func(string, [sha256.Size]byte)) {
		for _, p := range s.paths {
			if f := s.files[p]; f.read {
				yield(p, f.hash)
			}
		}
	})
	s.revision = draftsRevision(s.revision, s.drafts)
}

// knowsTopic reports whether the State has any file in the folder topic.
func (s *State) knowsTopic(topic string) bool {
	i, _ := slices.BinarySearch(s.paths, topic+"/")
	return i < len(s.paths) && strings.HasPrefix(s.paths[i], topic+"/")
}

// drop records that an item's rows go before the change adds what it parsed.
func (c *Change) drop(kind, topic, slug string) {
	k := kb.Key{Topic: topic, Slug: slug}
	if kind == "systems" {
		if !slices.Contains(c.Drop.Systems, k) {
			c.Drop.Systems = append(c.Drop.Systems, k)
		}
		return
	}
	if !slices.Contains(c.Drop.Articles, k) {
		c.Drop.Articles = append(c.Drop.Articles, k)
	}
}

// readOne reads one system or article file as Read does: gone is set when
// it no longer exists, prob when it exists but cannot be read.
func readOne(fsys fs.FS, p string) (f File, prob *kb.Problem, gone bool, err error) {
	info, err := fs.Lstat(fsys, p)
	switch {
	case err != nil && notExist(err):
		return File{}, nil, true, nil
	case err != nil:
		return File{}, &kb.Problem{Path: p, Line: 1, Msg: fmt.Sprintf("cannot read file: %v", err)}, false, nil
	case info.IsDir():
		return File{}, nil, true, nil
	case info.Mode()&fs.ModeSymlink != 0:
		if prob := checkLink(fsys, p); prob != nil {
			return File{}, prob, false, nil
		}
	}
	var t Tree
	t.readFile(fsys, p)
	if len(t.Problems) > 0 {
		if _, err := fs.Stat(fsys, p); notExist(err) {
			return File{}, nil, true, nil // removed while being read
		}
		return File{}, &t.Problems[0], false, nil
	}
	f = t.Files[0]
	f.Hash = sha256.Sum256(f.Data)
	return f, nil, false, nil
}

// notExist reports an error saying the file is not there (or that a folder
// on its path is now a file).
func notExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// sameAliases reports whether the files a change touched (and the articles
// it parsed again) kept their slugs' owners and their aliases, so that the
// alias problems of s still hold in next. Callers check that no file came
// or went.
func sameAliases(s, next *State) bool {
	for _, p := range next.paths {
		a, b := s.files[p], next.files[p]
		if a == b {
			continue
		}
		if a == nil || a.parsed != b.parsed || !slices.Equal(a.aliases, b.aliases) || a.aliasLine != b.aliasLine {
			return false
		}
	}
	return true
}
