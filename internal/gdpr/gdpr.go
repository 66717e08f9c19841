// Package gdpr is what the desk does for a person's rights over their data: access (an archive
// of everything the desk holds about them, for an admin or the person themself) and erasure (an
// admin pseudonymizes the account and removes what identifies the person, keeping the tenants'
// tickets, SLA history and reports whole). Both are recorded in the audit log.
//
// Erasure stores one pseudonym and one redaction notice, in the desk's default language
// (GUICHET_DEFAULT_LANG): the database keeps a single display name per account, and every page,
// list, export, API answer and mail reads it from there.
package gdpr

import (
	"context"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

// Service holds the GDPR use cases.
type Service struct {
	DB     *bun.DB
	Bundle *i18n.Bundle
	// Lang is the language the pseudonym and the redaction notices are stored in.
	Lang string
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// New returns a Service on bdb storing pseudonyms and notices in lang.
func New(bdb *bun.DB, b *i18n.Bundle, lang string) *Service {
	if !identity.ValidLang(lang) {
		lang = "fr"
	}
	return &Service{DB: bdb, Bundle: b, Lang: lang, Now: func() time.Time { return time.Now().UTC() }}
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// Pseudonym is the name an erased account takes: « Utilisateur supprimé n° 123 ».
func (s *Service) Pseudonym(id int64) string {
	return s.Bundle.T(s.Lang, "gdpr.pseudonym", map[string]any{"ID": id})
}

// ErasedLogin is the login an erased account takes (unless another account has it, see
// freeLogin); no one can log in with it, the account having no password.
func ErasedLogin(id int64) string { return fmt.Sprintf("deleted-%d", id) }

// notice is the text that replaces an erased person's free text when the admin asks for it.
func (s *Service) notice() string { return s.Bundle.T(s.Lang, "gdpr.redacted", nil) }

// fileNotice is the name a deleted attachment keeps on its timeline.
func (s *Service) fileNotice() string { return s.Bundle.T(s.Lang, "gdpr.file_deleted", nil) }

// Person is the account a GDPR action is about, as it is now.
type Person struct {
	ID        int64
	Login     string
	Name      string
	Email     string
	Lang      string
	Kind      identity.Kind
	Active    bool
	ErasedAt  *time.Time
	UpdatedAt time.Time
}

type personRow struct {
	bun.BaseModel `bun:"table:users"`

	ID          int64         `bun:"id"`
	Login       string        `bun:"login"`
	DisplayName string        `bun:"display_name"`
	Email       string        `bun:"email"`
	Lang        string        `bun:"lang"`
	Kind        identity.Kind `bun:"kind"`
	Active      bool          `bun:"active"`
	ErasedAt    *time.Time    `bun:"erased_at"`
	UpdatedAt   time.Time     `bun:"updated_at"`
}

// person reads user id (locked until the transaction ends on PostgreSQL when lock is set).
func person(ctx context.Context, idb bun.IDB, id int64, lock bool) (*Person, error) {
	var r personRow
	q := idb.NewSelect().Model(&r).Column("id", "login", "display_name", "email", "lang", "kind", "active", "erased_at", "updated_at").
		Where("id = ?", id)
	if lock {
		q = db.ForUpdate(q)
	}
	if err := q.Scan(ctx); err != nil {
		if err = apperr.FromNoRows(err); err == apperr.ErrNotFound {
			return nil, err
		}
		return nil, fmt.Errorf("gdpr: read user %d: %w", id, err)
	}
	return &Person{ID: r.ID, Login: r.Login, Name: r.DisplayName, Email: r.Email, Lang: r.Lang, Kind: r.Kind,
		Active: r.Active, ErasedAt: r.ErasedAt, UpdatedAt: r.UpdatedAt.UTC()}, nil
}

// Person returns the account id for an admin's GDPR page.
func (s *Service) Person(ctx context.Context, actor identity.Actor, id int64) (*Person, error) {
	if actor.Kind != identity.Admin {
		return nil, apperr.ErrForbidden
	}
	return person(ctx, s.DB, id, false)
}
