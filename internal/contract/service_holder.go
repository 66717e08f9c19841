package contract

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// changeHolder makes the person named in an accepted referent or domain-owner change the
// holder of that role, leaving the other role as it is. The person is the customer user with
// that email address, or a new user created with a login made from the address and sent the
// welcome mail (through the account hooks, in this transaction). The holder becomes a member
// with every right.
func (s *Service) changeHolder(ctx context.Context, tx bun.Tx, actor tenancy.Actor, r *Request, event eventFunc) ([]*timeline.Entry, error) {
	t := r.Tenant
	if err := tenancy.LockRoles(ctx, tx, t.ID); err != nil {
		return nil, err
	}
	u, err := s.holderUser(ctx, tx, actor, r)
	if err != nil {
		return nil, err
	}
	role, key, old := &t.ReferentID, "contract.event.referent_changed", t.Referent
	column := "referent_id"
	if r.Kind == OwnerChange {
		role, key, old, column = &t.OwnerID, "contract.event.owner_changed", t.Owner, "owner_id"
	}
	if *role == u.ID {
		return nil, i18n.FieldError("holder_email", "contract.error.same_holder", "Name", u.DisplayName)
	}
	m, err := tenancy.MembershipOf(ctx, tx, t.ID, u.ID)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		err = tenancy.InsertMembership(ctx, tx, &tenancy.Membership{TenantID: t.ID, UserID: u.ID, Rights: tenancy.AllRights})
	case err == nil:
		m.Rights = tenancy.AllRights
		err = tenancy.UpdateRights(ctx, tx, m)
	}
	if err != nil {
		return nil, err
	}
	*role = u.ID
	// The tenant's people stay loaded as they now are: the decision's mail goes to the new holder.
	if r.Kind == OwnerChange {
		t.Owner = u
	} else {
		t.Referent = u
	}
	if err := tenancy.UpdateTenant(ctx, tx, t, column); err != nil {
		return nil, err
	}
	oldName := ""
	if old != nil {
		oldName = old.DisplayName
	}
	return []*timeline.Entry{event(key, timeline.Text, oldName, u.DisplayName)}, nil
}

// holderUser finds the customer user with the request's email address, or creates one.
func (s *Service) holderUser(ctx context.Context, tx bun.Tx, actor tenancy.Actor, r *Request) (*identity.User, error) {
	u, err := identity.UserByEmail(ctx, tx, r.HolderEmail)
	switch {
	case err == nil && u.Kind != identity.Customer:
		return nil, i18n.FieldError("holder_email", "contract.error.holder_not_customer")
	case err == nil && !u.Active:
		return nil, i18n.FieldError("holder_email", "contract.error.holder_inactive")
	case err == nil:
		return u, nil
	case !errors.Is(err, apperr.ErrNotFound):
		return nil, err
	}
	login, err := freeLogin(ctx, tx, r.HolderEmail)
	if err != nil {
		return nil, err
	}
	lang := r.HolderLang
	if !identity.ValidLang(lang) {
		lang = s.Audience.DefaultLang
	}
	u = &identity.User{Login: login, Email: r.HolderEmail, DisplayName: r.HolderName, Lang: lang,
		Kind: identity.Customer, Active: true}
	if err := identity.InsertUser(ctx, tx, u); err != nil {
		return nil, err
	}
	return u, s.Identity.Hooks.UserCreated(ctx, tx, actor.Actor, u)
}

var notLogin = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// freeLogin makes a login from an email address's local part ("jean.martin"), adding a number
// when it is taken ("jean.martin2").
func freeLogin(ctx context.Context, idb bun.IDB, email string) (string, error) {
	base := notLogin.ReplaceAllString(email[:max(strings.LastIndex(email, "@"), 0)], "")
	base = strings.TrimLeft(base, "._-")
	if base == "" {
		base = "user"
	}
	base = base[:min(len(base), identity.MaxLogin-4)]
	for i := 1; ; i++ {
		login := base
		if i > 1 {
			login += strconv.Itoa(i)
		}
		_, err := identity.UserByLogin(ctx, idb, login)
		if errors.Is(err, apperr.ErrNotFound) {
			return login, nil
		}
		if err != nil {
			return "", err
		}
	}
}
