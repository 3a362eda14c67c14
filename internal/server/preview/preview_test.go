package preview

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"versa/web"
)

// hugeView is a compare whose names, title and cells are 100 KB each, the
// content an attacker could commit.
func hugeView() web.CompareView {
	long := strings.Repeat("Wide name ", 10<<10) // 100 KB
	v := web.CompareView{TopicTitle: long, Title: long + " vs " + long}
	for i := 0; i < 3; i++ {
		v.Systems = append(v.Systems, web.CompareColumn{Name: long})
	}
	for i := 0; i < 8; i++ {
		v.Groups = append(v.Groups, web.CompareGroup{Rows: []web.CompareRow{{
			Name:  long,
			Cells: []web.CompareCell{{Value: long}, {Value: "x" + long}, {Support: "yes"}},
		}}})
	}
	return v
}

// TestHugeNamesAnswerWithinDeadline: a 100 KB name is cut before it is
// measured, so the image is drawn well inside a request deadline (it took
// past 1,000 s when every character was measured again).
func TestHugeNamesAnswerWithinDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	rec := httptest.NewRecorder()
	if err := Write(ctx, rec, hugeView(), "huge.png", nil); err != nil {
		t.Fatalf("Write: %v (the deadline passed)", err)
	}
	if rec.Code != http.StatusOK && rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d", rec.Code)
	}
	if rec.Code == http.StatusOK {
		if _, err := png.Decode(bytes.NewReader(rec.Body.Bytes())); err != nil {
			t.Fatalf("not a PNG: %v", err)
		}
	}
}

// TestCancelledRenderStops: a client that is gone stops the drawing with
// its context's error instead of finishing the image.
func TestCancelledRenderStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := PNGContext(ctx, hugeView()); !errors.Is(err, context.Canceled) {
		t.Fatalf("PNGContext after cancel = %v, want context.Canceled", err)
	}
}

// TestBusySlotsAnswer503: when every drawing slot stays taken, a preview
// is answered 503 with Retry-After once slotWait passes.
func TestBusySlotsAnswer503(t *testing.T) {
	old := slotWait
	slotWait = 50 * time.Millisecond
	defer func() { slotWait = old }()
	for range cap(previewSlots) {
		previewSlots <- struct{}{}
	}
	defer func() {
		for range cap(previewSlots) {
			<-previewSlots
		}
	}()
	rec := httptest.NewRecorder()
	if err := Write(context.Background(), rec, web.CompareView{Title: "a vs b"}, "x.png", nil); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
}

// TestFitCuts: text too wide ends in an ellipsis and fits; short text is kept.
func TestFitCuts(t *testing.T) {
	fonts, err := previewFonts()
	if err != nil {
		t.Fatal(err)
	}
	c := &canvas{font: fonts}
	face := c.face(25, false)
	if got := fit(face, "Django", 300); got != "Django" {
		t.Fatalf("fit short = %q", got)
	}
	got := fit(face, strings.Repeat("abcdef ", 1000), 300)
	if !strings.HasSuffix(got, "…") || len(got) < 10 {
		t.Fatalf("fit long = %q", got)
	}
}
