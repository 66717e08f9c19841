package config_test

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/config"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// core is the part of Config these tests pin down; mail settings are checked on their own.
type core struct {
	Addr, Database, BaseURL, DefaultLang string
	CookieSecure                         bool
	SessionIdle, SessionMax              time.Duration
	LogLevel                             slog.Level
	LogFormat                            string
}

func coreOf(c config.Config) core {
	return core{c.Addr, c.Database, c.BaseURL, c.DefaultLang, c.CookieSecure, c.SessionIdle, c.SessionMax, c.LogLevel, c.LogFormat}
}

func load(t *testing.T, args []string, env map[string]string) (config.Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	config.Flags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	return config.Load(fs, envOf(env))
}

func TestDefaults(t *testing.T) {
	want := core{
		Addr: "127.0.0.1:8080", Database: "guichet.db", BaseURL: "http://127.0.0.1:8080", DefaultLang: "fr",
		CookieSecure: false, SessionIdle: 2 * time.Hour, SessionMax: 12 * time.Hour, LogLevel: slog.LevelInfo, LogFormat: "text",
	}
	c, err := config.Load(nil, envOf(nil))
	if got := coreOf(c); err != nil || got != want {
		t.Errorf("Load(nil) = %+v, %v\nwant %+v", got, err, want)
	}
	c, err = load(t, nil, nil)
	if got := coreOf(c); err != nil || got != want {
		t.Errorf("Load(no flags) = %+v, %v\nwant %+v", got, err, want)
	}
}

func TestEnvironmentAndFlags(t *testing.T) {
	env := map[string]string{
		"GUICHET_ADDR": "0.0.0.0:9000", "GUICHET_DATABASE": "/var/lib/guichet/desk.db",
		"GUICHET_BASE_URL": "https://desk.example.com/", "GUICHET_DEFAULT_LANG": "en",
		"GUICHET_COOKIE_SECURE": "true", "GUICHET_SESSION_IDLE": "30m", "GUICHET_SESSION_MAX": "8h",
		"GUICHET_LOG_LEVEL": "debug", "GUICHET_LOG_FORMAT": "json",
	}
	want := core{
		Addr: "0.0.0.0:9000", Database: "/var/lib/guichet/desk.db", BaseURL: "https://desk.example.com", DefaultLang: "en",
		CookieSecure: true, SessionIdle: 30 * time.Minute, SessionMax: 8 * time.Hour, LogLevel: slog.LevelDebug, LogFormat: "json",
	}
	c, err := load(t, nil, env)
	if got := coreOf(c); err != nil || got != want {
		t.Fatalf("env: %+v, %v\nwant %+v", got, err, want)
	}

	// A flag wins over the environment, setting by setting.
	c, err = load(t, []string{"-addr", ":7000", "--default-lang=fr", "-session-idle=1h", "-log-format", "text", "-cookie-secure=false"}, env)
	want.Addr, want.DefaultLang, want.SessionIdle, want.LogFormat, want.CookieSecure = ":7000", "fr", time.Hour, "text", false
	if got := coreOf(c); err != nil || got != want {
		t.Errorf("flags over env: %+v, %v\nwant %+v", got, err, want)
	}

	// Without a base URL, links point at the address.
	c, _ = load(t, []string{"-addr", "desk.local:80"}, nil)
	if got := c; got.BaseURL != "http://desk.local:80" {
		t.Errorf("BaseURL = %q", got.BaseURL)
	}
}

func TestInvalidValues(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		variable string
	}{
		{"addr without port", nil, map[string]string{"GUICHET_ADDR": "localhost"}, "GUICHET_ADDR"},
		{"lang", nil, map[string]string{"GUICHET_DEFAULT_LANG": "de"}, "GUICHET_DEFAULT_LANG"},
		{"lang in capitals", nil, map[string]string{"GUICHET_DEFAULT_LANG": "FR"}, "GUICHET_DEFAULT_LANG"},
		{"cookie secure", nil, map[string]string{"GUICHET_COOKIE_SECURE": "yes"}, "GUICHET_COOKIE_SECURE"},
		{"public status", nil, map[string]string{"GUICHET_PUBLIC_STATUS": "sometimes"}, "GUICHET_PUBLIC_STATUS"},
		{"idle not a duration", nil, map[string]string{"GUICHET_SESSION_IDLE": "2 hours"}, "GUICHET_SESSION_IDLE"},
		{"idle without unit", nil, map[string]string{"GUICHET_SESSION_IDLE": "90"}, "GUICHET_SESSION_IDLE"},
		{"idle zero", nil, map[string]string{"GUICHET_SESSION_IDLE": "0s"}, "GUICHET_SESSION_IDLE"},
		{"idle negative", nil, map[string]string{"GUICHET_SESSION_IDLE": "-1h"}, "GUICHET_SESSION_IDLE"},
		{"max", nil, map[string]string{"GUICHET_SESSION_MAX": "forever"}, "GUICHET_SESSION_MAX"},
		{"idle longer than max", nil, map[string]string{"GUICHET_SESSION_IDLE": "3h", "GUICHET_SESSION_MAX": "2h"}, "GUICHET_SESSION_IDLE"},
		{"log level", nil, map[string]string{"GUICHET_LOG_LEVEL": "verbose"}, "GUICHET_LOG_LEVEL"},
		{"log format", nil, map[string]string{"GUICHET_LOG_FORMAT": "xml"}, "GUICHET_LOG_FORMAT"},
		{"base url relative", nil, map[string]string{"GUICHET_BASE_URL": "desk.example.com"}, "GUICHET_BASE_URL"},
		{"base url ftp", nil, map[string]string{"GUICHET_BASE_URL": "ftp://desk.example.com"}, "GUICHET_BASE_URL"},
		{"base url without host", nil, map[string]string{"GUICHET_BASE_URL": "https://"}, "GUICHET_BASE_URL"},
		{"base url unparsable", nil, map[string]string{"GUICHET_BASE_URL": "http://[::1"}, "GUICHET_BASE_URL"},
		{"flag addr", []string{"-addr", "8080"}, nil, "-addr"},
		{"flag lang over a good env", []string{"-default-lang", "es"}, map[string]string{"GUICHET_DEFAULT_LANG": "en"}, "-default-lang"},
		{"flag database empty", []string{"-database="}, nil, "-database"},
		{"trusted proxy name", nil, map[string]string{"GUICHET_TRUSTED_PROXIES": "proxy.local"}, "GUICHET_TRUSTED_PROXIES"},
		{"trusted proxy bad CIDR", nil, map[string]string{"GUICHET_TRUSTED_PROXIES": "10.0.0.0/33"}, "GUICHET_TRUSTED_PROXIES"},
		{"trusted proxy one bad of two", nil, map[string]string{"GUICHET_TRUSTED_PROXIES": "10.0.0.1, 300.1.1.1"}, "GUICHET_TRUSTED_PROXIES"},
		{"trusted proxy with zone", nil, map[string]string{"GUICHET_TRUSTED_PROXIES": "fe80::1%eth0"}, "GUICHET_TRUSTED_PROXIES"},
		{"flag trusted proxies", []string{"-trusted-proxies", "10.0.0.1;10.0.0.2"}, nil, "-trusted-proxies"},
		{"staff 2fa", nil, map[string]string{"GUICHET_STAFF_2FA": "yes"}, "GUICHET_STAFF_2FA"},
		{"staff 2fa in capitals", nil, map[string]string{"GUICHET_STAFF_2FA": "REQUIRED"}, "GUICHET_STAFF_2FA"},
		{"flag staff 2fa", []string{"--staff-2fa=on"}, nil, "-staff-2fa"},
		{"postgres url without host", nil, map[string]string{"GUICHET_DATABASE": "postgres:///guichet"}, "GUICHET_DATABASE"},
		{"postgres url unparsable", nil, map[string]string{"GUICHET_DATABASE": "postgresql://[::1/guichet"}, "GUICHET_DATABASE"},
		{"db pool zero", nil, map[string]string{"GUICHET_DB_POOL": "0"}, "GUICHET_DB_POOL"},
		{"db pool words", nil, map[string]string{"GUICHET_DB_POOL": "many"}, "GUICHET_DB_POOL"},
		{"db statement timeout without unit", nil, map[string]string{"GUICHET_DB_STATEMENT_TIMEOUT": "30"}, "GUICHET_DB_STATEMENT_TIMEOUT"},
		{"db sslmode", nil, map[string]string{"GUICHET_DB_SSLMODE": "always"}, "GUICHET_DB_SSLMODE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.args, tt.env)
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v (%T), want *config.Error", err, err)
			}
			if ce.Name != tt.variable {
				t.Errorf("Error.Name = %q, want %q", ce.Name, tt.variable)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "invalid "+tt.variable+"=") || strings.Contains(msg, "\n") || ce.Reason == "" {
				t.Errorf("message %q: want one line starting with %q and a reason", msg, "invalid "+tt.variable+"=")
			}
		})
	}
}

func TestTrustedProxiesAndStaffTwoFactor(t *testing.T) {
	c, err := load(t, nil, nil)
	if err != nil || c.TrustedProxies != nil || c.Staff2FA != config.Staff2FAOff || c.StaffTwoFactorRequired() {
		t.Fatalf("defaults: proxies %q, staff 2FA %q, %v", c.TrustedProxies, c.Staff2FA, err)
	}
	env := map[string]string{"GUICHET_TRUSTED_PROXIES": " 10.0.0.1, 192.168.0.0/16,,::1, 2001:db8::/32 ", "GUICHET_STAFF_2FA": "required"}
	c, err = load(t, nil, env)
	want := []string{"10.0.0.1", "192.168.0.0/16", "::1", "2001:db8::/32"}
	if err != nil || strings.Join(c.TrustedProxies, " ") != strings.Join(want, " ") || !c.StaffTwoFactorRequired() {
		t.Fatalf("env: proxies %q, staff 2FA %q, %v", c.TrustedProxies, c.Staff2FA, err)
	}
	c, err = load(t, []string{"--trusted-proxies", "127.0.0.1", "--staff-2fa", "off"}, env)
	if err != nil || strings.Join(c.TrustedProxies, " ") != "127.0.0.1" || c.StaffTwoFactorRequired() {
		t.Fatalf("flags over env: proxies %q, staff 2FA %q, %v", c.TrustedProxies, c.Staff2FA, err)
	}
}

func TestPostgresOptions(t *testing.T) {
	c, err := load(t, nil, nil)
	if err != nil || c.DB != (config.DBOptions{Pool: 20, StatementTimeout: 30 * time.Second}) {
		t.Fatalf("defaults: %+v, %v", c.DB, err)
	}
	c, err = load(t, []string{"--db-pool", "50"}, map[string]string{"GUICHET_DATABASE": "postgres://guichet@db.example.com/guichet",
		"GUICHET_DB_POOL": "5", "GUICHET_DB_STATEMENT_TIMEOUT": "2s", "GUICHET_DB_SSLMODE": "verify-full"})
	if err != nil || c.Database != "postgres://guichet@db.example.com/guichet" ||
		c.DB != (config.DBOptions{Pool: 50, StatementTimeout: 2 * time.Second, SSLMode: "verify-full"}) {
		t.Fatalf("set: %q %+v, %v", c.Database, c.DB, err)
	}
}

func TestUsageNamesEveryVariable(t *testing.T) {
	u := config.Usage()
	for _, v := range []string{"GUICHET_ADDR", "GUICHET_DATABASE", "GUICHET_BASE_URL", "GUICHET_DEFAULT_LANG", "GUICHET_COOKIE_SECURE",
		"GUICHET_SESSION_IDLE", "GUICHET_SESSION_MAX", "GUICHET_LOG_LEVEL", "GUICHET_LOG_FORMAT", "GUICHET_TRUSTED_PROXIES", "GUICHET_STAFF_2FA"} {
		if !strings.Contains(u, v) {
			t.Errorf("Usage does not mention %s", v)
		}
	}
	if n, m := strings.Count(u, "\n"), strings.Count(u, "  GUICHET_"); n != m {
		t.Errorf("Usage has %d lines for %d variables", n, m)
	}
}
