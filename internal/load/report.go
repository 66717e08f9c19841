package load

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
)

// Report is a run's result: the ceilings, then each scenario.
type Report struct {
	Command     string    `json:"command"`
	Started     time.Time `json:"started"`
	Desk        string    `json:"desk"`
	Database    string    `json:"database"` // sqlite or postgresql
	Concurrency int       `json:"concurrency"`
	Duration    ms        `json:"duration_ms"` // measured, per scenario
	Warmup      ms        `json:"warmup_ms"`
	// Startup is from the spawn to the first 200 on /healthz (nil for a desk already running).
	Startup *ms `json:"startup_ms"`
	// VmHWM is the desk's peak resident set at the end, in bytes (0: not read).
	VmHWM int64 `json:"vm_hwm_bytes"`
	// Incident is the demo incident read (incident-page, api-get); ReplyTo the incident the
	// replies went to; Rare the rare word searched.
	Incident  string `json:"incident"`
	ReplyTo   string `json:"reply_to"`
	Rare      string `json:"rare_word"`
	Ceilings  []Row  `json:"ceilings"`
	Scenarios []Row  `json:"scenarios"`
	// Problems are failures around the measure: the desk dying, a clean-up that failed.
	Problems []string `json:"problems,omitempty"`
}

// Row is one measured scenario or ceiling.
type Row struct {
	Name      string  `json:"name"`
	Kind      Kind    `json:"kind"`
	Requests  uint64  `json:"requests"`
	PerSecond float64 `json:"req_per_s"` // answers as expected, a second
	P50       ms      `json:"p50_ms"`
	P95       ms      `json:"p95_ms"`
	P99       ms      `json:"p99_ms"`
	// Errors are the requests answered otherwise than expected, or not at all (Transport).
	Errors     uint64         `json:"errors"`
	Transport  uint64         `json:"transport_errors"`
	Statuses   map[string]int `json:"statuses"`
	FirstError string         `json:"first_error,omitempty"`
	// Ceiling is the ceiling compared with, and Ratio req/s over the ceiling's.
	Ceiling string   `json:"ceiling,omitempty"`
	Ratio   *float64 `json:"ratio,omitempty"`
	// MaxRSS is the desk's largest VmRSS during the measure, in bytes (0: not read).
	MaxRSS int64 `json:"max_rss_bytes,omitempty"`
}

// ms is a duration written in JSON as milliseconds.
type ms time.Duration

func (d ms) MarshalJSON() ([]byte, error) { return json.Marshal(float64(d) / 1e6) }

func (d *ms) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*d = ms(math.Round(f * 1e6))
	return nil
}

// Failed says whether a request failed or something went wrong around the measure.
func (r *Report) Failed() bool {
	if len(r.Problems) > 0 {
		return true
	}
	for _, rows := range [][]Row{r.Ceilings, r.Scenarios} {
		for _, row := range rows {
			if row.Errors > 0 {
				return true
			}
		}
	}
	return false
}

// write prints the Markdown report to out and, when path is set, the JSON one there.
func (r *Report) write(out io.Writer, path string) error {
	if _, err := io.WriteString(out, r.Markdown()); err != nil {
		return err
	}
	if path == "" {
		return nil
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// Markdown is the report as a table, then what the table does not say.
func (r *Report) Markdown() string {
	var b strings.Builder
	b.WriteString("| scenario | req/s | p50 | p95 | p99 | errors | ratio | max RSS |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, rows := range [][]Row{r.Ceilings, r.Scenarios} {
		for _, row := range rows {
			ratio := "—"
			if row.Ratio != nil {
				ratio = fmt.Sprintf("%.2f", *row.Ratio)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", row.Name, formatRate(row.PerSecond),
				formatLatency(time.Duration(row.P50)), formatLatency(time.Duration(row.P95)), formatLatency(time.Duration(row.P99)),
				formatErrors(row), ratio, formatBytes(row.MaxRSS))
		}
	}
	b.WriteString("\n")
	for _, rows := range [][]Row{r.Ceilings, r.Scenarios} {
		for _, row := range rows {
			if row.Errors > 0 {
				fmt.Fprintf(&b, "- %s: %d of %d failed (%s); the first: %s\n", row.Name, row.Errors, row.Requests, statusSummary(row.Statuses), row.FirstError)
			}
		}
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "- problem: %s\n", p)
	}
	fmt.Fprintf(&b, "Ratio: req/s over the ceiling's (reads: ceiling-select, a plain 50-row select rendered by a bare Fiber route; declare and reply: ceiling-insert, a plain single-row insert), on the same %s database.\n", r.Database)
	fmt.Fprintf(&b, "Concurrency %d, %s measured per scenario after %s of warm-up; desk %s; demo incident %s, replies on %s, rare word %q.\n",
		r.Concurrency, time.Duration(r.Duration), time.Duration(r.Warmup), r.Desk, r.Incident, r.ReplyTo, r.Rare)
	if r.Startup != nil {
		fmt.Fprintf(&b, "Start-up: %s (spawn → first 200 on /healthz)\n", formatLatency(time.Duration(*r.Startup)))
	}
	fmt.Fprintf(&b, "Peak RSS (VmHWM) at the end: %s\n", formatBytes(r.VmHWM))
	if r.Command != "" {
		fmt.Fprintf(&b, "Command: %s\n", r.Command)
	}
	return b.String()
}

// formatRate writes requests a second with three significant digits or more.
func formatRate(f float64) string {
	switch {
	case f >= 100:
		return fmt.Sprintf("%.0f", f)
	case f >= 10:
		return fmt.Sprintf("%.1f", f)
	default:
		return fmt.Sprintf("%.2f", f)
	}
}

// formatLatency writes a duration in ms (s from a second) with three significant digits.
func formatLatency(d time.Duration) string {
	m := float64(d) / float64(time.Millisecond)
	switch {
	case d <= 0:
		return "—"
	case m >= 1000:
		return fmt.Sprintf("%.2f s", m/1000)
	case m >= 100:
		return fmt.Sprintf("%.0f ms", m)
	case m >= 10:
		return fmt.Sprintf("%.1f ms", m)
	case m >= 1:
		return fmt.Sprintf("%.2f ms", m)
	default:
		return fmt.Sprintf("%.3f ms", m)
	}
}

// formatBytes writes a size in MiB ("—" for 0: not read).
func formatBytes(n int64) string {
	if n <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// formatErrors is the count of failures, with how many got no answer.
func formatErrors(r Row) string {
	if r.Transport > 0 {
		return fmt.Sprintf("%d (%d without answer)", r.Errors, r.Transport)
	}
	return fmt.Sprintf("%d", r.Errors)
}
