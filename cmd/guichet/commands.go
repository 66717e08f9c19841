package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
)

func init() {
	commands["serve"] = command{summary: "run the desk (the default command)", usage: "[--demo] [FLAGS]", needsDB: true, flags: serveFlags}
	commands["migrate"] = command{summary: "apply the database migrations and exit; --unlock clears the lock of a process that died migrating",
		usage: "[--unlock]", needsDB: true, flags: migrateFlags}
	commands["demo"] = command{summary: "load the demo data (idempotent); --incidents N adds N generated incidents", usage: "[--incidents N]", needsDB: true, flags: demoFlags}
	commands["version"] = command{summary: "print the version", flags: func(*flag.FlagSet) func(context.Context, *env) error {
		return func(_ context.Context, e *env) error { fmt.Fprintln(e.stdout, "guichet", version); return nil }
	}}
	commands["user create"] = command{summary: "create a user", usage: "--login L --email E --name N [--lang fr|en] [--kind K] [--password P]", needsDB: true, flags: userCreateFlags}
	commands["user reset-login"] = command{summary: "unlock an account locked by failed logins (Reset failed login)", usage: "--login L", needsDB: true, flags: userResetFlags}
	commands["user reset-2fa"] = command{summary: "turn off a user's two-factor authentication (a lost phone and lost recovery codes) and end their sessions", usage: "--login L", needsDB: true, flags: userReset2FAFlags}
	commands["user token"] = command{summary: "make a personal access token of the API for a user (a monitoring system's account, say) and print its secret once", usage: "--login L --name N [--scope read|write] [--days 90]", needsDB: true, flags: userTokenFlags}
	commands["user set-password"] = command{summary: "set a user's password (read from standard input without --password)", usage: "--login L [--password P]", needsDB: true, flags: userPasswordFlags}
	commands["tenant create"] = command{summary: "create a tenant, or bring in an existing contract", usage: "--code OCB0000000 --name N --referent L --owner L --sales-rep L --level L --from YYYY-MM-DD [--until YYYY-MM-DD]", needsDB: true, flags: tenantCreateFlags}
}

func migrateFlags(fs *flag.FlagSet) func(context.Context, *env) error {
	unlock := fs.Bool("unlock", false, "clear a migration lock left by a process that died migrating, then migrate")
	return func(ctx context.Context, e *env) error {
		if *unlock {
			bdb, err := db.Open(e.cfg.Database)
			if err != nil {
				return err
			}
			had, err := db.Unlock(ctx, bdb)
			bdb.Close()
			if err != nil {
				return err
			}
			if had {
				fmt.Fprintln(e.stdout, "migration lock cleared")
			} else {
				fmt.Fprintln(e.stdout, "no migration lock was held")
			}
		}
		if _, err := e.open(ctx); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "database is up to date")
		return nil
	}
}

func serveFlags(fs *flag.FlagSet) func(context.Context, *env) error {
	withDemo := fs.Bool("demo", false, "load the demo data before serving")
	grace := fs.Duration("grace", 15*time.Second, "how long requests in flight may take to finish on stop")
	return func(ctx context.Context, e *env) error {
		a, err := e.open(ctx)
		if err != nil {
			return err
		}
		if *withDemo {
			if err := loadDemo(ctx, e); err != nil {
				return err
			}
		}
		return a.Serve(ctx, *grace, func(addr string) {
			fmt.Fprintf(e.stdout, "Guichet is listening on http://%s\n", addr)
			a.Log.Info("listening", "addr", addr, "base_url", a.Config.BaseURL)
		})
	}
}

func loadDemo(ctx context.Context, e *env) error {
	a, err := e.open(ctx)
	if err != nil {
		return err
	}
	if err := demo.Load(ctx, a.DB, a.Identity, a.Tenancy, time.Now()); err != nil {
		return err
	}
	if err := demo.LoadHelp(ctx, a.DB); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Demo data loaded. Every demo user's password is %q:\n", demo.Password)
	for _, u := range demo.Users {
		fmt.Fprintf(e.stdout, "  %-20s %s (%s)\n", u.Login, u.Role, u.Lang)
	}
	return nil
}

func demoFlags(fs *flag.FlagSet) func(context.Context, *env) error {
	n := fs.Int("incidents", 0, "add this many generated incidents, with their timelines, across the demo tenants (and generated tenants when N is large)")
	articles := fs.Int("articles", 0, "add this many generated help articles, in both languages, made of the demo articles' sentences")
	return func(ctx context.Context, e *env) error {
		if *n < 0 {
			return fmt.Errorf("--incidents: want a positive number, got %d", *n)
		}
		if *articles < 0 {
			return fmt.Errorf("--articles: want a positive number, got %d", *articles)
		}
		if err := loadDemo(ctx, e); err != nil {
			return err
		}
		if *articles > 0 {
			a, err := e.open(ctx)
			if err != nil {
				return err
			}
			start := time.Now()
			bar := newProgress(e.stderr, *articles)
			if err := demo.GenerateHelp(ctx, a.DB, *articles, time.Now(), bar.Show); err != nil {
				return err
			}
			bar.Done()
			fmt.Fprintf(e.stdout, "%d help articles added in %s.\n", *articles, time.Since(start).Round(time.Second))
		}
		if *n == 0 {
			return nil
		}
		a, err := e.open(ctx)
		if err != nil {
			return err
		}
		start := time.Now()
		bar := newProgress(e.stderr, *n)
		if err := demo.Incidents(ctx, a.DB, a.Tenancy, a.SLA, *n, time.Now(), bar.Show); err != nil {
			return err
		}
		bar.Done()
		fmt.Fprintf(e.stdout, "%d incidents added in %s.\n", *n, time.Since(start).Round(time.Second))
		return nil
	}
}

// fieldErrors writes validation failures in English, one line each, for the terminal.
func fieldErrors(e *env, err error) error {
	es, ok := i18n.AsErrors(err)
	if !ok {
		return err
	}
	a, _ := e.open(context.Background())
	lines := make([]string, len(es))
	for i, x := range es {
		lines[i] = a.Bundle.Message("en", x)
		if x.Field != "" {
			lines[i] = x.Field + ": " + lines[i]
		}
	}
	return errors.New(strings.Join(lines, "; "))
}

func userCreateFlags(fs *flag.FlagSet) func(context.Context, *env) error {
	login := fs.String("login", "", "login, such as John.Doe")
	email := fs.String("email", "", "email address")
	name := fs.String("name", "", "display name")
	lang := fs.String("lang", "fr", "language: fr or en")
	kind := fs.String("kind", "customer", "customer, agent, sales or admin")
	password := fs.String("password", "", "password (optional: without one the user cannot log in until it is set)")
	return func(ctx context.Context, e *env) error {
		a, err := e.open(ctx)
		if err != nil {
			return err
		}
		u, err := a.Identity.CreateUser(ctx, identity.System, identity.UserInput{Login: *login, Email: *email,
			DisplayName: *name, Lang: *lang, Kind: identity.Kind(*kind), Active: true, Password: *password})
		if err != nil {
			return fieldErrors(e, err)
		}
		fmt.Fprintf(e.stdout, "user %s created (id %d)\n", u.Login, u.ID)
		return nil
	}
}

func userResetFlags(fs *flag.FlagSet) func(context.Context, *env) error {
	login := fs.String("login", "", "login of the locked account")
	return func(ctx context.Context, e *env) error {
		a, u, err := e.user(ctx, *login)
		if err != nil {
			return err
		}
		if err := a.Identity.ResetFailedLogin(ctx, identity.System, u.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "failed logins of %s reset; the account is unlocked\n", u.Login)
		return nil
	}
}

func userReset2FAFlags(fs *flag.FlagSet) func(context.Context, *env) error {
	login := fs.String("login", "", "login of the user")
	return func(ctx context.Context, e *env) error {
		a, u, err := e.user(ctx, *login)
		if err != nil {
			return err
		}
		if err := a.Identity.ResetTwoFactor(ctx, identity.System, u.ID, ""); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "two-factor authentication of %s turned off; they enrol again at their next login if it is required\n", u.Login)
		return nil
	}
}

func userPasswordFlags(fs *flag.FlagSet) func(context.Context, *env) error {
	login := fs.String("login", "", "login of the user")
	password := fs.String("password", "", "new password (read from standard input when absent)")
	return func(ctx context.Context, e *env) error {
		a, u, err := e.user(ctx, *login)
		if err != nil {
			return err
		}
		pw := *password
		if pw == "" {
			fmt.Fprint(e.stderr, "new password: ")
			line, _ := bufio.NewReader(e.stdin).ReadString('\n')
			pw = strings.TrimRight(line, "\r\n")
		}
		if err := a.Identity.SetPassword(ctx, a.DB, u, pw, ""); err != nil {
			return fieldErrors(e, err)
		}
		fmt.Fprintf(e.stdout, "password of %s set; the account is unlocked and its sessions ended\n", u.Login)
		return nil
	}
}

func tenantCreateFlags(fs *flag.FlagSet) func(context.Context, *env) error {
	var in contract.NewTenant
	fs.StringVar(&in.Code, "code", "", "tenant code: OCB and seven digits")
	fs.StringVar(&in.Name, "name", "", "contract name")
	fs.StringVar(&in.ReferentLogin, "referent", "", "login of the referent (a customer user)")
	fs.StringVar(&in.OwnerLogin, "owner", "", "login of the domain owner (a customer user)")
	fs.StringVar(&in.SalesRepLogin, "sales-rep", "", "login of the sales rep")
	fs.StringVar(&in.Level, "level", "", "support level: basic, standard, business or premium")
	fs.StringVar(&in.EffectiveFrom, "from", "", "date the level took effect, YYYY-MM-DD")
	fs.StringVar(&in.CommittedUntil, "until", "", "last day of the commitment, YYYY-MM-DD (default: six months from --from for a paid level)")
	return func(ctx context.Context, e *env) error {
		a, err := e.open(ctx)
		if err != nil {
			return err
		}
		t, err := contract.Onboard(ctx, a.DB, a.Tenancy, tenancy.System, in)
		if err != nil {
			return fieldErrors(e, err)
		}
		fmt.Fprintf(e.stdout, "tenant %s created (id %d)\n", t.Code, t.ID)
		return nil
	}
}

func userTokenFlags(fs *flag.FlagSet) func(context.Context, *env) error {
	login := fs.String("login", "", "login of the user the token acts as")
	name := fs.String("name", "", "what the token is for, as its list shows it")
	scope := fs.String("scope", identity.ScopeRead, "read (GET only) or write")
	days := fs.Int("days", 90, "how many days the token works (at most 366)")
	return func(ctx context.Context, e *env) error {
		a, u, err := e.user(ctx, *login)
		if err != nil {
			return err
		}
		secret, _, err := a.Identity.CreateToken(ctx, identity.ActorOf(u), identity.NewAPIToken{Name: *name, Scope: *scope,
			Expires: time.Now().UTC().AddDate(0, 0, *days)}, a.Config.StaffTwoFactorRequired())
		if err != nil {
			return fieldErrors(e, err)
		}
		fmt.Fprintln(e.stdout, secret)
		return nil
	}
}
