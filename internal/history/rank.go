package history

import (
	"context"
	"slices"
)

// A page deep in a list (?page=400) is found by seeking, not by counting:
// each change is recorded with three running counts (ranks), which the
// stores keep beside it,
//
//	topic rank    the changes of its topic so far, itself included
//	system rank   the Ranked changes of its (topic, system) so far
//	feature rank  the Ranked changes of its (topic, system, feature) so far
//
// so that how many changes of a group are older than an id is the rank of
// the group's newest change below it: one index seek. A list is a union of
// such groups (its Walks) and of a few renames; the store finds where a
// page starts by bisecting the ids with that count (PageStart), then reads
// the page as an older-page link (Query.Before) would.

// Ranked reports whether a change counts in the ranks of its system and
// feature: a system's change (its cells, its being added, removed or
// renamed) or a change of the topic's rows (RowKinds, System ""). An
// article's change does not, and carries the ranks of the change before it
// in its group, so that a list of rows seeks past articles.
func Ranked(c Change) bool { return c.System != "" || slices.Contains(RowKinds, c.Kind) }

// Rank is a change's three running counts.
type Rank struct{ Topic, System, Feature int64 }

// SystemKey and FeatureKey name the groups a system and a feature rank
// count in.
type (
	SystemKey  struct{ Topic, System string }
	FeatureKey struct{ Topic, System, Feature string }
)

// Bases are the ranks of the newest recorded change of each group (absent:
// none, 0), which a recording's ranks continue.
type Bases struct {
	Topic   map[string]int64
	System  map[SystemKey]int64
	Feature map[FeatureKey]int64
}

// RankGroups returns the groups changes fall in, each once, in order of
// their first change: those whose bases Ranks needs.
func RankGroups(changes []Change) (topics []string, systems []SystemKey, features []FeatureKey) {
	seenT := map[string]bool{}
	seenS := map[SystemKey]bool{}
	seenF := map[FeatureKey]bool{}
	for _, c := range changes {
		if !seenT[c.Topic] {
			seenT[c.Topic] = true
			topics = append(topics, c.Topic)
		}
		s := SystemKey{c.Topic, c.System}
		if !seenS[s] {
			seenS[s] = true
			systems = append(systems, s)
		}
		f := FeatureKey{c.Topic, c.System, c.Feature}
		if !seenF[f] {
			seenF[f] = true
			features = append(features, f)
		}
	}
	return topics, systems, features
}

// Ranks numbers changes, recorded in this order after the history whose
// bases b holds.
func Ranks(changes []Change, b Bases) []Rank {
	t := map[string]int64{}
	s := map[SystemKey]int64{}
	f := map[FeatureKey]int64{}
	out := make([]Rank, len(changes))
	for i, c := range changes {
		sk, fk := SystemKey{c.Topic, c.System}, FeatureKey{c.Topic, c.System, c.Feature}
		t[c.Topic]++
		if Ranked(c) {
			s[sk]++
			f[fk]++
		}
		out[i] = Rank{Topic: b.Topic[c.Topic] + t[c.Topic], System: b.System[sk] + s[sk], Feature: b.Feature[fk] + f[fk]}
	}
	return out
}

// The groups of a walk.
const (
	TopicWalk   = iota // every change of the topic, by topic rank
	SystemWalk         // the Ranked changes of (topic, System), by system rank
	FeatureWalk        // the Ranked changes of (topic, System, Feature), by feature rank
)

// Walk is one group a list is the union of.
type Walk struct {
	Of              int // TopicWalk, SystemWalk or FeatureWalk
	System, Feature string
}

// Walks returns the groups whose union is what q lists but for the
// renames (a change under one of q.Systems' old slugs, which the store
// adds as they are few): the topic; or each system's (with Features, each
// system's of each feature and its own, feature ""), with Rows the rows'
// (System "", of each feature with Features). Their Ranked changes are
// what q keeps: a system's changes of feature "" are its being added,
// removed or renamed. It reports false for a query that is not such a
// union (no topic, Features without Systems, an empty slug), which the
// store pages by counting.
func (q Query) Walks() ([]Walk, bool) {
	if q.Topic == "" {
		return nil, false
	}
	if len(q.Systems) == 0 {
		if len(q.Features) > 0 {
			return nil, false
		}
		return []Walk{{Of: TopicWalk}}, true
	}
	systems := slices.Compact(slices.Sorted(slices.Values(q.Systems)))
	if slices.Contains(systems, "") {
		return nil, false
	}
	var walks []Walk
	if len(q.Features) == 0 {
		for _, s := range systems {
			walks = append(walks, Walk{Of: SystemWalk, System: s})
		}
		if q.Rows {
			walks = append(walks, Walk{Of: SystemWalk})
		}
		return walks, true
	}
	features := slices.Compact(slices.Sorted(slices.Values(q.Features)))
	own := features
	if !slices.Contains(own, "") {
		own = append([]string{""}, features...)
	}
	for _, s := range systems {
		for _, f := range own {
			walks = append(walks, Walk{Of: FeatureWalk, System: s, Feature: f})
		}
	}
	if q.Rows {
		for _, f := range features {
			walks = append(walks, Walk{Of: FeatureWalk, Feature: f})
		}
	}
	return walks, true
}

// SeekPage returns q with its Offset turned into the Before of the page's
// start (PageStart over count, up to end); past the end of the list, a
// Before of 1, before which no change is.
func SeekPage(ctx context.Context, q Query, end int64, count func(ctx context.Context, below int64) (int64, error)) (Query, error) {
	before, ok, err := PageStart(ctx, end, q.Offset, count)
	if err != nil {
		return q, err
	}
	if !ok {
		before = 1
	}
	q.Before, q.Offset = before, 0
	return q, nil
}

// PageStart finds where the page at offset of a list starts, given count,
// how many changes of the list are older than an id (a nondecreasing
// function of it), and end, the id the list stops before (the page's
// cursor, or one past the newest id). It returns the cursor (Query.Before)
// of the page: one past the id of its first change; false when the list
// has offset changes or fewer below end.
//
// It bisects the ids: about log2(end) counts.
func PageStart(ctx context.Context, end int64, offset int, count func(ctx context.Context, below int64) (int64, error)) (int64, bool, error) {
	total, err := count(ctx, end)
	if err != nil {
		return 0, false, err
	}
	older := total - int64(offset) - 1 // changes older than the page's first
	if older < 0 {
		return 0, false, nil
	}
	// count(lo) <= older < count(hi); the first change is hi-1 at the end.
	lo, hi := int64(1), end
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		n, err := count(ctx, mid)
		if err != nil {
			return 0, false, err
		}
		if n > older {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, true, nil
}
