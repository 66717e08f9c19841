package change

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/once"
	"github.com/guichet/guichet/internal/subscription"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// MayOrder is the rule of who orders a service item: the referent only, the domain owner only,
// or anyone holding the services right on the tenant (the referent and the domain owner hold
// it). A customer who may not gets a localized reason; a member without the services right
// gets apperr.ErrForbidden.
func MayOrder(it *Item, a *tenancy.Access) error {
	switch it.OrderBy {
	case OrderByReferent:
		if !a.Referent {
			return i18n.NewError("service.error.referent_only")
		}
	case OrderByOwner:
		if !a.Owner {
			return i18n.NewError("service.error.owner_only")
		}
	}
	if !a.Rights.Services {
		return apperr.ErrForbidden
	}
	return nil
}

// Offer is one item of the service catalogue as a customer sees it on a tenant: whether they
// may order it, and why not.
type Offer struct {
	Item *Item
	// Refusal is the message key of why the customer may not order it; "" when they may.
	Refusal string
}

// ServiceCategory is a category of the service catalogue with its offers.
type ServiceCategory struct {
	Category *Category
	Offers   []Offer
}

// Browse returns the service catalogue to a customer with the services right on tenant, each
// item with whether they may order it.
func (s *Service) BrowseServices(ctx context.Context, actor tenancy.Actor, tenantID int64) ([]ServiceCategory, error) {
	a, err := customerAccessFor(ctx, s.DB, actor, tenantID, tenancy.RightServices)
	if err != nil {
		return nil, err
	}
	if s.Services == nil {
		return nil, nil
	}
	var out []ServiceCategory
	for _, col := range s.Services.Collections {
		for _, cat := range col.Categories {
			sc := ServiceCategory{Category: cat}
			for _, it := range cat.Offered() {
				o := Offer{Item: it}
				if e, ok := MayOrder(it, a).(*i18n.Error); ok {
					o.Refusal = e.Key
				}
				sc.Offers = append(sc.Offers, o)
			}
			if len(sc.Offers) > 0 {
				out = append(out, sc)
			}
		}
	}
	return out, nil
}

// ServiceItem returns a service item the customer may order on tenant; an unknown or retired
// code is not found, an item they may not order is refused with its reason.
func (s *Service) ServiceItem(ctx context.Context, actor tenancy.Actor, tenantID int64, code string) (*tenancy.Access, *Item, error) {
	a, err := customerAccessFor(ctx, s.DB, actor, tenantID, tenancy.RightServices)
	if err != nil {
		return nil, nil, err
	}
	if s.Services == nil {
		return nil, nil, apperr.ErrNotFound
	}
	it, ok := s.Services.Orderable(code)
	if !ok {
		return nil, nil, apperr.ErrNotFound
	}
	if err := MayOrder(it, a); err != nil {
		return a, it, err
	}
	return a, it, nil
}

// Order records a service order for item code on tenant with the form's values, checked on the
// server with what the tenant already has (an Alliance region already granted, FAB already
// active). An item applied at once is implemented in the same transaction, its effect with it;
// an item on quote waits for the sales rep's quote; any other is approved for the agents. The
// same form sent twice (its one-time token) records one order. An order applied at once ends
// closed: nothing is left for the agents.
func (s *Service) Order(ctx context.Context, actor tenancy.Actor, tenantID int64, code string, form map[string]string, token string) (*Request, error) {
	a, it, err := s.ServiceItem(ctx, actor, tenantID, code)
	if err != nil {
		return nil, err
	}
	now := s.now()
	vs, errs := it.Validate(form, today(now))
	if errs != nil {
		return nil, errs
	}
	r := &Request{TenantID: tenantID, RequesterID: actor.UserID, ItemCode: it.Code, Catalogue: CatalogueServices, State: Submitted,
		Version: 1, CreatedAt: now, UpdatedAt: now, TenantCode: a.Tenant.Code, TenantName: a.Tenant.Name, RequesterName: actor.Name}
	if err := r.setSnapshot(it.Snapshot(vs)); err != nil {
		return nil, err
	}
	if !it.Quoted() {
		r.State, r.ApprovedAt = Approved, &now
	}
	var first int64
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// The orders of one item on one tenant take turns: on PostgreSQL two transactions would
		// otherwise each find no order of the region and both record one.
		if err := db.Serialize(ctx, tx, fmt.Sprintf("service-order:%d:%s", tenantID, it.Code)); err != nil {
			return err
		}
		id, sent, err := once.Find(ctx, tx, actor.UserID, token, SubjectKind)
		if err != nil || sent {
			first = id
			return err
		}
		// Checked under the transaction, after the token: the same form sent twice answers the
		// first order, and two orders of one region never both pass.
		if err := s.checkEffect(ctx, tx, a.Tenant, it, vs); err != nil {
			return err
		}
		if err := Insert(ctx, tx, r); err != nil {
			return err
		}
		if err := once.Record(ctx, tx, actor.UserID, token, SubjectKind, r.ID, now); err != nil {
			return err
		}
		es := []*timeline.Entry{timeline.NewEvent(r.Subject(), actor, now, EventSubmitted, timeline.Text, "", "")}
		if !it.Quoted() {
			es = append(es, timeline.NewEvent(r.Subject(), tenancy.Actor{}, now, EventPreApproved, timeline.Key, Submitted.Key(), Approved.Key()))
		}
		if it.Immediate {
			// Nothing is left for the agents: the order is implemented and closed at once.
			r.State, r.ImplementedAt = Closed, &now
			e, err := s.effect(ctx, tx, r, actor, now)
			if err != nil {
				return err
			}
			if err := Update(ctx, tx, r, "state", "implemented_at", "applied_value"); err != nil {
				return err
			}
			es = append(es, timeline.NewEvent(r.Subject(), tenancy.Actor{}, now, EventState, timeline.Key, Approved.Key(), Implemented.Key()), e,
				timeline.NewEvent(r.Subject(), tenancy.Actor{}, now, EventState, timeline.Key, Implemented.Key(), Closed.Key()))
		}
		for _, e := range es {
			if err := timeline.Record(ctx, tx, e); err != nil {
				return err
			}
		}
		if err := events.Emit(ctx, tx, s.Events, events.Event{Type: events.ChangeSubmitted, TenantID: tenantID, Subject: r, Actor: actor}); err != nil {
			return err
		}
		return s.notifyOrdered(ctx, tx, actor, a.Tenant, r, it)
	})
	if id, twin := once.Repeated(ctx, s.DB, err, actor.UserID, token, SubjectKind); twin {
		first, err = id, nil
	}
	if err != nil {
		return nil, err
	}
	if first != 0 {
		first, _, _, err := s.Get(ctx, actor, first)
		return first, err
	}
	return r, nil
}

// notifyOrdered confirms the order to the requester and tells the referent: done at once, or
// on its way; the sales rep is asked for a quote.
func (s *Service) notifyOrdered(ctx context.Context, tx bun.IDB, actor tenancy.Actor, t *tenancy.Tenant, r *Request, it *Item) error {
	data := s.mailData(r)
	if it.Immediate {
		data["Value"] = r.AppliedValue
		return s.notifyOn(ctx, tx, actor, t, r, "change_implemented", data, true, audience.Requester, audience.Referent)
	}
	data["PreApproved"] = !it.Quoted()
	if err := s.notifyOn(ctx, tx, actor, t, r, "change_submitted", data, true, audience.Requester, audience.Referent); err != nil {
		return err
	}
	if !it.Quoted() {
		return nil
	}
	staff := s.mailData(r)
	staff["Link"] = s.Notifier.Link("/staff/changes/" + strconv.FormatInt(r.ID, 10))
	return s.notifyOn(ctx, tx, actor, t, r, "service_quote_needed", staff, false, audience.SalesRep)
}

// checkEffect refuses an order whose effect the tenant already has: an Alliance region already
// granted (or ordered and not yet granted), File and Applicative Backup already active. The
// order in progress is looked for first: an agent implementing it at the same moment commits
// its new state and its effect together, so one of the two reads sees it.
func (s *Service) checkEffect(ctx context.Context, idb bun.IDB, t *tenancy.Tenant, it *Item, vs Values) error {
	switch it.Effect {
	case EffectAlliance:
		region := vs.Text(FieldRegion)
		if pending, err := s.pendingOrder(ctx, idb, t.ID, it.Code, func(r *Request) bool { return r.Snapshot().Values.Text(FieldRegion) == region }); err != nil {
			return err
		} else if pending {
			return i18n.Errors{i18n.FieldError(FieldRegion, "service.error.alliance_pending")}
		}
		n, err := idb.NewSelect().Table("tenant_alliance_regions").Where("tenant_id = ? AND region = ?", t.ID, region).Count(ctx)
		if err != nil {
			return fmt.Errorf("change: alliance regions of tenant %d: %w", t.ID, err)
		}
		if n > 0 {
			return i18n.Errors{i18n.FieldError(FieldRegion, "service.error.alliance_granted")}
		}
	case EffectFAB:
		if pending, err := s.pendingOrder(ctx, idb, t.ID, it.Code, nil); err != nil {
			return err
		} else if pending {
			return i18n.Errors{i18n.NewError("service.error.fab_pending")}
		}
		cur, err := tenancy.TenantByID(ctx, idb, t.ID)
		if err != nil {
			return err
		}
		if cur.FABActivatedAt != nil {
			return i18n.Errors{i18n.NewError("service.error.fab_active")}
		}
	}
	return nil
}

// pendingOrder reports whether the tenant has an order of item code still in progress that
// match accepts (any, when nil).
func (s *Service) pendingOrder(ctx context.Context, idb bun.IDB, tenantID int64, code string, match func(*Request) bool) (bool, error) {
	var rs []Request
	err := idb.NewSelect().Model(&rs).Where("tenant_id = ? AND catalogue = ? AND item_code = ? AND state IN (?)",
		tenantID, CatalogueServices, code, bun.In(OpenStates)).Scan(ctx)
	if err != nil {
		return false, fmt.Errorf("change: open orders of %s on tenant %d: %w", code, tenantID, err)
	}
	for i := range rs {
		if match == nil || match(&rs[i]) {
			return true, nil
		}
	}
	return false, nil
}

// effect applies what an implemented service order does, once: it runs in the transaction that
// moves the order to implemented, which only one writer of its version can. It returns the
// timeline event that says what was applied.
func (s *Service) effect(ctx context.Context, tx bun.IDB, r *Request, actor tenancy.Actor, now time.Time) (*timeline.Entry, error) {
	snap := r.Snapshot()
	it, vs := &snap.Item, snap.Values
	say := func(what string) *timeline.Entry {
		return timeline.NewEvent(r.Subject(), tenancy.Actor{}, now, EventEffect, timeline.Key, "", what)
	}
	switch it.Effect {
	case EffectRef1:
		ref := vs.Text(FieldRef1)
		if err := setTenant(ctx, tx, r.TenantID, now, "ref1 = ?", ref); err != nil {
			return nil, err
		}
		r.AppliedValue = ref
		return say("service.effect.ref1"), nil
	case EffectContractName:
		name := vs.Text(FieldName)
		if err := setTenant(ctx, tx, r.TenantID, now, "name = ?", name); err != nil {
			return nil, err
		}
		r.AppliedValue = name
		return say("service.effect.contract_name"), nil
	case EffectAlliance:
		region := vs.Text(FieldRegion)
		_, err := tx.NewRaw("INSERT INTO tenant_alliance_regions (tenant_id, region, order_id, granted_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			r.TenantID, region, r.ID, now).Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("change: grant %s to tenant %d: %w", region, r.TenantID, err)
		}
		return say("service.effect.alliance"), nil
	case EffectFAB:
		if _, err := tx.NewUpdate().Table("tenants").Set("fab_activated_at = ?", now).Set("updated_at = ?", now).
			Where("id = ? AND fab_activated_at IS NULL", r.TenantID).Exec(ctx); err != nil {
			return nil, fmt.Errorf("change: activate FAB on tenant %d: %w", r.TenantID, err)
		}
		return say("service.effect.fab"), nil
	case EffectSubscription:
		n, _ := vs.Int(FieldInstances)
		term, _ := strconv.Atoi(vs.Text(FieldTerm))
		kind := subscription.Workspace
		switch vs.Text(FieldReservation) {
		case "standard":
			kind = subscription.ECSStandard
		case "flexible":
			kind = subscription.ECSFlexible
		}
		id := r.ID
		sub := &subscription.Subscription{TenantID: r.TenantID, OrderID: &id, Kind: kind, Region: vs.Text(FieldRegion),
			Template: vs.Text(FieldTemplate), Instances: int(n), StartedOn: calendar.ParisDate(now), TermMonths: term,
			CreatedAt: now, UpdatedAt: now}
		if err := subscription.Insert(ctx, tx, sub); err != nil {
			return nil, err
		}
		return say("service.effect.subscription"), nil
	}
	return say("service.effect.none"), nil
}

func setTenant(ctx context.Context, tx bun.IDB, tenantID int64, now time.Time, set string, arg any) error {
	_, err := tx.NewUpdate().Table("tenants").Set(set, arg).Set("updated_at = ?", now).Where("id = ?", tenantID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("change: update tenant %d: %w", tenantID, err)
	}
	return nil
}

// quoteValues reads a quote: the amount in euros (above 0, at most 10 million) and the last day
// it may be accepted (today or later); each failure beside its field.
func quoteValues(in StepInput, today calendar.Date) (int64, calendar.Date, error) {
	var errs i18n.Errors
	cents, err := ParseAmount(in.Amount)
	if err != nil {
		errs = append(errs, err)
	}
	f := &Field{Code: "valid_until", Type: TypeDate, Required: true}
	v, _, derr := f.parse(in.ValidUntil, today)
	if derr != nil {
		errs = append(errs, derr)
	}
	if errs != nil {
		return 0, calendar.Date{}, errs
	}
	return cents, v.Date, nil
}

// MaxQuoteCents is the largest quote: ten million euros.
const MaxQuoteCents = 10_000_000_00

// ParseAmount reads an amount in euros as a person writes it, in French or English: 1234.5,
// 1 234,50, 1,234.50, 1234 €. It answers cents, or a localized message beside the field amount.
func ParseAmount(s string) (int64, *i18n.Error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "€"))
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "").Replace(s)
	if s == "" {
		return 0, i18n.FieldError("amount", "change.error.amount_required")
	}
	bad := i18n.FieldError("amount", "change.error.amount_invalid")
	// The last '.' or ',' followed by one or two digits is the decimal mark; others group thousands.
	whole, frac, mark := s, "", byte(0)
	if i := strings.LastIndexAny(s, ".,"); i >= 0 && len(s)-i-1 <= 2 && len(s)-i-1 >= 1 {
		whole, frac, mark = s[:i], s[i+1:], s[i]
	}
	whole, ok := thousands(whole, mark)
	if !ok || strings.Trim(frac, "0123456789") != "" {
		return 0, bad
	}
	if whole = strings.TrimLeft(whole, "0"); len(whole) > 9 {
		return 0, i18n.FieldError("amount", "change.error.amount_max")
	}
	w, _ := strconv.ParseInt("0"+whole, 10, 64)
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	cents := w*100 + f
	switch {
	case cents <= 0:
		return 0, i18n.FieldError("amount", "change.error.amount_positive")
	case cents > MaxQuoteCents:
		return 0, i18n.FieldError("amount", "change.error.amount_max")
	}
	return cents, nil
}

// thousands reads the whole part of an amount: digits, maybe grouped by thousands with one mark,
// '.' or ',', that is not the decimal mark (1.234.567 or 1,234,567: the first group of one to
// three digits, the others of three). It answers the digits alone, or false for anything else
// (1,2,3 or a date 1.5.2026 is no amount).
func thousands(whole string, decimal byte) (string, bool) {
	digits := func(g string) bool { return g != "" && strings.Trim(g, "0123456789") == "" }
	i := strings.IndexAny(whole, ".,")
	if i < 0 {
		return whole, digits(whole)
	}
	sep, other := whole[i], ","
	if sep == ',' {
		other = "."
	}
	if sep == decimal || strings.Contains(whole, other) {
		return "", false
	}
	groups := strings.Split(whole, string(sep))
	for j, g := range groups {
		if !digits(g) || j == 0 && len(g) > 3 || j > 0 && len(g) != 3 {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

// FormatCents writes cents as euros with two decimals and a point: 1234.50.
func FormatCents(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }
