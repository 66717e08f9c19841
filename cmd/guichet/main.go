// Command guichet runs the Guichet desk and administers it from the command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/db"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand: its flags are added to a flag set that already has the config flags
// when it needs the database.
type command struct {
	summary string
	usage   string
	needsDB bool
	// args says it takes arguments after its flags (FILE), which it reads from the flag set.
	args  bool
	flags func(fs *flag.FlagSet) func(ctx context.Context, env *env) error
}

var commands = map[string]command{}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// run returns the exit status: 0 on success, 1 on failure, 2 on a usage or configuration error.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
		if name == "user" || name == "tenant" || name == "mail" || name == "reports" {
			if len(args) == 0 || strings.HasPrefix(args[0], "-") {
				fmt.Fprintf(stderr, "usage: guichet %s SUBCOMMAND (see guichet help)\n", name)
				return 2
			}
			name, args = name+" "+args[0], args[1:]
		}
	}
	if name == "help" {
		printHelp(stdout)
		return 0
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "guichet: unknown command %q (see guichet help)\n", name)
		return 2
	}
	fs := flag.NewFlagSet("guichet "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if cmd.needsDB {
		config.Flags(fs)
	}
	action := cmd.flags(fs)
	usage := func(w io.Writer) {
		fs.SetOutput(w)
		fmt.Fprintf(w, "usage: guichet %s %s\n\n%s\n\nflags:\n", name, cmd.usage, cmd.summary)
		fs.PrintDefaults()
		if cmd.needsDB {
			fmt.Fprintf(w, "\nenvironment:\n%s", config.Usage())
		}
	}
	// Parse reports its error itself; the usage is printed once, below, where it belongs.
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return 0
		}
		usage(stderr)
		return 2
	}
	if fs.NArg() > 0 && !cmd.args {
		fmt.Fprintf(stderr, "guichet %s: unexpected argument %q\n", name, fs.Arg(0))
		return 2
	}
	var cfg config.Config
	if cmd.needsDB {
		var err error
		if cfg, err = config.Load(fs, getenv); err != nil {
			fmt.Fprintf(stderr, "guichet: %v\n", err)
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if name != "serve" {
		// What a command changes (a reset, a token, a tenant) is the command line's in the audit
		// log; the desk's own jobs and start-up name themselves.
		ctx = audit.WithLabel(ctx, "command line ("+name+")")
	}
	e := &env{cfg: cfg, stdout: stdout, stderr: stderr, stdin: os.Stdin}
	defer e.close()
	if err := action(ctx, e); err != nil {
		var ue usageError
		var dp *db.Problem
		var tf tempFail
		if errors.As(err, &tf) {
			fmt.Fprintf(stderr, "guichet %s: %v (temporary failure: try again later)\n", name, err)
			return exitTempFail
		}
		if errors.As(err, &ue) || errors.As(err, &dp) {
			fmt.Fprintf(stderr, "guichet %s: %v\n", name, err)
			return 2
		}
		fmt.Fprintf(stderr, "guichet %s: %v\n", name, err)
		return 1
	}
	return 0
}

// usageError is a mistake in the command line, answered with exit status 2.
type usageError string

func (u usageError) Error() string { return string(u) }

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "Guichet — bilingual support and change-request desk.\n\nusage: guichet [COMMAND] [FLAGS]   (serve is the default)\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-18s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun guichet COMMAND --help for a command's flags.")
}
