// Package inbound turns mail into tickets and replies: a customer's answer to the desk's mail
// becomes a public reply on its ticket, and mail to the support address a new incident. Mail
// reaches it two ways, one path: the IMAP poller (a hosted mailbox) and `guichet mail ingest`
// (one message on standard input, for a Postfix or Exim pipe transport), both of which hand the
// raw message to Handler.Handle. Every message is recorded once, by its Message-ID, with what
// became of it: handled, quarantined (admins decide), or ignored (automated mail, never
// answered).
package inbound

import "context"

// Source says how a message came in.
type Source string

// Sources of inbound mail.
const (
	SourceIMAP Source = "imap"
	SourcePipe Source = "pipe"
)

// Status is what became of a message.
type Status string

// Statuses of inbound messages.
const (
	// Handled: a reply or a new incident was written.
	Handled Status = "handled"
	// Quarantined: kept for an admin to attach to a ticket or discard.
	Quarantined Status = "quarantined"
	// Ignored: automated mail (auto-replies, bounces, lists, the desk's own), recorded and
	// never answered.
	Ignored Status = "ignored"
	// Discarded: quarantined, then discarded by an admin.
	Discarded Status = "discarded"
	// Attached: quarantined, then attached to a ticket by an admin.
	Attached Status = "attached"
)

// Outcome is what Handle did with a message.
type Outcome struct {
	// ID is the message's row in inbound_messages.
	ID     int64
	Status Status
	// Reason is the message key saying why it was quarantined or ignored ("" when handled).
	Reason string
	// Duplicate is set when the message had been handled before (same Message-ID): nothing was
	// written this time.
	Duplicate bool
}

// Handle is what both ways in call with one raw RFC 5322 message. It returns an error only
// when the message could not be recorded at all (the database is unreachable): the caller must
// then keep the message (leave it unflagged on the IMAP server, or exit with a temporary
// failure so that the MTA retries). Anything wrong with the message itself is an Outcome.
type HandleFunc func(ctx context.Context, raw []byte, source Source) (Outcome, error)
