// Package demo loads the demonstration data: two customer organisations, their tenants and
// users, an agent, a sales rep and an administrator. Loading twice changes nothing.
package demo

import (
	"context"
	"errors"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// Password is every demo user's password.
const Password = "guichet-demo"

// User is one demo account, as README.md lists it.
type User struct {
	Login, Name, Email, Lang string
	Kind                     identity.Kind
	Role                     string
}

// Users are the demo accounts, in the order they are printed.
var Users = []User{
	{"Marie.Dupont", "Marie Dupont", "marie.dupont@example.fr", "fr", identity.Customer, "referent and domain owner of OCB0000001–3"},
	{"John.Doe", "John Doe", "john.doe@example.com", "en", identity.Customer, "OCB0000001, incidents right only"},
	{"Paul.Martin", "Paul Martin", "paul.martin@example.fr", "fr", identity.Customer, "referent of OCB0000004"},
	{"Alice.Agent", "Alice Agent", "alice.agent@example.com", "en", identity.Agent, "support agent"},
	{"Sophie.Commerciale", "Sophie Commerciale", "sophie.commerciale@example.fr", "fr", identity.Sales, "sales rep of the four tenants"},
	{"admin", "Admin Guichet", "admin@example.com", "en", identity.Admin, "administrator"},
}

type tenant struct {
	code, name, referent string
	level                contract.Level
	monthsAgo            int // the level took effect on the first day of the month this many months ago
}

// Each of organisation A's tenants has a commitment ending at a different date: Premium in four
// months, Business next month, Standard two months ago (so it may be downgraded).
var tenants = []tenant{
	{"OCB0000001", "Dupont Industrie — Production", "Marie.Dupont", contract.Premium, 2},
	{"OCB0000002", "Dupont Industrie — Préproduction", "Marie.Dupont", contract.Business, 5},
	{"OCB0000003", "Dupont Industrie — Développement", "Marie.Dupont", contract.Standard, 8},
	{"OCB0000004", "Martin Conseil", "Paul.Martin", contract.Basic, 3},
}

// Load creates whatever demo data is missing.
//
// Processes loading the demo at the same time (several `serve --demo` starting together on an
// empty database) each find some rows missing and create them: the one that comes second to a
// row fails on it, and loads again, which finds the row there.
func Load(ctx context.Context, db *bun.DB, ids *identity.Service, ten *tenancy.Service, now time.Time) error {
	var err error
	for attempt := range 5 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
			}
		}
		if err = load(ctx, db, ids, ten, now); err == nil {
			return nil
		}
	}
	return err
}

func load(ctx context.Context, db *bun.DB, ids *identity.Service, ten *tenancy.Service, now time.Time) error {
	for _, u := range Users {
		if err := ensureUser(ctx, db, ids, u); err != nil {
			return err
		}
	}
	today := calendar.ParisDate(now)
	for _, t := range tenants {
		if err := ensureTenant(ctx, db, ten, t, today); err != nil {
			return err
		}
	}
	return ensureMember(ctx, db, "OCB0000001", "John.Doe", tenancy.Rights{Incidents: true})
}

func ensureUser(ctx context.Context, db *bun.DB, ids *identity.Service, u User) error {
	_, err := identity.UserByLogin(ctx, db, u.Login)
	if !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	_, err = ids.CreateUser(ctx, identity.System, identity.UserInput{Login: u.Login, Email: u.Email,
		DisplayName: u.Name, Lang: u.Lang, Kind: u.Kind, Active: true, Password: Password})
	return err
}

func ensureTenant(ctx context.Context, db *bun.DB, ten *tenancy.Service, t tenant, today calendar.Date) error {
	_, err := tenancy.TenantByCode(ctx, db, t.code)
	if !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	from := calendar.NewDate(today.Year, today.Month-time.Month(t.monthsAgo), 1)
	_, err = contract.Onboard(ctx, db, ten, tenancy.System, contract.NewTenant{
		Code: t.code, Name: t.name, ReferentLogin: t.referent, OwnerLogin: t.referent,
		SalesRepLogin: "Sophie.Commerciale", Level: string(t.level), EffectiveFrom: from.String(),
	})
	return err
}

func ensureMember(ctx context.Context, db *bun.DB, code, login string, r tenancy.Rights) error {
	t, err := tenancy.TenantByCode(ctx, db, code)
	if err != nil {
		return err
	}
	u, err := identity.UserByLogin(ctx, db, login)
	if err != nil {
		return err
	}
	if _, err := tenancy.MembershipOf(ctx, db, t.ID, u.ID); !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	return tenancy.InsertMembership(ctx, db, &tenancy.Membership{TenantID: t.ID, UserID: u.ID, Rights: r})
}
