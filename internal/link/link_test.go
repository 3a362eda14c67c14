package link

import "testing"

// TestPaths holds the URL table of the spec: every page and API path
// the site links to.
func TestPaths(t *testing.T) {
	pair := []string{"django", "flask"}
	tests := []struct{ got, want string }{
		{Topic("web"), "/topics/web"},
		{Category("web", "data"), "/topics/web#category-data"},
		{FeatureRow("web", "orm"), "/topics/web#feature-orm"},
		{Features("web"), "/topics/web#features"},
		{Feature("web", "orm"), "/topics/web/features/orm"},
		{System("web", "django"), "/topics/web/django"},
		{Article("web", "django-vs-flask"), "/articles/web/django-vs-flask"},
		{TopicArticles("web"), "/articles?topic=web"},
		{Compare("web", pair), "/compare/web/django-vs-flask"},
		{Compare("web", []string{"a", "b", "c"}), "/compare/web/a-vs-b-vs-c"},
		{Pinned("abcdefghijklmnop"), "/s/abcdefghijklmnop"},
		{PinnedImage("abcdefghijklmnop"), "/s/abcdefghijklmnop.png"},
		{TopicChanges("web"), "/topics/web/changes"},
		{SystemChanges("web", "django"), "/topics/web/django/changes"},
		{CompareChanges("web", pair), "/compare/web/django-vs-flask/changes"},
		{Atom(TopicChanges("web")), "/topics/web/changes.atom"},
		{APITopic("web"), "/api/topics/web"},
		{APISystem("web", "django"), "/api/topics/web/django"},
		{APICompare("web", pair), "/api/compare/web/django-vs-flask"},
		{APIArticle("web", "a"), "/api/articles/web/a"},
		{APIFeature("web", "orm"), "/api/topics/web/features/orm"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
