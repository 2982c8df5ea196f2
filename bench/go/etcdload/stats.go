package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// sample is one answered request (or one delivered event): when it counts (ns after the run's start) and how long it
// took (ns).
type sample struct {
	at  int64
	lat int64
}

// row is the summary of the samples in one period of a run.
type row struct {
	Phase    string  `json:"phase"` // all, cold or warm
	FromS    float64 `json:"from_s"`
	ToS      float64 `json:"to_s"`
	Requests int64   `json:"requests"`
	PerSec   float64 `json:"per_sec"`
	P50ms    float64 `json:"p50_ms"`
	P90ms    float64 `json:"p90_ms"`
	P99ms    float64 `json:"p99_ms"`
	MaxMs    float64 `json:"max_ms"`
}

// rows sums samples up for the whole run [0, end) and, when cold > 0, for [0, cold) and [cold, end) apart.
func rows(samples []sample, end time.Duration, cold int) []row {
	out := []row{summarize("all", samples, 0, int64(end))}
	c := int64(time.Duration(cold) * time.Second)
	if cold > 0 && c < int64(end) {
		var early, late []sample
		for _, s := range samples {
			if s.at < c {
				early = append(early, s)
			} else {
				late = append(late, s)
			}
		}
		out = append(out, summarize("cold", early, 0, c), summarize("warm", late, c, int64(end)))
	}
	return out
}

func summarize(phase string, samples []sample, from, to int64) row {
	r := row{Phase: phase, FromS: seconds(from), ToS: seconds(to), Requests: int64(len(samples))}
	if to > from {
		r.PerSec = float64(len(samples)) / seconds(to-from)
	}
	if len(samples) == 0 {
		return r
	}
	lat := make([]int64, len(samples))
	for i, s := range samples {
		lat[i] = s.lat
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r.P50ms = ms(percentile(lat, 50))
	r.P90ms = ms(percentile(lat, 90))
	r.P99ms = ms(percentile(lat, 99))
	r.MaxMs = ms(lat[len(lat)-1])
	return r
}

// percentile of sorted values, nearest rank.
func percentile(sorted []int64, p float64) int64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.999999) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}

// perSecond counts the samples in each whole second of the run.
func perSecond(samples []sample, end time.Duration) []int64 {
	n := int((end + time.Second - 1) / time.Second)
	out := make([]int64, n)
	for _, s := range samples {
		i := int(s.at / int64(time.Second))
		if i >= n {
			i = n - 1
		}
		if i >= 0 {
			out[i]++
		}
	}
	return out
}

func seconds(ns int64) float64 { return float64(ns) / 1e9 }
func ms(ns int64) float64      { return float64(ns) / 1e6 }

// result is what a run prints, as text or as JSON.
type result struct {
	Label      string   `json:"label,omitempty"`
	Workload   string   `json:"workload"`
	Endpoints  []string `json:"endpoints"`
	Clients    int      `json:"clients"`
	Conns      int      `json:"conns"`
	ValueSize  int      `json:"value_size"`
	DurationS  float64  `json:"duration_s"`
	Ok         int64    `json:"ok"`
	Failed     int64    `json:"failed"`
	FirstError string   `json:"first_error,omitempty"`
	Conflicts  int64    `json:"conflicts,omitempty"` // txn-cas: answered, but the comparison failed
	Misses     int64    `json:"misses,omitempty"`    // range/srange --random-reads, scan: answered, but no key found
	// attempts clientv3 retried by itself (reads answered Unavailable, e.g. a server's "request timed out"), also
	// those whose retry then succeeded: failures the server returned that the counts above do not show
	AttemptsFailed    int64        `json:"attempts_failed"`
	FirstAttemptError string       `json:"first_attempt_error,omitempty"`
	Rows              []row        `json:"rows"`
	PerSecond         []int64      `json:"per_second"`
	Watch             *watchResult `json:"watch,omitempty"`
	Many              *manyResult  `json:"many,omitempty"`
}

type watchResult struct {
	Watchers        int     `json:"watchers"`
	Streams         int     `json:"streams"`
	PutRate         int     `json:"put_rate"`
	Puts            int64   `json:"puts"`        // acknowledged
	PutsFailed      int64   `json:"puts_failed"` // errors or timeouts
	PutFirstError   string  `json:"put_first_error,omitempty"`
	PutsPerSec      float64 `json:"puts_per_sec"` // achieved
	PutP50ms        float64 `json:"put_p50_ms"`
	PutP99ms        float64 `json:"put_p99_ms"`
	PutMaxMs        float64 `json:"put_max_ms"`
	Expected        int64   `json:"events_expected"`  // acknowledged puts x watchers
	Received        int64   `json:"events_received"`  // all events, duplicates included
	Duplicates      int64   `json:"duplicates"`       // a key+revision a watcher saw more than once
	Missing         int64   `json:"missing"`          // an acknowledged put a watcher never saw
	WatchersMissing int     `json:"watchers_missing"` // watchers with at least one missing event
	Extra           int64   `json:"extra"`            // events of puts not acknowledged (failed, yet applied)
	WatchErrors     int64   `json:"watch_errors"`     // watch responses with an error or cancellation
	WatchFirstError string  `json:"watch_first_error,omitempty"`
	Delivery        []row   `json:"delivery"` // per event per watcher: arrival - the put's send time
}

func (r *result) print(w io.Writer) {
	head := r.Workload
	if r.Label != "" {
		head = r.Label + " " + head
	}
	if r.AttemptsFailed > 0 {
		defer fmt.Fprintf(w, "%s: %d failed attempts retried by clientv3 (first: %s)\n", head, r.AttemptsFailed, r.FirstAttemptError)
	}
	if r.Watch != nil {
		x := r.Watch
		fmt.Fprintf(w, "%s: %d watchers on %d streams, writer %d/s for %.0f s over %d endpoint(s)\n", head,
			x.Watchers, x.Streams, x.PutRate, r.DurationS, len(r.Endpoints))
		fmt.Fprintf(w, "%s writer: %d puts ok, %d failed%s, %.1f puts/s, put p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
			head, x.Puts, x.PutsFailed, errSuffix(x.PutFirstError), x.PutsPerSec, x.PutP50ms, x.PutP99ms, x.PutMaxMs)
		fmt.Fprintf(w, "%s events: expected %d, received %d, duplicates %d, missing %d (%d watchers), extra %d, watch errors %d%s\n",
			head, x.Expected, x.Received, x.Duplicates, x.Missing, x.WatchersMissing, x.Extra, x.WatchErrors,
			errSuffix(x.WatchFirstError))
		for _, d := range x.Delivery {
			fmt.Fprintf(w, "%s delivery %-4s %5.1f-%5.1f s: %8d events, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
				head, d.Phase, d.FromS, d.ToS, d.Requests, d.P50ms, d.P90ms, d.P99ms, d.MaxMs)
		}
		return
	}
	if r.Many != nil {
		x := r.Many
		fmt.Fprintf(w, "%s: %d watchers on %d streams created in %.2f s (%.0f/s); server RSS %.0f -> %.0f MB (%.0f bytes per watcher)\n",
			head, x.Watchers, x.Streams, x.CreateS, x.CreatesPerSec, x.RSSBeforeMB, x.RSSAfterMB, x.BytesPerWatcher)
		fmt.Fprintf(w, "%s idle %.1f s with every watcher open: server CPU %d ms (%.2f%% of a core)\n", head, x.IdleS,
			x.IdleCPUms, x.IdleCPUPercent)
		fmt.Fprintf(w, "%s check: %d puts, %d events, wrong %d, duplicates %d, missing %d, watch errors %d%s\n", head,
			x.Puts, x.Received, x.Wrong, x.Duplicates, x.Missing, x.WatchErrors, errSuffix(x.FirstError))
		for _, d := range x.Delivery {
			fmt.Fprintf(w, "%s delivery %-4s: %d events, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", head, d.Phase,
				d.Requests, d.P50ms, d.P99ms, d.MaxMs)
		}
		return
	}
	extra := ""
	if r.Workload == "txn-cas" {
		extra = fmt.Sprintf(" (%d lost the compare)", r.Conflicts)
	} else if r.Misses > 0 {
		extra = fmt.Sprintf(" (%d found no key)", r.Misses)
	}
	fmt.Fprintf(w, "%s: %d clients over %d conns, %d endpoint(s), %d-byte values: %d ok%s, %d failed%s\n", head,
		r.Clients, r.Conns, len(r.Endpoints), r.ValueSize, r.Ok, extra, r.Failed, errSuffix(r.FirstError))
	for _, x := range r.Rows {
		fmt.Fprintf(w, "%s %-4s %5.1f-%5.1f s: %9d requests, %9.1f req/s, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
			head, x.Phase, x.FromS, x.ToS, x.Requests, x.PerSec, x.P50ms, x.P90ms, x.P99ms, x.MaxMs)
	}
	var ps []string
	for _, n := range r.PerSecond {
		ps = append(ps, fmt.Sprint(n))
	}
	fmt.Fprintf(w, "%s per second: %s\n", head, strings.Join(ps, " "))
}

func errSuffix(e string) string {
	if e == "" {
		return ""
	}
	return " (first error: " + e + ")"
}
