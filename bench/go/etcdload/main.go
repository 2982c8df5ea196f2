// Command etcdload is a load generator for etcd v3 servers (the real etcd and etcdj alike), written on etcd's own
// Go client library (clientv3, 3.4), so that a benchmark of etcdj does not depend on a JVM client.
//
//	etcdload --endpoints 127.0.0.1:2379[,...] --workload put|range|srange|txn-cas|fill|scan|watch-latency|watch-many \
//	         [--duration 10s] [--clients 16] [--conns 4] [--value-size 256] [--keys 100000] [--prefix etcdload/put/] \
//	         [--random-reads] [--limit 500] [--cold-seconds 10] [--watchers 100] [--streams 4] [--put-rate 200] \
//	         [--server-pids 1,2] [--json]
//
// Throughput workloads are closed loops: each client sends its next request when the previous one is answered.
// fill puts keys 0..keys-1 of the put key space once each (random, incompressible values) and ends when all are
// written (--duration, when given, caps it); scan ranges over the whole keyspace with --limit.
// Client i uses connection i mod conns, and connection j talks to endpoint j mod len(endpoints). The result has one
// row for the whole run and, with --cold-seconds S, a "cold" row (requests that completed in the first S seconds
// after the first request was sent) and a "warm" row (the rest). See docs/benchmarks.md.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/ioutil"
	"os"
	"strings"
	"time"

	"go.etcd.io/etcd/clientv3"
	"google.golang.org/grpc/grpclog"
)

type config struct {
	endpoints   []string
	workload    string
	duration    time.Duration
	clients     int
	conns       int
	valueSize   int
	keys        int
	coldSeconds int
	timeout     time.Duration
	dialTimeout time.Duration
	watchers    int
	streams     int
	putRate     int
	drain       time.Duration
	jsonOut     bool
	label       string
	serverPids  string
	prefix      string // put, fill and range --random-reads: the key space's prefix
	randomReads bool   // range, srange: read random keys of the key space instead of one key
	limit       int64  // scan: the range's limit
	durationSet bool   // --duration was given (fill runs until done otherwise)
}

func main() {
	var cfg config
	var endpoints string
	flag.StringVar(&endpoints, "endpoints", "127.0.0.1:2379", "comma-separated client endpoints (host:port or URLs)")
	flag.StringVar(&cfg.workload, "workload", "put", "put | range | srange | txn-cas | fill | scan | watch-latency | watch-many")
	flag.DurationVar(&cfg.duration, "duration", 10*time.Second, "how long to send load")
	flag.IntVar(&cfg.clients, "clients", 1, "concurrent clients (closed loop each); throughput workloads")
	flag.IntVar(&cfg.conns, "conns", 0, "connections (clientv3.Client objects); default: min(clients, 4), for watch-latency: --streams")
	flag.IntVar(&cfg.valueSize, "value-size", 256, "value size in bytes")
	flag.IntVar(&cfg.keys, "keys", 100000, "key space of put, fill, txn-cas and range/srange --random-reads")
	flag.StringVar(&cfg.prefix, "prefix", putPrefix, "put, fill, range/srange --random-reads: the key space's prefix (key i is prefix + %08d)")
	flag.BoolVar(&cfg.randomReads, "random-reads", false, "range, srange: get a random key of the key space (as fill wrote it) instead of one key")
	flag.Int64Var(&cfg.limit, "limit", 500, "scan: the range's limit")
	flag.IntVar(&cfg.coldSeconds, "cold-seconds", 0, "also report the first N seconds (cold) and the rest (warm) apart")
	flag.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "per-request timeout")
	flag.DurationVar(&cfg.dialTimeout, "dial-timeout", 10*time.Second, "connection timeout")
	flag.IntVar(&cfg.watchers, "watchers", 100, "watch-latency: watchers on the prefix; watch-many: watchers, one key each")
	flag.IntVar(&cfg.streams, "streams", 4, "watch-latency: gRPC watch streams the watchers are spread over")
	flag.IntVar(&cfg.putRate, "put-rate", 200, "watch-latency: the writer's puts per second")
	flag.DurationVar(&cfg.drain, "drain", 10*time.Second, "watch-latency: how long to wait for events after the last put")
	flag.BoolVar(&cfg.jsonOut, "json", false, "print the result as one JSON object instead of text")
	flag.StringVar(&cfg.label, "label", "", "a name for the server under test, copied into the result")
	flag.StringVar(&cfg.serverPids, "server-pids", "", "watch-many: the servers' process ids, whose memory and CPU it reads from /proc")
	flag.Parse()
	flag.Visit(func(f *flag.Flag) { cfg.durationSet = cfg.durationSet || f.Name == "duration" })
	for _, e := range strings.Split(endpoints, ",") {
		if e = strings.TrimSpace(e); e != "" {
			cfg.endpoints = append(cfg.endpoints, e)
		}
	}
	if len(cfg.endpoints) == 0 || cfg.clients < 1 || cfg.valueSize < 8 || cfg.keys < 1 || cfg.duration <= 0 {
		fail("need --endpoints, --clients >= 1, --value-size >= 8, --keys >= 1, --duration > 0")
	}
	if cfg.conns <= 0 {
		if cfg.workload == "watch-latency" {
			cfg.conns = cfg.streams
		} else if cfg.workload == "watch-many" {
			cfg.conns = 4
		} else {
			cfg.conns = cfg.clients
			if cfg.conns > 4 {
				cfg.conns = 4
			}
		}
	}
	// gRPC's own logging (reconnects, balancer chatter) would interleave with the results
	clientv3.SetLogger(grpclog.NewLoggerV2(ioutil.Discard, ioutil.Discard, os.Stderr))

	var res *result
	var err error
	switch cfg.workload {
	case "put", "range", "srange", "txn-cas", "scan":
		res, err = runThroughput(&cfg)
	case "fill":
		res, err = runFill(&cfg)
	case "watch-latency", "watch":
		cfg.workload = "watch-latency"
		res, err = runWatchLatency(&cfg)
	case "watch-many":
		res, err = runWatchMany(&cfg)
	default:
		fail("unknown --workload " + cfg.workload + " (put, range, srange, txn-cas, fill, scan, watch-latency, watch-many)")
	}
	if err != nil {
		fail(err.Error())
	}
	res.AttemptsFailed, res.FirstAttemptError = attempts.snapshot()
	if cfg.jsonOut {
		enc := json.NewEncoder(os.Stdout)
		if err := enc.Encode(res); err != nil {
			fail(err.Error())
		}
	} else {
		res.print(os.Stdout)
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "etcdload: "+msg)
	os.Exit(2)
}

// connect opens n clients, client j on endpoint j mod len(endpoints).
func connect(cfg *config, n int) ([]*clientv3.Client, error) {
	var out []*clientv3.Client
	for j := 0; j < n; j++ {
		c, err := clientv3.New(clientv3.Config{
			Endpoints:   []string{cfg.endpoints[j%len(cfg.endpoints)]},
			DialTimeout: cfg.dialTimeout,
			LogConfig:   clientLogConfig(),
		})
		if err != nil {
			closeAll(out)
			return nil, fmt.Errorf("connecting to %s: %v", cfg.endpoints[j%len(cfg.endpoints)], err)
		}
		out = append(out, c)
	}
	// a first request on each: a dial is lazy, and its cost must not land in the measured cold period
	for j, c := range out {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.dialTimeout)
		_, err := c.Get(ctx, "etcdload/ping", clientv3.WithSerializable())
		cancel()
		if err != nil {
			closeAll(out)
			return nil, fmt.Errorf("first request to %s: %v", cfg.endpoints[j%len(cfg.endpoints)], err)
		}
	}
	return out, nil
}

func closeAll(cs []*clientv3.Client) {
	for _, c := range cs {
		c.Close()
	}
}
