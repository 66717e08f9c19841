// Package config turns GUICHET_* environment variables and flags into one validated Config.
package config

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is everything the program reads from its environment, validated once at start.
type Config struct {
	Addr         string
	Database     string
	BaseURL      string
	DefaultLang  string
	CookieSecure bool
	// PublicStatus opens the status page (/status) to visitors who are not logged in
	// (GUICHET_PUBLIC_STATUS): it then shows them the major incidents concerning every tenant.
	PublicStatus bool
	SessionIdle  time.Duration
	SessionMax   time.Duration
	LogLevel     slog.Level
	LogFormat    string // text or json
	SMTP         SMTP
	MailFrom     *mail.Address
	// ReplyTo is the support address customers write to (GUICHET_MAIL_REPLY_TO): mail about a
	// ticket carries a reply address on it, and mail to it opens incidents. Nil: no inbound mail.
	ReplyTo *mail.Address
	// IMAP is the hosted mailbox the poller reads inbound mail from (empty URL: no poller).
	IMAP IMAP
	// InboundPerHour is how many mails one sender may turn into tickets or replies in an hour;
	// beyond, they wait in the quarantine.
	InboundPerHour int
	SupportLeads   []string // addresses told of SLA breaches on unassigned tickets
	// AttachmentMax is the largest file a reply or a form may carry, in bytes.
	AttachmentMax int64
	// SLAPolicy and Catalogue name files replacing the embedded defaults ("" keeps them).
	SLAPolicy string
	Catalogue string
	// Services names a file replacing the embedded service catalogue ("" keeps it).
	Services string
	// BackupDir is where the jobs runner writes a daily backup ("": no daily backup), keeping
	// the last BackupKeep of them.
	BackupDir  string
	BackupKeep int
	// RetentionAttachments is how many months after its ticket's closure an attachment is
	// purged (0: kept for ever).
	RetentionAttachments int
	// TrustedProxies are the addresses (IPs or CIDRs) of the reverse proxies whose
	// X-Forwarded-For names the client; empty trusts none and the peer is the client.
	TrustedProxies []string
	// Staff2FA is "required" when every staff user must use two-factor authentication, "off"
	// when it is their choice as it is every customer's.
	Staff2FA string
	// DB tunes a PostgreSQL connection (SQLite ignores it).
	DB DBOptions
	// APIRate is how many requests one API token may make a minute, per instance.
	APIRate int
	// Webhook says where webhook deliveries may go and whom they trust.
	Webhook Webhook
}

// Webhook are the settings of webhook deliveries.
type Webhook struct {
	// AllowPrivate lets endpoints be on loopback, private and link-local addresses (tests, a
	// closed network); by default such an endpoint is refused, and so is a connection to one.
	AllowPrivate bool
	// CAFile is a PEM file of certificate authorities trusted beside the system's, for
	// endpoints signed by a private authority ("" trusts the system's alone).
	CAFile string
}

// DBOptions are the PostgreSQL pool size, statement timeout and TLS mode; the database URL's
// own pool_size, statement_timeout and sslmode win over them.
type DBOptions struct {
	Pool             int
	StatementTimeout time.Duration
	SSLMode          string
}

// Staff2FA values.
const (
	Staff2FAOff      = "off"
	Staff2FARequired = "required"
)

// StaffTwoFactorRequired reports whether staff must use two-factor authentication.
func (c Config) StaffTwoFactorRequired() bool { return c.Staff2FA == Staff2FARequired }

// IMAP is the mailbox of inbound mail: imaps://host[:993] (TLS) or imap://host[:143]
// (STARTTLS, or none on loopback), with its login and folder.
type IMAP struct {
	URL      string
	User     string
	Password string
	Folder   string
	// Poll is how often the mailbox is read when the server offers no IDLE (and the longest
	// an IDLE waits before reading again).
	Poll time.Duration
}

// SMTP is the mail relay; an empty Host means mail stays in the outbox, readable by admins.
type SMTP struct {
	Host     string
	Port     int
	User     string
	Password string
	TLS      string // none, starttls or tls
}

// Error names the variable (or flag) whose value is invalid.
type Error struct {
	Name, Value, Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("invalid %s=%q: %s", e.Name, e.Value, e.Reason)
}

// setting is one configurable value: its environment variable, its flag and how to parse it.
type setting struct {
	env, flag, def, usage string
	parse                 func(c *Config, v string) error
}

var settings = []setting{
	{"GUICHET_ADDR", "addr", "127.0.0.1:8080", "address to listen on", func(c *Config, v string) error {
		if !strings.Contains(v, ":") {
			return errors.New("want host:port")
		}
		c.Addr = v
		return nil
	}},
	{"GUICHET_DATABASE", "database", "guichet.db", "SQLite file path, or a postgres:// URL", func(c *Config, v string) error {
		if v == "" {
			return errors.New("must not be empty")
		}
		if strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://") {
			if u, err := url.Parse(v); err != nil || u.Host == "" && u.Query().Get("host") == "" {
				return errors.New("want a PostgreSQL URL such as postgres://user:password@host:5432/guichet, or a SQLite file path")
			}
		}
		c.Database = v
		return nil
	}},
	{"GUICHET_BASE_URL", "base-url", "", "public URL of the desk, used in links in mail (default http://ADDR)", func(c *Config, v string) error {
		if v == "" {
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("want an absolute http(s) URL")
		}
		c.BaseURL = strings.TrimRight(v, "/")
		return nil
	}},
	{"GUICHET_DEFAULT_LANG", "default-lang", "fr", "language when nothing else decides: fr or en", func(c *Config, v string) error {
		if v != "fr" && v != "en" {
			return errors.New("want fr or en")
		}
		c.DefaultLang = v
		return nil
	}},
	{"GUICHET_COOKIE_SECURE", "cookie-secure", "false", "mark cookies Secure (set behind HTTPS)", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("want true or false")
		}
		c.CookieSecure = b
		return nil
	}},
	{"GUICHET_PUBLIC_STATUS", "public-status", "false", "show the status page (major incidents concerning every tenant) to visitors who are not logged in", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("want true or false")
		}
		c.PublicStatus = b
		return nil
	}},
	{"GUICHET_SESSION_IDLE", "session-idle", "2h", "a session ends after this long without a request", durationInto(func(c *Config) *time.Duration { return &c.SessionIdle })},
	{"GUICHET_SESSION_MAX", "session-max", "12h", "a session ends this long after login whatever happens", durationInto(func(c *Config) *time.Duration { return &c.SessionMax })},
	{"GUICHET_LOG_LEVEL", "log-level", "info", "debug, info, warn or error", func(c *Config, v string) error {
		return c.LogLevel.UnmarshalText([]byte(v))
	}},
	{"GUICHET_LOG_FORMAT", "log-format", "text", "text or json", func(c *Config, v string) error {
		if v != "text" && v != "json" {
			return errors.New("want text or json")
		}
		c.LogFormat = v
		return nil
	}},
	{"GUICHET_SMTP_HOST", "smtp-host", "", "SMTP relay host; empty keeps mail in the outbox", func(c *Config, v string) error {
		c.SMTP.Host = v
		return nil
	}},
	{"GUICHET_SMTP_PORT", "smtp-port", "587", "SMTP relay port", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			return errors.New("want a port number")
		}
		c.SMTP.Port = n
		return nil
	}},
	{"GUICHET_SMTP_USER", "smtp-user", "", "SMTP user name (no authentication when empty)", func(c *Config, v string) error {
		c.SMTP.User = v
		return nil
	}},
	{"GUICHET_SMTP_PASSWORD", "smtp-password", "", "SMTP password", func(c *Config, v string) error {
		c.SMTP.Password = v
		return nil
	}},
	{"GUICHET_SMTP_TLS", "smtp-tls", "starttls", "none, starttls or tls", func(c *Config, v string) error {
		if v != "none" && v != "starttls" && v != "tls" {
			return errors.New("want none, starttls or tls")
		}
		c.SMTP.TLS = v
		return nil
	}},
	{"GUICHET_MAIL_FROM", "mail-from", "Guichet <guichet@localhost>", "sender of every message, with its display name", func(c *Config, v string) error {
		a, err := mail.ParseAddress(v)
		if err != nil {
			return errors.New("want an address such as Guichet <support@example.com>")
		}
		c.MailFrom = a
		return nil
	}},
	{"GUICHET_MAIL_REPLY_TO", "mail-reply-to", "", "support address for inbound mail: replies to ticket mail come to its plus addresses, new incidents to it (empty: no inbound mail)", func(c *Config, v string) error {
		if v == "" {
			c.ReplyTo = nil
			return nil
		}
		a, err := mail.ParseAddress(v)
		if err != nil || a.Name != "" || strings.Contains(a.Address, "+") || !strings.Contains(a.Address, "@") {
			return errors.New("want a bare address without a plus part, such as support@example.com")
		}
		c.ReplyTo = a
		return nil
	}},
	{"GUICHET_IMAP_URL", "imap-url", "", "mailbox of inbound mail: imaps://host:993 or imap://host:143 (empty: no IMAP poller)", func(c *Config, v string) error {
		c.IMAP.URL = ""
		if v == "" {
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "imap" && u.Scheme != "imaps") || u.Hostname() == "" || u.User != nil || (u.Path != "" && u.Path != "/") {
			return errors.New("want imaps://host:993 or imap://host:143 (the login goes in GUICHET_IMAP_USER and GUICHET_IMAP_PASSWORD)")
		}
		c.IMAP.URL = v
		return nil
	}},
	{"GUICHET_IMAP_USER", "imap-user", "", "IMAP login", func(c *Config, v string) error { c.IMAP.User = v; return nil }},
	{"GUICHET_IMAP_PASSWORD", "imap-password", "", "IMAP password", func(c *Config, v string) error { c.IMAP.Password = v; return nil }},
	{"GUICHET_IMAP_FOLDER", "imap-folder", "INBOX", "IMAP folder to read", func(c *Config, v string) error {
		if v == "" || strings.ContainsAny(v, "\r\n") {
			return errors.New("want a folder name such as INBOX")
		}
		c.IMAP.Folder = v
		return nil
	}},
	{"GUICHET_IMAP_POLL", "imap-poll", "1m", "how often the mailbox is read without IDLE", durationInto(func(c *Config) *time.Duration { return &c.IMAP.Poll })},
	{"GUICHET_INBOUND_PER_HOUR", "inbound-per-hour", "20", "mails one sender may turn into tickets or replies in an hour; beyond, they wait in the quarantine", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return errors.New("want a whole number from 1 to 10000")
		}
		c.InboundPerHour = n
		return nil
	}},
	{"GUICHET_SUPPORT_LEADS", "support-leads", "", "comma-separated addresses of the support leads", func(c *Config, v string) error {
		c.SupportLeads = nil
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			a, err := mail.ParseAddress(part)
			if err != nil || a.Name != "" {
				return fmt.Errorf("%q is not a plain address", part)
			}
			c.SupportLeads = append(c.SupportLeads, a.Address)
		}
		return nil
	}},
	{"GUICHET_ATTACHMENT_MAX_MB", "attachment-max-mb", "10", "largest attachment accepted, in MB (1 to 100)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return errors.New("want a whole number of megabytes from 1 to 100")
		}
		c.AttachmentMax = int64(n) << 20
		return nil
	}},
	{"GUICHET_API_RATE", "api-rate", "600", "requests a minute one API token may make, per instance (1 to 100000)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return errors.New("want a whole number of requests a minute from 1 to 100000")
		}
		c.APIRate = n
		return nil
	}},
	{"GUICHET_WEBHOOK_ALLOW_PRIVATE", "webhook-allow-private", "false", "let webhook endpoints be on loopback, private and link-local addresses (tests, closed networks)", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("want true or false")
		}
		c.Webhook.AllowPrivate = b
		return nil
	}},
	{"GUICHET_WEBHOOK_CA_FILE", "webhook-ca-file", "", "PEM file of certificate authorities trusted for webhook endpoints beside the system's", func(c *Config, v string) error {
		c.Webhook.CAFile = ""
		if v == "" {
			return nil
		}
		pem, err := os.ReadFile(v)
		if err != nil {
			return fmt.Errorf("cannot read it: %v", err)
		}
		if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			return errors.New("want a PEM file of certificates")
		}
		c.Webhook.CAFile = v
		return nil
	}},
	{"GUICHET_DB_POOL", "db-pool", "20", "PostgreSQL: most connections open at once, per instance (1 to 1000)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return errors.New("want a whole number of connections from 1 to 1000")
		}
		c.DB.Pool = n
		return nil
	}},
	{"GUICHET_DB_STATEMENT_TIMEOUT", "db-statement-timeout", "30s", "PostgreSQL: a statement running longer is cancelled", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Millisecond {
			return errors.New("want a duration of at least 1ms, such as 30s")
		}
		c.DB.StatementTimeout = d
		return nil
	}},
	{"GUICHET_DB_SSLMODE", "db-sslmode", "", "PostgreSQL: TLS mode (disable, allow, prefer, require, verify-ca, verify-full; empty: the URL's, else prefer)", func(c *Config, v string) error {
		switch v {
		case "", "disable", "allow", "prefer", "require", "verify-ca", "verify-full":
			c.DB.SSLMode = v
			return nil
		}
		return errors.New("want disable, allow, prefer, require, verify-ca or verify-full")
	}},
	{"GUICHET_SLA_POLICY", "sla-policy", "", "TOML file of SLA targets and calendars replacing the embedded policy", func(c *Config, v string) error {
		c.SLAPolicy = v
		return nil
	}},
	{"GUICHET_CATALOGUE", "catalogue", "", "TOML file of the standard change catalogue replacing the embedded one", func(c *Config, v string) error {
		c.Catalogue = v
		return nil
	}},
	{"GUICHET_SERVICES", "services", "", "TOML file of the service catalogue (the Services tab) replacing the embedded one", func(c *Config, v string) error {
		c.Services = v
		return nil
	}},
	{"GUICHET_BACKUP_DIR", "backup-dir", "", "directory where the jobs runner writes a daily backup of the desk (empty: no daily backup)", func(c *Config, v string) error {
		c.BackupDir = v
		return nil
	}},
	{"GUICHET_BACKUP_KEEP", "backup-keep", "7", "how many daily backups GUICHET_BACKUP_DIR keeps, the newest (1 to 1000)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return errors.New("want a whole number of backups from 1 to 1000")
		}
		c.BackupKeep = n
		return nil
	}},
	{"GUICHET_RETENTION_ATTACHMENTS", "retention-attachments", "0", "months after a ticket's closure its attachments are purged (0: kept; 24m or 24 for two years, 1 to 1200)", func(c *Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSuffix(v, "m"))
		if err != nil || n < 0 || n > 1200 {
			return errors.New("want a whole number of months from 0 to 1200, such as 24 or 24m")
		}
		c.RetentionAttachments = n
		return nil
	}},
	{"GUICHET_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated IPs or CIDRs of the reverse proxies whose X-Forwarded-For is believed", func(c *Config, v string) error {
		c.TrustedProxies = nil
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			if !validProxy(part) {
				return fmt.Errorf("%q is not an IP address or a CIDR", part)
			}
			c.TrustedProxies = append(c.TrustedProxies, part)
		}
		return nil
	}},
	{"GUICHET_STAFF_2FA", "staff-2fa", "off", "off, or required: staff must use two-factor authentication", func(c *Config, v string) error {
		if v != Staff2FAOff && v != Staff2FARequired {
			return errors.New("want off or required")
		}
		c.Staff2FA = v
		return nil
	}},
}

// validProxy reports whether s is an IP address or a CIDR, as Fiber reads them (no zone).
func validProxy(s string) bool {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Addr().Zone() == ""
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == ""
}

func durationInto(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("want a positive duration such as 30m or 8h")
		}
		*field(c) = d
		return nil
	}
}

// Flags registers a flag for every setting on fs; Load reads them after fs.Parse.
func Flags(fs *flag.FlagSet) {
	for _, s := range settings {
		fs.String(s.flag, "", fmt.Sprintf("%s (env %s, default %q)", s.usage, s.env, s.def))
	}
}

// Load builds the Config: a flag set on the command line wins, then the environment, then the default.
func Load(fs *flag.FlagSet, getenv func(string) string) (Config, error) {
	var c Config
	set := map[string]bool{}
	if fs != nil {
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	}
	for _, s := range settings {
		v, name := s.def, s.env
		if e := getenv(s.env); e != "" {
			v = e
		}
		if set[s.flag] {
			v, name = fs.Lookup(s.flag).Value.String(), "-"+s.flag
		}
		if err := s.parse(&c, v); err != nil {
			return c, &Error{Name: name, Value: v, Reason: err.Error()}
		}
	}
	if c.SessionIdle > c.SessionMax {
		return c, &Error{Name: "GUICHET_SESSION_IDLE", Value: c.SessionIdle.String(), Reason: "longer than GUICHET_SESSION_MAX"}
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	return c, nil
}

// Usage describes every variable, for --help.
func Usage() string {
	var b strings.Builder
	for _, s := range settings {
		fmt.Fprintf(&b, "  %-22s %s (default %q)\n", s.env, s.usage, s.def)
	}
	return b.String()
}
