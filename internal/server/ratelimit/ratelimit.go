// Package ratelimit keeps a token bucket per client address, in memory and
// bounded, for the few requests that write (pins).
package ratelimit

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxLimitedAddrs bounds the addresses a Limiter remembers. Past it,
// after dropping every full bucket, new addresses are refused until old
// ones refill: memory stays bounded under a flood of addresses.
const maxLimitedAddrs = 1 << 16

// Limiter is a token bucket per client address: perMinute tokens a
// minute, up to a minute's worth at once. A bucket left alone long enough
// to fill up is the same as a new one, so it is dropped.
type Limiter struct {
	every rate.Limit
	burst int
	idle  time.Duration // how long an empty bucket takes to fill

	mu        sync.Mutex
	buckets   map[string]*addrBucket
	lastSweep time.Time
}

type addrBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns a limiter of perMinute tokens a minute per address, which
// must be more than zero.
func New(perMinute float64) *Limiter {
	burst := max(1, int(math.Ceil(perMinute)))
	every := rate.Limit(perMinute / 60)
	return &Limiter{
		every:   every,
		burst:   burst,
		idle:    time.Duration(float64(burst) / float64(every) * float64(time.Second)),
		buckets: map[string]*addrBucket{},
	}
}

// Allow takes a token from addr's bucket; when there is none, it says how
// long until there is.
func (l *Limiter) Allow(addr string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[addr]
	if b == nil {
		if now.Sub(l.lastSweep) > l.idle || len(l.buckets) >= maxLimitedAddrs {
			l.sweep(now)
		}
		if len(l.buckets) >= maxLimitedAddrs {
			return false, l.idle / time.Duration(l.burst)
		}
		b = &addrBucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.buckets[addr] = b
	}
	b.seen = now
	res := b.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep drops the buckets that have filled up again.
func (l *Limiter) sweep(now time.Time) {
	for addr, b := range l.buckets {
		if now.Sub(b.seen) >= l.idle {
			delete(l.buckets, addr)
		}
	}
	l.lastSweep = now
}

// ClientAddr is the address a request's limits are kept under: the peer's
// IP, or behind a trusted proxy the last address of X-Forwarded-For (the
// one the proxy added). IPv6 clients are grouped by /64, the block one
// host usually holds.
func ClientAddr(r *http.Request, trustProxy bool) string {
	host := r.RemoteAddr
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if trustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if last = strings.TrimSpace(last); last != "" {
				host = last
			}
		}
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
