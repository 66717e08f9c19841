// Command guichet-load measures a desk under load, scenario by scenario, against the machine's
// ceiling (see internal/load and README.md, "Load test").
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/guichet/guichet/internal/load"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// run parses the flags and runs the tool: exit status 0, 1 when a request failed, 2 on bad
// flags or a failed set-up.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	cfg := load.Defaults()
	fs := flag.NewFlagSet("guichet-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: guichet-load (-desk PATH | -url URL [-pid N]) -database DSN [flags]\n\n"+
			"Scenarios, in the order they run: %s.\nThe personas' password is GUICHET_DEMO_PASSWORD (default %q).\n\nflags:\n",
			strings.Join(load.ScenarioNames(), ", "), cfg.Password)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.Desk, "desk", "", "the guichet program to spawn (`guichet serve` on -database, on a free loopback port)")
	fs.StringVar(&cfg.URL, "url", "", "a desk already running, http://host:port")
	fs.IntVar(&cfg.PID, "pid", 0, "with -url: the desk's process id, to read its memory")
	fs.StringVar(&cfg.Database, "database", "", "the desk's database (SQLite file or postgres:// URL); the ceiling opens it too")
	fs.IntVar(&cfg.Concurrency, "c", cfg.Concurrency, "workers, each sending its next request when the last is answered")
	fs.DurationVar(&cfg.Duration, "d", cfg.Duration, "measure of each scenario")
	fs.DurationVar(&cfg.Warmup, "warmup", cfg.Warmup, "warm-up before each scenario's measure")
	scen := fs.String("scenarios", "", "comma-separated scenarios to run (default all)")
	fs.StringVar(&cfg.Common, "common", cfg.Common, "the common word searched")
	fs.StringVar(&cfg.Rare, "rare", "", "the rare word searched (default: the number of the customer's first demo incident)")
	fs.StringVar(&cfg.Status, "status", cfg.Status, "the status of filtered-list")
	fs.StringVar(&cfg.Tenant, "tenant", cfg.Tenant, "the customer's tenant")
	fs.StringVar(&cfg.Customer, "customer", cfg.Customer, "the customer persona's login")
	fs.StringVar(&cfg.Agent, "agent", cfg.Agent, "the agent persona's login")
	fs.StringVar(&cfg.JSON, "json", "", "also write the report to this file, as JSON")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "guichet-load: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	for _, s := range strings.Split(*scen, ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.Scenarios = append(cfg.Scenarios, s)
		}
	}
	if p := getenv("GUICHET_DEMO_PASSWORD"); p != "" {
		cfg.Password = p
	}
	cfg.CommandLine = commandLine(append([]string{"guichet-load"}, args...))
	cfg.Log = stderr
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "guichet-load: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := load.Run(ctx, cfg, stdout)
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "guichet-load: interrupted")
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "guichet-load: %v\n", err)
		return 2
	case rep.Failed():
		return 1
	}
	return 0
}

// commandLine is args as a shell would read them back, with any password in a URL hidden.
func commandLine(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		flagName, value := "", a // -database=postgres://… is one argument
		if strings.HasPrefix(a, "-") {
			if n, v, ok := strings.Cut(a, "="); ok {
				flagName, value = n+"=", v
			}
		}
		if u, err := url.Parse(value); err == nil && u.User != nil {
			if _, has := u.User.Password(); has {
				value = u.Redacted()
			}
		}
		a = flagName + value
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
