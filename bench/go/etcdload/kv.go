package main

import (
	"context"
	"fmt"
	"math/rand"
	"sync"
	"time"

	"go.etcd.io/etcd/clientv3"
)

const (
	putPrefix = "etcdload/put/"
	casPrefix = "etcdload/cas/"
	rangeKey  = "etcdload/range-key"
)

func keyName(prefix string, i int) string { return fmt.Sprintf("%s%08d", prefix, i) }

// op sends one request; conflict reports an answered txn-cas whose comparison failed.
type op func(ctx context.Context, c *clientv3.Client, rng *rand.Rand, value string) (conflict bool, err error)

func pickOp(workload string, keys int) op {
	switch workload {
	case "put":
		return func(ctx context.Context, c *clientv3.Client, rng *rand.Rand, value string) (bool, error) {
			_, err := c.Put(ctx, keyName(putPrefix, rng.Intn(keys)), value)
			return false, err
		}
	case "range":
		return func(ctx context.Context, c *clientv3.Client, rng *rand.Rand, value string) (bool, error) {
			_, err := c.Get(ctx, rangeKey)
			return false, err
		}
	case "srange":
		return func(ctx context.Context, c *clientv3.Client, rng *rand.Rand, value string) (bool, error) {
			_, err := c.Get(ctx, rangeKey, clientv3.WithSerializable())
			return false, err
		}
	default: // txn-cas: read the key's mod revision, then put only if nobody changed it since
		return func(ctx context.Context, c *clientv3.Client, rng *rand.Rand, value string) (bool, error) {
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
		}
	}
}

// runThroughput runs a closed-loop workload: cfg.clients goroutines, each sending its next request when the last
// is answered, until cfg.duration has passed since the first.
func runThroughput(cfg *config) (*result, error) {
	conns, err := connect(cfg, cfg.conns)
	if err != nil {
		return nil, err
	}
	defer closeAll(conns)
	value := string(make([]byte, cfg.valueSize))
	if cfg.workload == "range" || cfg.workload == "srange" {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
		_, err := conns[0].Put(ctx, rangeKey, value)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("writing the key to range: %v", err)
		}
	}
	do := pickOp(cfg.workload, cfg.keys)

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
	if end < cfg.duration {
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
	res.Ok = int64(len(all))
	res.Rows = rows(all, end, cfg.coldSeconds)
	res.PerSecond = perSecond(all, end)
	return res, nil
}
