package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"versa/internal/kb"
)

// benchData is a pin's view of a typical size: a compare of a few systems
// over some dozens of rows is a few KB of JSON.
var benchData = func() []byte {
	var b strings.Builder
	b.WriteString(`{"topic":"web-frameworks","rows":[`)
	for i := range 40 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"feature":"feature-%02d","cells":[{"value":"yes","note":"since 2.%d"},{"value":"partial"},{"value":"no"}]}`, i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}()

// BenchmarkPins measures pin writes and reads on each engine: PutPin of a new
// id, PutPin of an id already stored (what a second replica pinning the same
// view does), and GetPin of a stored id, each from one goroutine and from
// 4 x GOMAXPROCS goroutines (b.RunParallel). The PostgreSQL case runs on the
// server VERSA_TEST_DATABASE_URL names (.ci/pg-cluster starts one on
// loopback) and skips, saying so, without it.
//
//	go test -run '^$' -bench BenchmarkPins -count 5 ./internal/storetest/
func BenchmarkPins(b *testing.B) {
	ops := []struct {
		name string
		// prepare runs once per store, before the timer; op then runs with
		// a per-iteration number i.
		prepare func(b *testing.B, s pinStore)
		op      func(ctx context.Context, s pinStore, i int64) error
	}{
		{"put-new", nil, func(ctx context.Context, s pinStore, i int64) error {
			ok, err := s.PutPin(ctx, benchPin(fmt.Sprint("new-", i)))
			if err == nil && !ok {
				err = fmt.Errorf("new pin %d not stored", i)
			}
			return err
		}},
		{"put-repeat", func(b *testing.B, s pinStore) {
			if _, err := s.PutPin(context.Background(), benchPin("repeat")); err != nil {
				b.Fatal(err)
			}
		}, func(ctx context.Context, s pinStore, i int64) error {
			ok, err := s.PutPin(ctx, benchPin("repeat"))
			if err == nil && ok {
				err = fmt.Errorf("repeated pin stored again")
			}
			return err
		}},
		{"get", func(b *testing.B, s pinStore) {
			for i := range benchStored {
				if _, err := s.PutPin(context.Background(), benchPin(fmt.Sprint("stored-", i))); err != nil {
					b.Fatal(err)
				}
			}
		}, func(ctx context.Context, s pinStore, i int64) error {
			p, err := s.GetPin(ctx, fmt.Sprint("stored-", i%benchStored))
			if err == nil && len(p.Data) != len(benchData) {
				err = fmt.Errorf("got %d bytes, want %d", len(p.Data), len(benchData))
			}
			return err
		}},
	}
	for _, e := range engines() {
		b.Run(e.name, func(b *testing.B) {
			for _, o := range ops {
				b.Run(o.name+"/serial", func(b *testing.B) {
					s := e.open(b)
					if o.prepare != nil {
						o.prepare(b, s)
					}
					ctx := context.Background()
					b.SetBytes(int64(len(benchData)))
					b.ResetTimer()
					for i := range int64(b.N) {
						if err := o.op(ctx, s, i); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(o.name+"/parallel", func(b *testing.B) {
					s := e.open(b)
					if o.prepare != nil {
						o.prepare(b, s)
					}
					ctx := context.Background()
					var next atomic.Int64
					var failed atomic.Pointer[error]
					b.SetBytes(int64(len(benchData)))
					b.SetParallelism(benchParallelism)
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := o.op(ctx, s, next.Add(1)); err != nil {
								failed.CompareAndSwap(nil, &err)
								return
							}
						}
					})
					if err := failed.Load(); err != nil {
						b.Fatal(*err)
					}
				})
			}
		})
	}
}

// benchParallelism times GOMAXPROCS goroutines run the parallel cases:
// requests that wait on a database overlap, so a server has more of them in
// flight than it has cores (8 on a 2-core machine, half the test pool).
const benchParallelism = 4

// benchStored is how many pins the read benchmark cycles through.
const benchStored = 1000

func benchPin(id string) kb.Pin {
	p := pin(id)
	p.Data = benchData
	p.CreatedAt = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	return p
}
