package contract

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// FormPage is what a request form shows before anything is typed: whether the actor may file
// it and, if not, why; the pending request of the same kind; the levels and why some are not
// offered (support level); what refuses the form whatever is typed (a cancelled tenant, fewer
// than three tenants for a multi-tenant bill).
type FormPage struct {
	Kind     Kind
	Access   *tenancy.Access
	Overview *Overview
	Why      *i18n.Error // nil when the actor may file this form
	Pending  *Request
	Choices  []Choice
	// NoChoice is why no level at all can be asked for (support level), nil when one can.
	NoChoice *i18n.Error
	Refusal  *i18n.Error
	// Tenants are the customer's tenants, which a multi-tenant bill groups.
	Tenants []tenancy.Tenant
}

// Form returns the form of kind for tenant, for a member with the `contract` right.
func (s *Service) Form(ctx context.Context, actor tenancy.Actor, tenantID int64, kind Kind) (*FormPage, error) {
	a, err := contractAccess(ctx, s.DB, actor, tenantID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	fp := &FormPage{Kind: kind, Access: a, Why: WhyNot(a, kind)}
	if fp.Overview, err = TenantOverview(ctx, s.DB, a.Tenant, now); err != nil {
		return nil, err
	}
	if fp.Pending, err = PendingRequest(ctx, s.DB, tenantID, kind); err != nil {
		return nil, err
	}
	var es i18n.Errors
	if err := s.precheck(ctx, s.DB, actor, a, &Form{Kind: kind}, &es, now); err != nil {
		return nil, err
	}
	for _, e := range es {
		if e.Field != "level" && fp.Refusal == nil {
			fp.Refusal = e
		}
	}
	if kind == SupportLevel {
		fp.Choices = Choices(fp.Overview.history, fp.Pending != nil, fp.Overview.Today)
		fp.NoChoice = WhyNoLevel(fp.Choices, fp.Overview.history, fp.Pending != nil, fp.Overview.Today)
	}
	if kind == MultiTenantBill {
		fp.Tenants, err = tenancy.TenantsOf(ctx, s.DB, actor.UserID)
	}
	return fp, err
}

// File records a customer's request: a support-level change (referent or domain owner only; the
// rules are checked on the history) or a sales form. Bad input answers field errors and writes
// nothing; the request, its first timeline event and the mail to the sales rep and the referent
// are written together.
func (s *Service) File(ctx context.Context, actor tenancy.Actor, tenantID int64, in Form) (*Request, error) {
	a, err := contractAccess(ctx, s.DB, actor, tenantID)
	if err != nil {
		return nil, err
	}
	if _, ok := ParseKind(string(in.Kind)); !ok {
		return nil, apperr.ErrNotFound
	}
	if WhyNot(a, in.Kind) != nil {
		return nil, apperr.ErrForbidden
	}
	es := checkForm(&in)
	now := s.now()
	var r *Request
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := s.precheck(ctx, tx, actor, a, &in, &es, now); err != nil {
			return err
		}
		if err := es.Err(); err != nil {
			return err
		}
		r = newRequest(a, actor, in)
		if in.Kind == SupportLevel {
			from, err := currentLevel(ctx, tx, tenantID, now)
			if err != nil {
				return err
			}
			r.FromLevel = from
		}
		if err := InsertRequest(ctx, tx, r, now); err != nil {
			return err
		}
		r.Tenant = a.Tenant
		ev := timeline.NewEvent(r.Subject(), actor, now, "contract.event.filed", timeline.Key, "", r.Kind.Key())
		ev.Body = r.Details
		if err := timeline.Record(ctx, tx, ev); err != nil {
			return err
		}
		if err := events.Emit(ctx, tx, s.Events, events.Event{Type: events.ContractRequestFiled, TenantID: r.TenantID, Subject: r, Actor: actor}); err != nil {
			return err
		}
		return s.notice(ctx, tx, r, actor, "request_filed", true, map[string]any{"By": actor.Name},
			audience.SalesRep, audience.Referent)
	})
	return r, err
}

func newRequest(a *tenancy.Access, actor tenancy.Actor, in Form) *Request {
	r := &Request{TenantID: a.Tenant.ID, Kind: in.Kind, RequesterID: actor.UserID, Details: in.Details}
	switch in.Kind {
	case SupportLevel:
		r.Level = Level(in.Level)
	case ReferentChange, OwnerChange:
		r.HolderName, r.HolderEmail, r.HolderLang = in.HolderName, in.HolderEmail, in.HolderLang
	case TenantOrder:
		r.ContractName, r.Level = in.ContractName, Level(in.Level)
	}
	return r
}

// currentLevel is the tenant's level in force at now, which a support-level request records as
// the level it starts from. A database failure is returned, not taken for "no level".
func currentLevel(ctx context.Context, idb bun.IDB, tenantID int64, now time.Time) (Level, error) {
	ls, err := CurrentLevels(ctx, idb, []int64{tenantID}, today(now))
	if err != nil {
		return "", fmt.Errorf("contract: file a support-level request for tenant %d: %w", tenantID, err)
	}
	return ls[tenantID], nil
}

// precheck applies the rules that depend on the tenant's state: the support-level rules on its
// history, one pending request of a kind at a time, no cancellation of a tenant not active,
// three tenants for a multi-tenant bill. Failures are added to es; err is a database failure.
func (s *Service) precheck(ctx context.Context, idb bun.IDB, actor tenancy.Actor, a *tenancy.Access, in *Form,
	es *i18n.Errors, now time.Time) error {
	if a.Tenant.Status == tenancy.TenantCancelled && in.Kind != Cancellation {
		es.Add(i18n.FieldError("", "contract.error.tenant_cancelled"))
		return nil
	}
	pending, err := PendingRequest(ctx, idb, a.Tenant.ID, in.Kind)
	if err != nil {
		return err
	}
	switch in.Kind {
	case SupportLevel:
		history, err := History(ctx, idb, a.Tenant.ID)
		if err != nil {
			return err
		}
		if !Level(in.Level).Valid() {
			// No level or an unknown one, which checkForm refuses: where none could be asked
			// for anyway, the reason is why none can (a pending request among them).
			day := today(now)
			if why := WhyNoLevel(Choices(history, pending != nil, day), history, pending != nil, day); why != nil {
				setField(es, &i18n.Error{Field: "level", Key: why.Key, Args: why.Args})
			}
			return nil
		}
		var refused *i18n.Error
		if e := Check(history, Level(in.Level), pending != nil, today(now)); errors.As(e, &refused) {
			es.Add(refused)
		} else if e != nil {
			return e
		}
		return nil
	case Cancellation:
		if e := CheckCancellation(a.Tenant.Status); e != nil {
			es.Add(e)
			return nil
		}
	case MultiTenantBill:
		ts, err := tenancy.TenantsOf(ctx, idb, actor.UserID)
		if err != nil {
			return err
		}
		if e := CheckMultiTenantBill(len(ts)); e != nil {
			es.Add(e)
			return nil
		}
	case ReferentChange, OwnerChange:
		holder := a.Tenant.Referent
		if in.Kind == OwnerChange {
			holder = a.Tenant.Owner
		}
		if holder != nil && in.HolderEmail != "" && strings.EqualFold(holder.Email, in.HolderEmail) {
			es.Add(i18n.FieldError("holder_email", "contract.error.same_holder", "Name", holder.DisplayName))
		}
	}
	if pending != nil {
		es.Add(pendingError(in.Kind))
	}
	return nil
}

// setField puts e in es in place of the failure of its field, or adds it.
func setField(es *i18n.Errors, e *i18n.Error) {
	for i, x := range *es {
		if x.Field == e.Field {
			(*es)[i] = e
			return
		}
	}
	es.Add(e)
}
