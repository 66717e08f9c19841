package report

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// MonthlyBatch is how many tenants SendMonthly reads at a time.
const MonthlyBatch = 100

// monthlyKind is the monthly report's mail (templates/email/report_monthly.*).
const monthlyKind = "report_monthly"

// monthlyMail is the row that records a tenant's monthly report as sent (table report_mail).
type monthlyMail struct {
	bun.BaseModel `bun:"table:report_mail"`
	TenantID      int64     `bun:"tenant_id,pk"`
	Month         string    `bun:"month,pk"` // YYYY-MM
	SentAt        time.Time `bun:"sent_at"`
}

// SendMonthly writes the monthly report mail of the Paris month before now to the referent of
// each tenant not cancelled that existed before that month ended, in the referent's language:
// the job "reports.monthly". Each tenant's mail is claimed by the report_mail row its
// transaction inserts, so that two instances running this at once, or a run cut short and run
// again, write one mail per tenant and month. It returns how many mails it wrote; when ctx
// ends it stops between two tenants.
func (s *Service) SendMonthly(ctx context.Context, now time.Time) (int, error) {
	month := MonthOf(calendar.ParisDate(now)) - 1
	_, end := bounds(monthPeriod(month))
	sent := 0
	for after := int64(0); ; {
		var ts []tenancy.Tenant
		err := s.DB.NewSelect().Model(&ts).Relation("Referent").
			Where("tenant.id > ?", after).
			Where("tenant.status <> ?", tenancy.TenantCancelled).
			Where("tenant.created_at < ?", end).
			Where("NOT EXISTS (SELECT 1 FROM report_mail AS m WHERE m.tenant_id = tenant.id AND m.month = ?)", month.String()).
			OrderExpr("tenant.id").Limit(MonthlyBatch).Scan(ctx)
		if err != nil {
			return sent, fmt.Errorf("report: tenants to send the report of %s: %w", month, err)
		}
		for i := range ts {
			if ctx.Err() != nil {
				return sent, nil
			}
			n, err := s.sendMonthly(context.WithoutCancel(ctx), &ts[i], month, now)
			if err != nil {
				return sent, fmt.Errorf("report: monthly report of tenant %s for %s: %w", ts[i].Code, month, err)
			}
			sent += n
		}
		if len(ts) < MonthlyBatch {
			return sent, nil
		}
		after = ts[len(ts)-1].ID
	}
}

// monthPeriod is the days of month m.
func monthPeriod(m Month) Period {
	return Period{Kind: PeriodCustom, From: m.Date(), To: (m + 1).Date().AddDays(-1)}
}

// sendMonthly counts the figures of tenant t for month, then in one transaction records the
// month as sent and, if this call recorded it, writes the mail to the referent. It returns how
// many mails it wrote: none when another run recorded the month first, or when the referent may
// not read it (the month is recorded all the same: a report is not sent late).
func (s *Service) sendMonthly(ctx context.Context, t *tenancy.Tenant, month Month, now time.Time) (int, error) {
	data, err := s.monthlyData(ctx, t, month, now)
	if err != nil {
		return 0, err
	}
	roster := s.Audience
	if roster == nil {
		roster = &audience.Roster{} // the referent needs neither the leads nor the default language
	}
	sent := 0
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewInsert().Model(&monthlyMail{TenantID: t.ID, Month: month.String(), SentAt: now.UTC()}).
			On("CONFLICT (tenant_id, month) DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("record the mail: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err // another run recorded it first
		}
		to, err := roster.To(ctx, tx, audience.Event{Tenant: t, TenantID: t.ID, Right: tenancy.RightContract,
			Actor: tenancy.System, Confirm: true}, audience.Referent)
		if err != nil {
			return err
		}
		thread := "report-" + strconv.FormatInt(t.ID, 10) + "-" + month.String()
		if err := s.Notifier.Enqueue(ctx, tx, notify.Notice{Kind: monthlyKind, Thread: thread, Data: data}, to...); err != nil {
			return err
		}
		sent = len(to)
		return nil
	})
	return sent, err
}

// monthlyData is what the mail shows of tenant t for month, as its figures stand at now. The
// values are numbers and message keys; the templates write them in the reader's language.
func (s *Service) monthlyData(ctx context.Context, t *tenancy.Tenant, month Month, now time.Time) (map[string]any, error) {
	p := monthPeriod(month)
	from, to := p.span()
	f := Filter{From: from, To: to, Tenants: []int64{t.ID}, Now: now}
	v, err := s.Cache.view(ctx)
	if err != nil {
		return nil, err
	}
	ms := v.months(f)
	open := v.openCount(f)
	v.release()
	var m SLAMonth
	if len(ms) == 1 {
		m = ms[0]
	}
	changes, err := s.madeIn("change_requests", []int64{t.ID}, p).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("change requests: %w", err)
	}
	first := month.Date()
	return map[string]any{
		"TenantCode": t.Code, "TenantName": t.Name,
		"MonthNum": int(first.Month), "Year": first.Year, "From": p.From, "To": p.To,
		"Declared":         m.Declared,
		"FirstResponseSLA": shareOf(m.FRMet, m.FRBreached),
		"ResolutionSLA":    shareOf(m.ResMet, m.ResBreached),
		"FirstResponse":    spanOf(m.FirstResponse, "email.report_monthly.none_answered"),
		"Resolve":          spanOf(m.Resolved, "email.report_monthly.none_resolved"),
		"Open":             open,
		"Changes":          changes,
		"Link":             s.Notifier.Link("/reports?tenant=" + t.Code + "&from=" + month.String() + "&to=" + month.String()),
	}, nil
}

// share is the targets met among those counted: Pct is rounded down, so that 100 % means that
// none was breached. Total 0: no target counted (Basic, or none ended in the month).
type share struct {
	Pct, Met, Total int
}

func shareOf(met, breached int) share {
	total := met + breached
	if total == 0 {
		return share{}
	}
	return share{Pct: 100 * met / total, Met: met, Total: total}
}

// spanOf is a mean duration as the mail writes it (see SpanOf); none when nothing was counted.
func spanOf(d Duration, none string) Span {
	if d.N == 0 {
		return Span{Key: none}
	}
	return SpanOf(d.Mean)
}
