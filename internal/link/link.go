// Package link builds the paths of Versa's pages and API, the one place
// that knows the URL table of the spec. Server and web both use it, so it
// imports only the standard library: web may import kb, static and link.
//
// Arguments are slugs and keys, which content validation keeps to
// [a-z0-9-] (keys also '_' and '.'), so nothing here is escaped. Queries are
// the caller's: each page's filters have their own canonical encoding.
package link

import "strings"

// Fixed paths.
const (
	Home      = "/"
	Articles  = "/articles"
	Search    = "/search"
	CompareUI = "/compare" // the topic page's "compare selected" form
	Pin       = "/s"       // POST target of the Pin button
	Feed      = "/feed.xml"

	APITopics   = "/api/topics"
	APIArticles = "/api/articles"
	APISearch   = "/api/search"
	APIStatus   = "/api/status"
)

// Topic is a topic's page: /topics/{topic}.
func Topic(topic string) string { return "/topics/" + topic }

// Category is a category's place on its topic's page.
func Category(topic, category string) string { return Topic(topic) + "#category-" + category }

// FeatureRow is a feature's row on its topic's page (the anchor the spec
// gives feature rows), for links from search and error pages.
func FeatureRow(topic, feature string) string { return Topic(topic) + "#feature-" + feature }

// Features is the features table on a topic's page.
func Features(topic string) string { return Topic(topic) + "#features" }

// Feature is a feature's own page: /topics/{topic}/features/{feature}.
func Feature(topic, feature string) string { return Topic(topic) + "/features/" + feature }

// System is a system's page: /topics/{topic}/{system}.
func System(topic, system string) string { return Topic(topic) + "/" + system }

// SystemFeature is a feature's row on a system's page.
func SystemFeature(topic, system, feature string) string {
	return System(topic, system) + "#feature-" + feature
}

// Article is an article's page: /articles/{topic}/{article}.
func Article(topic, article string) string { return Articles + "/" + topic + "/" + article }

// TopicArticles is the article list of one topic.
func TopicArticles(topic string) string { return Articles + "?topic=" + topic }

// Compare is a compare view of systems, in that order:
// /compare/{topic}/{a}-vs-{b}[-vs-{c}...]. Its exports add their extension
// (".csv", ".json", ".md", ".png") before the query.
func Compare(topic string, systems []string) string {
	return "/compare/" + topic + "/" + strings.Join(systems, "-vs-")
}

// Pinned is a pinned snapshot's page: /s/{id}.
func Pinned(id string) string { return Pin + "/" + id }

// PinnedExport is a pinned snapshot's table as a download: ext is ".csv",
// ".json" or ".md", as for a live comparison.
func PinnedExport(id, ext string) string { return Pinned(id) + ext }

// PinnedImage is a pinned snapshot's link-preview image.
func PinnedImage(id string) string { return Pinned(id) + ".png" }

// TopicChanges is the change list of a topic: /topics/{topic}/changes.
func TopicChanges(topic string) string { return Topic(topic) + "/changes" }

// SystemChanges is the change list of a system: /topics/{topic}/{system}/changes.
func SystemChanges(topic, system string) string { return System(topic, system) + "/changes" }

// CompareChanges is the change list of a compare view's systems.
func CompareChanges(topic string, systems []string) string {
	return Compare(topic, systems) + "/changes"
}

// Atom is the Atom feed of a change list: its path with ".atom".
func Atom(changes string) string { return changes + ".atom" }

// API is the JSON twin of a page path: the same path and query under /api.
func API(page string) string { return "/api" + page }

// APITopic is a topic as JSON: /api/topics/{topic}.
func APITopic(topic string) string { return APITopics + "/" + topic }

// APISystem is a system as JSON: /api/topics/{topic}/{system}.
func APISystem(topic, system string) string { return APITopic(topic) + "/" + system }

// APIFeature is a feature across its topic's systems as JSON:
// /api/topics/{topic}/features/{feature}.
func APIFeature(topic, feature string) string { return API(Feature(topic, feature)) }

// APICompare is a compare view as JSON: /api/compare/{topic}/{a}-vs-{b}.
func APICompare(topic string, systems []string) string { return API(Compare(topic, systems)) }

// APIArticle is an article as JSON: /api/articles/{topic}/{article}.
func APIArticle(topic, article string) string { return APIArticles + "/" + topic + "/" + article }
