package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/guichet/guichet/internal/inbound"
)

func init() {
	commands["mail ingest"] = command{summary: "read one message on standard input and turn it into a reply, an incident or a quarantined record (for a Postfix or Exim pipe transport)",
		usage: "< message.eml", needsDB: true, flags: mailIngestFlags}
	commands["mail fetch"] = command{summary: "read the IMAP mailbox (GUICHET_IMAP_URL) once, handling every message not yet handled, and exit",
		needsDB: true, flags: mailFetchFlags}
}

func mailFetchFlags(*flag.FlagSet) func(context.Context, *env) error {
	return func(ctx context.Context, e *env) error {
		if e.cfg.ReplyTo == nil || e.cfg.IMAP.URL == "" {
			return usageError("GUICHET_MAIL_REPLY_TO and GUICHET_IMAP_URL must name the support address and its mailbox")
		}
		a, err := e.open(ctx)
		if err != nil {
			return err
		}
		n, err := a.NewPoller().Once(ctx) // recorded for the Inbound mail page
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d message(s) handled\n", n)
		return nil
	}
}

// exitTempFail is sysexits' EX_TEMPFAIL: a mail transfer agent keeps the message and tries
// again later.
const exitTempFail = 75

// tempFail is a failure the MTA should retry (the database is unreachable).
type tempFail struct{ error }

func mailIngestFlags(*flag.FlagSet) func(context.Context, *env) error {
	return func(ctx context.Context, e *env) error {
		if e.cfg.ReplyTo == nil {
			return usageError("GUICHET_MAIL_REPLY_TO must name the support address that inbound mail is sent to")
		}
		raw, err := io.ReadAll(io.LimitReader(e.stdin, inbound.MaxMessage+1))
		if err != nil {
			return tempFail{fmt.Errorf("read the message: %w", err)}
		}
		if len(raw) > inbound.MaxMessage {
			// The rest is read and dropped, so that the MTA sees the whole message taken; the
			// record keeps its beginning and says how large it was.
			io.Copy(io.Discard, e.stdin) //nolint:errcheck // what is kept is read already
		}
		a, err := e.open(ctx)
		if err != nil {
			return tempFail{err}
		}
		out, err := a.Inbound.Handle(ctx, raw, inbound.SourcePipe)
		if ferr := inbound.RecordFetch(ctx, a.DB, inbound.SourcePipe, time.Now(), map[bool]int{true: 1}[err == nil], err); ferr != nil && err == nil {
			a.Log.Warn("inbound: record the read", "err", ferr)
		}
		if err != nil {
			return tempFail{err}
		}
		fmt.Fprintf(e.stdout, "%s %d%s%s\n", out.Status, out.ID, map[bool]string{true: " (already handled)"}[out.Duplicate],
			map[bool]string{true: " " + out.Reason}[out.Reason != ""])
		return nil
	}
}
