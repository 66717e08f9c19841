package api

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/paging"
)

// ChangeRequest is a change request as its reader may see it: what was ordered, from the item
// and values it was made with.
type ChangeRequest struct {
	Number        string                 `json:"number" example:"CHG0000001"`
	Tenant        string                 `json:"tenant" example:"OCB0000001"`
	TenantName    string                 `json:"tenant_name"`
	Catalogue     string                 `json:"catalogue" example:"standard" doc:"The code of the item's catalogue when the request was made."`
	Category      string                 `json:"category" example:"quotas" doc:"The code of the item's category when the request was made."`
	Item          string                 `json:"item" example:"ecs_instances" doc:"The item's code."`
	ItemLabel     string                 `json:"item_label" doc:"The item's name, in the reader's language."`
	Values        map[string]ChangeValue `json:"values" doc:"The values by field code: a number for an int field, a string otherwise."`
	State         string                 `json:"state" enum:"submitted,approved,rejected,scheduled,implemented,closed,cancelled"`
	Requester     string                 `json:"requester" doc:"Who made the request."`
	ScheduledOn   string                 `json:"scheduled_on,omitempty" example:"2026-07-01" doc:"The day the work is planned, YYYY-MM-DD."`
	AppliedValue  string                 `json:"applied_value,omitempty" doc:"What was applied, once implemented."`
	Reason        string                 `json:"reason,omitempty" doc:"Why the request was rejected."`
	Version       int                    `json:"version" doc:"Changes with every step; send it back as If-Match: \"v<version>\"."`
	CreatedAt     time.Time              `json:"created_at"`
	UpdatedAt     time.Time              `json:"updated_at"`
	ApprovedAt    *time.Time             `json:"approved_at,omitempty"`
	ImplementedAt *time.Time             `json:"implemented_at,omitempty"`
	Fields        []ChangeField          `json:"fields,omitempty" doc:"On a single request: the item's fields as they were when it was made, to read the values beside."`
	Actions       []string               `json:"actions,omitempty" enum:"approve,reject,schedule,implement,close,cancel" doc:"On a single request: the steps the reader may take now."`
	Timeline      []Entry                `json:"timeline,omitempty" doc:"On a single request: its timeline, oldest first (internal notes for staff only)."`
}

// changeRequestOf is a request as lists show it.
func changeRequestOf(r *change.Request, lang string) ChangeRequest {
	snap := r.Snapshot()
	out := ChangeRequest{Number: r.Number(), Tenant: r.TenantCode, TenantName: r.TenantName, Catalogue: snap.Collection.Code,
		Category: snap.Category.Code, Item: r.ItemCode, ItemLabel: snap.Item.Label.In(lang), Values: changeValues(snap.Values),
		State: string(r.State), Requester: r.RequesterName, AppliedValue: r.AppliedValue, Reason: r.Reason, Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), ApprovedAt: utcPtr(r.ApprovedAt), ImplementedAt: utcPtr(r.ImplementedAt)}
	if !r.ScheduledOn.IsZero() {
		out.ScheduledOn = r.ScheduledOn.String()
	}
	return out
}

// changeActions are the steps, in the order of a request's life, that a role may take now.
var changeActions = []change.Action{change.Approve, change.Reject, change.Schedule, change.Implement, change.Close, change.Cancel}

type changeListInput struct {
	ListParams
	Tenant string `query:"tenant" maxLength:"40" example:"OCB0000001" doc:"Customers: one of their tenants, on which they hold the changes right."`
	State  string `query:"state" enum:"submitted,approved,rejected,scheduled,implemented,closed,cancelled" doc:"Customers: requests in this state."`
	Q      string `query:"q" maxLength:"200" doc:"Text in the number, the item's name or code, or the values."`
	Queue  string `query:"queue" enum:"work,approvals" doc:"Staff: work is the agents' queue (approved and scheduled requests of every tenant, by work date); approvals a sales rep's (their tenants' submitted requests, oldest first; every tenant's for an admin). By default, approvals for a sales rep and work for agents and admins."`
}

type changeListOutput struct {
	Link string `header:"Link" doc:"The next page, as rel=\"next\"."`
	Body struct {
		Items []ChangeRequest `json:"items"`
		Total int             `json:"total" doc:"How many requests the filters select in all."`
		Next  string          `json:"next,omitempty" doc:"The next page's link; absent on the last page."`
	}
}

// ChangeRef names a change request in a path.
type ChangeRef struct {
	Number string `path:"number" maxLength:"20" example:"CHG0000001"`
}

// ChangeStep is a step on a change request as read at a version.
type ChangeStep struct {
	Number  string `path:"number" maxLength:"20" example:"CHG0000001"`
	IfMatch string `header:"If-Match" maxLength:"40" doc:"The request's ETag as read: a stale one is 412, none is 428."`
}

type changeOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     ChangeRequest
}

// ChangeSubmission is what a customer sends to request a change from the catalogue.
type ChangeSubmission struct {
	Tenant string                 `json:"tenant" maxLength:"40" example:"OCB0000001"`
	Item   string                 `json:"item" maxLength:"100" example:"ecs_instances" doc:"An item code of the catalogue (see get-change-catalogue)."`
	Values map[string]ChangeValue `json:"values" doc:"Each field's value by field code, checked by the catalogue as the form's are: a whole number (or its digits) for an int field; an option code for a select; a region code for a region; YYYY-MM-DD for a date."`
}

type submitChangeInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Makes a retry return the first request instead of requesting twice."`
	Body           ChangeSubmission
}

type changeReplyInput struct {
	ChangeRef
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255"`
	Body           ReplyBody
}

type rejectChangeInput struct {
	ChangeStep
	Body struct {
		Reason string `json:"reason" maxLength:"20000" doc:"Why, for the requester (at most 2,000 characters)."`
	}
}

type scheduleChangeInput struct {
	ChangeStep
	Body struct {
		Date string `json:"date" maxLength:"40" example:"2026-07-01" doc:"The day of the work, YYYY-MM-DD, today or later (Paris)."`
	}
}

type implementChangeInput struct {
	ChangeStep
	Body struct {
		Value ChangeValue `json:"value" doc:"What was applied: the new quota, a whole number, for a quota item; a text otherwise."`
	}
}

func init() { registrars = append(registrars, (*server).registerChanges) }

func (s *server) registerChanges(api huma.API) {
	huma.Register(api, op(http.MethodGet, "/changes", "list-changes", "Changes",
		"Change requests: a customer's on one tenant, newest first; staff's work or approval queue"), s.listChanges)
	huma.Register(api, op(http.MethodPost, "/changes", "submit-change", "Changes",
		"Request a change from the catalogue (customers with the changes right): pre-approved at once within the item's rule, otherwise the sales rep decides"),
		s.submitChange)
	huma.Register(api, op(http.MethodGet, "/changes/{number}", "get-change", "Changes", "A change request with its values and timeline"),
		func(ctx context.Context, in *ChangeRef) (*changeOutput, error) {
			r, err := s.changeRequest(ctx, in.Number)
			if err != nil {
				return nil, err
			}
			return s.changeOutput(ctx, r.ID)
		})
	reply := op(http.MethodPost, "/changes/{number}/replies", "reply-change", "Changes",
		"Reply on a change request (staff: a public reply, or an internal note with internal=true)")
	reply.MaxBodyBytes = s.maxBodyWithFiles()
	huma.Register(api, reply, func(ctx context.Context, in *changeReplyInput) (*changeOutput, error) {
		r, err := s.changeRequest(ctx, in.Number)
		if err != nil {
			return nil, err
		}
		files, err := s.uploads(in.Body.Files)
		if err != nil {
			return nil, err
		}
		actor := actorOf(ctx)
		if err := s.Changes.Reply(ctx, actor, r.ID, in.Body.Body, in.Body.Internal && actor.Staff(), files); err != nil {
			return nil, err
		}
		return s.changeOutput(ctx, r.ID)
	})
	s.changeStep(api, "cancel-change", "Cancel a change request (its requester, before implementation): it cannot be undone", change.Cancel)
	s.changeStep(api, "approve-change", "Sales reps (the tenant's) and admins: approve a submitted request", change.Approve)
	s.changeStep(api, "close-change", "Agents and admins: close an implemented request", change.Close)
	reject := op(http.MethodPost, "/changes/{number}/reject", "reject-change", "Changes",
		"Sales reps (the tenant's) and admins: reject a submitted request, saying why")
	reject.DefaultStatus = http.StatusOK
	huma.Register(api, reject, func(ctx context.Context, in *rejectChangeInput) (*changeOutput, error) {
		return s.actOnChange(ctx, in.ChangeStep, change.StepInput{Action: change.Reject, Reason: in.Body.Reason})
	})
	schedule := op(http.MethodPost, "/changes/{number}/schedule", "schedule-change", "Changes",
		"Agents and admins: schedule an approved request, or move a scheduled one to another day")
	schedule.DefaultStatus = http.StatusOK
	huma.Register(api, schedule, func(ctx context.Context, in *scheduleChangeInput) (*changeOutput, error) {
		return s.actOnChange(ctx, in.ChangeStep, change.StepInput{Action: change.Schedule, Date: in.Body.Date})
	})
	implement := op(http.MethodPost, "/changes/{number}/implement", "implement-change", "Changes",
		"Agents and admins: record a scheduled request as implemented, with the value applied")
	implement.DefaultStatus = http.StatusOK
	huma.Register(api, implement, func(ctx context.Context, in *implementChangeInput) (*changeOutput, error) {
		return s.actOnChange(ctx, in.ChangeStep, change.StepInput{Action: change.Implement, Value: in.Body.Value.text})
	})
}

// changeStep registers a step that carries nothing but the version.
func (s *server) changeStep(api huma.API, id, summary string, a change.Action) {
	o := op(http.MethodPost, "/changes/{number}/"+string(a), id, "Changes", summary)
	o.DefaultStatus = http.StatusOK
	huma.Register(api, o, func(ctx context.Context, in *ChangeStep) (*changeOutput, error) {
		return s.actOnChange(ctx, *in, change.StepInput{Action: a})
	})
}

// changeRequest reads a request its reader may see by number: any other is 404.
func (s *server) changeRequest(ctx context.Context, number string) (*change.Request, error) {
	id, ok := change.ParseNumber(number)
	if !ok {
		return nil, notFound()
	}
	r, _, _, err := s.Changes.Get(ctx, actorOf(ctx), id)
	return r, err
}

// actOnChange takes a step on a request read at the version If-Match names.
func (s *server) actOnChange(ctx context.Context, step ChangeStep, in change.StepInput) (*changeOutput, error) {
	r, err := s.changeRequest(ctx, step.Number)
	if err != nil {
		return nil, err
	}
	if in.Version, err = ifMatch(step.IfMatch, r.Version); err != nil {
		return nil, err
	}
	if _, err := s.Changes.Act(ctx, actorOf(ctx), r.ID, in); err != nil {
		return nil, err
	}
	return s.changeOutput(ctx, r.ID)
}

// changeOutput is a request read with its timeline, the item's fields, the steps the reader may
// take, and its ETag.
func (s *server) changeOutput(ctx context.Context, id int64) (*changeOutput, error) {
	r, role, es, err := s.Changes.Get(ctx, actorOf(ctx), id)
	if err != nil {
		return nil, err
	}
	lang := callerOf(ctx).Lang
	out := changeRequestOf(r, lang)
	out.Fields = s.changeFieldsOf(r.Snapshot().Item.Fields, lang)
	for _, a := range changeActions {
		if change.Allowed(r.State, a, role) {
			out.Actions = append(out.Actions, string(a))
		}
	}
	out.Timeline = entriesOf(es)
	return &changeOutput{ETag: etag(r.Version), Location: Prefix + "/changes/" + r.Number(), Body: out}, nil
}

func (s *server) listChanges(ctx context.Context, in *changeListInput) (*changeListOutput, error) {
	p, err := in.page()
	if err != nil {
		return nil, err
	}
	actor := actorOf(ctx)
	f := change.Filter{Query: in.Q}
	var rs []change.Request
	var total int
	switch queue := in.Queue; {
	case queue == "" && actor.Kind == identity.Customer:
		var tenantID int64
		if tenantID, _, err = s.changeTenant(ctx, in.Tenant); err != nil {
			return nil, err
		}
		if in.State != "" {
			f.States = []change.State{change.State(in.State)}
		}
		rs, total, err = s.Changes.List(ctx, actor, tenantID, f, p)
	default:
		if queue == "" {
			queue = "work"
			if actor.Kind == identity.Sales {
				queue = "approvals"
			}
		}
		list := s.Changes.Queue
		if queue == "approvals" {
			list = s.Changes.Approvals
		}
		rs, total, err = list(ctx, actor, f, p)
	}
	if err != nil {
		return nil, err
	}
	return changeList(rs, total, in, p, callerOf(ctx).Lang), nil
}

// changeList is a page of requests with the link to the next, keeping the filters.
func changeList(rs []change.Request, total int, in *changeListInput, p paging.Page, lang string) *changeListOutput {
	out := &changeListOutput{}
	out.Body.Total = total
	out.Body.Items = make([]ChangeRequest, 0, len(rs))
	for i := range rs {
		out.Body.Items = append(out.Body.Items, changeRequestOf(&rs[i], lang))
	}
	q := url.Values{}
	for k, v := range map[string]string{"tenant": in.Tenant, "state": in.State, "q": in.Q, "queue": in.Queue} {
		if v != "" {
			q.Set(k, v)
		}
	}
	out.Body.Next, out.Link = nextLinks("/changes", q, p, p.Offset()+len(rs) < total)
	return out
}

func (s *server) submitChange(ctx context.Context, in *submitChangeInput) (*changeOutput, error) {
	actor := actorOf(ctx)
	if actor.Kind != identity.Customer {
		return nil, notFound()
	}
	tenantID, err := tenantOfCode(actor, in.Body.Tenant)
	if err != nil {
		return nil, i18n.Errors{i18n.FieldError("tenant", "api.field.tenant_unknown")}
	}
	code := strings.TrimSpace(in.Body.Item)
	// The right first (403), then the item (a refusal beside it).
	it, err := s.Changes.Orderable(ctx, actor, tenantID, code)
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return nil, i18n.Errors{i18n.FieldError("item", "api.change.item_unknown")}
		}
		return nil, err
	}
	form, unknown := changeForm(it, in.Body.Values)
	if len(unknown) > 0 {
		// Name every refusal at once: the unknown fields, and what the catalogue says of the others.
		if _, _, err := s.Changes.Check(ctx, actor, tenantID, it.Code, form); err != nil {
			if es, ok := i18n.AsErrors(valueErrors(err)); ok {
				unknown = append(unknown, es...)
			} else {
				return nil, err
			}
		}
		return nil, unknown
	}
	token := ""
	if in.IdempotencyKey != "" {
		token = "api:" + in.IdempotencyKey
	}
	r, err := s.Changes.SubmitOnce(ctx, actor, tenantID, it.Code, form, token)
	if err != nil {
		return nil, valueErrors(err)
	}
	return s.changeOutput(ctx, r.ID)
}

// changeForm turns the values sent into the form the catalogue checks; a value for a field the
// item does not have is refused, named values.<code>.
func changeForm(it *change.Item, values map[string]ChangeValue) (map[string]string, i18n.Errors) {
	form := make(map[string]string, len(it.Fields))
	var unknown i18n.Errors
	for _, code := range slices.Sorted(maps.Keys(values)) {
		if _, ok := it.Field(code); !ok {
			unknown.Add(i18n.FieldError("values."+code, "api.field.unknown", "Field", "values."+code))
			continue
		}
		form[code] = values[code].text
	}
	return form, unknown
}

// valueErrors names the catalogue's refusals as the request names the fields: values.<code>.
func valueErrors(err error) error {
	es, ok := i18n.AsErrors(err)
	if !ok {
		return err
	}
	out := make(i18n.Errors, 0, len(es))
	for _, e := range es {
		c := *e
		if c.Field != "" {
			c.Field = "values." + c.Field
		}
		out = append(out, &c)
	}
	return out
}
