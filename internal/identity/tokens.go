package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/uptrace/bun"
)

// Scopes of a personal access token: a read-only token may only read.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// Limits of personal access tokens.
const (
	MaxTokenName = 100
	// MaxTokenLife is the longest a token may live.
	MaxTokenLife = 366 * 24 * time.Hour
	// TokenPrefix starts every token, so that secret scanners and people recognize one.
	TokenPrefix = "gch_"
	// tokenUseEvery is how often a token's last use is written: not at every request.
	tokenUseEvery = time.Minute
)

// APIToken is a personal access token: it acts as its user, no more. Only a hash of the
// secret is kept; the secret is shown once, when the token is made.
type APIToken struct {
	bun.BaseModel `bun:"table:api_tokens,alias:tk"`

	ID         int64      `bun:"id,pk,autoincrement"`
	UserID     int64      `bun:"user_id"`
	Name       string     `bun:"name"`
	Prefix     string     `bun:"prefix"`
	TokenHash  string     `bun:"token_hash"`
	Scope      string     `bun:"scope"`
	CreatedAt  time.Time  `bun:"created_at"`
	ExpiresAt  time.Time  `bun:"expires_at"`
	LastUsedAt *time.Time `bun:"last_used_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
	RevokedBy  *int64     `bun:"revoked_by"`

	// Read with the admins' list.
	UserLogin string `bun:"user_login,scanonly"`
	UserName  string `bun:"user_name,scanonly"`
}

// Active reports whether the token still opens the API at now.
func (t *APIToken) Active(now time.Time) bool { return t.RevokedAt == nil && now.Before(t.ExpiresAt) }

// CanWrite reports whether the token may change things.
func (t *APIToken) CanWrite() bool { return t.Scope == ScopeWrite }

// NewAPIToken is what a user asks for on the profile page.
type NewAPIToken struct {
	Name  string
	Scope string
	// Expires is the last day the token works (it stops at the end of that day, UTC).
	Expires time.Time
}

// Refusals of a token at use, told apart so that the API says which.
var (
	// ErrTokenInvalid: no such token, expired, revoked, or its user is disabled.
	ErrTokenInvalid = errors.New("identity: token invalid")
	// ErrTokenNeedsTwoFactor: a staff token whose user has not set two-factor authentication
	// while the desk requires it.
	ErrTokenNeedsTwoFactor = errors.New("identity: token needs two-factor authentication")
)

// CreateToken makes a token for the actor and returns its secret, which is never shown again.
// Staff must have set two-factor authentication when the desk requires it (staffRequired).
func (s *Service) CreateToken(ctx context.Context, actor Actor, in NewAPIToken, staffRequired bool) (string, *APIToken, error) {
	now := s.Now()
	var es i18n.Errors
	in.Name = strings.TrimSpace(in.Name)
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		es.Add(i18n.FieldError("name", "token.error.name_required"))
	case n > MaxTokenName || !cleanLine(in.Name):
		es.Add(i18n.FieldError("name", "token.error.name", "Max", MaxTokenName))
	}
	if in.Scope != ScopeRead && in.Scope != ScopeWrite {
		es.Add(i18n.FieldError("scope", "token.error.scope"))
	}
	expires := time.Date(in.Expires.Year(), in.Expires.Month(), in.Expires.Day(), 0, 0, 0, 0, time.UTC).Add(24 * time.Hour)
	switch {
	case in.Expires.IsZero():
		es.Add(i18n.FieldError("expires", "token.error.expires_required"))
	case !expires.After(now):
		es.Add(i18n.FieldError("expires", "token.error.expires_past"))
	case expires.Sub(now) > MaxTokenLife:
		es.Add(i18n.FieldError("expires", "token.error.expires_far"))
	}
	if err := es.Err(); err != nil {
		return "", nil, err
	}
	u, err := UserByID(ctx, s.DB, actor.UserID)
	if err != nil {
		return "", nil, err
	}
	if u.Kind.Staff() && staffRequired && !u.TwoFactor() {
		return "", nil, i18n.NewError("token.error.two_factor")
	}
	secret := TokenPrefix + NewToken()
	t := &APIToken{UserID: u.ID, Name: in.Name, Prefix: secret[:len(TokenPrefix)+6], TokenHash: HashToken(secret),
		Scope: in.Scope, CreatedAt: now, ExpiresAt: expires}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(t).Exec(ctx); err != nil {
			return wrap(err, "insert token of user %d", u.ID)
		}
		return audit.Write(ctx, tx, audit.Change{Action: audit.TokenCreated, ActorID: actor.UserID, SubjectID: u.ID,
			Object: fmt.Sprintf("%s… (%s)", t.Prefix, t.Name),
			After:  map[string]any{"name": t.Name, "scope": t.Scope, "expires": t.ExpiresAt.Format(time.DateOnly)}})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// cleanLine reports whether s holds no control characters.
func cleanLine(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// Tokens lists the actor's own tokens, newest first, revoked ones included.
func (s *Service) Tokens(ctx context.Context, actor Actor) ([]APIToken, error) {
	var ts []APIToken
	err := s.DB.NewSelect().Model(&ts).Where("tk.user_id = ?", actor.UserID).OrderExpr("tk.id DESC").Scan(ctx)
	return ts, wrap(err, "list tokens of user %d", actor.UserID)
}

// AllTokens lists every user's active tokens for an admin, newest first.
func (s *Service) AllTokens(ctx context.Context, actor Actor) ([]APIToken, error) {
	if actor.Kind != Admin {
		return nil, apperr.ErrForbidden
	}
	var ts []APIToken
	err := s.DB.NewSelect().Model(&ts).ColumnExpr("tk.*, u.login AS user_login, u.display_name AS user_name").
		Join("JOIN users AS u ON u.id = tk.user_id").
		Where("tk.revoked_at IS NULL AND tk.expires_at > ?", s.Now()).OrderExpr("tk.id DESC").Scan(ctx)
	return ts, wrap(err, "list tokens")
}

// RevokeToken ends token id: its owner may, and an admin may revoke anyone's. Another user's
// token is apperr.ErrNotFound to a non-admin. Revoking a revoked token changes nothing.
func (s *Service) RevokeToken(ctx context.Context, actor Actor, id int64) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return s.revokeToken(ctx, tx, actor, id)
	})
}

func (s *Service) revokeToken(ctx context.Context, tx bun.Tx, actor Actor, id int64) error {
	q := tx.NewUpdate().Model((*APIToken)(nil)).Set("revoked_at = ?", s.Now()).Set("revoked_by = ?", actor.UserID).
		Where("id = ? AND revoked_at IS NULL", id)
	if actor.Kind != Admin {
		q = q.Where("user_id = ?", actor.UserID)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return wrap(err, "revoke token %d", id)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		var t APIToken
		if err := tx.NewSelect().Model(&t).Where("id = ?", id).Scan(ctx); err != nil {
			return wrap(err, "read token %d", id)
		}
		return audit.Write(ctx, tx, audit.Change{Action: audit.TokenRevoked, ActorID: actor.UserID, SubjectID: t.UserID,
			Object: fmt.Sprintf("%s… (%s)", t.Prefix, t.Name), Before: map[string]any{"revoked": false},
			After: map[string]any{"revoked": true}})
	}
	// Already revoked (nothing to do) or not the actor's to revoke (not found).
	var owner int64
	err = tx.NewSelect().Model((*APIToken)(nil)).Column("user_id").Where("id = ?", id).Scan(ctx, &owner)
	if err != nil {
		return wrap(notFound(err), "read token %d", id)
	}
	if owner != actor.UserID && actor.Kind != Admin {
		return apperr.ErrNotFound
	}
	return nil
}

// TokenUser returns the token whose secret is given, and its user: ErrTokenInvalid when it
// does not open the API (unknown, expired, revoked, user disabled), ErrTokenNeedsTwoFactor for
// staff without two-factor authentication when the desk requires it. One indexed read of the
// hash: no slow hash at every request. The last use is written at most once a minute.
func (s *Service) TokenUser(ctx context.Context, secret string, staffRequired bool) (*APIToken, *User, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) != len(TokenPrefix)+43 {
		return nil, nil, ErrTokenInvalid
	}
	key := HashToken(secret)
	var t *APIToken
	var u *User
	if e, ok := s.tokens.Get(ctx, key); ok {
		// Copies: the cached values are shared by the requests of the token.
		tc, uc := e.token, e.user
		t, u = &tc, &uc
	} else {
		t = new(APIToken)
		err := s.DB.NewSelect().Model(t).Where("tk.token_hash = ?", key).Scan(ctx)
		if err != nil {
			if errors.Is(notFound(err), apperr.ErrNotFound) {
				return nil, nil, ErrTokenInvalid
			}
			return nil, nil, wrap(err, "read token")
		}
		if u, err = UserByID(ctx, s.DB, t.UserID); err != nil {
			return nil, nil, err
		}
		s.tokens.Put(ctx, key, tokenEntry{*t, *u})
	}
	now := s.Now()
	if !t.Active(now) {
		return nil, nil, ErrTokenInvalid
	}
	if !u.Active || u.Locked() {
		return nil, nil, ErrTokenInvalid
	}
	if u.Kind.Staff() && staffRequired && !u.TwoFactor() {
		return nil, nil, ErrTokenNeedsTwoFactor
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > tokenUseEvery {
		t.LastUsedAt = &now
		if _, err := s.DB.NewUpdate().Model(t).Column("last_used_at").WherePK().Exec(ctx); err != nil {
			return nil, nil, wrap(err, "record use of token %d", t.ID)
		}
		// The last-use time moves no access version: the cached token learns it here.
		s.tokens.Put(ctx, key, tokenEntry{*t, *u})
	}
	return t, u, nil
}

// tokenEntry is a token and its user as TokenUser read them.
type tokenEntry struct {
	token APIToken
	user  User
}
