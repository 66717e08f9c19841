package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/webhook"
)

const webhookTag = "Webhooks"

// Webhook is an HTTPS endpoint told of events, signed with its secret.
type Webhook struct {
	ID          int64     `json:"id"`
	Tenant      string    `json:"tenant,omitempty" example:"OCB0000001" doc:"The tenant whose events it hears; absent for an endpoint of every tenant (admins')."`
	URL         string    `json:"url" example:"https://hooks.example.com/guichet"`
	Events      []string  `json:"events" doc:"The events it subscribes to: event types, or families such as change.*."`
	Description string    `json:"description,omitempty"`
	Active      bool      `json:"active" doc:"An endpoint switched off keeps its deliveries until it is switched on again."`
	Version     int       `json:"version" doc:"Changes with every update; send it back as If-Match: \"v<version>\"."`
	CreatedBy   string    `json:"created_by,omitempty" doc:"Who registered it."`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Secret      string    `json:"secret,omitempty" doc:"Only in the answer that makes the endpoint or gives it a new secret: it is never shown again. Each delivery carries Guichet-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" with this secret>."`
}

func webhookOf(w *webhook.Webhook) Webhook {
	return Webhook{ID: w.ID, Tenant: w.TenantCode, URL: w.URL, Events: w.Events(), Description: w.Description, Active: w.Active,
		Version: w.Version, CreatedBy: w.CreatedByName, CreatedAt: w.CreatedAt.UTC(), UpdatedAt: w.UpdatedAt.UTC()}
}

// WebhookDraft registers an endpoint.
type WebhookDraft struct {
	Tenant      string   `json:"tenant,omitempty" maxLength:"40" example:"OCB0000001" doc:"The tenant's code: a referent names their tenant; an admin any tenant, or none for an endpoint of every tenant."`
	URL         string   `json:"url" maxLength:"2000" example:"https://hooks.example.com/guichet" doc:"An https address on a public network."`
	Events      []string `json:"events" minItems:"1" maxItems:"20" enum:"incident.*,change.*,contract.request.*,major_incident.*,incident.declared,incident.updated,incident.resolved,change.submitted,change.approved,change.rejected,change.scheduled,change.implemented,change.closed,change.cancelled,change.updated,contract.request.filed,contract.request.accepted,contract.request.rejected,contract.request.updated,contract.request.applied,major_incident.opened,major_incident.updated,major_incident.resolved"`
	Description string   `json:"description,omitempty" maxLength:"200"`
	Active      *bool    `json:"active,omitempty" doc:"Whether it hears events at once; true when absent."`
}

// WebhookChange is an endpoint as it should be from now on (its tenant and secret stay).
type WebhookChange struct {
	URL         string   `json:"url" maxLength:"2000" example:"https://hooks.example.com/guichet"`
	Events      []string `json:"events" minItems:"1" maxItems:"20" enum:"incident.*,change.*,contract.request.*,major_incident.*,incident.declared,incident.updated,incident.resolved,change.submitted,change.approved,change.rejected,change.scheduled,change.implemented,change.closed,change.cancelled,change.updated,contract.request.filed,contract.request.accepted,contract.request.rejected,contract.request.updated,contract.request.applied,major_incident.opened,major_incident.updated,major_incident.resolved"`
	Description string   `json:"description,omitempty" maxLength:"200"`
	Active      bool     `json:"active"`
}

// WebhookDelivery is one event posted, or to post, to an endpoint.
type WebhookDelivery struct {
	ID            int64          `json:"id"`
	EventID       string         `json:"event_id" doc:"The event's id (Guichet-Event-Id), the same in every delivery of the event: receivers set aside what they already had."`
	EventType     string         `json:"event_type"`
	Status        string         `json:"status" enum:"pending,delivered,dead" doc:"pending (to post, or to try again), delivered (answered 2xx) or dead (no 2xx within 24 hours of the event)."`
	Attempts      int            `json:"attempts"`
	LastStatus    int            `json:"last_status,omitempty" doc:"The HTTP status of the last answer; absent when there was none."`
	LastError     string         `json:"last_error,omitempty"`
	CreatedAt     time.Time      `json:"created_at"`
	NextAttemptAt *time.Time     `json:"next_attempt_at,omitempty" doc:"When a pending delivery is tried next."`
	DeadlineAt    time.Time      `json:"deadline_at" doc:"When a delivery still failing is given up."`
	DeliveredAt   *time.Time     `json:"delivered_at,omitempty"`
	Payload       map[string]any `json:"payload,omitempty" doc:"On a single delivery: the body posted."`
}

func webhookDeliveryOf(d *webhook.Delivery) WebhookDelivery {
	out := WebhookDelivery{ID: d.ID, EventID: d.EventID, EventType: d.EventType, Status: d.Status, Attempts: d.Attempts,
		LastStatus: d.LastStatus, LastError: d.LastError, CreatedAt: d.CreatedAt.UTC(), DeadlineAt: d.DeadlineAt.UTC(),
		DeliveredAt: utcPtr(d.DeliveredAt)}
	if d.Status == webhook.StatusPending {
		out.NextAttemptAt = utcPtr(&d.NextAttemptAt)
	}
	return out
}

// WebhookRef names an endpoint in a path.
type WebhookRef struct {
	ID int64 `path:"id" minimum:"1"`
}

// WebhookStep is a change of an endpoint as read at a version.
type WebhookStep struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" maxLength:"40" doc:"The endpoint's ETag as read: a stale one is 412, none is 428."`
}

// WebhookDeliveryRef names a delivery of an endpoint in a path.
type WebhookDeliveryRef struct {
	ID       int64 `path:"id" minimum:"1"`
	Delivery int64 `path:"delivery" minimum:"1"`
}

type webhookListInput struct {
	ListParams
	Tenant string `query:"tenant" maxLength:"40" doc:"A tenant's code: its endpoints only. Without it, a referent's list holds the endpoints of every tenant they are the referent of, an admin's every endpoint."`
}

type webhookListOutput struct {
	Link string `header:"Link" doc:"The next page, as rel=\"next\"."`
	Body struct {
		Items []Webhook `json:"items"`
		Next  string    `json:"next,omitempty" doc:"The next page's link; absent on the last page."`
	}
}

type webhookOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     Webhook
}

type webhookCreateInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Makes a retry return the first result instead of registering twice."`
	Body           WebhookDraft
}

type webhookUpdateInput struct {
	WebhookStep
	Body WebhookChange
}

type deliveryListInput struct {
	WebhookRef
	ListParams
	Status string `query:"status" enum:"pending,delivered,dead" doc:"Only the deliveries in this status."`
}

type deliveryListOutput struct {
	Link string `header:"Link" doc:"The next page, as rel=\"next\"."`
	Body struct {
		Items []WebhookDelivery `json:"items"`
		Next  string            `json:"next,omitempty" doc:"The next page's link; absent on the last page."`
	}
}

type deliveryOutput struct {
	Body WebhookDelivery
}

func init() { registrars = append(registrars, (*server).registerWebhooks) }

func (s *server) registerWebhooks(api huma.API) {
	hooks := s.Webhooks
	if hooks == nil {
		hooks = webhook.NewService(s.DB, s.Config.Webhook)
	}
	huma.Register(api, op(http.MethodGet, "/webhooks", "list-webhooks", webhookTag,
		"Webhook endpoints: a referent's, of their tenants; an admin's, of every tenant"),
		func(ctx context.Context, in *webhookListInput) (*webhookListOutput, error) {
			p, err := in.page()
			if err != nil {
				return nil, err
			}
			actor := actorOf(ctx)
			var tenantID int64
			if strings.TrimSpace(in.Tenant) != "" {
				if tenantID, err = hooks.TenantID(ctx, actor, in.Tenant); err != nil {
					return nil, err
				}
			}
			ws, more, err := hooks.List(ctx, actor, tenantID, p)
			if err != nil {
				return nil, err
			}
			out := &webhookListOutput{}
			out.Body.Items = make([]Webhook, 0, len(ws))
			for i := range ws {
				out.Body.Items = append(out.Body.Items, webhookOf(&ws[i]))
			}
			q := url.Values{}
			if in.Tenant != "" {
				q.Set("tenant", in.Tenant)
			}
			out.Body.Next, out.Link = nextLinks("/webhooks", q, p, more)
			return out, nil
		})
	huma.Register(api, op(http.MethodPost, "/webhooks", "create-webhook", webhookTag,
		"Register a webhook endpoint (a referent for their tenant; an admin for any tenant or all): its secret is in this answer only"),
		func(ctx context.Context, in *webhookCreateInput) (*webhookOutput, error) {
			actor := actorOf(ctx)
			var tenantID int64
			switch {
			case strings.TrimSpace(in.Body.Tenant) != "":
				var err error
				tenantID, err = hooks.TenantID(ctx, actor, in.Body.Tenant)
				if errors.Is(err, apperr.ErrNotFound) {
					return nil, i18n.Errors{i18n.FieldError("tenant", "api.field.tenant_unknown")}
				}
				if err != nil {
					return nil, err
				}
			case actor.Kind == identity.Customer:
				return nil, i18n.Errors{i18n.FieldError("tenant", "api.field.tenant_required")}
			}
			active := in.Body.Active == nil || *in.Body.Active
			w, secret, err := hooks.Create(ctx, actor, tenantID, webhook.Draft{URL: in.Body.URL, Events: in.Body.Events,
				Description: in.Body.Description, Active: active})
			if err != nil {
				return nil, err
			}
			out := webhookOutputOf(w)
			out.Body.Secret = secret
			return out, nil
		})
	huma.Register(api, op(http.MethodGet, "/webhooks/{id}", "get-webhook", webhookTag, "A webhook endpoint (never its secret)"),
		func(ctx context.Context, in *WebhookRef) (*webhookOutput, error) {
			w, err := hooks.Get(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return webhookOutputOf(w), nil
		})
	huma.Register(api, op(http.MethodPut, "/webhooks/{id}", "update-webhook", webhookTag,
		"Change a webhook endpoint's address, events, description or state; deliveries still pending go to the new address"),
		func(ctx context.Context, in *webhookUpdateInput) (*webhookOutput, error) {
			w, err := hooks.Get(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			version, err := ifMatch(in.IfMatch, w.Version)
			if err != nil {
				return nil, err
			}
			w, err = hooks.Update(ctx, actorOf(ctx), in.ID, version, webhook.Draft{URL: in.Body.URL, Events: in.Body.Events,
				Description: in.Body.Description, Active: in.Body.Active})
			if err != nil {
				return nil, err
			}
			return webhookOutputOf(w), nil
		})
	rotate := op(http.MethodPost, "/webhooks/{id}/secret", "rotate-webhook-secret", webhookTag,
		"Give a webhook endpoint a new secret, in this answer only; deliveries are signed with it from now on")
	rotate.DefaultStatus = http.StatusOK
	huma.Register(api, rotate, func(ctx context.Context, in *WebhookStep) (*webhookOutput, error) {
		w, err := hooks.Get(ctx, actorOf(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		version, err := ifMatch(in.IfMatch, w.Version)
		if err != nil {
			return nil, err
		}
		w, secret, err := hooks.RotateSecret(ctx, actorOf(ctx), in.ID, version)
		if err != nil {
			return nil, err
		}
		out := webhookOutputOf(w)
		out.Body.Secret = secret
		return out, nil
	})
	del := op(http.MethodDelete, "/webhooks/{id}", "delete-webhook", webhookTag,
		"Delete a webhook endpoint with its delivery log: what was not delivered is not")
	del.DefaultStatus = http.StatusNoContent
	huma.Register(api, del, func(ctx context.Context, in *WebhookRef) (*struct{}, error) {
		return nil, hooks.Delete(ctx, actorOf(ctx), in.ID)
	})
	huma.Register(api, op(http.MethodGet, "/webhooks/{id}/deliveries", "list-webhook-deliveries", webhookTag,
		"A webhook endpoint's delivery log, latest first"),
		func(ctx context.Context, in *deliveryListInput) (*deliveryListOutput, error) {
			p, err := in.page()
			if err != nil {
				return nil, err
			}
			ds, more, err := hooks.Deliveries(ctx, actorOf(ctx), in.ID, in.Status, p)
			if err != nil {
				return nil, err
			}
			out := &deliveryListOutput{}
			out.Body.Items = make([]WebhookDelivery, 0, len(ds))
			for i := range ds {
				out.Body.Items = append(out.Body.Items, webhookDeliveryOf(&ds[i]))
			}
			q := url.Values{}
			if in.Status != "" {
				q.Set("status", in.Status)
			}
			path := "/webhooks/" + strconv.FormatInt(in.ID, 10) + "/deliveries"
			out.Body.Next, out.Link = nextLinks(path, q, p, more)
			return out, nil
		})
	huma.Register(api, op(http.MethodGet, "/webhooks/{id}/deliveries/{delivery}", "get-webhook-delivery", webhookTag,
		"A delivery of a webhook endpoint, with the body posted"),
		func(ctx context.Context, in *WebhookDeliveryRef) (*deliveryOutput, error) {
			d, err := hooks.Delivery(ctx, actorOf(ctx), in.ID, in.Delivery)
			if err != nil {
				return nil, err
			}
			out := webhookDeliveryOf(d)
			if err := json.Unmarshal([]byte(d.Payload), &out.Payload); err != nil {
				return nil, err
			}
			return &deliveryOutput{Body: out}, nil
		})
	redeliver := op(http.MethodPost, "/webhooks/{id}/deliveries/{delivery}/redeliver", "redeliver-webhook-delivery", webhookTag,
		"Post a delivered or dead delivery again, at once and with a new 24-hour window (a pending one is left as it is)")
	redeliver.DefaultStatus = http.StatusOK
	huma.Register(api, redeliver, func(ctx context.Context, in *WebhookDeliveryRef) (*deliveryOutput, error) {
		d, err := hooks.Redeliver(ctx, actorOf(ctx), in.ID, in.Delivery)
		if err != nil {
			return nil, err
		}
		return &deliveryOutput{Body: webhookDeliveryOf(d)}, nil
	})
}

func webhookOutputOf(w *webhook.Webhook) *webhookOutput {
	return &webhookOutput{ETag: etag(w.Version), Location: Prefix + "/webhooks/" + strconv.FormatInt(w.ID, 10), Body: webhookOf(w)}
}
