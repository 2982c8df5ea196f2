package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/clientv3"
	"google.golang.org/grpc/metadata"
)

const watchPrefix = "etcdload/watch/"

type keyRev struct {
	key string
	rev int64
}

type watcher struct {
	seen    map[keyRev]struct{}
	samples []sample
	dups    int64
	errs    watchErrors
}

// watchErrors: watch responses that carried an error or a cancellation, and the first of them.
type watchErrors struct {
	count int64
	first string
}

func (e *watchErrors) note(resp clientv3.WatchResponse) {
	if err := resp.Err(); err != nil || resp.Canceled {
		e.count++
		if e.first == "" {
			e.first = fmt.Sprintf("canceled=%v: %v", resp.Canceled, err)
		}
	}
}

// consumeWatch reads one watch channel until it closes: the first response must confirm the creation (reported on
// created, once, also when it does not come); each later one goes to handle with its arrival time (UnixNano).
func consumeWatch(wch clientv3.WatchChan, created chan<- error, handle func(resp clientv3.WatchResponse, now int64)) {
	first := true
	for resp := range wch {
		if first {
			first = false
			if resp.Created {
				created <- nil
				continue
			}
			created <- fmt.Errorf("the first watch response was not a creation: %v", resp.Err())
		}
		handle(resp, time.Now().UnixNano())
	}
	if first {
		created <- fmt.Errorf("the watch channel closed before the watch was created")
	}
}

// runWatchLatency: cfg.watchers watchers on one prefix, spread over cfg.streams gRPC watch streams (stream s on
// connection s mod conns; clientv3 opens one stream per distinct outgoing metadata, so each stream gets its own), and
// one writer putting at cfg.putRate. Each value starts with the put's send time (UnixNano, big-endian); an event's
// delivery latency is its arrival time at a watcher minus that.
func runWatchLatency(cfg *config) (*result, error) {
	if cfg.watchers < 1 || cfg.streams < 1 || cfg.putRate < 1 {
		return nil, fmt.Errorf("need --watchers, --streams and --put-rate >= 1")
	}
	conns, err := connect(cfg, cfg.conns)
	if err != nil {
		return nil, err
	}
	defer closeAll(conns)
	writerConn, err := connect(cfg, 1) // the writer's own connection, on the first endpoint
	if err != nil {
		return nil, err
	}
	defer closeAll(writerConn)
	writer := writerConn[0]

	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	g, err := writer.Get(ctx, watchPrefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	cancel()
	if err != nil {
		return nil, fmt.Errorf("reading the current revision: %v", err)
	}
	fromRev := g.Header.Revision + 1

	// the watchers, each confirmed created before the writer starts
	watchCtx, stopWatching := context.WithCancel(context.Background())
	defer stopWatching()
	ws := make([]*watcher, cfg.watchers)
	var received int64
	var wg sync.WaitGroup
	created := make(chan error, cfg.watchers)
	var start time.Time // set before the first put; read by watchers only after an event arrives
	var startNs int64
	for i := range ws {
		w := &watcher{seen: make(map[keyRev]struct{})}
		ws[i] = w
		s := i % cfg.streams
		sctx := metadata.AppendToOutgoingContext(watchCtx, "etcdload-stream", strconv.Itoa(s))
		wch := conns[s%len(conns)].Watch(sctx, watchPrefix, clientv3.WithPrefix(), clientv3.WithRev(fromRev),
			clientv3.WithCreatedNotify())
		wg.Add(1)
		go func() {
			defer wg.Done()
			consumeWatch(wch, created, func(resp clientv3.WatchResponse, now int64) {
				w.errs.note(resp)
				for _, ev := range resp.Events {
					kr := keyRev{string(ev.Kv.Key), ev.Kv.ModRevision}
					if _, dup := w.seen[kr]; dup {
						w.dups++
					} else {
						w.seen[kr] = struct{}{}
					}
					if len(ev.Kv.Value) >= 8 {
						sent := int64(binary.BigEndian.Uint64(ev.Kv.Value))
						w.samples = append(w.samples, sample{at: sent - atomic.LoadInt64(&startNs), lat: now - sent})
					}
				}
				atomic.AddInt64(&received, int64(len(resp.Events)))
			})
		}()
	}
	createDeadline := time.After(60 * time.Second)
	for i := 0; i < cfg.watchers; i++ {
		select {
		case err := <-created:
			if err != nil {
				return nil, fmt.Errorf("creating watcher: %v", err)
			}
		case <-createDeadline:
			return nil, fmt.Errorf("only %d of %d watchers created in 60 s", i, cfg.watchers)
		}
	}

	// the writer: open loop at the put rate until the deadline (after a put answered late, the next ones go at once
	// until the writer is back on schedule; a writer that cannot keep up sends fewer puts)
	acked := make(map[keyRev]struct{})
	var putSamples []sample
	var putsFailed int64
	var putFirstErr string
	value := make([]byte, cfg.valueSize)
	period := time.Second / time.Duration(cfg.putRate)
	start = time.Now()
	atomic.StoreInt64(&startNs, start.UnixNano())
	deadline := start.Add(cfg.duration)
	for i, next := 0, start; next.Before(deadline) && time.Now().Before(deadline); i, next = i+1, next.Add(period) {
		if d := time.Until(next); d > 0 {
			time.Sleep(d)
		}
		key := watchPrefix + strconv.Itoa(i%100)
		t0 := time.Now()
		binary.BigEndian.PutUint64(value, uint64(t0.UnixNano()))
		pctx, pcancel := context.WithTimeout(context.Background(), cfg.timeout)
		resp, err := writer.Put(pctx, key, string(value))
		pcancel()
		t1 := time.Now()
		if err != nil {
			putsFailed++
			if putFirstErr == "" {
				putFirstErr = fmt.Sprintf("%.1f s: %v", t1.Sub(start).Seconds(), err)
			}
			continue
		}
		acked[keyRev{key, resp.Header.Revision}] = struct{}{}
		putSamples = append(putSamples, sample{at: int64(t1.Sub(start)), lat: int64(t1.Sub(t0))})
	}
	writeEnd := time.Since(start)
	expected := int64(len(acked)) * int64(cfg.watchers)

	// wait for the events still on their way
	drainEnd := time.Now().Add(cfg.drain)
	for atomic.LoadInt64(&received) < expected && time.Now().Before(drainEnd) {
		time.Sleep(10 * time.Millisecond)
	}
	stopWatching()
	wg.Wait()

	x := &watchResult{Watchers: cfg.watchers, Streams: cfg.streams, PutRate: cfg.putRate,
		Puts: int64(len(acked)), PutsFailed: putsFailed, PutFirstError: putFirstErr, Expected: expected}
	x.PutsPerSec = float64(len(acked)) / writeEnd.Seconds()
	pr := summarize("all", putSamples, 0, int64(writeEnd))
	x.PutP50ms, x.PutP99ms, x.PutMaxMs = pr.P50ms, pr.P99ms, pr.MaxMs
	var all []sample
	for _, w := range ws {
		x.Received += int64(len(w.samples)) // (an event shorter than 8 bytes is not one of ours)
		x.Duplicates += w.dups
		x.WatchErrors += w.errs.count
		if x.WatchFirstError == "" {
			x.WatchFirstError = w.errs.first
		}
		var missing int64
		for kr := range acked {
			if _, ok := w.seen[kr]; !ok {
				missing++
			}
		}
		for kr := range w.seen {
			if _, ok := acked[kr]; !ok {
				x.Extra++
			}
		}
		if missing > 0 {
			x.Missing += missing
			x.WatchersMissing++
		}
		all = append(all, w.samples...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].at < all[j].at })
	x.Delivery = rows(all, writeEnd, cfg.coldSeconds)
	return &result{Workload: cfg.workload, Label: cfg.label, Endpoints: cfg.endpoints, Clients: 1,
		Conns: len(conns) + 1, ValueSize: cfg.valueSize, DurationS: seconds(int64(writeEnd)),
		Ok: int64(len(acked)), Failed: putsFailed, FirstError: putFirstErr, Watch: x,
		Rows: rows(putSamples, writeEnd, cfg.coldSeconds), PerSecond: perSecond(putSamples, writeEnd)}, nil
}
