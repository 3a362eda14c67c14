package web

import (
	"strings"
	"testing"
)

func TestKeyTree(t *testing.T) {
	for _, tt := range []struct {
		keys []string
		want string
	}{
		{[]string{"a", "b"}, "a b"},
		{[]string{"a.b", "a.c"}, "a.b a.c"},                          // the common prefix is no node
		{[]string{"x.a.b", "x.a.c", "x.d"}, "x.a.* x.a.b x.a.c x.d"}, // x is common; x.a nests
		{[]string{"a.b.c", "z"}, "a.b.c z"},                          // one feature: no node
		{[]string{"a..b", ".c", "d.", "a..e"}, "a..b .c d. a..e"},    // odd dots make no empty prefixes
		{[]string{"p.q", "p", "p.r", "s"}, "p p.q p.r s"},            // the feature heads its node, wherever listed
		{[]string{"p", "p"}, "p p"},
	} {
		var got []string
		for _, b := range treeBlocks(tt.keys) {
			for _, r := range b.Rows {
				if r.At < 0 {
					got = append(got, r.Label())
				} else {
					got = append(got, tt.keys[r.At])
				}
			}
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%q: %q, want %q", tt.keys, strings.Join(got, " "), tt.want)
		}
	}
}
