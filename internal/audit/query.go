package audit

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/uptrace/bun"
)

// Actions lists every action the log records, in the order the filter offers them.
var Actions = []string{
	MembershipRights, MembershipRemoved, MembershipWithdrawn, MembershipJoined, BackupConsole,
	RoleReferent, RoleOwner,
	InvitationSent, InvitationCancelled, InvitationDeclined,
	UserCreated, UserUpdated, UserActivated, UserLockoutReset,
	TwoFactorEnabled, TwoFactorDisabled, TwoFactorReset, RecoveryCodes,
	TokenCreated, TokenRevoked,
	TenantOnboarded, TenantUpdated, TenantState,
	ConfigLoaded, Exported, AuditExported, GDPRExported, GDPRErased, BackupTaken, AttachmentsPurged,
}

// ActionGroup is a family of actions sharing the prefix before their first dot (membership.*,
// 2fa.*…): Name is the prefix, which the filter takes for every action of the family. The
// actions alone in their family are gathered in one last group whose Name is "" (no filter
// value of its own).
type ActionGroup struct {
	Name    string
	Actions []string
}

// ActionGroups groups Actions by family, in their order: the filter's select.
func ActionGroups() []ActionGroup {
	var gs []ActionGroup
	var lone []string
	for _, prefix := range families() {
		acts := familyOf(prefix)
		if len(acts) > 1 {
			gs = append(gs, ActionGroup{Name: prefix, Actions: acts})
		} else {
			lone = append(lone, acts...)
		}
	}
	if len(lone) > 0 {
		gs = append(gs, ActionGroup{Actions: lone})
	}
	return gs
}

// families are the prefixes of Actions, in their order.
func families() []string {
	var out []string
	for _, a := range Actions {
		if p := family(a); !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func family(action string) string {
	p, _, _ := strings.Cut(action, ".")
	return p
}

func familyOf(prefix string) []string {
	var out []string
	for _, a := range Actions {
		if family(a) == prefix {
			out = append(out, a)
		}
	}
	return out
}

// actionsFor is what the filter value v selects: one action, or every action of a family of
// several; nil for anything else.
func actionsFor(v string) []string {
	if slices.Contains(Actions, v) {
		return []string{v}
	}
	if acts := familyOf(v); len(acts) > 1 {
		return acts
	}
	return nil
}

// Filter selects entries of the log; a zero field selects everything.
type Filter struct {
	// From and To are days in Paris, both included.
	From, To calendar.Date
	// Action is one of Actions, or the family of several (see ActionGroups).
	Action string
	// Actor is the id of the user who acted (digits), or text their login or name contains, or
	// the program's label (a job's name).
	Actor string
	// Subject is the id of the person the change concerns (digits), or text their login or
	// name contains.
	Subject string
	// TenantID keeps the entries about one tenant; TenantCode about the tenant of that code.
	TenantID   int64
	TenantCode string
	// Before is the cursor of the pages: entries older than the entry of that id (0: the newest).
	Before int64
	// MaskStaffIP blanks the address of the entries staff made: a tenant's referent reads the
	// addresses of their own people, not those of the provider's staff.
	MaskStaffIP bool
}

// Empty says whether f selects the whole log (its page then says the log is empty, not that
// nothing matches).
func (f Filter) Empty() bool {
	return f.From.IsZero() && f.To.IsZero() && f.Action == "" && f.Actor == "" && f.Subject == "" &&
		f.TenantID == 0 && f.TenantCode == ""
}

// Facts are the filter's criteria as the export's entry records them (AuditExported).
func (f Filter) Facts() map[string]any {
	m := map[string]any{}
	if !f.From.IsZero() {
		m["from"] = f.From.String()
	}
	if !f.To.IsZero() {
		m["to"] = f.To.String()
	}
	for k, v := range map[string]string{"action": f.Action, "actor": f.Actor, "subject": f.Subject, "tenant": f.TenantCode} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// Query is a filter as typed in a form or a link, before ParseFilter reads it.
type Query struct {
	From, To, Action, Actor, Subject, Tenant, Before string
}

// MaxText bounds the text criteria (a person, a tenant code).
const MaxText = 100

// ParseFilter reads q, each refusal beside its field ("from", "to", "action", "actor",
// "subject", "tenant"; a cursor that is not one, for the page): days as YYYY-MM-DD, a period
// that ends before it starts, an action the log does not know, text too long.
func ParseFilter(q Query) (Filter, error) {
	var f Filter
	var errs i18n.Errors
	day := func(field, s string) calendar.Date {
		if s == "" {
			return calendar.Date{}
		}
		d, err := calendar.ParseDate(s)
		if err != nil || d.Year < 1900 || d.Year > 9998 {
			errs.Add(i18n.FieldError(field, "audit.error.date", "Value", clip(s)))
			return calendar.Date{}
		}
		return d
	}
	f.From, f.To = day("from", strings.TrimSpace(q.From)), day("to", strings.TrimSpace(q.To))
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		errs.Add(i18n.FieldError("to", "audit.error.period"))
	}
	if f.Action = strings.TrimSpace(q.Action); f.Action != "" && actionsFor(f.Action) == nil {
		errs.Add(i18n.FieldError("action", "audit.error.action"))
	}
	text := func(field, s string) string {
		s = strings.TrimSpace(s)
		if utf8.RuneCountInString(s) > MaxText {
			errs.Add(i18n.FieldError(field, "audit.error.too_long", "Max", MaxText))
		}
		return s
	}
	f.Actor, f.Subject = text("actor", q.Actor), text("subject", q.Subject)
	f.TenantCode = strings.ToUpper(text("tenant", q.Tenant))
	if s := strings.TrimSpace(q.Before); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			errs.Add(i18n.NewError("audit.error.cursor"))
		}
		f.Before = max(n, 0)
	}
	return f, errs.Err()
}

// clip shortens what a message quotes back.
func clip(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

// PageSize is how many entries a page of the log shows.
const PageSize = 50

// List reads the entries f selects, newest first, at most limit of them (PageSize when limit is
// not positive), with who acted, the person concerned and the tenant's code; next is the cursor
// of the entries older than these (0: there are none).
func List(ctx context.Context, idb bun.IDB, f Filter, limit int) (es []Entry, next int64, err error) {
	if limit <= 0 {
		limit = PageSize
	}
	ip := "entry.ip"
	if f.MaskStaffIP {
		ip = "CASE WHEN au.kind IN ('agent', 'sales', 'admin') THEN '' ELSE entry.ip END"
	}
	q := idb.NewSelect().Model(&es).
		ColumnExpr("entry.id, entry.at, entry.actor_id, entry.actor_label, " + ip + " AS ip, entry.action").
		ColumnExpr("entry.tenant_id, entry.subject_user_id, entry.object, entry.before_json, entry.after_json").
		ColumnExpr("COALESCE(au.display_name || ' (' || au.login || ')', '') AS actor_name").
		ColumnExpr("COALESCE(su.display_name || ' (' || su.login || ')', '') AS subject_name").
		ColumnExpr("COALESCE(t.code, '') AS tenant_code").
		Join("LEFT JOIN users AS au ON au.id = entry.actor_id").
		Join("LEFT JOIN users AS su ON su.id = entry.subject_user_id").
		Join("LEFT JOIN tenants AS t ON t.id = entry.tenant_id").
		OrderExpr("entry.id DESC").Limit(int64(limit + 1))
	if !f.From.IsZero() {
		q = q.Where("entry.at >= ?", f.From.In(calendar.Paris).UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("entry.at < ?", f.To.AddDays(1).In(calendar.Paris).UTC())
	}
	if f.Action != "" {
		acts := actionsFor(f.Action)
		if acts == nil {
			return nil, 0, nil // no action of that name: nothing
		}
		q = q.Where("entry.action IN (?)", bun.In(acts))
	}
	if f.Actor != "" {
		if id, ok := userID(f.Actor); ok {
			q = q.Where("entry.actor_id = ?", id)
		} else {
			c1, a := db.ContainsFold("au.login", f.Actor)
			c2, _ := db.ContainsFold("au.display_name", f.Actor)
			c3, _ := db.ContainsFold("entry.actor_label", f.Actor)
			q = q.Where("("+c1+" OR "+c2+" OR "+c3+")", a, a, a)
		}
	}
	if f.Subject != "" {
		if id, ok := userID(f.Subject); ok {
			q = q.Where("entry.subject_user_id = ?", id)
		} else {
			c1, a := db.ContainsFold("su.login", f.Subject)
			c2, _ := db.ContainsFold("su.display_name", f.Subject)
			q = q.Where("("+c1+" OR "+c2+")", a, a)
		}
	}
	if f.TenantID != 0 {
		q = q.Where("entry.tenant_id = ?", f.TenantID)
	}
	if f.TenantCode != "" {
		q = q.Where("t.code = ?", f.TenantCode)
	}
	if f.Before > 0 {
		q = q.Where("entry.id < ?", f.Before)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, 0, fmt.Errorf("audit: list: %w", err)
	}
	if len(es) > limit {
		es = es[:limit]
		next = es[limit-1].ID
	}
	return es, next, nil
}

// userID reads a criterion made of digits only as a user's id.
func userID(s string) (int64, bool) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}
