package web

// FeatureView is one feature across every system of its topic, the way
// caniuse shows one feature: a count of each support level, then each
// system's value with what backs it.
type FeatureView struct {
	Site          Site
	TopicSlug     string
	TopicTitle    string
	Key           string
	Name          string
	Description   string
	Type          string // support, text, number, year...
	CategoryTitle string
	CategoryURL   string // the category on the topic page
	Counts        []SupportCount
	Rows          []FeatureSystem
	APIURL        string
	ChangesURL    string // the topic's change list; empty when none is kept
}

// SupportCount is how many systems have one support level (or, for a
// feature that is not a support level, one value).
type SupportCount struct {
	Support string // a support level; empty for a value
	Label   string
	Count   int
}

// FeatureSystem is one system's value of the feature.
type FeatureSystem struct {
	Slug  string
	Name  string
	URL   string
	Value FeatureValue
}

// featureDescription is the page's meta description: the feature's own, or
// what the page shows.
func featureDescription(v FeatureView) string {
	if v.Description != "" {
		return v.Description
	}
	return v.Name + " in each system of " + v.TopicTitle + "."
}
