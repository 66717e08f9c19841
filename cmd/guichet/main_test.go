package main

import (
	"bytes"
	"context"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/testutil"
)

// cli runs the program against one database file, with an environment the test controls.
type cli struct {
	t   *testing.T
	db  string
	env map[string]string
}

func newCLI(t *testing.T) *cli {
	dbPath := testutil.NewDatabase(t)
	return &cli{t: t, db: dbPath, env: map[string]string{"GUICHET_DATABASE": dbPath, "GUICHET_LOG_LEVEL": "warn"}}
}

func (c *cli) run(args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb, func(k string) string { return c.env[k] })
	return code, out.String(), errb.String()
}

// must runs args and fails the test unless they succeed.
func (c *cli) must(args ...string) string {
	c.t.Helper()
	code, out, errs := c.run(args...)
	if code != 0 {
		c.t.Fatalf("guichet %s: exit %d, stderr %q", strings.Join(args, " "), code, errs)
	}
	return out
}

func (c *cli) user(login string) *identity.User {
	c.t.Helper()
	bdb, err := db.Open(c.db)
	if err != nil {
		c.t.Fatal(err)
	}
	defer bdb.Close()
	u, err := identity.UserByLogin(context.Background(), bdb, login)
	if err != nil {
		c.t.Fatalf("user %s: %v", login, err)
	}
	return u
}

func (c *cli) count(table string) int {
	c.t.Helper()
	bdb, err := db.Open(c.db)
	if err != nil {
		c.t.Fatal(err)
	}
	defer bdb.Close()
	n, err := bdb.NewSelect().Table(table).Count(context.Background())
	if err != nil {
		c.t.Fatal(err)
	}
	return int(n)
}

func (c *cli) exists() bool {
	_, err := os.Stat(c.db)
	return err == nil
}

func TestVersionAndHelp(t *testing.T) {
	c := newCLI(t)
	code, out, errs := c.run("version")
	if code != 0 || out != "guichet dev\n" || errs != "" {
		t.Errorf("version: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, out, errs = c.run("help")
	if code != 0 || errs != "" || !strings.Contains(out, "usage: guichet") {
		t.Errorf("help: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	for name := range commands {
		if !strings.Contains(out, "  "+name+" ") {
			t.Errorf("help does not list %q", name)
		}
	}
	if c.exists() {
		t.Error("version or help created the database")
	}
}

func TestHelpOnEverySubcommand(t *testing.T) {
	c := newCLI(t)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) < 8 {
		t.Fatalf("only %d commands: %q", len(names), names)
	}
	for _, name := range names {
		for _, h := range []string{"--help", "-h"} {
			args := append(strings.Fields(name), h)
			code, out, errs := c.run(args...)
			if code != 0 || !strings.HasPrefix(out, "usage: guichet "+name+" ") || !strings.Contains(out, commands[name].summary) {
				t.Errorf("%q: exit %d, stdout %.120q", args, code, out)
			}
			// Asked for, the usage is the answer: once, on standard output.
			if errs != "" {
				t.Errorf("%q: the usage is printed again on stderr (%d bytes: %.40q…)", args, len(errs), errs)
			}
			if commands[name].needsDB && !strings.Contains(out, "GUICHET_DATABASE") {
				t.Errorf("%q: the usage does not list the environment", args)
			}
		}
	}
	// Without a command, flags go to serve.
	if code, out, _ := c.run("--help"); code != 0 || !strings.HasPrefix(out, "usage: guichet serve ") {
		t.Errorf("--help: exit %d, stdout %.80q", code, out)
	}
	if c.exists() {
		t.Error("--help created the database")
	}
}

func TestUsageErrors(t *testing.T) {
	c := newCLI(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"user"}, "usage: guichet user SUBCOMMAND"},
		{[]string{"tenant", "--code", "OCB0000009"}, "usage: guichet tenant SUBCOMMAND"},
		{[]string{"user", "delete"}, `unknown command "user delete"`},
		{[]string{"migrate", "now"}, `unexpected argument "now"`},
		{[]string{"migrate", "--no-such-flag"}, "flag provided but not defined"},
		{[]string{"migrate", "-session-idle", "3h", "-session-max", "2h"}, "GUICHET_SESSION_IDLE"},
	}
	for _, tt := range tests {
		code, out, errs := c.run(tt.args...)
		if code != 2 || out != "" || !strings.Contains(errs, tt.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", tt.args, code, out, errs, tt.want)
		}
	}
	if c.exists() {
		t.Error("a usage error created the database")
	}
}

func TestInvalidEnvironment(t *testing.T) {
	c := newCLI(t)
	c.env["GUICHET_DEFAULT_LANG"] = "de"
	code, out, errs := c.run("migrate")
	if code != 2 || out != "" {
		t.Errorf("exit %d, stdout %q; want 2 and nothing", code, out)
	}
	if strings.Count(errs, "\n") != 1 || !strings.HasSuffix(errs, "\n") || !strings.Contains(errs, "GUICHET_DEFAULT_LANG") || !strings.Contains(errs, `"de"`) {
		t.Errorf("stderr = %q, want one line naming GUICHET_DEFAULT_LANG and the value", errs)
	}
	if c.exists() {
		t.Error("a configuration error created the database")
	}
}

func TestMigrateAndDemoAreIdempotent(t *testing.T) {
	c := newCLI(t)
	for i := range 2 {
		if out := c.must("migrate"); out != "database is up to date\n" {
			t.Errorf("migrate %d: stdout %q", i, out)
		}
	}
	if n := c.count("users"); n != 0 {
		t.Errorf("users after migrate = %d", n)
	}
	for i := range 2 {
		out := c.must("demo")
		if !strings.Contains(out, "guichet-demo") || !strings.Contains(out, "Marie.Dupont") {
			t.Errorf("demo %d: stdout %q", i, out)
		}
		if n := c.count("users"); n != 6 {
			t.Errorf("users after demo %d = %d, want 6", i, n)
		}
		if n := c.count("tenants"); n != 4 {
			t.Errorf("tenants after demo %d = %d, want 4", i, n)
		}
		if n := c.count("memberships"); n != 5 {
			t.Errorf("memberships after demo %d = %d, want 5", i, n)
		}
	}
	// The flag names the database as well as the environment does.
	other := testutil.NewDatabase(t)
	c.must("migrate", "--database", other)
	if bdb, err := db.Open(other); err != nil {
		t.Errorf("--database: %v", err)
	} else {
		if err := db.CheckSchema(context.Background(), bdb); err != nil {
			t.Errorf("--database: %v", err)
		}
		bdb.Close()
	}
}

func TestUserCommands(t *testing.T) {
	c := newCLI(t)
	c.must("demo")
	tests := []struct {
		name string
		args []string
		want string // the whole of stderr
	}{
		{"bad email", []string{"user", "create", "--login", "New.User", "--email", "not-an-email", "--name", "New"},
			"guichet user create: email: Enter an email address such as name@example.com.\n"},
		{"taken login", []string{"user", "create", "--login", "john.doe", "--email", "j@example.com", "--name", "J"},
			"guichet user create: login: This login is already taken.\n"},
		{"bad kind and lang", []string{"user", "create", "--login", "X", "--email", "x@example.com", "--name", "X", "--kind", "boss", "--lang", "de"},
			"guichet user create: lang: Choose one of the values offered.; kind: Choose one of the values offered.\n"},
		{"short password", []string{"user", "create", "--login", "X", "--email", "x@example.com", "--name", "X", "--password", "short"},
			"guichet user create: password: At least 10 characters.\n"},
		{"malformed tenant code", []string{"tenant", "create", "--code", "OCB12", "--name", "N", "--referent", "Paul.Martin", "--owner", "Paul.Martin", "--level", "basic", "--from", "2027-01-01"},
			"guichet tenant create: code: A tenant code is OCB followed by seven digits, for example OCB0001234.\n"},
		{"taken tenant code", []string{"tenant", "create", "--code", "OCB0000001", "--name", "N", "--referent", "Paul.Martin", "--owner", "Paul.Martin", "--level", "basic", "--from", "2027-01-01"},
			"guichet tenant create: code: A tenant already has this code.\n"},
		{"reset of an unknown login", []string{"user", "reset-login", "--login", "Nobody"},
			"guichet user reset-login: no user with login \"Nobody\"\n"},
		{"short password set", []string{"user", "set-password", "--login", "John.Doe", "--password", "short"},
			"guichet user set-password: password: At least 10 characters.\n"},
		{"token without a name", []string{"user", "token", "--login", "John.Doe", "--scope", "write"},
			"guichet user token: name: Name the token, so that you recognize it in the list.\n"},
		{"token for two years", []string{"user", "token", "--login", "John.Doe", "--name", "n", "--days", "800"},
			"guichet user token: expires: A token lives at most a year.\n"},
	}
	users, tenants := c.count("users"), c.count("tenants")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := c.run(tt.args...)
			if code != 1 || out != "" || errs != tt.want {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, errs, tt.want)
			}
		})
	}
	if c.count("users") != users || c.count("tenants") != tenants {
		t.Error("a refused command wrote")
	}

	if c.count("api_tokens") != 0 {
		t.Error("a refused token command wrote")
	}
	if out := c.must("user", "token", "--login", "John.Doe", "--name", "Zabbix", "--scope", "write"); !strings.HasPrefix(out, "gch_") || c.count("api_tokens") != 1 {
		t.Errorf("user token: stdout %q", out)
	}

	out := c.must("user", "create", "--login", "New.Agent", "--email", "new.agent@example.com", "--name", "New Agent", "--kind", "agent", "--lang", "en", "--password", "agent-password")
	if !strings.HasPrefix(out, "user New.Agent created (id ") {
		t.Errorf("user create: stdout %q", out)
	}
	if u := c.user("new.agent"); u.Kind != identity.Agent || u.Lang != "en" || !identity.CheckPassword(u.PasswordHash, "agent-password") {
		t.Errorf("created user = %+v", u)
	}
	out = c.must("tenant", "create", "--code", "ocb0000009", "--name", "Neuf", "--referent", "Paul.Martin", "--owner", "Paul.Martin", "--sales-rep", "Sophie.Commerciale", "--level", "standard", "--from", "2027-01-01")
	if !strings.HasPrefix(out, "tenant OCB0000009 created (id ") {
		t.Errorf("tenant create: stdout %q", out)
	}

	// Lock John, then unlock him from the command line.
	bdb, err := db.Open(c.db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bdb.NewRaw("UPDATE users SET failed_logins = 5, locked_at = CURRENT_TIMESTAMP WHERE login_key = 'john.doe'").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	bdb.Close()
	if out := c.must("user", "reset-login", "--login", "john.doe"); out != "failed logins of John.Doe reset; the account is unlocked\n" {
		t.Errorf("reset-login: stdout %q", out)
	}
	if u := c.user("John.Doe"); u.Locked() || u.FailedLogins != 0 {
		t.Errorf("after reset-login: locked %v, failures %d", u.Locked(), u.FailedLogins)
	}

	if out := c.must("user", "set-password", "--login", "John.Doe", "--password", "a-new-password"); out != "password of John.Doe set; the account is unlocked and its sessions ended\n" {
		t.Errorf("set-password: stdout %q", out)
	}
	if u := c.user("John.Doe"); !identity.CheckPassword(u.PasswordHash, "a-new-password") || identity.CheckPassword(u.PasswordHash, "guichet-demo") {
		t.Error("set-password did not set the password")
	}
}
