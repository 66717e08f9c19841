package gdpr

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Counts are what an erasure changes, by kind of data.
type Counts struct {
	Memberships   int `json:"memberships"`    // memberships removed
	Sessions      int `json:"sessions"`       // sessions ended
	APITokens     int `json:"api_tokens"`     // API tokens deleted
	PasswordLinks int `json:"password_links"` // password links deleted
	RecoveryCodes int `json:"recovery_codes"` // recovery codes deleted
	TwoFactor     int `json:"two_factor"`     // 1: two-factor authentication turned off
	Invitations   int `json:"invitations"`    // invitations to their address deleted
	Follows       int `json:"follows"`        // major incidents they followed, no longer
	Mails         int `json:"mails"`          // mails to them purged from the outbox
	Inbound       int `json:"inbound"`        // mails from them emptied (sender, original, text)
	Attachments   int `json:"attachments"`    // files they uploaded, deleted
	// AttachmentBytes is the size of those files.
	AttachmentBytes int64 `json:"attachment_bytes"`
	Incidents       int   `json:"incidents"` // incidents they reported: kept, phone removed, text redacted on request
	Changes         int   `json:"changes"`   // change requests they made: kept, free-text values redacted on request
	Requests        int   `json:"requests"`  // sales desk requests they filed: kept, details redacted on request
	Texts           int   `json:"texts"`     // their replies, notes and reasons: redacted on request, else kept
	Events          int   `json:"events"`    // timeline events naming them, renamed
	Audit           int   `json:"audit"`     // audit entries naming them, rewritten
	Mentions        int   `json:"mentions"`  // others' mails, webhook deliveries, API answers, inbound records naming them
}

// Preview is what erasing a person changes, exactly, before an admin confirms it.
type Preview struct {
	Person Person
	// Pseudonym and Login are the display name and login the account takes.
	Pseudonym string
	Login     string
	// Redact: their free text is replaced by a notice.
	Redact bool
	Counts Counts
	// Kept as they are, for the admin to know: open incidents assigned to them, tenants whose
	// sales rep they are (to reassign).
	AssignedOpen int
	SalesRepOf   []string
	// Fingerprint sums up the preview: the erasure confirmed with it is refused when what it
	// would change is no longer what the preview said.
	Fingerprint string
}

// ErrChanged is the answer to an erasure confirmed from a preview that no longer holds: it
// wraps apperr.ErrStale.
var ErrChanged = fmt.Errorf("gdpr: the erasure changed since its preview: %w", apperr.ErrStale)

// Check says whether actor may erase user id: nil, or the localized refusals (the last active
// admin, the actor's own account, a referent or domain owner still holding the role, an account
// already erased), apperr.ErrForbidden for a non-admin, apperr.ErrNotFound for no such user.
func (s *Service) Check(ctx context.Context, actor identity.Actor, id int64) error {
	if actor.Kind != identity.Admin {
		return apperr.ErrForbidden
	}
	u, err := person(ctx, s.DB, id, false)
	if err != nil {
		return err
	}
	return refusals(ctx, s.DB, actor, u)
}

func refusals(ctx context.Context, idb bun.IDB, actor identity.Actor, u *Person) error {
	var es i18n.Errors
	if u.ErasedAt != nil {
		es.Add(i18n.NewError("gdpr.error.erased", "Name", u.Name))
		return es.Err()
	}
	if u.Kind == identity.Admin && u.Active {
		n, err := idb.NewSelect().Table("users").
			Where("kind = ? AND active = ? AND erased_at IS NULL AND id <> ?", identity.Admin, true, u.ID).Count(ctx)
		if err != nil {
			return fmt.Errorf("gdpr: count admins: %w", err)
		}
		if n == 0 {
			es.Add(i18n.NewError("gdpr.error.last_admin", "Name", u.Name))
		}
	}
	if u.ID == actor.UserID {
		es.Add(i18n.NewError("gdpr.error.yourself"))
	}
	for _, role := range []struct{ column, key string }{{"referent_id", "gdpr.error.referent"}, {"owner_id", "gdpr.error.owner"}} {
		var codes []string
		if err := idb.NewSelect().Table("tenants").Column("code").Where("? = ?", bun.Ident(role.column), u.ID).
			Order("code").Scan(ctx, &codes); err != nil {
			return fmt.Errorf("gdpr: tenants of %s: %w", role.column, err)
		}
		if len(codes) > 0 {
			es.Add(i18n.NewError(role.key, "Name", u.Name, "Tenants", strings.Join(codes, ", "), "Count", len(codes)))
		}
	}
	return es.Err()
}

// PreviewErasure says what erasing user id would change (admin only), or why it is refused.
func (s *Service) PreviewErasure(ctx context.Context, actor identity.Actor, id int64, redact bool) (*Preview, error) {
	if actor.Kind != identity.Admin {
		return nil, apperr.ErrForbidden
	}
	u, err := person(ctx, s.DB, id, false)
	if err != nil {
		return nil, err
	}
	if err := refusals(ctx, s.DB, actor, u); err != nil {
		return nil, err
	}
	return s.run(ctx, s.DB, u, redact, false)
}

// Erase erases user id (admin only), in one transaction, provided fingerprint is the one of the
// preview of the same erasure made now; otherwise ErrChanged and nothing is written. It returns
// what it changed. The account stays, deactivated and pseudonymized; the tenants keep the
// tickets, their timelines and their figures.
func (s *Service) Erase(ctx context.Context, actor identity.Actor, id int64, redact bool, fingerprint string) (*Preview, error) {
	if actor.Kind != identity.Admin {
		return nil, apperr.ErrForbidden
	}
	var done *Preview
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Erasures take turns (two admins erased at once would each count the other), and hold
		// the roles lock of every tenant the person is a member of: a role handed to them meanwhile
		// either commits first (and the erasure is refused) or finds them no longer a member.
		if err := db.Serialize(ctx, tx, "gdpr-erase"); err != nil {
			return err
		}
		var tenants []int64
		if err := tx.NewSelect().Table("memberships").Column("tenant_id").Where("user_id = ?", id).
			Order("tenant_id").Scan(ctx, &tenants); err != nil {
			return fmt.Errorf("gdpr: tenants of user %d: %w", id, err)
		}
		for _, t := range tenants {
			if err := tenancy.LockRoles(ctx, tx, t); err != nil {
				return err
			}
		}
		u, err := person(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := refusals(ctx, tx, actor, u); err != nil {
			return err
		}
		// One pass, applying: what it did is what a preview made now would say, so a fingerprint
		// other than the confirmed preview's rolls it all back. (A pass to count first would
		// double the time the transaction holds SQLite's write lock.)
		if done, err = s.run(ctx, tx, u, redact, true); err != nil {
			return err
		}
		if done.Fingerprint != fingerprint {
			return ErrChanged
		}
		return audit.Write(ctx, tx, audit.Change{Action: audit.GDPRErased, ActorID: actor.UserID, ActorLabel: label(actor),
			SubjectID: u.ID, Object: "user " + fmt.Sprint(u.ID), After: map[string]any{"redacted": redact, "counts": done.Counts}})
	})
	if err != nil {
		return nil, err
	}
	return done, nil
}

// label is the audit log's label of an actor that is not a user (the command line).
func label(actor identity.Actor) string {
	if actor.UserID == 0 {
		return "command line"
	}
	return ""
}

// eraser counts (apply false) or makes (apply true) each change of one erasure, with the same
// conditions either way, so that a preview says exactly what the erasure does.
type eraser struct {
	s      *Service
	ctx    context.Context
	idb    bun.IDB
	u      *Person
	apply  bool
	redact bool
	now    time.Time
	// login is the login the account takes.
	login string
	// key is the person's address in lower case ("" when they have none).
	key               string
	pseudonym, notice string
	// namesJSON and loginsJSON are the person's name and address (and login) as JSON values;
	// quotedText and quotedJSON those and, when their text is redacted, their texts, as mail
	// and webhook deliveries write them.
	namesJSON, loginsJSON, quotedText, quotedJSON []mention
}

func (s *Service) run(ctx context.Context, idb bun.IDB, u *Person, redact, apply bool) (*Preview, error) {
	e := &eraser{s: s, ctx: ctx, idb: idb, u: u, apply: apply, redact: redact, now: s.now(),
		key: strings.ToLower(strings.TrimSpace(u.Email)), pseudonym: s.Pseudonym(u.ID), notice: s.notice()}
	e.namesJSON = jsonMentions(e.pseudonym, u.Name, u.Email)
	e.loginsJSON = jsonMentions(e.pseudonym, u.Name, u.Email, u.Login)
	e.quotedText, e.quotedJSON = textMentions(e.pseudonym, u.Name, u.Email), e.namesJSON
	if redact {
		// Their texts, as others' mails and webhook deliveries quote them, become the notice
		// there too (read before the steps below replace them).
		texts, err := e.freeTexts()
		if err != nil {
			return nil, fmt.Errorf("gdpr: erase user %d: %w", u.ID, err)
		}
		e.quotedText = byLength(append(slices.Clone(e.quotedText), textMentions(e.notice, texts...)...))
		e.quotedJSON = byLength(append(slices.Clone(e.quotedJSON), jsonMentions(e.notice, texts...)...))
	}
	login, err := freeLogin(ctx, idb, u.ID)
	if err != nil {
		return nil, fmt.Errorf("gdpr: erase user %d: %w", u.ID, err)
	}
	e.login = login
	p := &Preview{Person: *u, Pseudonym: e.pseudonym, Login: login, Redact: redact}
	c := &p.Counts
	steps := []func() error{
		func() (err error) { c.Invitations, err = e.invitations(); return },
		func() (err error) { c.Sessions, err = e.delete("sessions", "user_id = ?", u.ID); return },
		func() (err error) { c.PasswordLinks, err = e.delete("password_tokens", "user_id = ?", u.ID); return },
		func() (err error) { c.RecoveryCodes, err = e.delete("recovery_codes", "user_id = ?", u.ID); return },
		func() (err error) { c.APITokens, err = e.tokens(); return },
		func() (err error) { c.Follows, err = e.delete("major_incident_followers", "user_id = ?", u.ID); return },
		func() (err error) { c.Memberships, err = e.delete("memberships", "user_id = ?", u.ID); return },
		func() (err error) { c.Mails, err = e.delete("outbox", e.theirMail()); return },
		func() (err error) { c.Inbound, err = e.inbound(); return },
		func() (err error) { c.Attachments, c.AttachmentBytes, err = e.attachments(); return },
		func() (err error) { c.Incidents, err = e.incidents(); return },
		func() (err error) { c.Changes, err = e.changes(); return },
		func() (err error) { c.Requests, err = e.requests(); return },
		func() (err error) { c.Texts, err = e.texts(); return },
		func() (err error) { c.Events, err = e.events(); return },
		func() (err error) { c.Audit, err = e.audit(); return },
		func() (err error) { c.Mentions, err = e.mentions(); return },
		e.housekeeping,
		func() (err error) { c.TwoFactor, err = e.account(); return },
		func() (err error) { p.AssignedOpen, p.SalesRepOf, err = e.kept(); return },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("gdpr: erase user %d: %w", u.ID, err)
		}
	}
	p.Fingerprint = fingerprint(p)
	return p, nil
}

// freeLogin is ErasedLogin(id), or when an account already has that login, the first of
// ErasedLogin(id)-2, -3… that none has.
func freeLogin(ctx context.Context, idb bun.IDB, id int64) (string, error) {
	for i := 1; ; i++ {
		login := ErasedLogin(id)
		if i > 1 {
			login += fmt.Sprintf("-%d", i)
		}
		n, err := idb.NewSelect().TableExpr("users").Where("login_key = ? AND id <> ?", identity.LoginKey(login), id).Count(ctx)
		if err != nil || n == 0 {
			return login, err
		}
	}
}

// minQuoted is the shortest text of the person looked for in others' mails when it is redacted:
// a shorter one ("OK") would be replaced in texts it is no part of.
const minQuoted = 8

// freeTexts are the texts the person wrote that a redaction replaces: their incidents' titles
// and descriptions, their replies, notes and reasons, their requests' details, each line of
// them too (mails quote a text line by line).
func (e *eraser) freeTexts() ([]string, error) {
	var texts []string
	for _, q := range []struct {
		table, column, where string
	}{
		{"incidents", "title", "reporter_id = ?"},
		{"incidents", "description", "reporter_id = ?"},
		{"timeline_entries", "body", "actor_id = ?"},
		{"contract_requests", "details", "requester_id = ?"},
	} {
		var got []string
		if err := e.idb.NewSelect().TableExpr(q.table).Column(q.column).Where(q.where, e.u.ID).Scan(e.ctx, &got); err != nil {
			return nil, err
		}
		texts = append(texts, got...)
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range texts {
		for _, s := range append([]string{t}, strings.Split(t, "\n")...) {
			s = strings.TrimSpace(s)
			if len([]rune(s)) >= minQuoted && s != e.notice && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// byLength orders mentions longest first, so that a text is replaced whole before a part of it.
func byLength(ms []mention) []mention {
	slices.SortStableFunc(ms, func(a, b mention) int { return len(b.old) - len(a.old) })
	return ms
}

// fingerprint sums up what a preview says and the state of the account it was made on.
func fingerprint(p *Preview) string {
	b, _ := json.Marshal(struct {
		ID        int64
		Updated   time.Time
		Pseudonym string
		Redact    bool
		Counts    Counts
		Assigned  int
		Sales     []string
	}{p.Person.ID, p.Person.UpdatedAt, p.Pseudonym, p.Redact, p.Counts, p.AssignedOpen, p.SalesRepOf})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// where is a condition and its arguments.
type where struct {
	cond string
	args []any
}

func cond(c string, args ...any) where { return where{c, args} }

func (e *eraser) count(table string, w where) (int, error) {
	n, err := e.idb.NewSelect().TableExpr(table).Where(w.cond, w.args...).Count(e.ctx)
	return int(n), err
}

// delete deletes (or counts) the rows of table w selects.
func (e *eraser) delete(table string, w ...any) (int, error) {
	var c where
	switch x := w[0].(type) {
	case where:
		c = x
	case string:
		c = cond(x, w[1:]...)
	}
	if !e.apply {
		return e.count(table, c)
	}
	res, err := e.idb.NewDelete().TableExpr(table).Where(c.cond, c.args...).Exec(e.ctx)
	return affected(res, err)
}

type result interface{ RowsAffected() (int64, error) }

func affected(res result, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// emailIs is a condition true when column holds the person's address, in any case.
func (e *eraser) emailIs(column string) where { return emailIs(e.key, column) }

// emailIs is a condition true when column holds the address whose lower case is key (never,
// for no address).
func emailIs(key, column string) where {
	if key == "" {
		return cond("1 = 0")
	}
	c, a := db.LowerEquals(column, key)
	return cond(c, a)
}

func or(ws ...where) where {
	var cs []string
	var args []any
	for _, w := range ws {
		cs = append(cs, w.cond)
		args = append(args, w.args...)
	}
	return where{"(" + strings.Join(cs, " OR ") + ")", args}
}

// invitations to the person's address, pending or closed, and those they accepted.
func (e *eraser) invitations() (int, error) {
	return e.delete("invitations", or(e.emailIs("email"), cond("user_id = ?", e.u.ID)))
}

// tokens deletes the person's API tokens with the answers kept for their idempotency keys.
func (e *eraser) tokens() (int, error) {
	if e.apply {
		if _, err := e.idb.NewDelete().TableExpr("api_idempotency").
			Where("token_id IN (SELECT id FROM api_tokens WHERE user_id = ?)", e.u.ID).Exec(e.ctx); err != nil {
			return 0, err
		}
	}
	return e.delete("api_tokens", "user_id = ?", e.u.ID)
}

func (e *eraser) theirMail() where {
	// COALESCE: a mail to an address without an account (NULL) is not theirs, and the NOT of
	// the others' condition must say so rather than NULL.
	return or(cond("COALESCE(recipient_user_id, 0) = ?", e.u.ID), e.emailIs("recipient_email"))
}

// inbound empties the mails that came from the person: their address, the original (headers,
// signature, files) and the text read from it. The reply they became stays on its ticket.
func (e *eraser) inbound() (int, error) {
	w := or(cond("user_id = ?", e.u.ID), e.emailIs("sender"))
	if !e.apply {
		return e.count("inbound_messages", w)
	}
	q := e.idb.NewUpdate().TableExpr("inbound_messages").
		Set("sender = ''").Set("raw = ?", []byte{}).Set("raw_size = 0").Set("body_text = ''").Set("detail = ''").
		Where(w.cond, w.args...)
	if e.redact {
		q = q.Set("subject = ?", e.notice)
	}
	return affected(q.Exec(e.ctx))
}

// attachments deletes the content of the files the person uploaded; the row stays, renamed,
// so that the timeline still says a file was there (as retention leaves it).
func (e *eraser) attachments() (int, int64, error) {
	w := cond("entry_id IN (SELECT id FROM timeline_entries WHERE actor_id = ?) AND purged_at IS NULL", e.u.ID)
	var sizes []int64
	if err := e.idb.NewSelect().TableExpr("attachments").Column("size").Where(w.cond, w.args...).Scan(e.ctx, &sizes); err != nil {
		return 0, 0, err
	}
	var total int64
	for _, n := range sizes {
		total += n
	}
	if !e.apply {
		return len(sizes), total, nil
	}
	n, err := affected(e.idb.NewUpdate().TableExpr("attachments").
		Set("data = ?", []byte{}).Set("name = ?", e.s.fileNotice()).Set("purged_at = ?", e.now).
		Where(w.cond, w.args...).Exec(e.ctx))
	return n, total, err
}

// incidents keeps the incidents the person reported, without the phone number they left; on
// request their title and description become the notice, in the search index too.
func (e *eraser) incidents() (int, error) {
	var rows []struct {
		ID       int64 `bun:"id"`
		TenantID int64 `bun:"tenant_id"`
	}
	if err := e.idb.NewSelect().TableExpr("incidents").Column("id", "tenant_id").Where("reporter_id = ?", e.u.ID).
		Order("id").Scan(e.ctx, &rows); err != nil {
		return 0, err
	}
	if !e.apply || len(rows) == 0 {
		return len(rows), nil
	}
	q := e.idb.NewUpdate().TableExpr("incidents").Set("phone = ''").Where("reporter_id = ?", e.u.ID)
	if e.redact {
		q = q.Set("title = ?", e.notice).Set("description = ?", e.notice)
	}
	if _, err := q.Exec(e.ctx); err != nil {
		return 0, err
	}
	if !e.redact {
		return len(rows), nil
	}
	var docs []timeline.Doc
	var ids []int64
	for _, r := range rows {
		var created []int64
		if err := e.idb.NewSelect().TableExpr("timeline_entries").Column("id").
			Where("subject_kind = ? AND subject_id = ? AND kind = ? AND event = ?", incident.SubjectKind, r.ID, timeline.Event, incident.EventCreated).
			Order("id").Limit(1).Scan(e.ctx, &created); err != nil {
			return 0, err
		}
		if len(created) == 1 {
			ids = append(ids, created[0])
			docs = append(docs, timeline.TicketDoc(created[0], r.TenantID, incident.Number(r.ID), e.notice, e.notice))
		}
	}
	return len(rows), reindex(e.ctx, e.idb, ids, docs)
}

// changes keeps the change requests the person made; on request the free-text values they
// typed (justification, comments) become the notice.
func (e *eraser) changes() (int, error) {
	var rs []change.Request
	if err := e.idb.NewSelect().Model(&rs).Column("id", "snapshot").Where("requester_id = ?", e.u.ID).Order("id").Scan(e.ctx); err != nil {
		return 0, err
	}
	if !e.apply || !e.redact {
		return len(rs), nil
	}
	for i := range rs {
		raw, text, changed, err := redactSnapshot(&rs[i], e.notice)
		if err != nil {
			return 0, err
		}
		if !changed {
			continue
		}
		if _, err := e.idb.NewUpdate().TableExpr("change_requests").Set("snapshot = ?", raw).Set("search_text = ?", text).
			Where("id = ?", rs[i].ID).Exec(e.ctx); err != nil {
			return 0, err
		}
	}
	return len(rs), nil
}

// redactSnapshot replaces the text values of r's snapshot by notice, leaving the rest of the
// stored JSON as it is, and returns it with the list filter's text made anew.
func redactSnapshot(r *change.Request, notice string) (string, string, bool, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.SnapshotRaw), &doc); err != nil {
		return "", "", false, nil // unreadable: nothing of it is shown either
	}
	var vs change.Values
	if err := json.Unmarshal(doc["values"], &vs); err != nil {
		return "", "", false, nil
	}
	changed := false
	for code, v := range vs {
		if (v.Type == change.TypeText || v.Type == change.TypeTextarea) && v.Text != "" && v.Text != notice {
			v.Text = notice
			vs[code] = v
			changed = true
		}
	}
	if !changed {
		return "", "", false, nil
	}
	b, err := json.Marshal(vs)
	if err != nil {
		return "", "", false, err
	}
	doc["values"] = b
	out, err := json.Marshal(doc)
	if err != nil {
		return "", "", false, err
	}
	r.SnapshotRaw = string(out)
	snap := r.Snapshot()
	snap.Values = vs
	return string(out), searchText(r.ID, snap), true, nil
}

// searchText is the change list's filter text as the change package writes it: the number, the
// item in both languages and the values, lower-cased.
func searchText(id int64, s *change.Snapshot) string {
	parts := []string{change.Number(id), s.Item.Code, s.Item.Label.FR, s.Item.Label.EN}
	for _, row := range s.Rows() {
		parts = append(parts, row.Value.String())
	}
	return strings.ToLower(strings.Join(parts, " "))
}

// requests keeps the sales desk requests the person filed; on request the details they wrote
// become the notice.
func (e *eraser) requests() (int, error) {
	w := cond("requester_id = ?", e.u.ID)
	n, err := e.count("contract_requests", w)
	if err != nil || !e.apply || !e.redact {
		return n, err
	}
	_, err = e.idb.NewUpdate().TableExpr("contract_requests").Set("details = ?", e.notice).
		Where("requester_id = ? AND details <> ''", e.u.ID).Exec(e.ctx)
	return n, err
}

// texts are the person's replies, notes and reasons: kept, or on request replaced by the
// notice, in the search index too.
func (e *eraser) texts() (int, error) {
	var rows []struct {
		ID          int64         `bun:"id"`
		SubjectKind string        `bun:"subject_kind"`
		Kind        timeline.Kind `bun:"kind"`
		TenantID    *int64        `bun:"tenant_id"`
	}
	if err := e.idb.NewSelect().TableExpr("timeline_entries AS e").
		ColumnExpr("e.id, e.subject_kind, e.kind, i.tenant_id").
		Join("LEFT JOIN incidents AS i ON e.subject_kind = ? AND i.id = e.subject_id", incident.SubjectKind).
		Where("e.actor_id = ? AND e.body <> ''", e.u.ID).Order("e.id").Scan(e.ctx, &rows); err != nil {
		return 0, err
	}
	if !e.apply || !e.redact || len(rows) == 0 {
		return len(rows), nil
	}
	if _, err := e.idb.NewUpdate().TableExpr("timeline_entries").Set("body = ?", e.notice).
		Where("actor_id = ? AND body <> ''", e.u.ID).Exec(e.ctx); err != nil {
		return 0, err
	}
	var ids []int64
	var docs []timeline.Doc
	for _, r := range rows {
		if r.TenantID == nil || r.Kind == timeline.Event {
			continue // not in the index: only incidents' replies and notes are
		}
		ent := &timeline.Entry{ID: r.ID, Kind: r.Kind, Body: e.notice, TenantID: *r.TenantID}
		if d, ok := timeline.EntryDoc(ent); ok {
			ids = append(ids, r.ID)
			docs = append(docs, d)
		}
	}
	return len(rows), reindex(e.ctx, e.idb, ids, docs)
}

// reindex replaces the search index's rows of entries ids by docs.
func reindex(ctx context.Context, idb bun.IDB, ids []int64, docs []timeline.Doc) error {
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		var err error
		if db.IsPG(idb) {
			_, err = idb.NewDelete().TableExpr("timeline_search").Where("id IN (?)", bun.In(chunk)).Exec(ctx)
		} else {
			neg := make([]int64, len(chunk))
			for i, id := range chunk {
				neg[i] = -id // see timeline.sqliteRowID
			}
			_, err = idb.ExecContext(ctx, "DELETE FROM timeline_fts WHERE rowid IN (?)", bun.In(neg))
		}
		if err != nil {
			return fmt.Errorf("unindex: %w", err)
		}
	}
	return timeline.Index(ctx, idb, docs...)
}

// namingEvents are the timeline events whose values are people's names.
var namingEvents = []string{incident.EventAssigned, "contract.event.referent_changed", "contract.event.owner_changed"}

// events renames the person in the timeline events that name them (assignments, handovers).
func (e *eraser) events() (int, error) {
	w := cond("kind = ? AND value_type = ? AND event IN (?) AND (from_value = ? OR to_value = ?)",
		timeline.Event, timeline.Text, bun.In(namingEvents), e.u.Name, e.u.Name)
	if !e.apply {
		return e.count("timeline_entries", w)
	}
	// One statement, so one reading of the timeline: events are not indexed by value.
	res, err := e.idb.NewUpdate().TableExpr("timeline_entries").
		Set("from_value = CASE WHEN from_value = ? THEN ? ELSE from_value END", e.u.Name, e.pseudonym).
		Set("to_value = CASE WHEN to_value = ? THEN ? ELSE to_value END", e.u.Name, e.pseudonym).
		Where(w.cond, w.args...).Exec(e.ctx)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// lookAtOnce is how many "column holds text" conditions one query asks at most: SQLite refuses
// expressions deeper than a thousand.
const lookAtOnce = 60

// candidates is the condition selecting, by id, the rows of table that base selects and whose
// columns hold any of look: a person's texts can be many, so they are looked for a few at a time.
func (e *eraser) candidates(table string, base where, columns []string, look []mention) (where, error) {
	ids := []int64{}
	seen := map[int64]bool{}
	per := max(1, lookAtOnce/len(columns))
	for len(look) > 0 {
		chunk := look[:min(len(look), per)]
		look = look[len(chunk):]
		c, args := containsAny(e.idb, columns, chunk)
		var got []int64
		if err := e.idb.NewSelect().TableExpr(table).Column("id").Where(base.cond, base.args...).Where(c, args...).
			Scan(e.ctx, &got); err != nil {
			return where{}, err
		}
		for _, id := range got {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return cond("1 = 0"), nil
	}
	return cond("id IN (?)", bun.In(ids)), nil
}

// rewrite reads the rows of table w selects (key columns and text columns), replaces the
// mentions in their text with replace, and returns the keys of the rows that change, having
// written them when the eraser applies.
func (e *eraser) rewrite(table string, keys, columns []string, w where, replace func(column, text string) string) (map[string]bool, error) {
	cols := append(slices.Clone(keys), columns...)
	rows, err := e.idb.NewSelect().TableExpr(table).Column(cols...).Where(w.cond, w.args...).Rows(e.ctx)
	if err != nil {
		return nil, err
	}
	type change struct{ key, values []any }
	var changes []change
	for rows.Next() {
		// Keys are ids, but for api_idempotency's (token_id, idem_key).
		key := make([]any, len(keys))
		dest := make([]any, 0, len(cols))
		for i, k := range keys {
			if k == "idem_key" {
				key[i] = new(string)
			} else {
				key[i] = new(int64)
			}
			dest = append(dest, key[i])
		}
		texts := make([]string, len(columns))
		for i := range texts {
			dest = append(dest, &texts[i])
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return nil, err
		}
		vals, changed := make([]any, len(columns)), false
		for i, t := range texts {
			nt := replace(columns[i], t)
			vals[i] = nt
			changed = changed || nt != t
		}
		if changed {
			for i := range key {
				key[i] = deref(key[i])
			}
			changes = append(changes, change{key, vals})
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	done := make(map[string]bool, len(changes))
	for _, c := range changes {
		done[fmt.Sprint(c.key...)] = true
		if !e.apply {
			continue
		}
		q := e.idb.NewUpdate().TableExpr(table)
		for i, col := range columns {
			q = q.Set("? = ?", bun.Ident(col), c.values[i])
		}
		for i, k := range keys {
			q = q.Where("? = ?", bun.Ident(k), c.key[i])
		}
		if _, err := q.Exec(e.ctx); err != nil {
			return nil, err
		}
	}
	return done, nil
}

func deref(v any) any {
	switch x := v.(type) {
	case *int64:
		return *x
	case *string:
		return *x
	}
	return v
}

// audit rewrites the audit entries that name the person with the pseudonym: their name and
// address in the values of any entry, the address an actor without an account was known by
// (an invitation declined from its link); and in the entries about them or by them, their
// login too (a login may look like another value elsewhere), as the object it names.
func (e *eraser) audit() (int, error) {
	values := []string{"before_json", "after_json"}
	c, args := containsAny(e.idb, values, e.namesJSON)
	label := e.emailIs("actor_label")
	named, err := e.rewrite("audit_log", []string{"id"}, append(slices.Clone(values), "actor_label"),
		cond(c+" OR "+label.cond, append(args, label.args...)...),
		func(column, s string) string {
			if column == "actor_label" {
				if e.key != "" && strings.ToLower(strings.TrimSpace(s)) == e.key {
					return e.pseudonym
				}
				return s
			}
			return replaceWords(s, e.namesJSON)
		})
	if err != nil {
		return 0, err
	}
	c, args = containsAny(e.idb, values, e.loginsJSON)
	theirs, err := e.rewrite("audit_log", []string{"id"}, append(slices.Clone(values), "object"),
		cond("(subject_user_id = ? OR actor_id = ?) AND ("+c+" OR object = ?)", append(append([]any{e.u.ID, e.u.ID}, args...), e.u.Login)...),
		func(column, s string) string {
			if column == "object" {
				if s == e.u.Login {
					return e.login
				}
				return s
			}
			return replaceWords(s, e.loginsJSON)
		})
	if err != nil {
		return 0, err
	}
	for k := range theirs {
		named[k] = true
	}
	return len(named), nil
}

// mentions rewrites what names the person in what others read: the mails to others, the
// webhook deliveries, the API answers kept for idempotency keys, the requests naming them as
// the new referent or owner, and the inbound records quoting their login.
func (e *eraser) mentions() (int, error) {
	total := 0
	outCols := []string{"subject", "body_text", "body_html"}
	mine := e.theirMail()
	w, err := e.candidates("outbox", cond("NOT "+mine.cond, mine.args...), outCols, e.quotedText)
	if err != nil {
		return 0, err
	}
	rs, err := e.rewrite("outbox", []string{"id"}, outCols, w, func(_, s string) string { return replaceWords(s, e.quotedText) })
	if err != nil {
		return 0, err
	}
	total += len(rs)
	if w, err = e.candidates("webhook_deliveries", cond("1 = 1"), []string{"payload"}, e.quotedJSON); err != nil {
		return 0, err
	}
	if rs, err = e.rewrite("webhook_deliveries", []string{"id"}, []string{"payload"}, w,
		func(_, s string) string { return replaceWords(s, e.quotedJSON) }); err != nil {
		return 0, err
	}
	total += len(rs)
	c, args := containsAny(e.idb, []string{"body"}, e.namesJSON)
	if rs, err = e.rewrite("api_idempotency", []string{"token_id", "idem_key"}, []string{"body"}, cond(c, args...),
		func(_, s string) string { return replaceWords(s, e.namesJSON) }); err != nil {
		return 0, err
	}
	total += len(rs)
	holder := e.emailIs("holder_email")
	n, err := e.count("contract_requests", holder)
	if err != nil {
		return 0, err
	}
	if e.apply && n > 0 {
		if _, err := e.idb.NewUpdate().TableExpr("contract_requests").Set("holder_name = ?", e.pseudonym).Set("holder_email = ''").
			Where(holder.cond, holder.args...).Exec(e.ctx); err != nil {
			return 0, err
		}
	}
	total += n
	logins := []mention{{e.u.Login, e.login}}
	c, args = containsAny(e.idb, []string{"detail"}, logins)
	theirs := or(cond("COALESCE(user_id, 0) = ?", e.u.ID), e.emailIs("sender"))
	if rs, err = e.rewrite("inbound_messages", []string{"id"}, []string{"detail"},
		cond("NOT "+theirs.cond+" AND "+c, append(theirs.args, args...)...),
		func(_, s string) string { return replaceWords(s, logins) }); err != nil {
		return 0, err
	}
	return total + len(rs), nil
}

// housekeeping deletes what only serves the account's own use, which the preview does not
// count: files kept for a form sent again, one-time form tokens, attempt counters.
func (e *eraser) housekeeping() error {
	if !e.apply {
		return nil
	}
	for table, w := range map[string]where{
		"pending_uploads":  cond("user_id = ?", e.u.ID),
		"form_submissions": cond("user_id = ?", e.u.ID),
		"auth_attempts":    cond("bucket IN ('reauth', 'second_step') AND subject = ?", fmt.Sprint(e.u.ID)),
	} {
		if _, err := e.idb.NewDelete().TableExpr(table).Where(w.cond, w.args...).Exec(e.ctx); err != nil {
			return err
		}
	}
	return nil
}

// account pseudonymizes and deactivates the account, and reports whether two-factor
// authentication was on.
func (e *eraser) account() (int, error) {
	tf, err := e.count("users", cond("id = ? AND totp_enabled_at IS NOT NULL", e.u.ID))
	if err != nil || !e.apply {
		return tf, err
	}
	login := e.login
	_, err = e.idb.NewUpdate().TableExpr("users").
		Set("display_name = ?", e.pseudonym).Set("login = ?", login).Set("login_key = ?", identity.LoginKey(login)).
		Set("email = ''").Set("active = ?", false).Set("password_hash = ''").Set("failed_logins = 0").Set("locked_at = NULL").
		Set("totp_secret = ''").Set("totp_enabled_at = NULL").Set("totp_last_step = 0").
		Set("erased_at = ?", e.now).Set("updated_at = ?", e.now).
		Where("id = ?", e.u.ID).Exec(e.ctx)
	return tf, err
}

// kept reads what stays assigned to the account: open incidents, tenants as their sales rep.
func (e *eraser) kept() (int, []string, error) {
	n, err := e.idb.NewSelect().TableExpr("incidents").Where("assignee_id = ? AND status IN (?)", e.u.ID, bun.In(incident.Open)).Count(e.ctx)
	if err != nil {
		return 0, nil, err
	}
	codes := []string{}
	err = e.idb.NewSelect().TableExpr("tenants").Column("code").Where("sales_rep_id = ?", e.u.ID).Order("code").Scan(e.ctx, &codes)
	return int(n), codes, err
}
