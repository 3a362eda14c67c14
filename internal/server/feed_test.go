package server

import (
	"encoding/xml"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func parseFeed(t *testing.T, body []byte) atomFeed {
	t.Helper()
	var f atomFeed
	if err := xml.Unmarshal(body, &f); err != nil {
		t.Fatalf("parse feed: %v\n%s", err, body)
	}
	if f.XMLName.Space != atomNS || f.XMLName.Local != "feed" {
		t.Fatalf("root = %v, want feed in %s", f.XMLName, atomNS)
	}
	return f
}

func TestFeed(t *testing.T) {
	h := discoveryServer(t, Config{BaseURL: "https://versa.example"})
	rec := get(t, h, "/feed.xml")
	if rec.Code != 200 {
		t.Fatalf("status = %d\n%s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("Content-Type = %q", ct)
	}
	body := rec.Body.String()
	if !strings.Contains(body, "Tom &amp; Jerry &lt;vs&gt;") || strings.Contains(body, "<vs>") {
		t.Errorf("title not escaped:\n%s", body)
	}
	f := parseFeed(t, rec.Body.Bytes())
	if f.ID != "https://versa.example/feed.xml" || f.Updated != "2026-03-01T00:00:00Z" || f.Title == "" || f.Author.Name == "" {
		t.Errorf("feed head = id %q, updated %q, title %q, author %q", f.ID, f.Updated, f.Title, f.Author.Name)
	}
	var self bool
	for _, l := range f.Links {
		self = self || (l.Rel == "self" && l.Href == "https://versa.example/feed.xml")
	}
	if !self {
		t.Errorf("links = %+v, want rel=self to the feed", f.Links)
	}
	want := []struct{ slug, title, updated, summary string }{
		{"escaped", `Tom & Jerry <vs> "Alpha"`, "2026-03-01T00:00:00Z", "a < b & c > d"},
		{"mid", "Mid year", "2025-06-01T00:00:00Z", ""},
		{"old", "Old news", "2025-01-01T00:00:00Z", "From last year."},
	}
	if len(f.Entries) != len(want) {
		t.Fatalf("%d entries, want %d", len(f.Entries), len(want))
	}
	for i, w := range want {
		e := f.Entries[i]
		u := "https://versa.example/articles/tools/" + w.slug
		if e.Title.Text != w.title || e.ID != u || e.Link.Href != u || e.Updated != w.updated {
			t.Errorf("entry %d = %+v, want %s %q updated %s", i, e, u, w.title, w.updated)
		}
		var summary string
		if e.Summary != nil {
			summary = e.Summary.Text
		}
		if summary != w.summary {
			t.Errorf("entry %d summary = %q, want %q", i, summary, w.summary)
		}
	}
}

func TestFeedNewest50(t *testing.T) {
	dir := writeDiscoveryContent(t)
	for i := range 60 {
		day := fmt.Sprintf("2024-%02d-%02d", 1+i/28, 1+i%28)
		mustWrite(t, filepath.Join(dir, "tools", "articles", fmt.Sprintf("extra-%d.md", i)),
			"---\ntitle: Extra "+day+"\nsummary: More.\nsystems: [alpha]\nupdated: "+day+"\n---\nBody.\n")
	}
	db := openDB(t)
	loadDir(t, db, dir)
	f := parseFeed(t, get(t, New(Config{}, db), "/feed.xml").Body.Bytes())
	if len(f.Entries) != 50 {
		t.Fatalf("%d entries, want 50", len(f.Entries))
	}
	for i := 1; i < len(f.Entries); i++ {
		if f.Entries[i].Updated > f.Entries[i-1].Updated {
			t.Errorf("entry %d (%s) newer than entry %d (%s)", i, f.Entries[i].Updated, i-1, f.Entries[i-1].Updated)
		}
	}
	if f.Entries[0].ID != "http://localhost/articles/tools/escaped" {
		t.Errorf("first entry = %s, want the newest article", f.Entries[0].ID)
	}
}
