package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"versa/internal/kb"
)

// switchedPins is a pin store in a database that can be switched off, as
// PostgreSQL can go down under a replica.
type switchedPins struct {
	PinStore
	down atomic.Bool
}

func (p *switchedPins) fault() error {
	if p.down.Load() {
		return fmt.Errorf("dial tcp 127.0.0.1:5432: connection refused: %w", kb.ErrUnavailable)
	}
	return nil
}

func (p *switchedPins) Ping(context.Context) error { return p.fault() }

func (p *switchedPins) PutPin(ctx context.Context, s kb.Pin) (bool, error) {
	if err := p.fault(); err != nil {
		return false, err
	}
	return p.PinStore.PutPin(ctx, s)
}

func (p *switchedPins) GetPin(ctx context.Context, id string) (kb.Pin, error) {
	if err := p.fault(); err != nil {
		return kb.Pin{}, err
	}
	return p.PinStore.GetPin(ctx, id)
}

func (p *switchedPins) CountPins(ctx context.Context) (int, error) {
	if err := p.fault(); err != nil {
		return 0, err
	}
	return p.PinStore.CountPins(ctx)
}

// With the pin database down, content pages serve, /readyz names the part
// that is down, pins and snapshots answer 503 with a page that says so,
// and all comes back when the database does.
func TestPinDatabaseDown(t *testing.T) {
	db := openDB(t)
	loadDir(t, db, "../content/testdata/valid")
	pins := &switchedPins{PinStore: db}
	h := New(Config{Pins: pins, PinsPerMinute: -1}, db)
	const target = "/compare/web/django-vs-flask"
	loc := mustPin(t, h, target)

	pins.down.Store(true)
	if rec := get(t, h, target); rec.Code != http.StatusOK {
		t.Errorf("compare page with the database down = %d, want 200", rec.Code)
	}
	ready := get(t, h, "/readyz")
	if body := ready.Body.String(); ready.Code != http.StatusOK || !strings.Contains(body, "degraded") || !strings.Contains(body, "database: down") || !strings.Contains(body, "content: ok") {
		t.Errorf("/readyz with the database down = %d %q, want 200 naming the database", ready.Code, body)
	}
	if rec := get(t, h, "/readyz?all=1"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("/readyz?all=1 with the database down = %d, want 503", rec.Code)
	}
	for name, rec := range map[string]*httptest.ResponseRecorder{"pin": pin(h, target), "snapshot": get(t, h, loc)} {
		body := rec.Body.String()
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("%s with the database down = %d, want 503", name, rec.Code)
		}
		if !strings.Contains(body, "not answering") || rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: the 503 page does not say the database is down (Retry-After %q)", name, rec.Header().Get("Retry-After"))
		}
	}

	pins.down.Store(false)
	if rec := get(t, h, loc); rec.Code != http.StatusOK {
		t.Errorf("snapshot after the database is back = %d, want 200", rec.Code)
	}
	if got := mustPin(t, h, target+"?diff=1"); got == loc {
		t.Error("a new pin after recovery has the old id")
	}
	if rec := get(t, h, "/readyz"); !strings.Contains(rec.Body.String(), "database: ok") {
		t.Errorf("/readyz after recovery = %q", rec.Body.String())
	}
}
