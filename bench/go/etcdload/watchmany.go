package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io/ioutil"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/clientv3"
	"google.golang.org/grpc/metadata"
)

// manyResult: what watch-many measured. Memory and CPU are the server processes' (--server-pids), read from /proc.
type manyResult struct {
	Watchers        int     `json:"watchers"`
	Streams         int     `json:"streams"`
	CreateS         float64 `json:"create_s"`          // from the first Watch call until every watcher was created
	CreatesPerSec   float64 `json:"creates_per_sec"`   // watchers / CreateS
	RSSBeforeMB     float64 `json:"rss_before_mb"`     // the servers' VmRSS before the first watcher
	RSSAfterMB      float64 `json:"rss_after_mb"`      // ... once all were created
	BytesPerWatcher float64 `json:"bytes_per_watcher"` // (after - before) / watchers
	IdleS           float64 `json:"idle_s"`            // the window with every watcher open and no writes
	IdleCPUms       int64   `json:"idle_cpu_ms"`       // the servers' CPU time (user + system) in that window
	IdleCPUPercent  float64 `json:"idle_cpu_percent"`  // of one core
	Puts            int64   `json:"puts"`              // acknowledged puts of watched keys, after the idle window
	Received        int64   `json:"events_received"`   // events of those puts, over all watchers
	Wrong           int64   `json:"wrong"`             // events a watcher got for a key it does not watch
	Duplicates      int64   `json:"duplicates"`
	Missing         int64   `json:"missing"` // acknowledged puts whose watcher never saw them
	WatchErrors     int64   `json:"watch_errors"`
	FirstError      string  `json:"first_error,omitempty"`
	Delivery        []row   `json:"delivery"` // arrival at the watcher - the put's send time
}

// manyWatcher: one watcher on one key. Its goroutine alone writes the fields until the watch ends.
type manyWatcher struct {
	key     string
	seen    map[int64]int // mod revision -> times seen
	wrong   int64
	errs    watchErrors
	samples []sample
}

// runWatchMany: cfg.watchers watchers, each on its own key, spread over cfg.streams gRPC watch streams (stream s on
// connection s mod conns). Measures how fast they are created and what they cost the servers in memory, then what
// the servers' processes spend while every watcher is open and nothing is written (cfg.duration), then puts one key
// of every watchers/puts-th watcher and checks that exactly its watcher sees it, once.
func runWatchMany(cfg *config) (*result, error) {
	if cfg.watchers < 1 || cfg.streams < 1 {
		return nil, fmt.Errorf("need --watchers and --streams >= 1")
	}
	pids, err := parsePids(cfg.serverPids)
	if err != nil {
		return nil, err
	}
	conns, err := connect(cfg, cfg.conns)
	if err != nil {
		return nil, err
	}
	defer closeAll(conns)
	writerConn, err := connect(cfg, 1)
	if err != nil {
		return nil, err
	}
	defer closeAll(writerConn)
	writer := writerConn[0]
	prefix := watchPrefix + "many/" + strconv.FormatInt(time.Now().UnixNano(), 36) + "/"

	x := &manyResult{Watchers: cfg.watchers, Streams: cfg.streams}
	x.RSSBeforeMB = rssMB(pids)
	watchCtx, stopWatching := context.WithCancel(context.Background())
	defer stopWatching()
	ws := make([]*manyWatcher, cfg.watchers)
	created := make(chan error, cfg.watchers)
	var received int64
	var wg sync.WaitGroup
	streamCtx := make([]context.Context, cfg.streams)
	for s := range streamCtx {
		streamCtx[s] = metadata.AppendToOutgoingContext(watchCtx, "etcdload-stream", strconv.Itoa(s))
	}
	t0 := time.Now()
	for i := range ws {
		w := &manyWatcher{key: prefix + strconv.Itoa(i), seen: make(map[int64]int)}
		ws[i] = w
		s := i % cfg.streams
		wch := conns[s%len(conns)].Watch(streamCtx[s], w.key, clientv3.WithCreatedNotify())
		wg.Add(1)
		go func() {
			defer wg.Done()
			consumeWatch(wch, created, func(resp clientv3.WatchResponse, now int64) {
				w.errs.note(resp)
				for _, ev := range resp.Events {
					if string(ev.Kv.Key) != w.key {
						w.wrong++
						continue
					}
					w.seen[ev.Kv.ModRevision]++
					if len(ev.Kv.Value) >= 8 {
						sent := int64(binary.BigEndian.Uint64(ev.Kv.Value))
						w.samples = append(w.samples, sample{at: sent - t0.UnixNano(), lat: now - sent})
					}
				}
				atomic.AddInt64(&received, int64(len(resp.Events)))
			})
		}()
	}
	createDeadline := time.After(300 * time.Second)
	for i := 0; i < cfg.watchers; i++ {
		select {
		case err := <-created:
			if err != nil {
				return nil, fmt.Errorf("creating watcher %d: %v", i, err)
			}
		case <-createDeadline:
			return nil, fmt.Errorf("only %d of %d watchers created in 300 s", i, cfg.watchers)
		}
	}
	x.CreateS = time.Since(t0).Seconds()
	x.CreatesPerSec = float64(cfg.watchers) / x.CreateS
	time.Sleep(2 * time.Second) // let the servers finish what creation left (a GC, a flush) before reading memory
	x.RSSAfterMB = rssMB(pids)
	x.BytesPerWatcher = (x.RSSAfterMB - x.RSSBeforeMB) * (1 << 20) / float64(cfg.watchers)

	cpu0 := cpuMs(pids)
	idleStart := time.Now()
	time.Sleep(cfg.duration)
	x.IdleS = time.Since(idleStart).Seconds()
	x.IdleCPUms = cpuMs(pids) - cpu0
	x.IdleCPUPercent = float64(x.IdleCPUms) / 10 / x.IdleS

	// one put per checked watcher, spread over all of them, one at a time
	checks := cfg.watchers
	if checks > 1000 {
		checks = 1000
	}
	acked := make(map[int]int64) // watcher -> the put's revision
	value := make([]byte, cfg.valueSize)
	putStart := time.Now()
	for c := 0; c < checks; c++ {
		i := c * (cfg.watchers / checks)
		binary.BigEndian.PutUint64(value, uint64(time.Now().UnixNano()))
		ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
		resp, err := writer.Put(ctx, ws[i].key, string(value))
		cancel()
		if err != nil {
			if x.FirstError == "" {
				x.FirstError = "put: " + err.Error()
			}
			continue
		}
		acked[i] = resp.Header.Revision
	}
	writeEnd := time.Since(putStart)
	x.Puts = int64(len(acked))
	drainEnd := time.Now().Add(cfg.drain)
	for atomic.LoadInt64(&received) < x.Puts && time.Now().Before(drainEnd) {
		time.Sleep(10 * time.Millisecond)
	}
	stopWatching()
	wg.Wait()

	var all []sample
	for i, w := range ws {
		x.Wrong += w.wrong
		x.WatchErrors += w.errs.count
		if x.FirstError == "" && w.errs.first != "" {
			x.FirstError = w.errs.first
		}
		for _, n := range w.seen {
			x.Received += int64(n)
			if n > 1 {
				x.Duplicates += int64(n - 1)
			}
		}
		if rev, ok := acked[i]; ok && w.seen[rev] == 0 {
			x.Missing++
		}
		all = append(all, w.samples...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].at < all[j].at })
	x.Delivery = rows(all, writeEnd, 0)
	return &result{Workload: cfg.workload, Label: cfg.label, Endpoints: cfg.endpoints, Clients: 1,
		Conns: len(conns) + 1, ValueSize: cfg.valueSize, DurationS: x.IdleS, Ok: int64(cfg.watchers),
		Failed: int64(checks) - x.Puts, FirstError: x.FirstError, Many: x}, nil
}

func parsePids(list string) ([]int, error) {
	var pids []int
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("--server-pids: %q is not a process id", p)
		}
		pids = append(pids, n)
	}
	return pids, nil
}

// rssMB: the processes' VmRSS summed, MB (0 without pids).
func rssMB(pids []int) float64 {
	var kb int64
	for _, p := range pids {
		b, err := ioutil.ReadFile(fmt.Sprintf("/proc/%d/status", p))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
				v, _ := strconv.ParseInt(f[1], 10, 64)
				kb += v
			}
		}
	}
	return float64(kb) / 1024
}

// cpuMs: the processes' user + system CPU time so far, ms (clock ticks of 10 ms, Linux's USER_HZ of 100).
func cpuMs(pids []int) int64 {
	var ticks int64
	for _, p := range pids {
		b, err := ioutil.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // fields after the command name, from "state"
		if len(f) > 12 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			k, _ := strconv.ParseInt(f[12], 10, 64)
			ticks += u + k
		}
	}
	return ticks * 10
}
