package notify

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

// Statuses of an outbox message.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusDead    = "dead"
	// StatusDropped is a message not sent because its recipient may no longer read it; its
	// last_error holds the reason's message key.
	StatusDropped = "dropped"
)

// Reasons a customer may no longer read a message, given by the worker's StillReaches; they are
// message keys, stored in the outbox row of a dropped message so that the admin reads why in
// their language.
const (
	ReasonInactive = "outbox.dropped.inactive"
	ReasonNoAccess = "outbox.dropped.no_access"
	ReasonNoRight  = "outbox.dropped.no_right"
)

// RetryWindow is how long a message is retried after temporary failures before it is dead.
const RetryWindow = 24 * time.Hour

// Message is one mail to one recipient, rendered in the recipient's language when it was
// written, so that what the admin reads is exactly what is sent.
type Message struct {
	bun.BaseModel `bun:"table:outbox"`

	ID              int64 `bun:",pk,autoincrement"`
	RecipientEmail  string
	RecipientName   string
	RecipientUserID *int64
	// TenantID and RequiredRight say what a customer recipient must still reach when the
	// message is sent; nil and "" for mail about an account.
	TenantID      *int64
	RequiredRight string
	Lang          string
	Kind          string
	Thread        string
	MessageID     string
	Subject       string
	BodyText      string
	BodyHTML      string `bun:"body_html"`
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	ClaimedUntil  *time.Time
	ClaimedBy     string // the worker holding the claim
	DeadlineAt    time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
}

// Recipient is who a message goes to, in which language.
type Recipient struct {
	UserID int64 // 0 for an address without a user (support leads)
	Email  string
	Name   string
	Lang   string
	// TenantID and Right (a tenancy.Right) are what the mail is about, for a recipient chosen
	// for a ticket: a customer who loses the right before the message is sent does not get it.
	TenantID int64
	Right    string
}

// RecipientOf returns u as a recipient.
func RecipientOf(u *identity.User) Recipient {
	return Recipient{UserID: u.ID, Email: u.Email, Name: u.DisplayName, Lang: u.Lang}
}

// Notice is what happened: a kind of message, the thread it belongs to (one per ticket, so that
// every message about one incident or request threads together), and the template data.
type Notice struct {
	Kind   string
	Thread string
	Data   map[string]any
}

// Notifier renders notices in each recipient's language and writes them to the outbox.
type Notifier struct {
	r       *renderer
	baseURL string
	host    string // the right-hand side of Message-IDs
	Now     func() time.Time
}

// Enqueue renders notice for every recipient and writes the messages in tx, the caller's
// transaction: they are sent only if the change that caused them commits. A message that
// cannot be rendered fails the whole transaction.
func (n *Notifier) Enqueue(ctx context.Context, tx bun.IDB, notice Notice, to ...Recipient) error {
	items := make([]Addressed, 0, len(to))
	for _, rc := range to {
		items = append(items, Addressed{Notice: notice, To: rc})
	}
	return n.EnqueueEach(ctx, tx, items)
}

// Addressed is a notice for one recipient.
type Addressed struct {
	Notice Notice
	To     Recipient
}

// EnqueueEach is Enqueue for notices that differ by recipient (a fan-out's, each naming the
// recipient's own ticket): every message rendered, then written in one statement per few
// hundred.
func (n *Notifier) EnqueueEach(ctx context.Context, tx bun.IDB, items []Addressed) error {
	if len(items) == 0 {
		return nil
	}
	now := n.Now().UTC()
	msgs := make([]*Message, 0, len(items))
	for _, it := range items {
		rc, notice := it.To, it.Notice
		data := maps.Clone(notice.Data)
		if data == nil {
			data = map[string]any{}
		}
		data["Recipient"], data["BaseURL"] = rc, n.baseURL
		out, err := n.r.render(rc.Lang, notice.Kind, data)
		if err != nil {
			return err
		}
		m := &Message{RecipientEmail: rc.Email, RecipientName: rc.Name, Lang: rc.Lang, Kind: notice.Kind,
			Thread: notice.Thread, MessageID: n.newMessageID(), Subject: out.Subject, BodyText: out.Text,
			BodyHTML: out.HTML, Status: StatusPending, NextAttemptAt: now, DeadlineAt: now.Add(RetryWindow), CreatedAt: now}
		if rc.UserID != 0 {
			id := rc.UserID
			m.RecipientUserID = &id
		}
		if rc.TenantID != 0 {
			id := rc.TenantID
			m.TenantID, m.RequiredRight = &id, rc.Right
		}
		msgs = append(msgs, m)
	}
	for len(msgs) > 0 {
		k := min(len(msgs), insertBatch)
		part := msgs[:k]
		if _, err := tx.NewInsert().Model(&part).Exec(ctx); err != nil {
			return fmt.Errorf("notify: write %d %s messages to the outbox: %w", len(part), part[0].Kind, err)
		}
		msgs = msgs[k:]
	}
	return nil
}

// insertBatch is how many messages one statement writes.
const insertBatch = 200

func (n *Notifier) newMessageID() string {
	return fmt.Sprintf("<%s@%s>", strings.ToLower(identity.NewToken()[:24]), n.host)
}

// ThreadRoot is the Message-ID every message of a thread refers to.
func (n *Notifier) ThreadRoot(thread string) string {
	return fmt.Sprintf("<thread.%s@%s>", url.PathEscape(thread), n.host)
}

// Link returns the absolute URL of a path of the desk, for mail.
func (n *Notifier) Link(path string) string { return n.baseURL + path }
