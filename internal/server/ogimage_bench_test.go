package server

import (
	"context"
	"testing"

	"versa/internal/server/preview"
)

// BenchmarkOGImage draws and encodes the preview of the six bundled
// Python web frameworks; "request" is the whole uncached answer to
// its .png URL (store reads, layout, drawing, encoding).
func BenchmarkOGImage(b *testing.B) {
	db := openDB(b)
	loadDir(b, db, "../../content")
	s := New(Config{CacheBytes: -1}, db)
	b.Run("draw+encode", func(b *testing.B) {
		ctx := context.Background()
		topic, err := db.FindTopic(ctx, "python-web-frameworks")
		if err != nil {
			b.Fatal(err)
		}
		all, err := db.ListSystems(ctx, topic.Slug)
		if err != nil {
			b.Fatal(err)
		}
		if len(all) != 6 {
			b.Fatalf("%d bundled systems, want 6", len(all))
		}
		c := &compareTarget{topic: topic, systems: all, all: all}
		v := buildCompare(c.topic, c.systems, c.all, c.q, 0)
		body, err := preview.PNG(v)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := preview.PNG(v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("request", func(b *testing.B) {
		benchPage(b, s, sixPage+".png", "")
	})
}

// BenchmarkOGImageCached asks the router for the same preview again: from
// the page cache, as every request after the first of a revision is.
func BenchmarkOGImageCached(b *testing.B) {
	db := openDB(b)
	loadDir(b, db, "../../content")
	benchPage(b, New(Config{}, db), sixPage+".png", "")
}
