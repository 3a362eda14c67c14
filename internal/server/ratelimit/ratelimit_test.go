package ratelimit

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestAddrLimiter(t *testing.T) {
	l := New(60) // one a second, 60 at once
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 60 {
		if ok, _ := l.Allow("a", now); !ok {
			t.Fatalf("pin %d refused within the burst", i+1)
		}
	}
	if ok, wait := l.Allow("a", now); ok || wait <= 0 || wait > time.Second {
		t.Errorf("allow past the burst = %v, %v; want false, under a second", ok, wait)
	}
	if ok, _ := l.Allow("a", now.Add(time.Second)); !ok {
		t.Error("a second later: refused, want a new token")
	}
	// A bucket that has filled up again is forgotten.
	l.Allow("b", now)
	later := now.Add(2 * time.Minute)
	l.Allow("c", later)
	l.mu.Lock()
	_, a := l.buckets["a"]
	_, b := l.buckets["b"]
	n := len(l.buckets)
	l.mu.Unlock()
	if a || b || n != 1 {
		t.Errorf("after two idle minutes: %d buckets (a kept %v, b kept %v), want only c", n, a, b)
	}

	for _, tt := range []struct{ remote, xff, want string }{
		{"192.0.2.1:1234", "", "192.0.2.1"},
		{"[2001:db8:1:2:3:4:5:6]:443", "", "2001:db8:1:2::/64"},
		{"[::ffff:192.0.2.9]:443", "", "192.0.2.9"},
		{"10.0.0.1:1", "198.51.100.1, 203.0.113.5", "203.0.113.5"},
	} {
		r := httptest.NewRequest("POST", "/s", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := ClientAddr(r, tt.xff != ""); got != tt.want {
			t.Errorf("clientAddr(%s, %s) = %q, want %q", tt.remote, tt.xff, got, tt.want)
		}
	}
	r := httptest.NewRequest("POST", "/s", nil)
	r.RemoteAddr = "10.0.0.1:1"
	r.Header.Set("X-Forwarded-For", "203.0.113.5")
	if got := ClientAddr(r, false); got != "10.0.0.1" {
		t.Errorf("clientAddr without a trusted proxy = %q, want the peer", got)
	}
}
