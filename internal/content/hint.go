package content

import (
	"fmt"
	"regexp"
	"strings"
)

// slugRE is the spec's slug: lowercase a-z, 0-9 and single hyphens.
var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// keyRE is a feature or category key. Keys are not slugs: they name rows
// (#feature-{key}, ?need={key}) and come from data sets with their own
// conventions (async_views, es6.modules, css-grid, HTTP2), so letters of
// either case, digits, '-', '_' and '.' are accepted; what would break a
// URL or a comma-separated list (spaces, commas, slashes, '#', '?') is not.
var keyRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// checkSlug explains what is wrong with a slug, or returns "".
func checkSlug(s string) string {
	if slugRE.MatchString(s) {
		return ""
	}
	fixed := suggestSlug(s)
	if fixed != "" && fixed != s {
		return fmt.Sprintf("bad slug %q: use lowercase a-z, 0-9 and single hyphens, e.g. %q", s, fixed)
	}
	return fmt.Sprintf("bad slug %q: use lowercase a-z, 0-9 and single hyphens", s)
}

// suggestSlug turns a name into the closest valid slug.
func suggestSlug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	return b.String()
}

// didYouMean returns ` (did you mean "x"?)` for the closest of known to s,
// or "" when nothing is close.
func didYouMean(s string, known []string) string {
	best, bestD := "", -1
	for _, k := range known {
		d := distance(strings.ToLower(s), strings.ToLower(k))
		if bestD < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	limit := len(s) / 3
	if limit < 2 {
		limit = 2
	}
	if best == "" || bestD > limit {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
