package api

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/contract"
)

// SalesView is what the sales desk reads beside a request: the tenant as it stands, and
// whether accepting the request now would pass the rules.
type SalesView struct {
	TenantStatus string          `json:"tenant_status" enum:"active,cancellation_requested,cancelled"`
	Referent     string          `json:"referent,omitempty" doc:"The tenant's referent."`
	Owner        string          `json:"owner,omitempty" doc:"The tenant's domain owner."`
	Level        *ContractPeriod `json:"level,omitempty" doc:"The tenant's level in force today."`
	Committed    bool            `json:"committed" doc:"Whether today falls within the commitment of the level in force."`
	Scheduled    *ContractPeriod `json:"scheduled,omitempty" doc:"An accepted change that has not taken effect yet."`
	MayAccept    bool            `json:"may_accept" doc:"Pending requests: whether the rules let it be accepted today (a cancellation also needs cancel_on, an order tenant_code)."`
	Refusal      string          `json:"refusal,omitempty" doc:"Why the rules refuse to accept it today, in the reader's language."`
	RefusalCode  string          `json:"refusal_code,omitempty" doc:"Why not, as a code."`
	Preview      *ContractPeriod `json:"preview,omitempty" doc:"support_level: the period accepting today would add."`
}

// salesView is the staff view's extras of a request.
func (s *server) salesView(ctx context.Context, v *contract.StaffView) *SalesView {
	r, o := v.Request, v.Overview
	out := &SalesView{TenantStatus: r.Tenant.Status, Committed: o.Committed}
	if r.Tenant.Referent != nil {
		out.Referent = r.Tenant.Referent.DisplayName
	}
	if r.Tenant.Owner != nil {
		out.Owner = r.Tenant.Owner.DisplayName
	}
	if o.HasLevel {
		p := periodOf(o.Current)
		out.Level = &p
	}
	if o.Scheduled != nil {
		p := periodOf(*o.Scheduled)
		out.Scheduled = &p
	}
	if r.State != contract.Pending {
		return out
	}
	out.MayAccept = v.Refusal == nil
	if v.Refusal != nil {
		out.Refusal, out.RefusalCode = s.contractSay(ctx, v.Refusal, r.Tenant), codeOfKey(v.Refusal.Key)
	}
	if v.Preview != nil {
		p := periodOf(*v.Preview)
		out.Preview = &p
	}
	return out
}

type salesListInput struct {
	ListParams
	State string `query:"state" enum:"pending,decided" default:"pending" doc:"pending: the requests waiting, oldest first; decided: the latest decided (up to 2000), newest first."`
}

type salesListOutput struct {
	Link string `header:"Link" doc:"The next page, as rel=\"next\"."`
	Body struct {
		Items []ContractRequest `json:"items"`
		Next  string            `json:"next,omitempty" doc:"The next page's link; absent on the last page."`
	}
}

// ContractRequestStep is a decision on a request as read at a version.
type ContractRequestStep struct {
	Number  string `path:"number" maxLength:"20" example:"REQ0000001"`
	IfMatch string `header:"If-Match" maxLength:"40" doc:"The request's ETag as read: a stale one (or a request decided since) is 412, none is 428."`
}

// SalesAcceptance is what accepting a request may need.
type SalesAcceptance struct {
	CancelOn   string `json:"cancel_on,omitempty" maxLength:"40" example:"2026-07-01" doc:"cancellation: the day the tenant is cancelled (YYYY-MM-DD, today or later in Europe/Paris)."`
	TenantCode string `json:"tenant_code,omitempty" maxLength:"40" example:"OCB0000005" doc:"tenant_order: the code of the tenant it creates."`
	Reason     string `json:"reason,omitempty" maxLength:"5000" doc:"An answer for the customer, sent with the decision."`
}

type salesAcceptInput struct {
	ContractRequestStep
	Body SalesAcceptance
}

// SalesRejection is the reason of a rejection, which the customer reads.
type SalesRejection struct {
	Reason string `json:"reason" maxLength:"5000" doc:"Why, for the customer: required."`
}

type salesRejectInput struct {
	ContractRequestStep
	Body SalesRejection
}

func init() { registrars = append(registrars, (*server).registerSales) }

func (s *server) registerSales(api huma.API) {
	huma.Register(api, op(http.MethodGet, "/sales/requests", "list-sales-requests", "Sales desk",
		"The sales desk: the requests of the rep's tenants (every tenant's for an admin), pending oldest first or decided newest first"),
		s.listSalesRequests)
	accept := op(http.MethodPost, "/requests/{number}/accept", "accept-contract-request", "Sales desk",
		"Accept a pending request (its tenant's sales rep or an admin): the rules are checked again and its effect applied")
	accept.DefaultStatus = http.StatusOK
	huma.Register(api, accept, func(ctx context.Context, in *salesAcceptInput) (*contractRequestOutput, error) {
		return s.decide(ctx, in.ContractRequestStep, contract.Decision{Accept: true, Reason: in.Body.Reason,
			CancelOn: in.Body.CancelOn, TenantCode: in.Body.TenantCode})
	})
	reject := op(http.MethodPost, "/requests/{number}/reject", "reject-contract-request", "Sales desk",
		"Reject a pending request with a reason the customer reads (its tenant's sales rep or an admin)")
	reject.DefaultStatus = http.StatusOK
	huma.Register(api, reject, func(ctx context.Context, in *salesRejectInput) (*contractRequestOutput, error) {
		return s.decide(ctx, in.ContractRequestStep, contract.Decision{Reason: in.Body.Reason})
	})
}

// decide reads the request as the desk sees it, takes the version If-Match names, and decides.
func (s *server) decide(ctx context.Context, step ContractRequestStep, d contract.Decision) (*contractRequestOutput, error) {
	id, ok := parseRequestNumber(step.Number)
	if !ok {
		return nil, notFound()
	}
	actor := actorOf(ctx)
	if !actor.Staff() {
		// Customers never decide: refused before the request is looked up, so that the answer
		// says nothing of another tenant's request.
		return nil, apperr.ErrForbidden
	}
	v, err := s.Contracts.StaffRequest(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if d.Version, err = ifMatch(step.IfMatch, v.Request.Version); err != nil {
		return nil, err
	}
	if _, err := s.Contracts.Decide(ctx, actor, id, d); err != nil {
		return nil, err
	}
	return s.contractRequestOutput(ctx, id)
}

// decidedMost bounds how far the decided list pages: the desk reads the latest decided requests,
// loaded up to the page asked for.
const decidedMost = 2000

func (s *server) listSalesRequests(ctx context.Context, in *salesListInput) (*salesListOutput, error) {
	p, err := in.page()
	if err != nil {
		return nil, err
	}
	actor := actorOf(ctx)
	var rs []contract.Request
	more := false
	from := p.Offset()
	if in.State == "decided" {
		// The service gives the latest decided requests up to a limit: read one more than the
		// page to know whether another follows.
		if from >= decidedMost {
			return nil, refuse(http.StatusBadRequest, "api.problem.cursor")
		}
		if rs, err = s.Contracts.Decided(ctx, actor, min(from+p.Size+1, decidedMost)); err != nil {
			return nil, err
		}
	} else if rs, err = s.Contracts.Queue(ctx, actor); err != nil {
		return nil, err
	}
	from = min(from, len(rs))
	to := min(from+p.Size, len(rs))
	more = to < len(rs)
	now := time.Now()
	out := &salesListOutput{}
	out.Body.Items = make([]ContractRequest, 0, to-from)
	for i := from; i < to; i++ {
		out.Body.Items = append(out.Body.Items, contractRequestOf(&rs[i], now))
	}
	q := url.Values{}
	if in.State != "" && in.State != "pending" {
		q.Set("state", in.State)
	}
	out.Body.Next, out.Link = nextLinks("/sales/requests", q, p, more)
	return out, nil
}
