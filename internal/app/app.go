// Package app wires the program: config → database → services → web, and stops it gracefully.
package app

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"os"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/api"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/audit/auditlog"
	"github.com/guichet/guichet/internal/backup"
	"github.com/guichet/guichet/internal/canned"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/gdpr"
	"github.com/guichet/guichet/internal/help"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/inbound"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/once"
	"github.com/guichet/guichet/internal/replyaddr"
	"github.com/guichet/guichet/internal/report"
	"github.com/guichet/guichet/internal/retention"
	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/subscription"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/guichet/guichet/internal/web"
	"github.com/guichet/guichet/internal/webhook"
	"github.com/guichet/guichet/locales"
	"github.com/guichet/guichet/templates"
	"github.com/uptrace/bun"
)

// App is the running program's parts.
type App struct {
	Config   config.Config
	DB       *bun.DB
	Bundle   *i18n.Bundle
	Identity *identity.Service
	Tenancy  *tenancy.Service
	Notifier *notify.Notifier
	Log      *slog.Logger
	// Catalogue is the standard change catalogue; SLA the targets and calendars of incidents.
	Catalogue *change.Catalogue
	SLA       *sla.Policy
	Incidents *incident.Service
	Changes   *change.Service
	// Subscriptions are the tenants' reserved-instance and Workspace subscriptions.
	Subscriptions *subscription.Service
	Contracts     *contract.Service
	// Outbox is the admins' view of the mail queue; Files serves attachment downloads.
	Outbox *notify.Outbox
	Files  *timeline.Files
	// Inbound turns inbound mail into replies and incidents (IMAP poller, `guichet mail ingest`).
	Inbound *inbound.Handler
	// Webhooks registers endpoints and writes the deliveries of the services' events.
	Webhooks *webhook.Service
	// Canned is the agents' library of canned responses.
	Canned *canned.Service
	// Majors are the major incidents: outages announced to customers, with linked incidents.
	Majors *major.Service
	// Reports are the dashboards, the customer reports and their monthly mail.
	Reports *report.Service
	// Help is the help center: its articles, their search and suggestions, their figures.
	Help *help.Service
	// webhookRoots are the authorities webhook endpoints are trusted under (nil: the system's).
	webhookRoots *x509.CertPool

	// background counts the goroutines Serve started (outbox worker, jobs, session sweep), which
	// Serve and Close wait for: each records what it did before the database closes.
	background sync.WaitGroup
}

// NewLogger returns the structured logger the config asks for.
func NewLogger(c config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// Open connects to the database, applies the embedded migrations and builds the services.
func Open(ctx context.Context, c config.Config, log *slog.Logger) (*App, error) {
	cat, err := change.LoadCatalogue(c.Catalogue)
	if err != nil {
		return nil, err
	}
	services, err := change.LoadServices(c.Services)
	if err != nil {
		return nil, err
	}
	policy, err := sla.LoadPolicy(c.SLAPolicy)
	if err != nil {
		return nil, err
	}
	bdb, err := db.Open(c.Database, db.Options{Pool: c.DB.Pool, StatementTimeout: c.DB.StatementTimeout, SSLMode: c.DB.SSLMode})
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx, bdb)
	if err != nil {
		bdb.Close()
		return nil, err
	}
	for _, name := range applied {
		log.Info("migration applied", "name", name)
	}
	b, err := i18n.Load(locales.FS)
	if err != nil {
		bdb.Close()
		return nil, err
	}
	n, err := notify.NewNotifier(templates.FS, b, c.BaseURL)
	if err != nil {
		bdb.Close()
		return nil, err
	}
	ids := identity.NewService(bdb)
	ids.Hooks = notify.AccountHooks{N: n}
	ten := tenancy.NewService(bdb, ids)
	ten.Hooks = notify.AccountHooks{N: n}
	roots, err := webhook.LoadRoots(c.Webhook.CAFile)
	if err != nil {
		bdb.Close()
		return nil, err
	}
	aud := &audience.Roster{Leads: c.SupportLeads, DefaultLang: c.DefaultLang}
	hooks := webhook.NewService(bdb, c.Webhook)
	incidents := &incident.Service{DB: bdb, Notifier: n, Audience: aud, Policy: policy, Events: hooks}
	majors := &major.Service{DB: bdb, Notifier: n, Audience: aud, Events: hooks, Majors: hooks, Log: log}
	incidents.Majors = majors
	changes := &change.Service{DB: bdb, Catalogue: cat, Services: services, Notifier: n, Audience: aud, Events: hooks}
	contracts := contract.NewService(bdb, ids, ten, n, aud)
	contracts.Events = hooks
	a := &App{Config: c, DB: bdb, Bundle: b, Identity: ids, Tenancy: ten, Notifier: n, Log: log, Catalogue: cat, SLA: policy,
		Incidents: incidents, Changes: changes, Contracts: contracts, Outbox: &notify.Outbox{DB: bdb}, Files: &timeline.Files{DB: bdb},
		Webhooks: hooks, webhookRoots: roots, Majors: majors, Canned: &canned.Service{DB: bdb, Bundle: b, Notifier: n},
		Reports:       &report.Service{DB: bdb, Cache: &report.Cache{DB: bdb}, Policy: policy, Notifier: n, Audience: aud},
		Help:          &help.Service{DB: bdb, Index: help.NewIndex(), Fresh: time.Second},
		Subscriptions: &subscription.Service{DB: bdb, Notifier: n, Audience: aud}}
	book, err := a.ReplyBook(ctx)
	if err != nil {
		bdb.Close()
		return nil, err
	}
	own := []string{c.MailFrom.Address}
	if c.ReplyTo != nil {
		own = append(own, c.ReplyTo.Address)
	}
	a.Inbound = &inbound.Handler{DB: bdb, Book: book, Own: own, PerHour: c.InboundPerHour, AttachmentMax: c.AttachmentMax,
		Bundle: b, Incidents: incidents, Changes: changes, Contracts: contracts, Notifier: n, Log: log}
	return a, nil
}

// Close waits for what Serve started in the background to finish, then releases the database.
func (a *App) Close() error {
	a.background.Wait()
	return a.DB.Close()
}

// Serve runs the web server, the outbox worker and the jobs until ctx is cancelled. Then it
// stops in order: no new connections, requests in flight finish (for up to grace), the worker
// and the jobs stop and record what they did (a message being sent is sent to the end and
// recorded), and only then does Serve return, so that the database can be closed.
func (a *App) Serve(ctx context.Context, grace time.Duration, ready func(addr string)) error {
	srv, err := a.Web(ctx)
	if err != nil {
		return err
	}
	if err := a.recordConfig(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.Addr, err)
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	// The background work outlives ctx until the requests in flight are done: they may still
	// need the database, and mail they write waits in the outbox for the next start.
	bg, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	defer a.stopBackground(stopBackground)
	a.goBackground(func() { a.sweepSessions(bg) })
	a.goBackground(func() { a.mergeSearch(bg) })
	// The report figures are read into memory once, before the first dashboard asks.
	a.goBackground(func() {
		if err := a.Reports.Cache.Warm(bg); err != nil && bg.Err() == nil {
			a.Log.Warn("report figures not loaded", "err", err)
		}
	})
	// So is the help center's search index, before the first suggestion.
	a.goBackground(func() {
		if err := a.Help.Warm(bg); err != nil && bg.Err() == nil {
			a.Log.Warn("help articles not indexed", "err", err)
		}
	})
	a.startMailer(bg)
	a.startWebhooks(bg)
	a.startJobs(bg)
	a.startInbound(bg)
	errc := make(chan error, 1)
	go func() { errc <- srv.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("stopping: waiting for requests in flight", "grace", grace)
	if err := srv.ShutdownWithTimeout(grace); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// goBackground runs f in a goroutine that Close and Serve wait for.
func (a *App) goBackground(f func()) {
	a.background.Add(1)
	go func() {
		defer a.background.Done()
		f()
	}()
}

// stopBackground tells the worker and the jobs to stop and waits until they have.
func (a *App) stopBackground(stop context.CancelFunc) {
	a.Log.Info("stopping: waiting for the outbox worker and the jobs")
	stop()
	a.background.Wait()
	a.Log.Info("stopped")
}

// startMailer runs the outbox worker when an SMTP relay is configured; without one, mail waits
// in the outbox, where admins can read it.
func (a *App) startMailer(ctx context.Context) {
	if a.Config.SMTP.Host == "" {
		a.Log.Info("no SMTP relay configured: mail stays in the outbox (admin → Outbox)")
		return
	}
	sender := notify.NewSMTPSender(a.Config.SMTP, a.Config.MailFrom, a.Notifier)
	replies, err := a.ReplyBook(ctx)
	if err != nil {
		a.Log.Warn("reply addresses: mail goes without them", "err", err)
	}
	sender.Replies = replies
	w := a.NewWorker(sender, a.Log)
	a.goBackground(func() { w.Run(ctx) })
}

// startWebhooks runs the webhook delivery worker: deliveries wait in the database until an
// instance posts them.
func (a *App) startWebhooks(ctx context.Context) {
	w := a.NewWebhookWorker()
	a.goBackground(func() { w.Run(ctx) })
}

// NewWebhookWorker returns a webhook delivery worker posting as the configuration says (trusted
// authorities, private addresses allowed or not).
func (a *App) NewWebhookWorker() *webhook.Worker {
	return webhook.NewWorker(a.DB, webhook.NewClient(a.webhookRoots, a.Config.Webhook.AllowPrivate), a.Log)
}

// startInbound runs the IMAP poller when GUICHET_IMAP_URL names a mailbox. Several instances
// may read the same mailbox: a message two of them read at once is handled once (its
// Message-ID is recorded with the reply it becomes), and marked by both.
func (a *App) startInbound(ctx context.Context) {
	if a.Config.IMAP.URL == "" {
		return
	}
	if a.Config.ReplyTo == nil {
		a.Log.Warn("GUICHET_IMAP_URL is set but GUICHET_MAIL_REPLY_TO is not: the mailbox is not read")
		return
	}
	p := a.NewPoller()
	a.goBackground(func() {
		if err := p.Run(ctx); err != nil {
			a.Log.Error("imap: the mailbox cannot be read", "err", err)
		}
	})
}

// NewPoller returns the IMAP poller of the configured mailbox, recording each read for the
// admins' Inbound mail page.
func (a *App) NewPoller() *inbound.Poller {
	return &inbound.Poller{Config: a.Config.IMAP, Handle: a.Inbound.Handle, Log: a.Log,
		Fetched: func(ctx context.Context, at time.Time, handled int, err error) {
			if rerr := inbound.RecordFetch(context.WithoutCancel(ctx), a.DB, inbound.SourceIMAP, at, handled, err); rerr != nil {
				a.Log.Warn("imap: record the read", "err", rerr)
			}
		}}
}

// NewWorker returns an outbox worker sending through s, which drops a message whose customer
// recipient may no longer read it, as the audience decides.
func (a *App) NewWorker(s notify.Sender, log *slog.Logger) *notify.Worker {
	w := notify.NewWorker(a.DB, s, log)
	w.StillReaches = audience.StillReaches(a.DB)
	return w
}

// Web builds the HTTP application without listening, for Serve and for tests.
func (a *App) Web(ctx context.Context) (*fiber.App, error) {
	secret, err := a.secret(ctx)
	if err != nil {
		return nil, err
	}
	return web.New(web.Deps{Config: a.Config, Ping: a.DB.PingContext, Identity: a.Identity, Tenancy: a.Tenancy, Bundle: a.Bundle, Log: a.Log, Secret: secret,
		Notifier: a.Notifier, Catalogue: a.Catalogue, SLA: a.SLA, Incidents: a.Incidents, Changes: a.Changes, Contracts: a.Contracts,
		Outbox: a.Outbox, Files: a.Files, Inbound: &inbound.Admin{Handler: a.Inbound}, Webhooks: a.Webhooks, Canned: a.Canned, Majors: a.Majors, Reports: a.Reports, Help: a.Help, Subscriptions: a.Subscriptions,
		Audit: &auditlog.Service{DB: a.DB}, GDPR: gdpr.New(a.DB, a.Bundle, a.Config.DefaultLang), API: a.mountAPI})
}

// mountAPI serves the JSON API beside the pages.
func (a *App) mountAPI(app *fiber.App) {
	api.Mount(app, api.Deps{Config: a.Config, Bundle: a.Bundle, Log: a.Log, Identity: a.Identity, Tenancy: a.Tenancy,
		Incidents: a.Incidents, Changes: a.Changes, Contracts: a.Contracts, Catalogue: a.Catalogue, SLA: a.SLA,
		Outbox: a.Outbox, Files: a.Files, Webhooks: a.Webhooks, Majors: a.Majors, Help: a.Help, DB: a.DB})
}

// job is a background task run every interval. Each run claims what it does in the transaction
// that does it (a flag, a version, a date set by a conditional update), since several instances
// may run it at once; a stop comes between two of its transactions.
type job struct {
	name     string
	interval time.Duration
	run      func(ctx context.Context, now time.Time) (int, error)
}

// jobs are the periodic tasks of the desk.
func (a *App) jobs() []job {
	var js []job
	js = append(js,
		job{"incidents.close_resolved", 10 * time.Minute, a.Incidents.CloseResolved},
		job{"incidents.notify_breaches", time.Minute, a.Incidents.NotifyBreaches})
	// Levels taking effect (mail to the referent, once) and cancellations reaching their date.
	js = append(js, job{"contract.run_due", 15 * time.Minute, a.Contracts.RunDue})
	// Webhook deliveries are kept a month after their retry window, for the delivery log.
	js = append(js, job{"webhooks.sweep", time.Hour, a.Webhooks.Sweep})
	// A major incident's update interrupted in its fan-out is carried on where it stopped.
	js = append(js, job{"major.fanout", time.Minute, a.Majors.ResumeFanOuts})
	// The incidents' report figures changed since the last run; the monthly report mail, sent
	// from the first of the month on, once per tenant and month.
	js = append(js, job{"reports.refresh", 5 * time.Second, func(ctx context.Context, now time.Time) (int, error) {
		return report.Refresh(ctx, a.DB, a.SLA, now, nil)
	}})
	js = append(js, job{"reports.monthly", time.Hour, a.Reports.SendMonthly})
	// Subscription cancellations whose first of the month has come, each applied once.
	js = append(js, job{"subscriptions.cancellations", 10 * time.Minute, func(ctx context.Context, _ time.Time) (int, error) {
		return a.Subscriptions.ApplyDue(ctx)
	}})
	// Attachments of tickets closed GUICHET_RETENTION_ATTACHMENTS months ago are emptied (0: kept).
	if a.Config.RetentionAttachments > 0 {
		js = append(js, job{retention.JobName, time.Hour, retention.Job(a.DB, a.Config.RetentionAttachments)})
	}
	// A backup a day into GUICHET_BACKUP_DIR, keeping the newest GUICHET_BACKUP_KEEP.
	if a.Config.BackupDir != "" {
		js = append(js, job{"backup.daily", 24 * time.Hour, backup.Daily(a.DB, a.Config)})
	}
	return js
}

// startJobs runs each job at start and then every interval until ctx ends, once per tick
// across every instance sharing the database (see claimTick). An instance that finds the tick
// taken waits until the next one is due, not a whole interval of its own.
func (a *App) startJobs(ctx context.Context) {
	instance := identity.NewToken()[:12]
	for _, j := range a.jobs() {
		a.goBackground(func() {
			for {
				now := time.Now().UTC()
				mine, next, err := a.claimTick(ctx, j, instance, now)
				if mine {
					var n int
					n, err = j.run(audit.WithLabel(ctx, "job "+j.name), now)
					if err == nil && n > 0 {
						a.Log.Info("job done", "job", j.name, "count", n)
					}
				}
				if err != nil && !errors.Is(err, context.Canceled) {
					a.Log.Warn("job failed", "job", j.name, "err", err)
				}
				wait := j.interval
				if !mine && err == nil && next.After(now) {
					// A little after the tick falls due: the instance that claimed it runs it.
					wait = min(next.Sub(now)+time.Duration(mrand.Int64N(int64(time.Second))), j.interval)
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
		})
	}
}

// claimTick says whether this instance runs j's tick at now: the one that moves the job's
// next_run_at past now, by a conditional update, runs it; the others, ticking about the same
// time, find it moved and skip, and learn when the next tick is due. The next run is due a
// little before the next tick, so that timers firing early never skip a tick.
func (a *App) claimTick(ctx context.Context, j job, instance string, now time.Time) (bool, time.Time, error) {
	if _, err := a.DB.NewRaw("INSERT INTO job_runs (name, next_run_at, last_run_by) VALUES (?, ?, '') ON CONFLICT (name) DO NOTHING",
		j.name, now).Exec(ctx); err != nil {
		return false, time.Time{}, fmt.Errorf("job %s: %w", j.name, err)
	}
	res, err := a.DB.NewRaw("UPDATE job_runs SET next_run_at = ?, last_run_by = ? WHERE name = ? AND next_run_at <= ?",
		now.Add(j.interval-j.interval/10), instance, j.name, now).Exec(ctx)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("job %s: claim its tick: %w", j.name, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return n == 1, time.Time{}, err
	}
	var next time.Time
	if err := a.DB.NewRaw("SELECT next_run_at FROM job_runs WHERE name = ?", j.name).Scan(ctx, &next); err != nil {
		return false, time.Time{}, fmt.Errorf("job %s: read its next tick: %w", j.name, err)
	}
	return false, next, nil
}

// sweepSessions deletes expired sessions, and forms' one-time tokens of the day before, every hour.
// Merging of SQLite's full-text index (timeline.MergeIndex): every few seconds, a few hundred
// pages per transaction, until nothing is left to merge or the round's bound.
const (
	searchMergeEvery  = 2 * time.Second
	searchMergePages  = 200
	searchMergeRounds = 25
)

// mergeSearch does in the background the merging of SQLite's full-text index that FTS5 would
// otherwise do inside the requests' writes. PostgreSQL needs none.
func (a *App) mergeSearch(ctx context.Context) {
	if db.IsPG(a.DB) {
		return
	}
	t := time.NewTicker(searchMergeEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for range searchMergeRounds {
			worked, err := timeline.MergeIndex(ctx, a.DB, searchMergePages)
			if err != nil {
				if ctx.Err() == nil {
					a.Log.Warn("search index merge failed", "err", err)
				}
				break
			}
			if !worked {
				break
			}
		}
	}
}

func (a *App) sweepSessions(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		now := time.Now().UTC()
		n, err := identity.DeleteExpiredSessions(ctx, a.DB, now.Add(-a.Config.SessionIdle), now.Add(-a.Config.SessionMax))
		if err != nil && !errors.Is(err, context.Canceled) {
			a.Log.Warn("session sweep failed", "err", err)
		} else if n > 0 {
			a.Log.Debug("expired sessions deleted", "count", n)
		}
		// A form is not sent again a day later: its one-time token can go.
		if _, err := once.Forget(ctx, a.DB, now.Add(-24*time.Hour)); err != nil && !errors.Is(err, context.Canceled) {
			a.Log.Warn("form token sweep failed", "err", err)
		}
		// Nor is an API create retried a day later.
		if _, err := api.ForgetIdempotency(ctx, a.DB, now.Add(-api.IdempotencyKeep)); err != nil && !errors.Is(err, context.Canceled) {
			a.Log.Warn("idempotency key sweep failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// secret returns the key that signs CSRF tokens (see key).
func (a *App) secret(ctx context.Context) ([]byte, error) { return a.key(ctx, "csrf_secret") }

// ReplyBook returns the reply addresses of outgoing mail: none without GUICHET_MAIL_REPLY_TO.
func (a *App) ReplyBook(ctx context.Context) (replyaddr.Book, error) {
	if a.Config.ReplyTo == nil {
		return replyaddr.Book{}, nil
	}
	k, err := a.key(ctx, "reply_secret")
	if err != nil {
		return replyaddr.Book{}, err
	}
	return replyaddr.Book{Support: a.Config.ReplyTo, Key: k}, nil
}

// key returns the random key named name, made once and kept in the database so that every
// instance sharing the database signs and checks alike.
func (a *App) key(ctx context.Context, name string) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if _, err := a.DB.NewRaw("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
		name, hex.EncodeToString(b)).Exec(ctx); err != nil {
		return nil, err
	}
	var v string
	if err := a.DB.NewRaw("SELECT value FROM settings WHERE name = ?", name).Scan(ctx, &v); err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}
