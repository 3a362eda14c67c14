package content

import (
	"strings"
	"testing"
)

// TestTextLimits: a long name, title or summary is a warning at its line;
// an absurd one (a name over 1 KB) is a problem that refuses the content.
func TestTextLimits(t *testing.T) {
	long := strings.Repeat("n", 70)
	_, problems, warnings := parseWithWarnings(t, map[string]string{
		"t/systems/a.md": "---\nname: " + long + "\nsummary: " + strings.Repeat("s ", 200) + "\n---\nBody.\n",
		"t/systems/b.md": "---\nname: " + strings.Repeat("x", 2000) + "\n---\nBody.\n",
	})
	want := []string{
		"t/systems/a.md:2: name is 70 characters long, over the 60 that show in full",
		"t/systems/a.md:3: summary is 399 characters long, over the 300 that show in full",
	}
	for _, w := range want {
		if !containsPrefix(warnings, w) {
			t.Errorf("warnings %q lack %q", warnings, w)
		}
	}
	if !containsPrefix(problems, "t/systems/b.md:2: name is 2000 bytes long, over the limit of 1024") {
		t.Errorf("problems %q lack the 2,000-byte name", problems)
	}
	if containsPrefix(problems, "t/systems/a.md") {
		t.Errorf("a long but plausible name is refused: %q", problems)
	}
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
