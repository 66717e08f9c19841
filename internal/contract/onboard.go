package contract

import (
	"context"
	"strings"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// NewTenant is the onboarding form (admin page and `guichet tenant create`): an existing
// contract is brought in as it is, with its level, since when, and its commitment's end.
type NewTenant struct {
	Code           string
	Name           string
	ReferentLogin  string
	OwnerLogin     string
	SalesRepLogin  string
	Level          string
	EffectiveFrom  string // YYYY-MM-DD
	CommittedUntil string // YYYY-MM-DD; empty: six months from EffectiveFrom for a paid level
}

// Onboard creates a tenant, its referent's and domain owner's memberships (every right) and
// its first support-level period, in one transaction (admin only).
func Onboard(ctx context.Context, db *bun.DB, ten *tenancy.Service, actor tenancy.Actor, in NewTenant) (*tenancy.Tenant, error) {
	if actor.Kind != identity.Admin {
		return nil, apperr.ErrForbidden
	}
	var es i18n.Errors
	in.Code, in.Name = strings.ToUpper(strings.TrimSpace(in.Code)), strings.TrimSpace(in.Name)
	switch {
	case in.Code == "":
		es.Add(i18n.FieldError("code", "error.field.required"))
	case !tenancy.ValidTenantCode(in.Code):
		es.Add(i18n.FieldError("code", "error.tenant.code_format"))
	}
	switch {
	case in.Name == "":
		es.Add(i18n.FieldError("name", "error.field.required"))
	case len([]rune(in.Name)) > identity.MaxName:
		es.Add(i18n.FieldError("name", "error.field.too_long", "Max", identity.MaxName))
	}
	referent, err1 := ten.ResolveCustomer(ctx, &es, "referent", in.ReferentLogin)
	owner, err2 := ten.ResolveCustomer(ctx, &es, "owner", in.OwnerLogin)
	rep, err3 := ten.ResolveSalesRep(ctx, &es, in.SalesRepLogin)
	for _, err := range []error{err1, err2, err3} {
		if err != nil {
			return nil, err
		}
	}
	period := checkPeriod(&es, in)
	if err := es.Err(); err != nil {
		return nil, err
	}
	t := &tenancy.Tenant{Code: in.Code, Name: in.Name, Status: tenancy.TenantActive, ReferentID: referent.ID, OwnerID: owner.ID}
	if rep != nil {
		t.SalesRepID = &rep.ID
	}
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := tenancy.InsertTenant(ctx, tx, t); err != nil {
			return err
		}
		for _, u := range uniqueUsers(referent, owner) {
			m := &tenancy.Membership{TenantID: t.ID, UserID: u.ID, Rights: tenancy.AllRights}
			if err := tenancy.InsertMembership(ctx, tx, m); err != nil {
				return err
			}
		}
		if err := InsertPeriod(ctx, tx, t.ID, period); err != nil {
			return err
		}
		after := map[string]any{"code": t.Code, "name": t.Name, "referent": referent.Login, "owner": owner.Login,
			"level": string(period.Level), "from": period.EffectiveFrom.String()}
		if rep != nil {
			after["sales_rep"] = rep.Login
		}
		return audit.Write(ctx, tx, audit.Change{Action: audit.TenantOnboarded, ActorID: actor.UserID, TenantID: t.ID,
			Object: t.Code, After: after})
	})
	return t, err
}

func uniqueUsers(a, b *identity.User) []*identity.User {
	if a.ID == b.ID {
		return []*identity.User{a}
	}
	return []*identity.User{a, b}
}

func checkPeriod(es *i18n.Errors, in NewTenant) Period {
	level, ok := ParseLevel(in.Level)
	if !ok {
		es.Add(i18n.FieldError("level", "contract.error.unknown_level"))
	}
	from, err := calendar.ParseDate(strings.TrimSpace(in.EffectiveFrom))
	if err != nil {
		es.Add(i18n.FieldError("effective_from", "error.field.date"))
		return Period{}
	}
	p := NewPeriod(level, from)
	until := strings.TrimSpace(in.CommittedUntil)
	if until == "" || !ok {
		return p
	}
	if !level.IsPaid() {
		es.Add(i18n.FieldError("committed_until", "error.tenant.basic_no_commitment"))
		return p
	}
	d, err := calendar.ParseDate(until)
	switch {
	case err != nil:
		es.Add(i18n.FieldError("committed_until", "error.field.date"))
	case d.Before(from):
		es.Add(i18n.FieldError("committed_until", "error.tenant.commitment_before_start"))
	default:
		p.CommittedUntil = d
	}
	return p
}
