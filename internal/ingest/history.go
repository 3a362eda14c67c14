package ingest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"versa/internal/history"
	"versa/internal/kb"
)

// History is where the loader records what each content load changed;
// *sqlite.DB satisfies it, and so can any store of user data (PostgreSQL).
// It is append-only: nothing the loader does removes a recorded revision.
type History interface {
	// Record appends rev (Seq and Changes are set by the store) and its
	// changes in one transaction, unless a revision following rev.Follows
	// (the Seq of the latest when the loader read it) is recorded already
	// (UNIQUE (follows), INSERT ... ON CONFLICT DO NOTHING): then it
	// records nothing and reports false. Two servers sharing one database
	// record a load once; the same change made again after a revert is
	// recorded again.
	Record(ctx context.Context, rev history.Revision, changes []history.Change) (bool, error)
	// Latest returns the newest recorded revision, or history.ErrNotFound.
	Latest(ctx context.Context) (history.Revision, error)
	// State returns the state kept with the recorded revision seq (the
	// Revision.State Record was given; a store keeps the latest
	// revision's only), or an error wrapping history.ErrNotFound.
	State(ctx context.Context, seq int64) ([]byte, error)
	// SaveState keeps state with seq when seq is the latest revision and
	// has none (it was recorded before states were kept), and reports
	// whether it did.
	SaveState(ctx context.Context, seq int64, state []byte) (bool, error)
}

// SetHistory makes the loader record every load that changes the content
// into h. gitDir is the content folder on disk, for the commit it is at
// ("" to look for none).
func (l *Loader) SetHistory(h History, dir string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.history, l.contentDir = h, dir
}

// model is what the loader keeps of the content the store holds, to tell
// what the next load changes: per topic its categories and features, per
// system its name, aliases and known cells, per article a hash of it.
type model struct {
	topics   map[string]*topicModel
	systems  map[kb.Key]*systemModel
	articles map[kb.Key]*articleModel
}

type topicModel struct {
	categories []kb.Category
	features   []kb.Feature
}

type systemModel struct {
	name    string
	aliases []string
	cells   []kb.Cell // the known cells, in feature order
}

type articleModel struct {
	title   string
	aliases []string
	updated time.Time
	hash    [sha256.Size]byte
}

func newModel() *model {
	return &model{topics: map[string]*topicModel{}, systems: map[kb.Key]*systemModel{}, articles: map[kb.Key]*articleModel{}}
}

// sink returns a sink that adds every item to m, then passes it to next.
func (m *model) sink(next kb.Sink) kb.Sink {
	return kb.Sink{
		Topic: func(t kb.Topic) error {
			m.topics[t.Slug] = &topicModel{categories: t.Categories, features: t.Features}
			return next.Topic(t)
		},
		System: func(s kb.System) error {
			known := make([]kb.Cell, 0, len(s.Cells))
			for _, c := range s.Cells {
				if c.Known() || c.Note != "" || c.Source != "" {
					known = append(known, c)
				}
			}
			m.systems[kb.Key{Topic: s.Topic, Slug: s.Slug}] = &systemModel{name: s.Name, aliases: s.Aliases, cells: known}
			return next.System(s)
		},
		Article: func(a kb.Article) error {
			m.articles[kb.Key{Topic: a.Topic, Slug: a.Slug}] = &articleModel{title: a.Title, aliases: a.Aliases, updated: a.Updated, hash: articleHash(a)}
			return next.Article(a)
		},
	}
}

func articleHash(a kb.Article) [sha256.Size]byte {
	h := sha256.New()
	for _, s := range []string{a.Title, a.Summary, strings.Join(a.Systems, ","), strings.Join(a.Tags, ","), a.Updated.String(), a.HTML, fmt.Sprint(a.Matrices)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// part is the piece of m that drop replaces: the dropped topics with all
// their systems and articles, and the dropped systems and articles.
func (m *model) part(drop kb.Drop) *model {
	p := newModel()
	topics := map[string]bool{}
	for _, t := range drop.Topics {
		topics[t] = true
		if tm, ok := m.topics[t]; ok {
			p.topics[t] = tm
		}
	}
	if len(topics) > 0 {
		for k, s := range m.systems {
			if topics[k.Topic] {
				p.systems[k] = s
			}
		}
		for k, a := range m.articles {
			if topics[k.Topic] {
				p.articles[k] = a
			}
		}
	}
	for _, k := range drop.Systems {
		if s, ok := m.systems[k]; ok {
			p.systems[k] = s
		}
	}
	for _, k := range drop.Articles {
		if a, ok := m.articles[k]; ok {
			p.articles[k] = a
		}
	}
	return p
}

// apply replaces old, a part of m, by next.
func (m *model) apply(old, next *model) {
	for t := range old.topics {
		delete(m.topics, t)
	}
	for k := range old.systems {
		delete(m.systems, k)
	}
	for k := range old.articles {
		delete(m.articles, k)
	}
	for t, v := range next.topics {
		m.topics[t] = v
	}
	for k, v := range next.systems {
		m.systems[k] = v
	}
	for k, v := range next.articles {
		m.articles[k] = v
	}
}

// diff lists what changed from old to next, two parts of the content; rest
// is the whole model before the change, for the topics neither part holds.
// The topics' rows come first, then the systems, then the articles.
func diff(old, next, rest *model) []history.Change {
	out := diffRows(nil, old, next)
	out = diffSystems(out, old, next, rest)
	return diffArticles(out, old, next)
}

// diffRows lists the changes to the categories and features of the topics
// both parts hold (a topic added or removed whole: its pages come or go).
func diffRows(out []history.Change, old, next *model) []history.Change {
	for _, t := range sortedKeys(old.topics, next.topics) {
		o, n := old.topics[t], next.topics[t]
		if o == nil || n == nil {
			continue
		}
		out = diffCategories(out, t, o.categories, n.categories)
		out = diffFeatures(out, t, o.features, n.features)
	}
	return out
}

// diffSystems lists, topic by topic, the systems added, removed and
// renamed (an alias naming the old slug) and their cells changed.
func diffSystems(out []history.Change, old, next, rest *model) []history.Change {
	topicOf := func(m *model, t string) *topicModel {
		if tm, ok := m.topics[t]; ok {
			return tm
		}
		return rest.topics[t]
	}
	oldSys, newSys := systemsByTopic(old.systems), systemsByTopic(next.systems)
	for _, t := range sortedKeys(oldSys, newSys) {
		ot, nt := topicOf(old, t), topicOf(next, t)
		if ot == nil || nt == nil {
			continue
		}
		if _, gone := next.topics[t]; !gone && old.topics[t] != nil {
			continue // the whole topic went away
		}
		if old.topics[t] == nil && next.topics[t] != nil && rest.topics[t] == nil {
			continue // a new topic
		}
		out = diffTopicSystems(out, t, commonFeatures(ot.features, nt.features), old, next, rest, oldSys[t], newSys[t])
	}
	return out
}

// systemsByTopic lists the slugs of systems per topic, sorted.
func systemsByTopic(m map[kb.Key]*systemModel) map[string][]string {
	r := map[string][]string{}
	for k := range m {
		r[k.Topic] = append(r[k.Topic], k.Slug)
	}
	for _, slugs := range r {
		slices.Sort(slugs)
	}
	return r
}

// diffTopicSystems diffs the systems of topic t: oldSlugs in old, newSlugs
// in next, with features the rows whose cells compare.
func diffTopicSystems(out []history.Change, t string, features []kb.Feature, old, next, rest *model, oldSlugs, newSlugs []string) []history.Change {
	matched := map[string]bool{}
	for _, slug := range newSlugs {
		ns := next.systems[kb.Key{Topic: t, Slug: slug}]
		os, from, ok := previousSystem(t, slug, ns, old, next)
		if !ok {
			if rest.systems[kb.Key{Topic: t, Slug: slug}] == nil {
				out = append(out, history.Change{Kind: history.SystemAdded, Topic: t, System: slug, NewName: ns.name})
			}
			continue
		}
		matched[from] = true
		if from != slug {
			out = append(out, history.Change{Kind: history.SystemRenamed, Topic: t, System: slug, OldSlug: from, OldName: os.name, NewName: ns.name})
		}
		out = diffCells(out, t, slug, features, os.cells, ns.cells)
	}
	for _, slug := range oldSlugs {
		if !matched[slug] {
			os := old.systems[kb.Key{Topic: t, Slug: slug}]
			out = append(out, history.Change{Kind: history.SystemRemoved, Topic: t, System: slug, OldName: os.name})
		}
	}
	return out
}

// previousSystem finds what system ns (slug in next) was in old: the same
// slug, or one of its aliases that next no longer has (a rename).
func previousSystem(t, slug string, ns *systemModel, old, next *model) (*systemModel, string, bool) {
	if os, ok := old.systems[kb.Key{Topic: t, Slug: slug}]; ok {
		return os, slug, true
	}
	for _, a := range ns.aliases {
		if s, found := old.systems[kb.Key{Topic: t, Slug: a}]; found && next.systems[kb.Key{Topic: t, Slug: a}] == nil {
			return s, a, true
		}
	}
	return nil, "", false
}

// diffArticles lists the articles added, updated (or renamed through an
// alias) and removed, but not those of a topic removed whole.
func diffArticles(out []history.Change, old, next *model) []history.Change {
	keys := sortedKeyList(old.articles, next.articles)
	matched := map[kb.Key]bool{}
	for _, k := range keys {
		na, ok := next.articles[k]
		if !ok {
			continue
		}
		oa, from, had := previousArticle(k, na, old, next)
		if !had {
			out = append(out, history.Change{Kind: history.ArticleAdded, Topic: k.Topic, Article: k.Slug, NewName: na.title, Updated: na.updated})
			continue
		}
		matched[from] = true
		if oa.hash != na.hash || from != k {
			c := history.Change{Kind: history.ArticleUpdated, Topic: k.Topic, Article: k.Slug, OldName: oa.title, NewName: na.title, Updated: na.updated}
			if from != k {
				c.OldSlug = from.Slug
			}
			out = append(out, c)
		}
	}
	for _, k := range keys {
		if oa, ok := old.articles[k]; ok && !matched[k] && next.articles[k] == nil {
			if _, gone := next.topics[k.Topic]; !gone && old.topics[k.Topic] != nil {
				continue
			}
			out = append(out, history.Change{Kind: history.ArticleRemoved, Topic: k.Topic, Article: k.Slug, OldName: oa.title, Updated: oa.updated})
		}
	}
	return out
}

// previousArticle finds what article na (k in next) was in old: the same
// key, or one of its aliases that next no longer has.
func previousArticle(k kb.Key, na *articleModel, old, next *model) (*articleModel, kb.Key, bool) {
	if oa, ok := old.articles[k]; ok {
		return oa, k, true
	}
	for _, a := range na.aliases {
		ak := kb.Key{Topic: k.Topic, Slug: a}
		if s, found := old.articles[ak]; found && next.articles[ak] == nil {
			return s, ak, true
		}
	}
	return nil, kb.Key{}, false
}

func diffCategories(out []history.Change, topic string, o, n []kb.Category) []history.Change {
	old := map[string]kb.Category{}
	for _, c := range o {
		old[c.Key] = c
	}
	seen := map[string]bool{}
	for _, c := range n {
		seen[c.Key] = true
		oc, ok := old[c.Key]
		switch {
		case !ok:
			out = append(out, history.Change{Kind: history.CategoryAdded, Topic: topic, Category: c.Key, NewName: c.Title})
		case oc.Title != c.Title:
			out = append(out, history.Change{Kind: history.CategoryChanged, Topic: topic, Category: c.Key, OldName: oc.Title, NewName: c.Title})
		}
	}
	for _, c := range o {
		if !seen[c.Key] {
			out = append(out, history.Change{Kind: history.CategoryRemoved, Topic: topic, Category: c.Key, OldName: c.Title})
		}
	}
	return out
}

func diffFeatures(out []history.Change, topic string, o, n []kb.Feature) []history.Change {
	old := map[string]kb.Feature{}
	for _, f := range o {
		old[f.Key] = f
	}
	seen := map[string]bool{}
	for _, f := range n {
		seen[f.Key] = true
		of, ok := old[f.Key]
		switch {
		case !ok:
			out = append(out, history.Change{Kind: history.FeatureAdded, Topic: topic, Feature: f.Key, Category: f.Category, NewName: f.Name})
		case of.Name != f.Name || of.Category != f.Category || of.Type != f.Type:
			out = append(out, history.Change{Kind: history.FeatureChanged, Topic: topic, Feature: f.Key, Category: f.Category, OldName: of.Name, NewName: f.Name})
		}
	}
	for _, f := range o {
		if !seen[f.Key] {
			out = append(out, history.Change{Kind: history.FeatureRemoved, Topic: topic, Feature: f.Key, Category: f.Category, OldName: f.Name})
		}
	}
	return out
}

// commonFeatures returns the features of n that o has too, in n's order:
// the rows whose cells compare (an added feature is listed as added).
func commonFeatures(o, n []kb.Feature) []kb.Feature {
	if slices.EqualFunc(o, n, func(a, b kb.Feature) bool { return a.Key == b.Key }) {
		return n
	}
	had := make(map[string]bool, len(o))
	for _, f := range o {
		had[f.Key] = true
	}
	var out []kb.Feature
	for _, f := range n {
		if had[f.Key] {
			out = append(out, f)
		}
	}
	return out
}

// diffCells compares a system's known cells (in feature order) on features.
func diffCells(out []history.Change, topic, system string, features []kb.Feature, o, n []kb.Cell) []history.Change {
	if slices.Equal(o, n) {
		return out
	}
	oc := make(map[string]kb.Cell, len(o))
	for _, c := range o {
		oc[c.Feature] = c
	}
	nc := make(map[string]kb.Cell, len(n))
	for _, c := range n {
		nc[c.Feature] = c
	}
	out = slices.Grow(out, len(features))
	for _, f := range features {
		a, aok := oc[f.Key]
		b, bok := nc[f.Key]
		if !aok && !bok || a == b {
			continue
		}
		out = append(out, history.Change{Kind: history.CellChanged, Topic: topic, System: system, Feature: f.Key, Category: f.Category, Old: cellOf(a, aok), New: cellOf(b, bok)})
	}
	return out
}

func cellOf(c kb.Cell, ok bool) history.Cell {
	if !ok {
		return history.Cell{Support: string(kb.SupportUnknown)}
	}
	return history.Cell{Support: string(c.Support), Value: c.Value, Note: c.Note, Since: c.Since, Via: c.Via, Source: c.Source, Checked: c.CheckedDate()}
}

func sortedKeys[V1, V2 any](a map[string]V1, b map[string]V2) []string {
	seen := map[string]bool{}
	var out []string
	for k := range a {
		seen[k] = true
		out = append(out, k)
	}
	for k := range b {
		if !seen[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func sortedKeyList[V any](a, b map[kb.Key]V) []kb.Key {
	seen := map[kb.Key]bool{}
	var out []kb.Key
	for _, m := range []map[kb.Key]V{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	slices.SortFunc(out, func(x, y kb.Key) int { return cmp.Or(cmp.Compare(x.Topic, y.Topic), cmp.Compare(x.Slug, y.Slug)) })
	return out
}

// recordLater diffs and records a load off the load's path, once the last
// load's recording is done: the content is served as soon as the store has
// it, and the history follows (a change list not yet holding the revision
// served is not cached; see internal/server). Loads wait for it before they
// read the model; Wait waits for it too.
func (l *Loader) recordLater(ctx context.Context, record func(context.Context)) {
	l.waitRecording()
	done := make(chan struct{})
	l.recording = done
	ctx = context.WithoutCancel(ctx) // the load's caller may go; the record is still due
	go func() {
		defer close(done)
		record(ctx)
	}()
}

// waitRecording waits for the last load's recording, if one is running.
func (l *Loader) waitRecording() {
	if l.recording != nil {
		<-l.recording
	}
}

// record records the load that moved the content to revision. whole is the
// loader's model of the content now (nil when it has none), prev the
// revision its model held before the load ("" for the first load since it
// started) and changes what the load changed from that model.
//
// When what was recorded last is not prev (a start, or another server
// recorded since), the load is diffed against the state kept with the last
// recorded revision instead: a restart on content edited while the server
// was down, or a replica with a fresh read model, lists what changed. Only
// an empty history, or one whose last revision has no state (recorded
// before states were kept, or the load could not be parsed), records a
// baseline. A failure is logged, not returned: the content is loaded.
func (l *Loader) record(ctx context.Context, revision string, whole *model, prev string, changes []history.Change) {
	if l.history == nil {
		return
	}
	rev := history.Revision{ID: revision, RecordedAt: time.Now().UTC()}
	last, err := l.history.Latest(ctx)
	switch {
	case errors.Is(err, history.ErrNotFound):
		rev.Baseline = true
	case err != nil:
		l.log.Error("history: read latest revision", "err", err)
		return
	case last.ID == revision:
		// Another server, or this one before a restart, recorded it.
		if prev == "" && whole != nil {
			l.backfillState(ctx, last.Seq, whole)
		}
		return
	default:
		rev.Parent, rev.Follows = last.ID, last.Seq
		if prev != last.ID && whole != nil {
			if base := l.recordedState(ctx, last.Seq); base != nil {
				changes, prev = diff(base, whole, base), last.ID
			}
		}
		rev.Baseline = prev == ""
	}
	if rev.Baseline {
		changes = nil
	}
	if whole != nil {
		state, err := encodeState(whole)
		if err != nil {
			l.log.Error("history: encode state", "revision", short(revision), "err", err)
		}
		rev.State = string(state)
	}
	if l.contentDir != "" {
		rev.Commit, rev.Subject = history.GitHead(l.contentDir)
	}
	ok, err := l.history.Record(ctx, rev, changes)
	if err != nil {
		l.log.Error("history: record revision", "revision", short(revision), "err", err)
		return
	}
	if ok {
		l.log.Info("history recorded", "revision", short(revision), "changes", len(changes), "baseline", rev.Baseline)
	}
}

// recordedState returns the model kept with the recorded revision seq, or
// nil when none is (or it cannot be read: the load is then a baseline).
func (l *Loader) recordedState(ctx context.Context, seq int64) *model {
	b, err := l.history.State(ctx, seq)
	if errors.Is(err, history.ErrNotFound) {
		return nil
	}
	if err == nil {
		var m *model
		if m, err = decodeState(b); err == nil {
			return m
		}
	}
	l.log.Error("history: read the last recorded state", "err", err)
	return nil
}

// backfillState keeps whole as the state of the recorded revision seq when
// it has none (a history recorded before states were kept), so that the
// next start diffs against it.
func (l *Loader) backfillState(ctx context.Context, seq int64, whole *model) {
	b, err := l.history.State(ctx, seq)
	if err == nil && len(b) > 0 {
		return
	}
	if err != nil && !errors.Is(err, history.ErrNotFound) {
		l.log.Error("history: read the last recorded state", "err", err)
		return
	}
	if b, err = encodeState(whole); err == nil {
		_, err = l.history.SaveState(ctx, seq, b)
	}
	if err != nil {
		l.log.Error("history: keep the state of the last revision", "err", err)
	}
}
