package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
)

// Me is the token's user.
type Me struct {
	Login string    `json:"login"`
	Name  string    `json:"name"`
	Email string    `json:"email"`
	Lang  string    `json:"lang" enum:"fr,en"`
	Kind  string    `json:"kind" enum:"customer,agent,sales,admin"`
	Token TokenInfo `json:"token" doc:"The token of this request."`
}

// TokenInfo describes a personal access token, never its secret.
type TokenInfo struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix" doc:"The token's first characters, to recognize it."`
	Scope      string     `json:"scope" enum:"read,write"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	User       string     `json:"user,omitempty" doc:"The owner's login, in an admin's list."`
}

func tokenInfo(t *identity.APIToken) TokenInfo {
	ti := TokenInfo{ID: t.ID, Name: t.Name, Prefix: t.Prefix, Scope: t.Scope, CreatedAt: t.CreatedAt.UTC(),
		ExpiresAt: t.ExpiresAt.UTC(), LastUsedAt: utcPtr(t.LastUsedAt), RevokedAt: utcPtr(t.RevokedAt), User: t.UserLogin}
	return ti
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Tenant is a tenant with the reader's rights on it.
type Tenant struct {
	Code   string  `json:"code" example:"OCB0000001"`
	Name   string  `json:"name"`
	Status string  `json:"status" enum:"active,cancellation_requested,cancelled"`
	Rights *Rights `json:"rights,omitempty" doc:"A customer's rights on the tenant."`
}

// Rights are what a customer may do on a tenant.
type Rights struct {
	Incidents bool `json:"incidents"`
	Changes   bool `json:"changes"`
	Contract  bool `json:"contract"`
	Users     bool `json:"users"`
	Services  bool `json:"services" doc:"Orders from the service catalogue and cancels subscriptions."`
	Referent  bool `json:"referent"`
	Owner     bool `json:"owner" doc:"The tenant's domain owner."`
}

type meOutput struct {
	Body Me
}

type tenantsOutput struct {
	Body struct {
		Items []Tenant `json:"items"`
	}
}

type tokensOutput struct {
	Body struct {
		Items []TokenInfo `json:"items"`
	}
}

type tokenPath struct {
	ID int64 `path:"id" minimum:"1"`
}

func init() { registrars = append(registrars, (*server).registerAccount) }

func (s *server) registerAccount(api huma.API) {
	huma.Register(api, op(http.MethodGet, "/me", "get-me", "Account", "The token's user"),
		func(ctx context.Context, _ *struct{}) (*meOutput, error) {
			cl := callerOf(ctx)
			u := cl.User
			return &meOutput{Body: Me{Login: u.Login, Name: u.DisplayName, Email: u.Email, Lang: u.Lang, Kind: kindOf(u.Kind),
				Token: tokenInfo(cl.Token)}}, nil
		})
	huma.Register(api, op(http.MethodGet, "/tenants", "list-tenants", "Account",
		"The tenants the reader works on: a customer's own with their rights; every tenant for staff (use the staff tenant list)"),
		func(ctx context.Context, _ *struct{}) (*tenantsOutput, error) {
			actor := actorOf(ctx)
			out := &tenantsOutput{}
			out.Body.Items = []Tenant{}
			if actor.Kind != identity.Customer {
				return out, nil
			}
			for _, t := range actor.Tenants() {
				a, err := s.Tenancy.Access(ctx, actor, t.ID)
				if err != nil {
					return nil, err
				}
				out.Body.Items = append(out.Body.Items, tenantOf(a))
			}
			return out, nil
		})
	huma.Register(api, op(http.MethodGet, "/tokens", "list-tokens", "Account",
		"The reader's personal access tokens; an admin's list holds every user's active tokens with all=true"),
		func(ctx context.Context, in *struct {
			All bool `query:"all" doc:"Admins: every user's active tokens."`
		}) (*tokensOutput, error) {
			actor := actorOf(ctx)
			var ts []identity.APIToken
			var err error
			if in.All {
				ts, err = s.Identity.AllTokens(ctx, actor.Actor)
			} else {
				ts, err = s.Identity.Tokens(ctx, actor.Actor)
			}
			if err != nil {
				return nil, err
			}
			out := &tokensOutput{}
			out.Body.Items = make([]TokenInfo, 0, len(ts))
			for i := range ts {
				out.Body.Items = append(out.Body.Items, tokenInfo(&ts[i]))
			}
			return out, nil
		})
	del := op(http.MethodDelete, "/tokens/{id}", "revoke-token", "Account", "Revoke a token: the reader's own, or anyone's for an admin")
	del.DefaultStatus = http.StatusNoContent
	huma.Register(api, del, func(ctx context.Context, in *tokenPath) (*struct{}, error) {
		return nil, s.Identity.RevokeToken(ctx, actorOf(ctx).Actor, in.ID)
	})
}

func tenantOf(a *tenancy.Access) Tenant {
	t := Tenant{Code: a.Tenant.Code, Name: a.Tenant.Name, Status: a.Tenant.Status}
	t.Rights = &Rights{Incidents: a.Rights.Incidents, Changes: a.Rights.Changes, Contract: a.Rights.Contract, Users: a.Rights.Users,
		Services: a.Rights.Services, Referent: a.Referent, Owner: a.Owner}
	return t
}

// tenantOfCode finds a customer's tenant by its code among those they work on: any other code
// is not found, whether it exists or not.
func tenantOfCode(actor tenancy.Actor, code string) (int64, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	for _, t := range actor.Tenants() {
		if t.Code == code {
			return t.ID, nil
		}
	}
	return 0, apperr.ErrNotFound
}
