package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/ticketno"
	"github.com/guichet/guichet/internal/timeline"
)

// The codes of the Contract: the levels and kinds as the forms post and the desk stores them.
const (
	levelEnum = "basic,standard,business,premium"
	kindEnum  = "support_level,cancellation,referent_change,owner_change,tenant_order,multi_tenant_bill"
	stateEnum = "pending,accepted,rejected"
)

// ContractPeriod is one entry of a tenant's support-level history.
type ContractPeriod struct {
	Level          string `json:"level" enum:"basic,standard,business,premium"`
	EffectiveFrom  string `json:"effective_from" format:"date" doc:"The first day the level is in force (Europe/Paris)."`
	CommittedUntil string `json:"committed_until,omitempty" format:"date" doc:"The last day of the commitment, inclusive; absent for Basic, which has none."`
}

func periodOf(p contract.Period) ContractPeriod {
	out := ContractPeriod{Level: string(p.Level), EffectiveFrom: p.EffectiveFrom.String()}
	if !p.CommittedUntil.IsZero() {
		out.CommittedUntil = p.CommittedUntil.String()
	}
	return out
}

// LevelChoice is a support level the tenant may ask for today, or why not.
type LevelChoice struct {
	Level      string `json:"level" enum:"basic,standard,business,premium"`
	Allowed    bool   `json:"allowed" doc:"Whether the support-level rules let the tenant ask for this level today."`
	Reason     string `json:"reason,omitempty" doc:"Why not, in the reader's language."`
	ReasonCode string `json:"reason_code,omitempty" doc:"Why not, as a code: same_level, downgrade_in_commitment, request_pending, change_scheduled, no_level."`
}

// ContractOverview is a tenant's Contract: its support level, commitment and history, and the
// support-level changes it may ask for now.
type ContractOverview struct {
	Tenant       Tenant           `json:"tenant"`
	Today        string           `json:"today" format:"date" doc:"The day in Europe/Paris the rules count on."`
	Level        *ContractPeriod  `json:"level,omitempty" doc:"The level in force today; absent when none is recorded yet."`
	Committed    bool             `json:"committed" doc:"Whether today falls within the commitment of the level in force: only an upgrade can be asked for."`
	Scheduled    *ContractPeriod  `json:"scheduled,omitempty" doc:"An accepted change that has not taken effect yet."`
	History      []ContractPeriod `json:"history" doc:"Every level the tenant had or will have, newest first."`
	PendingLevel string           `json:"pending_request,omitempty" example:"REQ0000001" doc:"The support-level request waiting for the sales rep."`
	// MayRequest is the support-level form's state: see the form of support_level.
	MayRequest   bool          `json:"may_request" doc:"Whether the reader may ask for a support-level change now (a referent or domain owner, nothing pending, a level allowed)."`
	WhyNot       string        `json:"why_not,omitempty" doc:"Why not, in the reader's language."`
	WhyNotCode   string        `json:"why_not_code,omitempty" doc:"Why not, as a code (see the forms)."`
	LevelChanges []LevelChoice `json:"level_changes" doc:"Each level, allowed by the rules today or with the reason it is not."`
}

// ContractForm says whether the reader may file a form now, and what it offers.
type ContractForm struct {
	Tenant     string        `json:"tenant" example:"OCB0000001"`
	Kind       string        `json:"kind" enum:"support_level,cancellation,referent_change,owner_change,tenant_order,multi_tenant_bill"`
	MayFile    bool          `json:"may_file" doc:"Whether a request of this kind can be filed now, whatever its fields."`
	WhyNot     string        `json:"why_not,omitempty" doc:"Why not, in the reader's language."`
	WhyNotCode string        `json:"why_not_code,omitempty" doc:"Why not, as a code: referent_or_owner, holder_use_users_tab, need_contract_right, pending, tenant_cancelled, already_cancelled, cancellation_under_way, multi_bill_tenants, no_level_possible."`
	Pending    string        `json:"pending_request,omitempty" example:"REQ0000001" doc:"The request of this kind already waiting for the sales rep."`
	Fields     []string      `json:"fields" doc:"The fields this kind reads when filed, besides kind."`
	Levels     []LevelChoice `json:"levels,omitempty" doc:"support_level: each level, allowed today or with the reason it is not."`
	Tenants    []string      `json:"tenants,omitempty" doc:"multi_tenant_bill: the codes of the tenants the bill would group."`
}

// ContractRequest is a support-level change request or a sales form, as its reader may see it.
type ContractRequest struct {
	Number         string     `json:"number" example:"REQ0000001"`
	Tenant         string     `json:"tenant" example:"OCB0000001"`
	TenantName     string     `json:"tenant_name"`
	Kind           string     `json:"kind" enum:"support_level,cancellation,referent_change,owner_change,tenant_order,multi_tenant_bill"`
	State          string     `json:"state" enum:"pending,accepted,rejected"`
	Requester      string     `json:"requester,omitempty" doc:"Who filed it."`
	FromLevel      string     `json:"from_level,omitempty" enum:"basic,standard,business,premium" doc:"support_level: the level in force when it was filed."`
	Level          string     `json:"level,omitempty" enum:"basic,standard,business,premium" doc:"support_level: the level asked for; tenant_order: the new tenant's level."`
	HolderName     string     `json:"holder_name,omitempty" doc:"referent_change, owner_change: the new holder."`
	HolderEmail    string     `json:"holder_email,omitempty"`
	HolderLang     string     `json:"holder_lang,omitempty" enum:"fr,en"`
	ContractName   string     `json:"contract_name,omitempty" doc:"tenant_order: the new tenant's contract name."`
	NewTenantCode  string     `json:"new_tenant_code,omitempty" doc:"tenant_order: the code given at acceptance."`
	DueAt          *time.Time `json:"due_at,omitempty" doc:"tenant_order: when the new tenant's code is promised (24 hours)."`
	Overdue        bool       `json:"overdue,omitempty" doc:"tenant_order: still pending past its due time."`
	Details        string     `json:"details,omitempty"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	DecidedBy      string     `json:"decided_by,omitempty" doc:"On a single request: the sales rep who decided."`
	Reason         string     `json:"reason,omitempty" doc:"The sales rep's answer with the decision."`
	EffectiveOn    string     `json:"effective_on,omitempty" format:"date" doc:"support_level: the first day of the accepted level; cancellation: the day the tenant is cancelled."`
	CommittedUntil string     `json:"committed_until,omitempty" format:"date" doc:"support_level: the end of the commitment the accepted level starts, inclusive."`
	Version        int        `json:"version" doc:"Changes with every decision; send it back as If-Match: \"v<version>\"."`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	Timeline       []Entry    `json:"timeline,omitempty" doc:"On a single request: its timeline, oldest first (internal notes for the sales desk only)."`
	Desk           *SalesView `json:"desk,omitempty" doc:"On a single request read by the sales desk: the tenant as it stands and what accepting now would do."`
}

func contractRequestOf(r *contract.Request, now time.Time) ContractRequest {
	out := ContractRequest{Number: r.Number(), Kind: string(r.Kind), State: string(r.State), FromLevel: string(r.FromLevel),
		Level: string(r.Level), HolderName: r.HolderName, HolderEmail: r.HolderEmail, HolderLang: r.HolderLang,
		ContractName: r.ContractName, NewTenantCode: r.NewTenantCode, Overdue: r.Overdue(now), Details: r.Details,
		DecidedAt: utcPtr(r.DecidedAt), Reason: r.DecisionReason, Version: r.Version, CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC()}
	if r.Tenant != nil {
		out.Tenant, out.TenantName = r.Tenant.Code, r.Tenant.Name
	}
	if r.Requester != nil {
		out.Requester = r.Requester.DisplayName
	}
	if r.Decider != nil {
		out.DecidedBy = r.Decider.DisplayName
	}
	if due := r.DueAt(); !due.IsZero() {
		d := due.UTC()
		out.DueAt = &d
	}
	if !r.EffectiveOn.IsZero() {
		out.EffectiveOn = r.EffectiveOn.String()
	}
	if !r.CommittedUntil.IsZero() {
		out.CommittedUntil = r.CommittedUntil.String()
	}
	return out
}

// contractEntries is a request's timeline: an event's values that are message keys
// (contract.state.accepted, tenant.status.cancelled) are written as their codes (accepted).
func contractEntries(es []timeline.Entry) []Entry {
	out := entriesOf(es)
	for i, e := range es {
		if e.Kind == timeline.Event && e.ValueType == timeline.Key {
			out[i].From, out[i].To = codeOfKey(e.From), codeOfKey(e.To)
		}
	}
	return out
}

// codeOfKey is the last part of a message key: contract.kind.support_level → support_level.
func codeOfKey(key string) string { return key[strings.LastIndexByte(key, '.')+1:] }

// ContractTenantRef names a customer's tenant in a path.
type ContractTenantRef struct {
	Tenant string `path:"tenant" maxLength:"40" example:"OCB0000001" doc:"One of the reader's tenants, by code."`
}

// ContractRequestRef names a request in a path.
type ContractRequestRef struct {
	Number string `path:"number" maxLength:"20" example:"REQ0000001"`
}

type contractOverviewOutput struct {
	Body ContractOverview
}

type contractFormInput struct {
	ContractTenantRef
	Kind string `path:"kind" enum:"support_level,cancellation,referent_change,owner_change,tenant_order,multi_tenant_bill"`
}

type contractFormOutput struct {
	Body ContractForm
}

type contractListInput struct {
	ContractTenantRef
	ListParams
}

type contractListOutput struct {
	Link string `header:"Link" doc:"The next page, as rel=\"next\"."`
	Body struct {
		Items []ContractRequest `json:"items"`
		Next  string            `json:"next,omitempty" doc:"The next page's link; absent on the last page."`
	}
}

// ContractFiling is what a customer files: a support-level change or a sales form. Each kind
// reads its own fields (see the form's fields); the others are ignored.
type ContractFiling struct {
	Kind         string `json:"kind" enum:"support_level,cancellation,referent_change,owner_change,tenant_order,multi_tenant_bill"`
	Level        string `json:"level,omitempty" enum:"basic,standard,business,premium" doc:"support_level: the level asked for, one the form allows; tenant_order: the new tenant's level."`
	Details      string `json:"details,omitempty" maxLength:"5000" doc:"A comment for the sales rep."`
	HolderName   string `json:"holder_name,omitempty" maxLength:"120" doc:"referent_change, owner_change: the new holder's full name."`
	HolderEmail  string `json:"holder_email,omitempty" maxLength:"254" doc:"referent_change, owner_change: the new holder's email address."`
	HolderLang   string `json:"holder_lang,omitempty" enum:"fr,en" doc:"referent_change, owner_change: the language of the new holder's mail."`
	ContractName string `json:"contract_name,omitempty" maxLength:"120" doc:"tenant_order: the new tenant's contract name."`
	Acknowledged bool   `json:"acknowledged,omitempty" doc:"cancellation: the customer read that consumption is billed until every resource is deleted."`
}

type contractFileInput struct {
	ContractTenantRef
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Makes a retry return the first result instead of filing twice."`
	Body           ContractFiling
}

type contractRequestOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     ContractRequest
}

type contractReplyInput struct {
	ContractRequestRef
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255"`
	Body           ReplyBody
}

// contractFields are the fields each kind reads, in the form's order.
var contractFields = map[contract.Kind][]string{
	contract.SupportLevel:    {"level", "details"},
	contract.Cancellation:    {"acknowledged", "details"},
	contract.ReferentChange:  {"holder_name", "holder_email", "holder_lang", "details"},
	contract.OwnerChange:     {"holder_name", "holder_email", "holder_lang", "details"},
	contract.TenantOrder:     {"contract_name", "level", "details"},
	contract.MultiTenantBill: {"details"},
}

func init() { registrars = append(registrars, (*server).registerContract) }

func (s *server) registerContract(api huma.API) {
	huma.Register(api, op(http.MethodGet, "/tenants/{tenant}/contract", "get-contract", "Contract",
		"A tenant's Contract: support level, commitment, history, and the changes allowed now and why not (customers with the contract right)"),
		s.getContract)
	huma.Register(api, op(http.MethodGet, "/tenants/{tenant}/contract/forms/{kind}", "get-contract-form", "Contract",
		"Whether a support-level request or a sales form can be filed now, why not, and what it offers"),
		s.getContractForm)
	huma.Register(api, op(http.MethodGet, "/tenants/{tenant}/requests", "list-contract-requests", "Contract",
		"A tenant's support-level requests and sales forms, newest first (the latest twenty, as the Contract tab shows them)"),
		s.listContractRequests)
	huma.Register(api, op(http.MethodPost, "/tenants/{tenant}/requests", "file-contract-request", "Contract",
		"File a support-level request or a sales form (customers with the contract right; a support-level change needs the referent or the domain owner)"),
		s.fileContractRequest)
	huma.Register(api, op(http.MethodGet, "/requests/{number}", "get-contract-request", "Contract",
		"A request with its timeline: public for customers; with internal notes and what accepting would do for the sales desk"),
		func(ctx context.Context, in *ContractRequestRef) (*contractRequestOutput, error) {
			id, ok := parseRequestNumber(in.Number)
			if !ok {
				return nil, notFound()
			}
			return s.contractRequestOutput(ctx, id)
		})
	reply := op(http.MethodPost, "/requests/{number}/replies", "reply-contract-request", "Contract",
		"Reply on a request (the sales desk: a public reply, or an internal note with internal=true)")
	reply.MaxBodyBytes = s.maxBodyWithFiles()
	huma.Register(api, reply, s.replyContractRequest)
}

// parseRequestNumber reads REQ0000001 (any case) as a request id.
func parseRequestNumber(s string) (int64, bool) { return ticketno.Parse("REQ", s) }

func (s *server) getContract(ctx context.Context, in *ContractTenantRef) (*contractOverviewOutput, error) {
	actor := actorOf(ctx)
	tenantID, err := tenantOfCode(actor, in.Tenant)
	if err != nil {
		return nil, err
	}
	o, err := s.Contracts.Overview(ctx, actor, tenantID)
	if err != nil {
		return nil, err
	}
	fp, err := s.Contracts.Form(ctx, actor, tenantID, contract.SupportLevel)
	if err != nil {
		return nil, err
	}
	out := ContractOverview{Tenant: Tenant{Code: o.Tenant.Code, Name: o.Tenant.Name, Status: o.Tenant.Status},
		Today: o.Today.String(), Committed: o.Committed, History: make([]ContractPeriod, 0, len(o.History))}
	if o.HasLevel {
		p := periodOf(o.Current)
		out.Level = &p
	}
	if o.Scheduled != nil {
		p := periodOf(*o.Scheduled)
		out.Scheduled = &p
	}
	for _, p := range o.History {
		out.History = append(out.History, periodOf(p))
	}
	if o.PendingLevel != nil {
		out.PendingLevel = o.PendingLevel.Number()
	}
	st := s.formState(ctx, fp)
	out.MayRequest, out.WhyNot, out.WhyNotCode, out.LevelChanges = st.MayFile, st.WhyNot, st.WhyNotCode, st.Levels
	return &contractOverviewOutput{Body: out}, nil
}

func (s *server) getContractForm(ctx context.Context, in *contractFormInput) (*contractFormOutput, error) {
	actor := actorOf(ctx)
	tenantID, err := tenantOfCode(actor, in.Tenant)
	if err != nil {
		return nil, err
	}
	kind, ok := contract.ParseKind(in.Kind)
	if !ok {
		return nil, notFound()
	}
	fp, err := s.Contracts.Form(ctx, actor, tenantID, kind)
	if err != nil {
		return nil, err
	}
	return &contractFormOutput{Body: s.formState(ctx, fp)}, nil
}

// formState is a form as the page explains it: who may file it, a request of its kind already
// pending, a rule that refuses it whatever is typed, and for the support-level change, no level
// the rules allow (the page's empty choice, which the API never files).
func (s *server) formState(ctx context.Context, fp *contract.FormPage) ContractForm {
	t := fp.Access.Tenant
	out := ContractForm{Tenant: t.Code, Kind: string(fp.Kind), Fields: contractFields[fp.Kind]}
	anyLevel := false
	if fp.Kind == contract.SupportLevel {
		out.Levels = make([]LevelChoice, 0, len(fp.Choices))
		for _, c := range fp.Choices {
			lc := LevelChoice{Level: string(c.Level), Allowed: c.Allowed()}
			if c.Reason != nil {
				lc.Reason, lc.ReasonCode = s.contractSay(ctx, c.Reason, t), codeOfKey(c.Reason.Key)
			}
			anyLevel = anyLevel || lc.Allowed
			out.Levels = append(out.Levels, lc)
		}
	}
	if fp.Kind == contract.MultiTenantBill {
		out.Tenants = make([]string, 0, len(fp.Tenants))
		for _, tn := range fp.Tenants {
			out.Tenants = append(out.Tenants, tn.Code)
		}
	}
	if fp.Pending != nil {
		out.Pending = fp.Pending.Number()
	}
	switch {
	case fp.Why != nil:
		out.WhyNot, out.WhyNotCode = s.contractSay(ctx, fp.Why, t), codeOfKey(fp.Why.Key)
	case fp.Pending != nil:
		out.WhyNot = s.contractSay(ctx, i18n.NewError("contract.form.pending", "Number", fp.Pending.Number()), t)
		out.WhyNotCode = "pending"
	case fp.Refusal != nil:
		out.WhyNot, out.WhyNotCode = s.contractSay(ctx, fp.Refusal, t), codeOfKey(fp.Refusal.Key)
	case fp.Kind == contract.SupportLevel && !anyLevel:
		out.WhyNot, out.WhyNotCode = s.contractSay(ctx, i18n.NewError("api.contract.no_level_possible"), t), "no_level_possible"
	default:
		out.MayFile = true
	}
	return out
}

// contractSay translates a contract message for the reader; the messages naming the
// tenant's referent and domain owner receive their names.
func (s *server) contractSay(ctx context.Context, e *i18n.Error, t *tenancy.Tenant) string {
	if s.Bundle == nil {
		return e.Key
	}
	args := map[string]any{"Referent": "", "Owner": ""}
	if t != nil && t.Referent != nil {
		args["Referent"] = t.Referent.DisplayName
	}
	if t != nil && t.Owner != nil {
		args["Owner"] = t.Owner.DisplayName
	}
	for k, v := range e.Args {
		args[k] = v
	}
	return s.Bundle.T(callerOf(ctx).Lang, e.Key, args)
}

// contractRefusal is a 403 or 422 problem whose detail is a contract message, in the reader's
// language.
func (s *server) contractRefusal(ctx context.Context, status int, e *i18n.Error, t *tenancy.Tenant) error {
	p := newProblem(s.Bundle, callerOf(ctx).Lang, status, "")
	p.Detail = s.contractSay(ctx, e, t)
	return p
}

func (s *server) listContractRequests(ctx context.Context, in *contractListInput) (*contractListOutput, error) {
	p, err := in.page()
	if err != nil {
		return nil, err
	}
	actor := actorOf(ctx)
	tenantID, err := tenantOfCode(actor, in.Tenant)
	if err != nil {
		return nil, err
	}
	o, err := s.Contracts.Overview(ctx, actor, tenantID)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	out := &contractListOutput{}
	from := min(p.Offset(), len(o.Requests))
	to := min(from+p.Size, len(o.Requests))
	out.Body.Items = make([]ContractRequest, 0, to-from)
	for i := from; i < to; i++ {
		out.Body.Items = append(out.Body.Items, contractRequestOf(&o.Requests[i], now))
	}
	out.Body.Next, out.Link = nextLinks("/tenants/"+o.Tenant.Code+"/requests", nil, p, to < len(o.Requests))
	return out, nil
}

func (s *server) fileContractRequest(ctx context.Context, in *contractFileInput) (*contractRequestOutput, error) {
	actor := actorOf(ctx)
	tenantID, err := tenantOfCode(actor, in.Tenant)
	if err != nil {
		return nil, err
	}
	kind, _ := contract.ParseKind(in.Body.Kind)
	b := in.Body
	f := contract.Form{Kind: kind, Level: b.Level, Details: b.Details, HolderName: b.HolderName, HolderEmail: b.HolderEmail,
		HolderLang: b.HolderLang, ContractName: b.ContractName, Acknowledged: b.Acknowledged}
	// Who may not file it is told why, as the form says it.
	fp, err := s.Contracts.Form(ctx, actor, tenantID, kind)
	if err != nil {
		return nil, err
	}
	if fp.Why != nil {
		return nil, s.contractRefusal(ctx, http.StatusForbidden, fp.Why, fp.Access.Tenant)
	}
	// The support-level form offers the levels the rules allow: filed without one, it is
	// refused, never recorded as a request for no level.
	if kind == contract.SupportLevel && strings.TrimSpace(b.Level) == "" {
		if fp.Refusal != nil {
			return nil, fp.Refusal
		}
		e := i18n.FieldError("level", "contract.error.unknown_level")
		switch s.formState(ctx, fp).WhyNotCode {
		case "pending":
			e = i18n.FieldError("level", "contract.error.request_pending")
		case "no_level_possible":
			e = i18n.FieldError("level", "api.contract.no_level_possible")
		}
		return nil, i18n.Errors{e}
	}
	r, err := s.Contracts.File(ctx, actor, tenantID, f)
	if err != nil {
		return nil, err
	}
	return s.contractRequestOutput(ctx, r.ID)
}

func (s *server) replyContractRequest(ctx context.Context, in *contractReplyInput) (*contractRequestOutput, error) {
	id, ok := parseRequestNumber(in.Number)
	if !ok {
		return nil, notFound()
	}
	files, err := s.uploads(in.Body.Files)
	if err != nil {
		return nil, err
	}
	actor := actorOf(ctx)
	if err := s.Contracts.Reply(ctx, actor, id, in.Body.Body, in.Body.Internal && actor.Staff(), files); err != nil {
		return nil, err
	}
	return s.contractRequestOutput(ctx, id)
}

// contractRequestOutput reads a request as its reader may see it: a customer through the
// customer view (public timeline), the sales desk through the staff view.
func (s *server) contractRequestOutput(ctx context.Context, id int64) (*contractRequestOutput, error) {
	actor := actorOf(ctx)
	now := time.Now()
	var out ContractRequest
	if actor.Staff() {
		v, err := s.Contracts.StaffRequest(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		out = contractRequestOf(v.Request, now)
		out.Timeline = contractEntries(v.Entries)
		out.Desk = s.salesView(ctx, v)
	} else {
		r, es, err := s.Contracts.CustomerRequest(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		out = contractRequestOf(r, now)
		out.Timeline = contractEntries(es)
	}
	return &contractRequestOutput{ETag: etag(out.Version), Location: Prefix + "/requests/" + out.Number, Body: out}, nil
}
