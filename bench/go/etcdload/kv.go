package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/clientv3"
)

const (
	putPrefix = "etcdload/put/"
	casPrefix = "etcdload/cas/"
	rangeKey  = "etcdload/range-key"
)

func keyName(prefix string, i int) string { return fmt.Sprintf("%s%08d", prefix, i) }

// op sends one request; odd reports an answered request that did not do what it tried: a txn-cas whose comparison
// failed, a read (range/srange --random-reads, scan) that found no key. An op returns errDone when it has nothing
// left to send (fill).
type op func(ctx context.Context, c *clientv3.Client, rng *rand.Rand, value string) (odd bool, err error)

var errDone = errors.New("no more requests")

// opFactory makes the op of one client: ops that keep state between calls (fill's key to retry) get their own.
type opFactory func() op

func pickOp(cfg *config) opFactory {
	keys, prefix := cfg.keys, cfg.prefix
	same := func(o op) opFactory { return func() op { return o } }
	switch cfg.workload {
	case "put":
		return same(func(ctx context.Context, c *clientv3.Client, rng *rand.Rand, value string) (bool, error) {
			_, err := c.Put(ctx, keyName(prefix, rng.Intn(keys)), value)
			return false, err
		})
	case "range", "srange":
		var opts []clientv3.OpOption
		if cfg.workload == "srange" {
			opts = append(opts, clientv3.WithSerializable())
		}
		if !cfg.randomReads {
			return same(func(ctx context.Context, c *clientv3.Client, rng *rand.Rand, value string) (bool, error) {
				_, err := c.Get(ctx, rangeKey, opts...)
				return false, err
			})
		}
		return same(func(ctx context.Context, c *clientv3.Client, rng *rand.Rand, value string) (bool, error) {
			g, err := c.Get(ctx, keyName(prefix, rng.Intn(keys)), opts...)
			return err == nil && len(g.Kvs) == 0, err
		})
	case "scan": // the whole keyspace: key "\x00", range_end "\x00" (etcdctl get --from-key ""), linearizable
		limit := cfg.limit
		return same(func(ctx context.Context, c *clientv3.Client, rng *rand.Rand, value string) (bool, error) {
			g, err := c.Get(ctx, "\x00", clientv3.WithRange("\x00"), clientv3.WithLimit(limit))
			return err == nil && len(g.Kvs) == 0, err
		})
	case "fill": // keys 0..keys-1 once each, handed out in order from a shared counter; a failed put is retried up
		// to fillAttempts times, then the key is left out; a client gives up after fillGiveUp failures in a row (a
		// server that refuses every put, e.g. over its quota, must not keep the run going for ever)
		const fillAttempts, fillGiveUp = 5, 100
		var next int64
		return func() op {
			pending, attempts, inARow := -1, 0, 0
			var buf []byte
			return func(ctx context.Context, c *clientv3.Client, rng *rand.Rand, value string) (bool, error) {
				if inARow >= fillGiveUp {
					return false, errDone
				}
				if pending < 0 {
					i := atomic.AddInt64(&next, 1) - 1
					if i >= int64(keys) {
						return false, errDone
					}
					pending, attempts = int(i), 0
				}
				if buf == nil {
					buf = make([]byte, len(value))
				}
				rng.Read(buf) // a new random value per put: incompressible, none equal to another
				if _, err := c.Put(ctx, keyName(prefix, pending), string(buf)); err != nil {
					inARow++
					if attempts++; attempts >= fillAttempts {
						pending = -1
					}
					return false, err
				}
				pending, inARow = -1, 0
				return false, nil
			}
		}
	default: // txn-cas: read the key's mod revision, then put only if nobody changed it since
		return same(func(ctx context.Context, c *clientv3.Client, rng *rand.Rand, value string) (bool, error) {
			k := keyName(casPrefix, rng.Intn(keys))
			g, err := c.Get(ctx, k)
			if err != nil {
				return false, err
			}
			var rev int64 // 0: the key does not exist
			if len(g.Kvs) > 0 {
				rev = g.Kvs[0].ModRevision
			}
			t, err := c.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision(k), "=", rev)).
				Then(clientv3.OpPut(k, value)).Commit()
			if err != nil {
				return false, err
			}
			return !t.Succeeded, nil
		})
	}
}

// runFill writes keys 0..cfg.keys-1 once each over cfg.clients closed-loop clients, until all are written or, when
// --duration was given, it has passed.
func runFill(cfg *config) (*result, error) {
	if !cfg.durationSet {
		cfg.duration = 100 * 365 * 24 * time.Hour
	}
	return runThroughput(cfg)
}

// runThroughput runs a closed-loop workload: cfg.clients goroutines, each sending its next request when the last
// is answered, until cfg.duration has passed since the first (or the workload has nothing left to send).
func runThroughput(cfg *config) (*result, error) {
	conns, err := connect(cfg, cfg.conns)
	if err != nil {
		return nil, err
	}
	defer closeAll(conns)
	value := string(make([]byte, cfg.valueSize))
	if (cfg.workload == "range" || cfg.workload == "srange") && !cfg.randomReads {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
		_, err := conns[0].Put(ctx, rangeKey, value)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("writing the key to range: %v", err)
		}
	}
	newOp := pickOp(cfg)

	type clientOut struct {
		samples   []sample
		failed    int64
		conflicts int64
		firstErr  error
		firstAt   time.Time
	}
	outs := make([]clientOut, cfg.clients)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(cfg.duration)
	for i := 0; i < cfg.clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			o := &outs[i]
			c := conns[i%len(conns)]
			do := newOp()
			rng := rand.New(rand.NewSource(int64(i)*7919 + start.UnixNano()))
			o.samples = make([]sample, 0, 4096)
			for {
				t0 := time.Now()
				if !t0.Before(deadline) {
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
				conflict, err := do(ctx, c, rng, value)
				cancel()
				t1 := time.Now()
				if err == errDone {
					return
				}
				if err != nil {
					o.failed++
					if o.firstErr == nil {
						o.firstErr, o.firstAt = err, t1
					}
					// a refused connection answers at once: do not spin on it
					if d := time.Millisecond - t1.Sub(t0); d > 0 {
						time.Sleep(d)
					}
					continue
				}
				if conflict {
					o.conflicts++
				}
				o.samples = append(o.samples, sample{at: int64(t1.Sub(start)), lat: int64(t1.Sub(t0))})
			}
		}(i)
	}
	wg.Wait()
	end := time.Since(start)
	if end < cfg.duration && cfg.workload != "fill" {
		end = cfg.duration
	}

	res := &result{Workload: cfg.workload, Label: cfg.label, Endpoints: cfg.endpoints, Clients: cfg.clients,
		Conns: len(conns), ValueSize: cfg.valueSize, DurationS: seconds(int64(end))}
	var all []sample
	var firstAt time.Time
	for _, o := range outs {
		all = append(all, o.samples...)
		res.Failed += o.failed
		res.Conflicts += o.conflicts
		if o.firstErr != nil && (firstAt.IsZero() || o.firstAt.Before(firstAt)) {
			firstAt, res.FirstError = o.firstAt, fmt.Sprintf("%.1f s: %v", o.firstAt.Sub(start).Seconds(), o.firstErr)
		}
	}
	if cfg.workload != "txn-cas" {
		res.Conflicts, res.Misses = 0, res.Conflicts
	}
	res.Ok = int64(len(all))
	res.Rows = rows(all, end, cfg.coldSeconds)
	res.PerSecond = perSecond(all, end)
	return res, nil
}
