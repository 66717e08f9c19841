package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
)

// The administrators' operations: users, tenants and the outbox, through the services the admin
// pages call. Every other persona is refused (403) before the service is asked, as the pages'
// admin guard does. Users, tenants and outbox messages carry no version, and the pages check no
// staleness on them: an update is last-writer-wins, as on the pages, so these updates take no
// If-Match and their answers no ETag.

const adminTag = "Admin"

// AdminUser is an account as an admin sees it.
type AdminUser struct {
	ID        int64      `json:"id" doc:"The account's id, as in /admin/users/{id}."`
	Login     string     `json:"login"`
	Name      string     `json:"name"`
	Email     string     `json:"email"`
	Lang      string     `json:"lang" enum:"fr,en"`
	Kind      string     `json:"kind" enum:"customer,agent,sales,admin"`
	Active    bool       `json:"active" doc:"A disabled account cannot log in, and its tokens no longer open the API."`
	LockedAt  *time.Time `json:"locked_at,omitempty" doc:"When too many failed logins locked the account; absent when it is not locked."`
	TwoFactor bool       `json:"two_factor" doc:"Whether logging in asks for a code after the password."`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

func adminUserOf(u *identity.User) AdminUser {
	return AdminUser{ID: u.ID, Login: u.Login, Name: u.DisplayName, Email: u.Email, Lang: u.Lang, Kind: kindOf(u.Kind),
		Active: u.Active, LockedAt: utcPtr(u.LockedAt), TwoFactor: u.TwoFactor(), CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC()}
}

type adminUserListInput struct {
	ListParams
	Q      string `query:"q" maxLength:"200" doc:"Part of the login, name or e-mail address, any case."`
	Kind   string `query:"kind" enum:"customer,agent,sales,admin"`
	Locked bool   `query:"locked" doc:"Only the accounts locked by failed logins."`
}

type adminUserListOutput struct {
	Link string `header:"Link" doc:"The next page, as rel=\"next\"."`
	Body struct {
		Items []AdminUser `json:"items"`
		Total int         `json:"total" doc:"How many accounts match, on every page."`
		Next  string      `json:"next,omitempty" doc:"The next page's link; absent on the last page."`
	}
}

// AdminUserRef names an account in a path.
type AdminUserRef struct {
	ID int64 `path:"id" minimum:"1" doc:"The account's id."`
}

type adminUserOutput struct {
	Location string `header:"Location"`
	Body     AdminUser
}

// AdminNewUser is a new account. Without a password, the account waits for one set with the
// link mailed to it.
type AdminNewUser struct {
	Login    string `json:"login" maxLength:"64"`
	Name     string `json:"name" maxLength:"120"`
	Email    string `json:"email" maxLength:"254"`
	Lang     string `json:"lang,omitempty" enum:"fr,en" doc:"The account's language; the desk's default when absent."`
	Kind     string `json:"kind" enum:"customer,agent,sales,admin"`
	Password string `json:"password,omitempty" maxLength:"200" doc:"Optional: without it, the user sets one with the link mailed to them."`
}

type adminCreateUserInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Makes a retry return the first result instead of creating twice."`
	Body           AdminNewUser
}

// AdminUserChange is what an update changes: the fields sent, the others kept. The login never
// changes. active=false disables the account: its sessions end and its tokens stop working.
type AdminUserChange struct {
	Name   *string `json:"name,omitempty" maxLength:"120"`
	Email  *string `json:"email,omitempty" maxLength:"254"`
	Lang   *string `json:"lang,omitempty" enum:"fr,en"`
	Kind   *string `json:"kind,omitempty" enum:"customer,agent,sales,admin"`
	Active *bool   `json:"active,omitempty"`
}

type adminUpdateUserInput struct {
	AdminUserRef
	Body AdminUserChange
}

// AdminPerson is a user named on a tenant.
type AdminPerson struct {
	Login string `json:"login"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

func adminPersonOf(u *identity.User) *AdminPerson {
	if u == nil || u.ID == 0 {
		return nil
	}
	return &AdminPerson{Login: u.Login, Name: u.DisplayName, Email: u.Email}
}

// AdminMember is a member of a tenant with their rights.
type AdminMember struct {
	AdminPerson
	Rights Rights `json:"rights"`
}

// AdminPeriod is one entry of a tenant's support-level history.
type AdminPeriod struct {
	Level          string `json:"level" enum:"basic,standard,business,premium"`
	EffectiveFrom  string `json:"effective_from" example:"2026-01-01" doc:"The first day the level is in force (Europe/Paris), YYYY-MM-DD."`
	CommittedUntil string `json:"committed_until,omitempty" example:"2026-06-30" doc:"The last day of the commitment, inclusive; absent for Basic."`
}

func adminPeriodOf(p contract.Period) AdminPeriod {
	out := AdminPeriod{Level: string(p.Level), EffectiveFrom: p.EffectiveFrom.String()}
	if !p.CommittedUntil.IsZero() {
		out.CommittedUntil = p.CommittedUntil.String()
	}
	return out
}

// AdminTenant is a tenant as an admin sees it; a single tenant also has its members and
// support-level history.
type AdminTenant struct {
	Code      string        `json:"code" example:"OCB0000001"`
	Name      string        `json:"name"`
	Status    string        `json:"status" enum:"active,cancellation_requested,cancelled"`
	Level     string        `json:"level,omitempty" enum:"basic,standard,business,premium" doc:"The support level in force today; absent when none is."`
	Referent  *AdminPerson  `json:"referent,omitempty"`
	Owner     *AdminPerson  `json:"owner,omitempty" doc:"The domain owner (on a single tenant)."`
	SalesRep  *AdminPerson  `json:"sales_rep,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	Members   []AdminMember `json:"members,omitempty" doc:"On a single tenant: its members and their rights."`
	Scheduled *AdminPeriod  `json:"scheduled,omitempty" doc:"On a single tenant: an accepted level change that has not taken effect yet."`
	History   []AdminPeriod `json:"history,omitempty" doc:"On a single tenant: every level it had or will have, newest first."`
}

func adminTenantOf(t *tenancy.Tenant, level contract.Level) AdminTenant {
	return AdminTenant{Code: t.Code, Name: t.Name, Status: t.Status, Level: string(level), Referent: adminPersonOf(t.Referent),
		Owner: adminPersonOf(t.Owner), SalesRep: adminPersonOf(t.SalesRep), CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC()}
}

type adminTenantListInput struct {
	ListParams
	Q string `query:"q" maxLength:"200" doc:"Part of the code or the name, any case."`
}

type adminTenantListOutput struct {
	Link string `header:"Link" doc:"The next page, as rel=\"next\"."`
	Body struct {
		Items []AdminTenant `json:"items"`
		Total int           `json:"total" doc:"How many tenants match, on every page."`
		Next  string        `json:"next,omitempty" doc:"The next page's link; absent on the last page."`
	}
}

// AdminTenantRef names a tenant in a path, by its code.
type AdminTenantRef struct {
	Code string `path:"code" maxLength:"40" example:"OCB0000001"`
}

type adminTenantOutput struct {
	Location string `header:"Location"`
	Body     AdminTenant
}

// AdminNewTenant onboards a tenant with its referent, domain owner and current support level.
type AdminNewTenant struct {
	Code           string `json:"code" maxLength:"40" example:"OCB0000042"`
	Name           string `json:"name" maxLength:"200" doc:"The contract's name."`
	Referent       string `json:"referent" maxLength:"100" doc:"The login of an active customer user."`
	Owner          string `json:"owner" maxLength:"100" doc:"The domain owner: the login of an active customer user (may be the referent)."`
	SalesRep       string `json:"sales_rep,omitempty" maxLength:"100" doc:"The login of an active sales rep; none when absent."`
	Level          string `json:"level" enum:"basic,standard,business,premium"`
	EffectiveFrom  string `json:"effective_from" maxLength:"10" example:"2026-01-01" doc:"Since when the level is in force, YYYY-MM-DD."`
	CommittedUntil string `json:"committed_until,omitempty" maxLength:"10" example:"2026-06-30" doc:"The last day of the commitment, YYYY-MM-DD; six months from effective_from for a paid level when absent."`
}

type adminCreateTenantInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Makes a retry return the first result instead of creating twice."`
	Body           AdminNewTenant
}

// AdminTenantChange is what an update changes: the fields sent, the others kept.
type AdminTenantChange struct {
	Name     *string `json:"name,omitempty" maxLength:"200"`
	Status   *string `json:"status,omitempty" enum:"active,cancellation_requested,cancelled"`
	SalesRep *string `json:"sales_rep,omitempty" maxLength:"100" doc:"The login of an active sales rep; an empty string removes the sales rep."`
}

type adminUpdateTenantInput struct {
	AdminTenantRef
	Body AdminTenantChange
}

// AdminMail is a message of the outbox; a single message also has its parts, its password links
// masked.
type AdminMail struct {
	ID             int64      `json:"id"`
	Status         string     `json:"status" enum:"pending,sent,dead,dropped" doc:"pending (waits), sent, dead (failed for good; retry it), dropped (not sent: its recipient lost access)."`
	Kind           string     `json:"kind" doc:"What the mail is about, such as password_reset."`
	RecipientEmail string     `json:"recipient_email"`
	RecipientName  string     `json:"recipient_name,omitempty"`
	Lang           string     `json:"lang"`
	Subject        string     `json:"subject"`
	Attempts       int        `json:"attempts"`
	NextAttemptAt  *time.Time `json:"next_attempt_at,omitempty" doc:"When a pending message is tried next."`
	DeadlineAt     time.Time  `json:"deadline_at" doc:"When a message still failing is given up."`
	LastError      string     `json:"last_error,omitempty" doc:"The last failure, or why a dropped message was not sent, in the reader's language."`
	CreatedAt      time.Time  `json:"created_at"`
	SentAt         *time.Time `json:"sent_at,omitempty"`
	MessageID      string     `json:"message_id,omitempty" doc:"On a single message: its Message-ID."`
	BodyText       string     `json:"body_text,omitempty" doc:"On a single message: the text part, password links masked."`
	BodyHTML       string     `json:"body_html,omitempty" doc:"On a single message: the HTML part, password links masked."`
}

type adminMailListInput struct {
	ListParams
	Status string `query:"status" enum:"pending,sent,dead,dropped"`
}

type adminMailListOutput struct {
	Link string `header:"Link" doc:"The next page, as rel=\"next\"."`
	Body struct {
		Items []AdminMail `json:"items"`
		Total int         `json:"total" doc:"How many messages match, on every page."`
		Next  string      `json:"next,omitempty" doc:"The next page's link; absent on the last page."`
	}
}

// AdminMailRef names an outbox message in a path.
type AdminMailRef struct {
	ID int64 `path:"id" minimum:"1"`
}

type adminMailOutput struct {
	Body AdminMail
}

func init() { registrars = append(registrars, (*server).registerAdmin) }

func (s *server) registerAdmin(api huma.API) {
	huma.Register(api, op(http.MethodGet, "/admin/users", "admin-list-users", adminTag, "Admins: the accounts, by login, with the users page's search"),
		s.adminListUsers)
	huma.Register(api, op(http.MethodPost, "/admin/users", "admin-create-user", adminTag,
		"Admins: create an account (mailed a link to set its password when none is given)"), s.adminCreateUser)
	huma.Register(api, op(http.MethodGet, "/admin/users/{id}", "admin-get-user", adminTag, "Admins: an account"),
		func(ctx context.Context, in *AdminUserRef) (*adminUserOutput, error) {
			if err := adminOnly(ctx); err != nil {
				return nil, err
			}
			u, err := s.Identity.User(ctx, actorOf(ctx).Actor, in.ID)
			if err != nil {
				return nil, err
			}
			return adminUserOutputOf(u), nil
		})
	huma.Register(api, op(http.MethodPatch, "/admin/users/{id}", "admin-update-user", adminTag,
		"Admins: change an account's name, address, language or kind, or disable it with active=false (last writer wins, as on the page)"),
		s.adminUpdateUser)

	huma.Register(api, op(http.MethodGet, "/admin/tenants", "admin-list-tenants", adminTag, "Admins: every tenant, by code, with its support level today"),
		s.adminListTenants)
	huma.Register(api, op(http.MethodPost, "/admin/tenants", "admin-create-tenant", adminTag,
		"Admins: onboard a tenant with its referent, domain owner and current support level"), s.adminCreateTenant)
	huma.Register(api, op(http.MethodGet, "/admin/tenants/{code}", "admin-get-tenant", adminTag,
		"Admins: a tenant with its members and support-level history"),
		func(ctx context.Context, in *AdminTenantRef) (*adminTenantOutput, error) {
			if err := adminOnly(ctx); err != nil {
				return nil, err
			}
			id, err := s.adminTenantID(ctx, in.Code)
			if err != nil {
				return nil, err
			}
			return s.adminTenantOutput(ctx, id)
		})
	huma.Register(api, op(http.MethodPatch, "/admin/tenants/{code}", "admin-update-tenant", adminTag,
		"Admins: change a tenant's name, status or sales rep (last writer wins, as on the page)"), s.adminUpdateTenant)

	huma.Register(api, op(http.MethodGet, "/admin/outbox", "admin-list-outbox", adminTag, "Admins: the outbox, newest first"),
		s.adminListOutbox)
	huma.Register(api, op(http.MethodGet, "/admin/outbox/{id}", "admin-get-mail", adminTag,
		"Admins: an outbox message as it will be sent, its password links masked"),
		func(ctx context.Context, in *AdminMailRef) (*adminMailOutput, error) {
			if err := adminOnly(ctx); err != nil {
				return nil, err
			}
			return s.adminMail(ctx, in.ID)
		})
	retry := op(http.MethodPost, "/admin/outbox/{id}/retry", "admin-retry-mail", adminTag,
		"Admins: send a dead message again, at once and with a fresh retry window (any other message is left as it is)")
	retry.DefaultStatus = http.StatusOK
	huma.Register(api, retry, func(ctx context.Context, in *AdminMailRef) (*adminMailOutput, error) {
		if err := adminOnly(ctx); err != nil {
			return nil, err
		}
		if err := s.Outbox.Retry(ctx, actorOf(ctx).Actor, in.ID); err != nil {
			return nil, err
		}
		return s.adminMail(ctx, in.ID)
	})
}

// adminOnly refuses every persona but admins, as the pages' admin guard does: the services
// below would refuse them too, but some of them serve every staff member.
func adminOnly(ctx context.Context) error {
	if actorOf(ctx).Kind != identity.Admin {
		return refuse(http.StatusForbidden, "api.admin.forbidden")
	}
	return nil
}

// adminNext is a list's next link and Link header; the services count the matches.
func adminNext(path string, q url.Values, p paging.Page, n, total int) (next, link string) {
	return nextLinks(path, q, p, p.Offset()+n < total)
}

// adminFields renames the services' field names to the API's (the pages' display_name is name).
func adminFields(err error, names map[string]string) error {
	es, ok := i18n.AsErrors(err)
	if !ok {
		return err
	}
	out := make(i18n.Errors, 0, len(es))
	for _, e := range es {
		c := *e
		if n, ok := names[c.Field]; ok {
			c.Field = n
		}
		out = append(out, &c)
	}
	return out
}

var adminUserFields = map[string]string{"display_name": "name"}

func adminUserOutputOf(u *identity.User) *adminUserOutput {
	return &adminUserOutput{Location: Prefix + "/admin/users/" + strconv.FormatInt(u.ID, 10), Body: adminUserOf(u)}
}

func (s *server) adminListUsers(ctx context.Context, in *adminUserListInput) (*adminUserListOutput, error) {
	if err := adminOnly(ctx); err != nil {
		return nil, err
	}
	p, err := in.page()
	if err != nil {
		return nil, err
	}
	us, total, err := s.Identity.ListUsers(ctx, actorOf(ctx).Actor,
		identity.UserFilter{Query: strings.TrimSpace(in.Q), Kind: identity.Kind(in.Kind), Locked: in.Locked, Limit: p.Limit(), Offset: p.Offset()})
	if err != nil {
		return nil, err
	}
	out := &adminUserListOutput{}
	out.Body.Items = make([]AdminUser, 0, len(us))
	for i := range us {
		out.Body.Items = append(out.Body.Items, adminUserOf(&us[i]))
	}
	out.Body.Total = total
	q := url.Values{}
	if in.Q != "" {
		q.Set("q", in.Q)
	}
	if in.Kind != "" {
		q.Set("kind", in.Kind)
	}
	if in.Locked {
		q.Set("locked", "true")
	}
	out.Body.Next, out.Link = adminNext("/admin/users", q, p, len(us), total)
	return out, nil
}

func (s *server) adminCreateUser(ctx context.Context, in *adminCreateUserInput) (*adminUserOutput, error) {
	if err := adminOnly(ctx); err != nil {
		return nil, err
	}
	b := in.Body
	lang := b.Lang
	if lang == "" {
		lang = s.Config.DefaultLang
	}
	u, err := s.Identity.CreateUser(ctx, actorOf(ctx).Actor, identity.UserInput{Login: b.Login, Email: b.Email, DisplayName: b.Name,
		Lang: lang, Kind: identity.Kind(b.Kind), Active: true, Password: b.Password})
	if err != nil {
		return nil, adminFields(err, adminUserFields)
	}
	return adminUserOutputOf(u), nil
}

func (s *server) adminUpdateUser(ctx context.Context, in *adminUpdateUserInput) (*adminUserOutput, error) {
	if err := adminOnly(ctx); err != nil {
		return nil, err
	}
	actor := actorOf(ctx).Actor
	u, err := s.Identity.User(ctx, actor, in.ID)
	if err != nil {
		return nil, err
	}
	ui := identity.UserInput{Login: u.Login, Email: u.Email, DisplayName: u.DisplayName, Lang: u.Lang, Kind: u.Kind, Active: u.Active}
	b := in.Body
	if b.Name != nil {
		ui.DisplayName = *b.Name
	}
	if b.Email != nil {
		ui.Email = *b.Email
	}
	if b.Lang != nil {
		ui.Lang = *b.Lang
	}
	if b.Kind != nil {
		ui.Kind = identity.Kind(*b.Kind)
	}
	if b.Active != nil {
		ui.Active = *b.Active
	}
	done, err := s.Identity.UpdateUser(ctx, actor, in.ID, ui)
	if err != nil {
		return nil, adminFields(err, adminUserFields)
	}
	return adminUserOutputOf(done), nil
}

func (s *server) adminListTenants(ctx context.Context, in *adminTenantListInput) (*adminTenantListOutput, error) {
	if err := adminOnly(ctx); err != nil {
		return nil, err
	}
	p, err := in.page()
	if err != nil {
		return nil, err
	}
	ts, total, err := s.Contracts.Tenants(ctx, actorOf(ctx), strings.TrimSpace(in.Q), p)
	if err != nil {
		return nil, err
	}
	out := &adminTenantListOutput{}
	out.Body.Items = make([]AdminTenant, 0, len(ts))
	for i := range ts {
		out.Body.Items = append(out.Body.Items, adminTenantOf(&ts[i].Tenant, ts[i].Level))
	}
	out.Body.Total = total
	q := url.Values{}
	if in.Q != "" {
		q.Set("q", in.Q)
	}
	out.Body.Next, out.Link = adminNext("/admin/tenants", q, p, len(ts), total)
	return out, nil
}

// adminTenantID finds a tenant by its code through the staff's tenant list: a code that names
// no tenant is not found.
func (s *server) adminTenantID(ctx context.Context, code string) (int64, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !tenancy.ValidTenantCode(code) {
		return 0, notFound()
	}
	ts, _, err := s.Tenancy.ListTenants(ctx, actorOf(ctx), tenancy.TenantFilter{Query: code})
	if err != nil {
		return 0, err
	}
	for _, t := range ts {
		if t.Code == code {
			return t.ID, nil
		}
	}
	return 0, notFound()
}

// adminTenantOutput reads a tenant's card: its roles, members and support-level history.
func (s *server) adminTenantOutput(ctx context.Context, id int64) (*adminTenantOutput, error) {
	card, err := s.Contracts.StaffTenant(ctx, actorOf(ctx), id)
	if err != nil {
		return nil, err
	}
	var level contract.Level
	if card.Contract.HasLevel {
		level = card.Contract.Current.Level
	}
	out := adminTenantOf(card.Tenant, level)
	for _, m := range card.Members {
		am := AdminMember{Rights: Rights{Incidents: m.Incidents, Changes: m.Changes, Contract: m.Contract, Users: m.Users,
			Services: m.Services, Referent: m.UserID == card.Tenant.ReferentID, Owner: m.UserID == card.Tenant.OwnerID}}
		if p := adminPersonOf(m.User); p != nil {
			am.AdminPerson = *p
		}
		out.Members = append(out.Members, am)
	}
	if sc := card.Contract.Scheduled; sc != nil {
		p := adminPeriodOf(*sc)
		out.Scheduled = &p
	}
	for _, p := range card.Contract.History {
		out.History = append(out.History, adminPeriodOf(p))
	}
	return &adminTenantOutput{Location: Prefix + "/admin/tenants/" + card.Tenant.Code, Body: out}, nil
}

func (s *server) adminCreateTenant(ctx context.Context, in *adminCreateTenantInput) (*adminTenantOutput, error) {
	if err := adminOnly(ctx); err != nil {
		return nil, err
	}
	b := in.Body
	t, err := s.Contracts.Onboard(ctx, actorOf(ctx), contract.NewTenant{Code: b.Code, Name: b.Name, ReferentLogin: b.Referent,
		OwnerLogin: b.Owner, SalesRepLogin: b.SalesRep, Level: b.Level, EffectiveFrom: b.EffectiveFrom, CommittedUntil: b.CommittedUntil})
	if err != nil {
		return nil, err
	}
	return s.adminTenantOutput(ctx, t.ID)
}

func (s *server) adminUpdateTenant(ctx context.Context, in *adminUpdateTenantInput) (*adminTenantOutput, error) {
	if err := adminOnly(ctx); err != nil {
		return nil, err
	}
	id, err := s.adminTenantID(ctx, in.Code)
	if err != nil {
		return nil, err
	}
	actor := actorOf(ctx)
	t, err := s.Tenancy.StaffTenant(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	e := tenancy.TenantEdit{Name: t.Name, Status: t.Status}
	if t.SalesRep != nil {
		e.SalesRepLogin = t.SalesRep.Login
	}
	b := in.Body
	if b.Name != nil {
		e.Name = *b.Name
	}
	if b.Status != nil {
		e.Status = *b.Status
	}
	if b.SalesRep != nil {
		e.SalesRepLogin = *b.SalesRep
	}
	if _, err := s.Tenancy.UpdateTenantDetails(ctx, actor, id, e); err != nil {
		return nil, err
	}
	return s.adminTenantOutput(ctx, id)
}

// adminMailOf is a message for the reader: a dropped message's reason is a message key, told
// in the reader's language.
func (s *server) adminMailOf(ctx context.Context, m *notify.Message) AdminMail {
	out := AdminMail{ID: m.ID, Status: m.Status, Kind: m.Kind, RecipientEmail: m.RecipientEmail, RecipientName: m.RecipientName,
		Lang: m.Lang, Subject: m.Subject, Attempts: m.Attempts, DeadlineAt: m.DeadlineAt.UTC(), LastError: m.LastError,
		CreatedAt: m.CreatedAt.UTC(), SentAt: utcPtr(m.SentAt), MessageID: m.MessageID, BodyText: m.BodyText, BodyHTML: m.BodyHTML}
	if m.Status == notify.StatusPending {
		next := m.NextAttemptAt.UTC()
		out.NextAttemptAt = &next
	}
	if m.Status == notify.StatusDropped && s.Bundle != nil {
		lang := callerOf(ctx).Lang
		out.LastError = s.Bundle.T(lang, m.LastError, map[string]any{"Right": s.Bundle.T(lang, "right."+m.RequiredRight, nil)})
	}
	return out
}

func (s *server) adminListOutbox(ctx context.Context, in *adminMailListInput) (*adminMailListOutput, error) {
	if err := adminOnly(ctx); err != nil {
		return nil, err
	}
	p, err := in.page()
	if err != nil {
		return nil, err
	}
	ms, total, err := s.Outbox.List(ctx, actorOf(ctx).Actor, in.Status, p)
	if err != nil {
		return nil, err
	}
	out := &adminMailListOutput{}
	out.Body.Items = make([]AdminMail, 0, len(ms))
	for i := range ms {
		m := s.adminMailOf(ctx, &ms[i])
		m.MessageID = ""
		out.Body.Items = append(out.Body.Items, m)
	}
	out.Body.Total = total
	q := url.Values{}
	if in.Status != "" {
		q.Set("status", in.Status)
	}
	out.Body.Next, out.Link = adminNext("/admin/outbox", q, p, len(ms), total)
	return out, nil
}

// adminMail reads a message as the admin page shows it: its password links masked with a
// placeholder in the reader's language.
func (s *server) adminMail(ctx context.Context, id int64) (*adminMailOutput, error) {
	hidden := "[link hidden]"
	if s.Bundle != nil {
		hidden = s.Bundle.T(callerOf(ctx).Lang, "admin.outbox.link_hidden", nil)
	}
	m, err := s.Outbox.Message(ctx, actorOf(ctx).Actor, id, hidden)
	if err != nil {
		return nil, err
	}
	return &adminMailOutput{Body: s.adminMailOf(ctx, m)}, nil
}
