package contract

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// Service holds the contract use cases: support-level requests, sales forms and their
// processing by the sales desk. Each use case is one transaction writing the request, its
// timeline events and its outbox rows.
type Service struct {
	DB       *bun.DB
	Identity *identity.Service // its hooks send the welcome mail of a new referent or owner
	Tenancy  *tenancy.Service
	Notifier *notify.Notifier
	// Audience says who is told; its default language is a new holder's without a valid one.
	Audience *audience.Roster
	// Events hears of each change in its transaction (webhooks); nil tells nobody.
	Events events.Sink
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// NewService returns a Service with the real clock.
func NewService(db *bun.DB, ids *identity.Service, ten *tenancy.Service, n *notify.Notifier, aud *audience.Roster) *Service {
	return &Service{DB: db, Identity: ids, Tenancy: ten, Notifier: n, Audience: aud,
		Now: func() time.Time { return time.Now().UTC() }}
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// contractAccess is a customer's access to tenant with the `contract` right (403 without it).
func contractAccess(ctx context.Context, idb bun.IDB, actor tenancy.Actor, tenantID int64) (*tenancy.Access, error) {
	if actor.Kind != identity.Customer {
		return nil, apperr.ErrNotFound // staff file no customer form
	}
	return tenancy.May(ctx, idb, actor, tenantID, tenancy.RightContract)
}

// notice enqueues a message of kind about r for the roles, in each recipient's language, to the
// people of r's tenant as loaded with r. The sales rep's link opens the request on the sales
// desk, the customers' in their Contract tab.
func (s *Service) notice(ctx context.Context, tx bun.IDB, r *Request, actor tenancy.Actor, kind string, confirm bool,
	data map[string]any, roles ...audience.Role) error {
	seen := map[string]bool{}
	for _, role := range roles {
		rs, err := s.Audience.To(ctx, tx, audience.Event{Tenant: r.Tenant, TenantID: r.TenantID, Right: tenancy.RightContract, Actor: actor,
			Confirm: confirm, RequesterID: r.RequesterID}, role)
		if err != nil {
			return err
		}
		var to []notify.Recipient
		for _, rc := range rs {
			if key := strings.ToLower(rc.Email); !seen[key] {
				seen[key] = true
				to = append(to, rc)
			}
		}
		if len(to) == 0 {
			continue
		}
		d := s.mailData(r, data)
		if role == audience.SalesRep {
			d["Link"] = s.Notifier.Link("/staff/sales/" + strconv.FormatInt(r.ID, 10))
		}
		if err := s.Notifier.Enqueue(ctx, tx, notify.Notice{Kind: kind, Thread: r.Thread(), Data: d}, to...); err != nil {
			return err
		}
	}
	return nil
}

// mailData is what every request mail shows, plus the mail's own values.
func (s *Service) mailData(r *Request, extra map[string]any) map[string]any {
	d := map[string]any{
		"Number": r.Number(), "KindKey": r.Kind.Key(), "StateKey": r.State.Key(),
		"TenantCode": r.Tenant.Code, "TenantName": r.Tenant.Name,
		"LevelKey": "", "FromLevelKey": "", "Reason": r.DecisionReason, "NewTenantCode": r.NewTenantCode,
		"EffectiveOn": r.EffectiveOn, "CommittedUntil": r.CommittedUntil, "HasEffective": !r.EffectiveOn.IsZero(),
		"HasCommitment": !r.CommittedUntil.IsZero(), "HolderName": r.HolderName,
		"Link": s.Notifier.Link("/contract/requests/" + strconv.FormatInt(r.ID, 10)),
	}
	if r.Level != "" {
		d["LevelKey"] = r.Level.Key()
	}
	if r.FromLevel != "" {
		d["FromLevelKey"] = r.FromLevel.Key()
	}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

// today is the Paris date of now, the day every contract rule counts in.
func today(now time.Time) calendar.Date { return calendar.ParisDate(now) }
