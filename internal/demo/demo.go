// Package demo loads the demonstration data: two customer organisations, their tenants and
// users, an agent, a sales rep and an administrator. Loading twice changes nothing.
package demo

import (
	"context"
	"errors"
	"fmt"
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
	if err := ensureMember(ctx, db, "OCB0000001", "John.Doe", tenancy.Rights{Incidents: true}); err != nil {
		return err
	}
	return ensureServices(ctx, db, now)
}

// ensureServices gives the demo tenants their bill references (REF2 and REF3 are the
// provider's) and subscriptions to cancel from the Subscriptions tab: five Workspace desktops on
// OCB0000001, four flexible reserved ECS instances on OCB0000002.
func ensureServices(ctx context.Context, db *bun.DB, now time.Time) error {
	for i, t := range tenants {
		_, err := db.NewUpdate().Table("tenants").Set("ref2 = ?", fmt.Sprintf("PJ%08d", 10399+i)).Set("ref3 = code").
			Where("code = ? AND ref2 = ''", t.code).Exec(ctx)
		if err != nil {
			return fmt.Errorf("demo: references of %s: %w", t.code, err)
		}
	}
	today := calendar.ParisDate(now)
	start := calendar.NewDate(today.Year, today.Month-3, 1)
	for _, s := range []struct {
		code, kind, region, template string
		instances, term              int
	}{
		{"OCB0000001", "workspace", "eu-west-0", "workspace-standard", 5, 12},
		{"OCB0000002", "ecs_flexible", "eu-west-0", "s3-xlarge-4", 4, 36},
	} {
		_, err := db.NewRaw(`INSERT INTO subscriptions (tenant_id, kind, region, template, instances, started_on, term_months, version, created_at, updated_at)
			SELECT t.id, ?, ?, ?, ?, ?, ?, 1, ?, ? FROM tenants AS t
			WHERE t.code = ? AND NOT EXISTS (SELECT 1 FROM subscriptions WHERE tenant_id = t.id)`,
			s.kind, s.region, s.template, s.instances, start.String(), s.term, now.UTC(), now.UTC(), s.code).Exec(ctx)
		if err != nil {
			return fmt.Errorf("demo: subscription of %s: %w", s.code, err)
		}
	}
	return nil
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
