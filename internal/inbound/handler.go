package inbound

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/cloud"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/replyaddr"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Limits of inbound mail.
const (
	// MaxMessage is the largest message read; a larger one is quarantined unread, its first
	// MaxMessage bytes kept.
	MaxMessage = 50 << 20
	// maxFiles is how many attachments a mail may turn into files of a reply.
	maxFiles = 10
	// maxSubject and maxBodyText bound what the record keeps for the quarantine page.
	maxSubject  = 1000
	maxBodyText = 200000
)

// Handler turns one message into a reply, a new incident, a quarantined or an ignored record.
// It goes through the services, as a browser's form does: the same rules, rights and mail.
type Handler struct {
	DB *bun.DB
	// Book reads the reply addresses of the desk's mail.
	Book replyaddr.Book
	// Own are the desk's own addresses (its sender and support address): mail from them is
	// never handled.
	Own []string
	// PerHour is how many mails a sender may turn into tickets or replies in an hour.
	PerHour int
	// AttachmentMax is the largest file accepted, as on the forms.
	AttachmentMax int64
	Bundle        *i18n.Bundle
	Incidents     *incident.Service
	Changes       *change.Service
	Contracts     *contract.Service
	Notifier      *notify.Notifier
	Log           *slog.Logger
	Now           func() time.Time
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now().UTC()
	}
	return time.Now().UTC()
}

// Quarantine and ignore reasons: message keys, shown to admins.
const (
	ReasonTooLarge       = "inbound.quarantine.too_large"
	ReasonUnreadable     = "inbound.quarantine.unreadable"
	ReasonNoTicket       = "inbound.quarantine.no_ticket"
	ReasonSender         = "inbound.quarantine.sender"
	ReasonUnknownSender  = "inbound.quarantine.unknown_sender"
	ReasonNotAllowed     = "inbound.quarantine.not_allowed"
	ReasonRate           = "inbound.quarantine.rate"
	ReasonEmpty          = "inbound.quarantine.empty"
	ReasonAttachment     = "inbound.quarantine.attachment"
	ReasonRefused        = "inbound.quarantine.refused"
	ReasonClosed         = "inbound.quarantine.closed"
	ReasonWhichTenant    = "inbound.quarantine.which_tenant"
	ReasonNoSupportInbox = "inbound.quarantine.no_reply_to"
)

// Handle reads raw and records what became of it (see HandleFunc).
func (h *Handler) Handle(ctx context.Context, raw []byte, source Source) (Outcome, error) {
	m := &Message{Source: source, Raw: raw, RawSize: int64(len(raw)), ReceivedAt: h.now()}
	if len(raw) > MaxMessage {
		m.MessageID, m.Raw = hashID(raw), raw[:MaxMessage]
		return h.quarantine(ctx, m, ReasonTooLarge, fmt.Sprintf("%d bytes", len(raw)))
	}
	p, err := Parse(raw)
	if err != nil {
		m.MessageID = hashID(raw)
		return h.quarantine(ctx, m, ReasonUnreadable, err.Error())
	}
	m.MessageID = p.MessageID
	if m.MessageID == "" || utf8.RuneCountInString(m.MessageID) > 250 {
		m.MessageID = hashID(raw)
	}
	if p.From != nil {
		m.Sender = strings.ToLower(p.From.Address)
	}
	m.Subject = cut(p.Subject, maxSubject)
	m.BodyText = cut(p.Text, maxBodyText)
	if len(p.Problems) > 0 {
		m.Detail = strings.Join(p.Problems, "; ")
	}
	if seen, ok, err := byMessageID(ctx, h.DB, m.MessageID); err != nil || ok {
		return seen.outcome(true), err
	}
	if why := Automated(raw, p, h.Own); why != "" {
		m.Status, m.Reason = Ignored, why
		return h.record(ctx, h.DB, m)
	}
	if p.From == nil {
		return h.quarantine(ctx, m, ReasonUnreadable, "no From address")
	}
	ref, found, err := h.route(ctx, p)
	if err != nil {
		return Outcome{}, err
	}
	if found {
		return h.reply(ctx, m, p, ref)
	}
	if h.toSupport(p) {
		return h.declare(ctx, m, p)
	}
	return h.quarantine(ctx, m, ReasonNoTicket, "")
}

// route finds the ticket and recipient a reply answers: by the reply address it was sent to,
// else by the Message-ID of the desk's mail it answers (In-Reply-To, then References).
func (h *Handler) route(ctx context.Context, p *Parsed) (replyaddr.Ref, bool, error) {
	for _, to := range p.Recipients {
		if ref, ok, _ := h.Book.Read(to); ok {
			return ref, true, nil
		}
	}
	ids := append(append([]string(nil), p.InReplyTo...), p.References...)
	if len(ids) == 0 {
		return replyaddr.Ref{}, false, nil
	}
	for i := range ids {
		ids[i] = "<" + ids[i] + ">"
	}
	var sent []notify.Message
	if err := h.DB.NewSelect().Model(&sent).Column("thread", "recipient_user_id", "message_id").
		Where("message_id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return replyaddr.Ref{}, false, fmt.Errorf("inbound: find the mail answered: %w", err)
	}
	for _, id := range ids { // the nearest ancestor first
		for _, s := range sent {
			if s.MessageID != id || s.RecipientUserID == nil {
				continue
			}
			if ref, ok := refOf(s.Thread, *s.RecipientUserID); ok {
				return ref, true, nil
			}
		}
	}
	return replyaddr.Ref{}, false, nil
}

// refOf reads a ticket's thread ("incident-42") as a Ref for userID.
func refOf(thread string, userID int64) (replyaddr.Ref, bool) {
	kind, id, ok := strings.Cut(thread, "-")
	var n int64
	if _, err := fmt.Sscan(id, &n); !ok || err != nil || n <= 0 {
		return replyaddr.Ref{}, false
	}
	switch kind {
	case replyaddr.Incident, replyaddr.Change, replyaddr.Request:
		return replyaddr.Ref{Kind: kind, TicketID: n, UserID: userID}, true
	}
	return replyaddr.Ref{}, false
}

// toSupport says whether the message was sent to the support address itself.
func (h *Handler) toSupport(p *Parsed) bool {
	for _, to := range p.Recipients {
		if _, _, support := h.Book.Read(to); support {
			return true
		}
	}
	return false
}

// reply writes the message as a public reply on ref's ticket, by ref's recipient, who must be
// the sender and still hold the right.
func (h *Handler) reply(ctx context.Context, m *Message, p *Parsed, ref replyaddr.Ref) (Outcome, error) {
	u, err := identity.UserByID(ctx, h.DB, ref.UserID)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return h.quarantine(ctx, m, ReasonSender, "")
	case err != nil:
		return Outcome{}, err
	case !u.Active || !strings.EqualFold(u.Email, p.From.Address):
		return h.quarantine(ctx, m, ReasonSender, "reply address of "+u.Login)
	}
	m.UserID = &u.ID
	m.SubjectKind = ref.Kind
	m.SubjectID = &ref.TicketID
	if over, err := h.overRate(ctx, m.Sender); err != nil || over {
		return h.quarantineIf(ctx, m, ReasonRate, err)
	}
	body, files, why, detail := h.content(p, u.Lang)
	if why != "" {
		return h.quarantine(ctx, m, why, detail)
	}
	actor, err := tenancy.Resolve(ctx, h.DB, u)
	if err != nil {
		return Outcome{}, err
	}
	ctx = timeline.WithOrigin(ctx, h.origin(m))
	switch ref.Kind {
	case replyaddr.Incident:
		_, err = h.Incidents.Do(ctx, actor, ref.TicketID, incident.Act{Action: incident.Reply, Body: body, Files: files})
	case replyaddr.Change:
		err = h.Changes.Reply(ctx, actor, ref.TicketID, body, false, files)
	case replyaddr.Request:
		err = h.Contracts.Reply(ctx, actor, ref.TicketID, body, false, files)
	}
	return h.settle(ctx, m, u, err)
}

// settle turns what the service answered into the message's outcome.
func (h *Handler) settle(ctx context.Context, m *Message, u *identity.User, err error) (Outcome, error) {
	if err == nil {
		return m.outcome(false), nil
	}
	if db.IsUniqueViolation(err) { // a twin of this message, handled meanwhile
		seen, ok, rerr := byMessageID(ctx, h.DB, m.MessageID)
		if rerr == nil && ok {
			return seen.outcome(true), nil
		}
		return Outcome{}, errors.Join(err, rerr)
	}
	m.ID, m.Status, m.EntryID = 0, "", nil
	if errors.Is(err, apperr.ErrNotFound) || errors.Is(err, apperr.ErrForbidden) {
		return h.quarantine(ctx, m, ReasonNotAllowed, "")
	}
	if es, ok := i18n.AsErrors(err); ok {
		keys := make([]string, len(es))
		closed := false
		for i, e := range es {
			keys[i] = e.Key
			closed = closed || e.Key == "incident.error.reply_closed"
		}
		if closed {
			return h.refuseClosed(ctx, m, u)
		}
		return h.quarantine(ctx, m, ReasonRefused, strings.Join(keys, ", "))
	}
	return Outcome{}, err
}

// content is what the message says, for a reply or an incident: its text without the quoted
// part and the signature, and its files checked as a form's are. A message with files and no
// text says so in the writer's language. why is the reason to quarantine it, if any.
func (h *Handler) content(p *Parsed, lang string) (body string, files []timeline.Upload, why, detail string) {
	if len(p.Attachments) > maxFiles {
		return "", nil, ReasonAttachment, fmt.Sprintf("%d files, at most %d", len(p.Attachments), maxFiles)
	}
	for _, a := range p.Attachments {
		up, err := timeline.CheckUpload("files", a.Name, a.Data, h.AttachmentMax)
		if err != nil {
			return "", nil, ReasonAttachment, a.Name + ": " + err.Key
		}
		files = append(files, up)
	}
	// Only what the writer wrote: a mail that only quotes the desk's says nothing.
	body = strings.TrimSpace(p.Reply)
	if body == "" && len(files) == 0 {
		return "", nil, ReasonEmpty, ""
	}
	if body == "" {
		body = h.Bundle.T(lang, "inbound.files_only", nil)
	}
	if utf8.RuneCountInString(body) > timeline.MaxBody {
		return "", nil, ReasonRefused, "timeline.error.body_too_long"
	}
	return body, files, "", ""
}

// tenantTag is a tenant code in a subject: "[OCB0000001]".
var tenantTag = regexp.MustCompile(`(?i)\[\s*(OCB\d{7})\s*\]`)

// declare opens an incident from a message to the support address, on the tenant its subject
// names or the sender's only tenant where they may declare.
func (h *Handler) declare(ctx context.Context, m *Message, p *Parsed) (Outcome, error) {
	u, err := identity.UserByEmail(ctx, h.DB, p.From.Address)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return h.quarantine(ctx, m, ReasonUnknownSender, "")
	case err != nil:
		return Outcome{}, err
	case !u.Active || u.Kind != identity.Customer:
		return h.quarantine(ctx, m, ReasonUnknownSender, "")
	}
	m.UserID = &u.ID
	if over, err := h.overRate(ctx, m.Sender); err != nil || over {
		return h.quarantineIf(ctx, m, ReasonRate, err)
	}
	actor, err := tenancy.Resolve(ctx, h.DB, u)
	if err != nil {
		return Outcome{}, err
	}
	var may []tenancy.Tenant
	for _, t := range actor.Tenants() {
		if _, err := tenancy.May(ctx, h.DB, actor, t.ID, tenancy.RightIncidents); err == nil {
			may = append(may, t)
		}
	}
	title := p.Subject
	var tenantID int64
	if tag := tenantTag.FindStringSubmatch(p.Subject); tag != nil {
		code := strings.ToUpper(tag[1])
		for _, t := range may {
			if t.Code == code {
				tenantID = t.ID
			}
		}
		if tenantID == 0 {
			return h.quarantine(ctx, m, ReasonNotAllowed, code)
		}
		title = strings.TrimSpace(tenantTag.ReplaceAllString(title, ""))
	} else {
		switch len(may) {
		case 0:
			return h.quarantine(ctx, m, ReasonNotAllowed, "")
		case 1:
			tenantID = may[0].ID
		default:
			return h.askTenant(ctx, m, u, may)
		}
	}
	body, files, why, detail := h.content(p, u.Lang)
	if why != "" {
		return h.quarantine(ctx, m, why, detail)
	}
	if title == "" {
		title, _, _ = strings.Cut(body, "\n")
	}
	if utf8.RuneCountInString(title) > incident.MaxTitle {
		title = string([]rune(title)[:incident.MaxTitle-1]) + "…"
	}
	m.SubjectKind = replyaddr.Incident
	d := incident.Draft{Title: title, Description: body, Service: cloud.ServiceOther, Region: regionIn(p.Subject + "\n" + body),
		Impact: "medium", Urgency: "medium", Files: files}
	var inc *incident.Incident
	inc, err = h.Incidents.Declare(timeline.WithOrigin(ctx, h.origin(m)), actor, tenantID, d)
	if err == nil {
		m.SubjectID = &inc.ID
	}
	return h.settle(ctx, m, u, err)
}

// regionIn is the first region a mail names by its code, or else the first region.
func regionIn(text string) string {
	text = strings.ToLower(text)
	first := ""
	for _, r := range cloud.Regions() {
		if first == "" {
			first = r.Code
		}
		if strings.Contains(text, r.Code) {
			return r.Code
		}
	}
	return first
}

// origin records m, handled, with the entry the service wrote, in the service's transaction.
func (h *Handler) origin(m *Message) timeline.Origin {
	return timeline.Origin{Via: timeline.ViaEmail, Recorded: func(ctx context.Context, tx bun.IDB, e *timeline.Entry) error {
		m.Status, m.Reason = Handled, ""
		m.EntryID = &e.ID
		m.SubjectKind, m.SubjectID = e.SubjectKind, &e.SubjectID
		_, err := h.record(ctx, tx, m)
		return err
	}}
}

// overRate says whether sender has had PerHour mails handled in the last hour.
func (h *Handler) overRate(ctx context.Context, sender string) (bool, error) {
	if h.PerHour <= 0 {
		return false, nil
	}
	n, err := h.DB.NewSelect().Model((*Message)(nil)).
		Where("sender = ? AND status = ? AND received_at > ?", sender, Handled, h.now().Add(-time.Hour)).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("inbound: count mails of a sender: %w", err)
	}
	return int(n) >= h.PerHour, nil
}

// quarantine records m as quarantined for reason.
func (h *Handler) quarantine(ctx context.Context, m *Message, reason, detail string) (Outcome, error) {
	m.Status, m.Reason = Quarantined, reason
	if detail != "" {
		m.Detail = strings.TrimPrefix(m.Detail+"; "+detail, "; ")
	}
	return h.record(ctx, h.DB, m)
}

func (h *Handler) quarantineIf(ctx context.Context, m *Message, reason string, err error) (Outcome, error) {
	if err != nil {
		return Outcome{}, err
	}
	return h.quarantine(ctx, m, reason, "")
}

// refuseClosed quarantines a reply to a closed incident and tells its verified writer, in their
// language, that it was not added and how to follow up.
func (h *Handler) refuseClosed(ctx context.Context, m *Message, u *identity.User) (Outcome, error) {
	var out Outcome
	err := h.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		m.Status, m.Reason = Quarantined, ReasonClosed
		var err error
		if out, err = h.record(ctx, tx, m); err != nil {
			return err
		}
		return h.Notifier.Enqueue(ctx, tx, notify.Notice{Kind: "inbound_closed", Thread: fmt.Sprintf("incident-%d", *m.SubjectID),
			Data: map[string]any{"Number": incident.Number(*m.SubjectID), "Original": m.Subject,
				"Link": h.Notifier.Link("/incidents/new")}}, notify.RecipientOf(u))
	})
	return out, err
}

// askTenant quarantines a new incident whose tenant the mail does not say, and answers its
// verified writer with their tenants and the subject that names one.
func (h *Handler) askTenant(ctx context.Context, m *Message, u *identity.User, may []tenancy.Tenant) (Outcome, error) {
	var out Outcome
	codes := make([]map[string]string, len(may))
	for i, t := range may {
		codes[i] = map[string]string{"Code": t.Code, "Name": t.Name}
	}
	err := h.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		m.Status, m.Reason = Quarantined, ReasonWhichTenant
		var err error
		if out, err = h.record(ctx, tx, m); err != nil {
			return err
		}
		return h.Notifier.Enqueue(ctx, tx, notify.Notice{Kind: "inbound_which_tenant", Thread: "inbound-" + m.MessageID,
			Data: map[string]any{"Original": m.Subject, "Tenants": codes, "Example": may[0].Code,
				"Link": h.Notifier.Link("/incidents/new")}}, notify.RecipientOf(u))
	})
	return out, err
}

// record inserts m; a twin already recorded (same Message-ID) is that twin's outcome.
func (h *Handler) record(ctx context.Context, idb bun.IDB, m *Message) (Outcome, error) {
	if _, err := idb.NewInsert().Model(m).Exec(ctx); err != nil {
		if db.IsUniqueViolation(err) {
			if _, inTx := idb.(bun.Tx); inTx {
				return Outcome{}, err // the service's transaction rolls back; settle reads the twin
			}
			if seen, ok, rerr := byMessageID(ctx, h.DB, m.MessageID); rerr == nil && ok {
				return seen.outcome(true), nil
			}
		}
		return Outcome{}, fmt.Errorf("inbound: record message %q: %w", m.MessageID, err)
	}
	if h.Log != nil {
		h.Log.Info("inbound mail", "id", m.ID, "source", m.Source, "status", m.Status, "reason", m.Reason,
			"ticket", m.SubjectKind, "ticket_id", m.SubjectID)
	}
	return m.outcome(false), nil
}

// hashID names a message without a usable Message-ID by its content.
func hashID(raw []byte) string {
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// cut shortens s to n characters.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
