package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"versa/internal/ingest"
	"versa/internal/server"
	"versa/internal/server/metrics"
	"versa/internal/sqlite"
)

// followEdits reloads the content while the server runs: on every edit the
// watcher sees (unless --watch=false), and in full on SIGHUP. It returns a
// function that stops both and waits for a reload in progress. A folder that
// cannot be watched is sent to errc, which stops the server: serving while
// silently ignoring edits would mislead editors.
func followEdits(ctx context.Context, cfg Config, loader *ingest.Loader, instruments *metrics.Set, changed *server.ContentSignal,
	log *slog.Logger, errc chan<- error) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	observe := func(res ingest.Result, err error) {
		// Problems change the status page even when no content was applied.
		changed.Changed()
		if err == nil && res.Reused {
			return // written again unchanged
		}
		instruments.ObserveReload(res.Took, len(res.Problems), err)
	}
	if cfg.Watch {
		wg.Go(func() {
			err := loader.Watch(ctx, cfg.Content, ingest.WatchOptions{Poll: cfg.Poll, Reloaded: observe})
			if err != nil {
				errc <- fmt.Errorf("watch content folder %s: %w (use --poll 2s where inotify is not available, or --watch=false)", cfg.Content, err)
			}
		})
		how := "inotify"
		if cfg.Poll > 0 {
			how = "polling every " + cfg.Poll.String()
		}
		log.Info("watching the content folder", "content", cfg.Content, "how", how)
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	wg.Go(func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				log.Info("SIGHUP: reloading the content folder")
				res, err := loader.Load(ctx)
				if err != nil {
					log.Error("content reload failed", "err", err)
				}
				observe(res, err)
			}
		}
	})
	return func() {
		cancel()
		wg.Wait()
	}
}

// consistentStore lets the server read each page as one consistent read.
type consistentStore struct{ *sqlite.DB }

func (s consistentStore) ReadConsistent(ctx context.Context, fn func(server.Store) error) error {
	return s.Read(ctx, func(r *sqlite.Reader) error { return fn(r) })
}
