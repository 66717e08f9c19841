package load

import (
	"context"
	"net"
	"net/http"
	"sort"
	"strconv"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// firstBodyBytes is how much of each answer the tool keeps to show the first failure; the rest
// is read and dropped, as a browser reads the whole page.
const firstBodyBytes = 4 << 10

// check says why an answer is not the expected one ("" when it is).
type check func(r *vegeta.Result) string

// attackResult is one measured scenario, before the report adds its ceiling.
type attackResult struct {
	Requests  uint64
	OK        uint64
	Errors    uint64
	Transport uint64 // errors without an answer (refused, reset, timed out)
	Statuses  map[string]int
	FirstErr  string // the first failure: its reason and a piece of the answer's body
	PerSecond float64
	P50       time.Duration
	P95       time.Duration
	P99       time.Duration
	Elapsed   time.Duration
}

// attack sends requests from targeter with workers fixed workers for dur (closed loop: each
// worker sends its next request when the last is answered), and measures them.
func attack(ctx context.Context, name string, targeter vegeta.Targeter, ok check, workers int, dur time.Duration) attackResult {
	// The attacker's client, as vegeta makes it (keep-alive, a connection per worker, no
	// redirect followed), but the tool's: its idle connections are closed after the attack. A
	// connection left open that never carried a request would hold the desk's graceful stop
	// for its whole grace period.
	tr := &http.Transport{
		DialContext:         (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: workers,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	a := vegeta.NewAttacker(vegeta.Client(client),
		vegeta.Workers(uint64(workers)), vegeta.MaxWorkers(uint64(workers)), vegeta.MaxBody(firstBodyBytes))
	stop := context.AfterFunc(ctx, func() { a.Stop() })
	defer stop()
	var m vegeta.Metrics
	out := attackResult{Statuses: map[string]int{}}
	for r := range a.Attack(targeter, vegeta.Rate{Freq: 0}, dur, name) {
		reason := ok(r)
		switch {
		case reason == "":
			out.OK++
		case r.Code == 0:
			out.Errors++
			out.Transport++
			out.Statuses["transport"]++
		default:
			out.Errors++
		}
		if reason != "" && out.FirstErr == "" {
			out.FirstErr = reason + bodyHint(r.Body)
		}
		if r.Code != 0 {
			out.Statuses[strconv.Itoa(int(r.Code))]++
		}
		r.Body = nil
		m.Add(r)
	}
	m.Close()
	out.Requests = m.Requests
	out.Elapsed = m.Duration + m.Wait
	if s := out.Elapsed.Seconds(); s > 0 {
		out.PerSecond = float64(out.OK) / s
	}
	out.P50, out.P95, out.P99 = m.Latencies.P50, m.Latencies.P95, m.Latencies.P99
	return out
}

// statusSummary lists the answers by status, most frequent first: "200×1234, 500×2".
func statusSummary(st map[string]int) string {
	type kv struct {
		k string
		n int
	}
	var kvs []kv
	for k, n := range st {
		kvs = append(kvs, kv{k, n})
	}
	sort.Slice(kvs, func(i, j int) bool {
		if kvs[i].n != kvs[j].n {
			return kvs[i].n > kvs[j].n
		}
		return kvs[i].k < kvs[j].k
	})
	s := ""
	for i, e := range kvs {
		if i > 0 {
			s += ", "
		}
		s += e.k + "×" + strconv.Itoa(e.n)
	}
	return s
}
