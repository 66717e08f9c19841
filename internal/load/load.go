// Package load measures a running desk under load: it logs demo personas in through the login
// form as a browser does, sends each scenario's requests at a fixed concurrency (vegeta's
// attacker, closed loop), reads the desk's memory from /proc, and compares each scenario with
// the machine's ceiling, a bare Fiber and bun server on the same database.
package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/db"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Config is one run of the tool.
type Config struct {
	// Desk is the guichet program to spawn on Database; or else URL names a desk already
	// running, whose memory is read when PID is set.
	Desk string
	URL  string
	PID  int
	// Database is the desk's database: the spawned desk's, and the ceiling's in both modes.
	Database string

	Concurrency int
	Duration    time.Duration // measured, per scenario
	Warmup      time.Duration // before each scenario's measure, not counted
	// Scenarios are the names to run (empty: all), run in the order of ScenarioNames.
	Scenarios []string

	// Common is the common word searched; Rare the rare one (empty: the number of the
	// customer's demo incident); Status the filtered list's status.
	Common, Rare, Status string
	// Tenant is the customer's tenant (their scope); Customer and Agent the personas' logins;
	// Password theirs.
	Tenant, Customer, Agent, Password string

	// JSON is a file the report is also written to, as JSON ("" for none).
	JSON string
	// CommandLine is printed under the report.
	CommandLine string
	// Log receives progress and the first failure of each scenario.
	Log io.Writer
}

// Defaults is a Config with every default set.
func Defaults() Config {
	return Config{Concurrency: 16, Duration: 10 * time.Second, Warmup: 2 * time.Second,
		Common: "hyperviseur", Status: "in_progress",
		Tenant: "OCB0000001", Customer: "Marie.Dupont", Agent: "Alice.Agent", Password: "guichet-demo"}
}

// Validate says what is wrong with c, naming the flag.
func (c *Config) Validate() error {
	switch {
	case c.Desk == "" && c.URL == "":
		return errors.New("want -desk PATH (spawn a desk) or -url URL (a desk already running)")
	case c.Desk != "" && c.URL != "":
		return errors.New("-desk and -url exclude each other")
	case c.Database == "":
		return errors.New("-database is required: the desk's database, which the ceiling reads too")
	case c.PID != 0 && c.URL == "":
		return errors.New("-pid goes with -url (a spawned desk's memory is read anyway)")
	case c.PID < 0:
		return fmt.Errorf("-pid %d: want a process id", c.PID)
	case c.Concurrency < 1 || c.Concurrency > 10000:
		return fmt.Errorf("-c %d: want 1 to 10000 workers", c.Concurrency)
	case c.Duration <= 0:
		return fmt.Errorf("-d %s: want a positive duration", c.Duration)
	case c.Warmup < 0:
		return fmt.Errorf("-warmup %s: want zero or a positive duration", c.Warmup)
	case strings.TrimSpace(c.Common) == "":
		return errors.New("-common: want a word")
	case c.Status == "" || c.Tenant == "" || c.Customer == "" || c.Agent == "" || c.Password == "":
		return errors.New("the status, tenant, personas and password must not be empty")
	}
	if c.URL != "" {
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return fmt.Errorf("-url %q: want http://host:port", c.URL)
		}
	}
	for _, name := range c.Scenarios {
		if !slices.Contains(ScenarioNames(), name) {
			return fmt.Errorf("-scenarios: no scenario %q (there are %s)", name, strings.Join(ScenarioNames(), ", "))
		}
	}
	return nil
}

// chosen are the scenarios c runs, in their order.
func (c *Config) chosen() []scenario {
	var out []scenario
	for _, s := range scenarios {
		if len(c.Scenarios) == 0 || slices.Contains(c.Scenarios, s.Name) {
			out = append(out, s)
		}
	}
	return out
}

func (c *Config) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, format+"\n", args...)
	}
}

// Run measures the desk as cfg says and writes the report to out (and to cfg.JSON). An error
// is a set-up failure (nothing measured, or the run interrupted); failures of requests are in
// the report (Report.Failed).
func Run(ctx context.Context, cfg Config, out io.Writer) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rep := &Report{Command: cfg.CommandLine, Started: time.Now().UTC(), Concurrency: cfg.Concurrency,
		Duration: ms(cfg.Duration), Warmup: ms(cfg.Warmup), Database: "sqlite"}
	if db.IsPostgres(cfg.Database) {
		rep.Database = "postgresql"
	}
	// Whatever happens, what was started is stopped, last first: the personas' tokens and
	// sessions, the ceiling (its table dropped), the desk.
	var cleanups []func() error
	err := run(ctx, &cfg, rep, &cleanups)
	for i := len(cleanups) - 1; i >= 0; i-- {
		if cerr := cleanups[i](); cerr != nil {
			rep.Problems = append(rep.Problems, cerr.Error())
			cfg.logf("guichet-load: %v", cerr)
		}
	}
	if err != nil {
		return nil, err
	}
	return rep, rep.write(out, cfg.JSON)
}

// run sets up, measures the ceilings and the scenarios into rep, and pushes on cleanups what
// undoes each step.
func run(ctx context.Context, cfg *Config, rep *Report, cleanups *[]func() error) error {
	base, pid := cfg.URL, cfg.PID
	if cfg.Desk != "" {
		cfg.logf("starting %s serve on the %s database…", cfg.Desk, rep.Database)
		s, err := spawnDesk(ctx, cfg.Desk, cfg.Database)
		if err != nil {
			return err
		}
		*cleanups = append(*cleanups, s.stop)
		base, pid = "http://"+s.addr, s.Pid()
		rep.Startup = ptr(ms(s.Startup))
	}
	rep.Desk = strings.TrimSuffix(base, "/")
	u, err := url.Parse(rep.Desk)
	if err != nil {
		return err
	}

	ceil, err := startCeiling(ctx, cfg.Database, cfg.Tenant)
	if err != nil {
		return err
	}
	*cleanups = append(*cleanups, func() error { return ceil.close(ctx) })

	d, err := prepare(ctx, u, cfg, time.Now().UTC().Format("20060102T150405"))
	*cleanups = append(*cleanups, func() error {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		return d.finish(ctx)
	})
	if err != nil {
		return err
	}
	rep.Incident, rep.ReplyTo, rep.Rare = d.Incident, d.ReplyTo, cfg.rare(d)

	chosen := cfg.chosen()
	ceilings := map[Kind]Row{}
	for _, k := range []Kind{Read, Write} {
		if !slices.ContainsFunc(chosen, func(s scenario) bool { return s.Kind == k }) {
			continue
		}
		name, tr, ok := "ceiling-select", ceil.selectTarget(), ceilingSelectOK
		if k == Write {
			name, tr, ok = "ceiling-insert", ceil.insertTarget(), ceilingInsertOK
		}
		row := measure(ctx, cfg, name, k, tr, ok, 0)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rep.Ceilings = append(rep.Ceilings, row)
		ceilings[k] = row
	}
	for _, s := range chosen {
		row := measure(ctx, cfg, s.Name, s.Kind, s.target(d, cfg), func(r *vegeta.Result) string { return s.check(r, d) }, pid)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if c, ok := ceilings[s.Kind]; ok {
			row.Ceiling = c.Name
			if c.PerSecond > 0 {
				row.Ratio = ptr(row.PerSecond / c.PerSecond)
			}
		}
		rep.Scenarios = append(rep.Scenarios, row)
	}
	if pid != 0 {
		if _, hwm, err := memory(pid); err == nil {
			rep.VmHWM = hwm
		} else {
			rep.Problems = append(rep.Problems, fmt.Sprintf("read the desk's memory: %v", err))
		}
	}
	return nil
}

// measure warms a scenario up, then measures it, sampling pid's memory meanwhile.
func measure(ctx context.Context, cfg *Config, name string, k Kind, tr vegeta.Targeter, ok check, pid int) Row {
	cfg.logf("%s…", name)
	if cfg.Warmup > 0 {
		attack(ctx, name+" (warm-up)", tr, ok, cfg.Concurrency, cfg.Warmup)
	}
	rss := sampleRSS(pid)
	a := attack(ctx, name, tr, ok, cfg.Concurrency, cfg.Duration)
	row := Row{Name: name, Kind: k, Requests: a.Requests, PerSecond: a.PerSecond, P50: ms(a.P50), P95: ms(a.P95), P99: ms(a.P99),
		Errors: a.Errors, Transport: a.Transport, Statuses: a.Statuses, FirstError: a.FirstErr, MaxRSS: rss.Max()}
	if a.Errors > 0 {
		cfg.logf("%s: %d of %d requests failed (%s); the first: %s", name, a.Errors, a.Requests, statusSummary(a.Statuses), a.FirstErr)
	}
	return row
}

func ptr[T any](v T) *T { return &v }
