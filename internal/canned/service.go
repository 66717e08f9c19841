package canned

import (
	"context"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// Service holds the canned responses' use cases. Only support agents and admins write and use
// them; anyone else is answered apperr.ErrNotFound, as for a response that does not exist.
type Service struct {
	DB *bun.DB
	// Bundle writes the due time, or that none runs, in the reporter's language.
	Bundle *i18n.Bundle
	// Notifier makes the link to the customer's page of an incident.
	Notifier *notify.Notifier
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// mayUse refuses whoever is not a support agent or an admin.
func mayUse(actor tenancy.Actor) error {
	if actor.Kind == identity.Agent || actor.Kind == identity.Admin {
		return nil
	}
	return apperr.ErrNotFound
}

// List returns every canned response, by name.
func (s *Service) List(ctx context.Context, actor tenancy.Actor) ([]Response, error) {
	if err := mayUse(actor); err != nil {
		return nil, err
	}
	return all(ctx, s.DB)
}

// Get returns one canned response.
func (s *Service) Get(ctx context.Context, actor tenancy.Actor, id int64) (*Response, error) {
	if err := mayUse(actor); err != nil {
		return nil, err
	}
	return byID(ctx, s.DB, id)
}

// nameInUse is the refusal of a name another response has, in any case.
func nameInUse() error { return i18n.FieldError("name", "canned.error.name_taken") }

// Create writes a canned response.
func (s *Service) Create(ctx context.Context, actor tenancy.Actor, d Draft) (*Response, error) {
	if err := mayUse(actor); err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	now := s.now()
	r := &Response{Name: d.Name, NameKey: NameKey(d.Name), TextFR: d.TextFR, TextEN: d.TextEN, Action: d.Action,
		Version: 1, CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := s.checkName(ctx, tx, r.NameKey, 0); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
			return fmt.Errorf("canned: insert response: %w", err)
		}
		return nil
	})
	if db.IsUniqueViolation(err) { // the same name written at the same time
		return nil, nameInUse()
	}
	if err != nil {
		return nil, err
	}
	return byID(ctx, s.DB, r.ID)
}

// checkName refuses a name key another response than except has. Two writers of one name take
// turns, so that the second sees the first's.
func (s *Service) checkName(ctx context.Context, tx bun.Tx, key string, except int64) error {
	if err := db.Serialize(ctx, tx, "canned-names"); err != nil {
		return err
	}
	taken, err := nameTaken(ctx, tx, key, except)
	if err != nil {
		return err
	}
	if taken {
		return nameInUse()
	}
	return nil
}

// Update changes a canned response read at version: one changed since is apperr.ErrStale.
func (s *Service) Update(ctx context.Context, actor tenancy.Actor, id int64, version int, d Draft) (*Response, error) {
	if err := mayUse(actor); err != nil {
		return nil, err
	}
	cur, err := byID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if cur.Version != version {
		return nil, apperr.ErrStale
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		r, err := lockByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Version != version {
			return apperr.ErrStale
		}
		r.Name, r.NameKey, r.TextFR, r.TextEN, r.Action = d.Name, NameKey(d.Name), d.TextFR, d.TextEN, d.Action
		r.UpdatedAt = s.now()
		if err := s.checkName(ctx, tx, r.NameKey, id); err != nil {
			return err
		}
		res, err := tx.NewUpdate().Model(r).Column("name", "name_key", "text_fr", "text_en", "action", "updated_at").
			Set("version = version + 1").Where("id = ? AND version = ?", id, version).Exec(ctx)
		if err != nil {
			return fmt.Errorf("canned: update response %d: %w", id, err)
		}
		return oneRow(res, id, apperr.ErrStale)
	})
	if db.IsUniqueViolation(err) {
		return nil, nameInUse()
	}
	if err != nil {
		return nil, err
	}
	return byID(ctx, s.DB, id)
}

// Delete removes a canned response: it is no longer offered. Replies sent with it stay as sent.
func (s *Service) Delete(ctx context.Context, actor tenancy.Actor, id int64) error {
	if err := mayUse(actor); err != nil {
		return err
	}
	res, err := s.DB.NewDelete().Model((*Response)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("canned: delete response %d: %w", id, err)
	}
	return oneRow(res, id, apperr.ErrNotFound)
}

// Used counts a reply sent with a canned response. Counting is not an edit: the version stays,
// so that a page open on the response is not made stale by its use.
func (s *Service) Used(ctx context.Context, actor tenancy.Actor, id int64) error {
	if err := mayUse(actor); err != nil {
		return err
	}
	return countUse(ctx, s.DB, id)
}

// Filled is a canned response made ready for one incident: its text in the reporter's language
// with the placeholders filled in, which the agent may still edit before sending.
type Filled struct {
	Response *Response
	Lang     string
	Text     string
}

// Fill makes canned response id ready for incident incidentID, which actor must be able to read.
func (s *Service) Fill(ctx context.Context, actor tenancy.Actor, id, incidentID int64) (*Filled, error) {
	if err := mayUse(actor); err != nil {
		return nil, err
	}
	r, err := byID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	inc, err := incident.ByID(ctx, s.DB, incidentID)
	if err != nil {
		return nil, err
	}
	if err := incident.CanRead(ctx, s.DB, actor, inc.TenantID); err != nil {
		return nil, err
	}
	reporter, err := identity.UserByID(ctx, s.DB, inc.ReporterID)
	if err != nil {
		return nil, err
	}
	lang := reporter.Lang
	if !identity.ValidLang(lang) {
		lang = i18n.Langs[0]
	}
	return &Filled{Response: r, Lang: lang, Text: Fill(r.Text(lang), s.values(lang, actor, inc, reporter))}, nil
}

// values are what the placeholders become on inc, in lang.
func (s *Service) values(lang string, actor tenancy.Actor, inc *incident.Incident, reporter *identity.User) map[string]string {
	due := s.Bundle.T(lang, "canned.value.no_due", nil)
	if inc.HasDue() {
		due = s.Bundle.FormatDateTime(lang, inc.SLADueAt)
	}
	link := "/incidents/" + inc.Number()
	if s.Notifier != nil {
		link = s.Notifier.Link(link)
	}
	return map[string]string{
		"customer_name":   reporter.DisplayName,
		"incident_number": inc.Number(),
		"title":           inc.Title,
		"agent_name":      actor.Name,
		"due_time":        due,
		"link":            link,
	}
}
