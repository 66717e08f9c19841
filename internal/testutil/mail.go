package testutil

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

var mailSeq atomic.Int64

// InboundMail writes a plain-text mail as a customer's client sends it, with a Message-ID of
// its own; headers are extra "Name: value" lines.
func InboundMail(from, to, subject, body string, headers ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <test-%d-%d@client.example.net>\r\n", from, to, subject,
		mailSeq.Add(1), time.Now().UnixNano())
	fmt.Fprintf(&b, "Date: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n",
		time.Now().Format(time.RFC1123Z))
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n" + strings.ReplaceAll(body, "\n", "\r\n"))
	return []byte(b.String())
}

// EntriesByMail are the entries of a ticket's timeline that came in by mail, as staff see it.
func EntriesByMail(t testing.TB, idb bun.IDB, s timeline.Subject) []timeline.Entry {
	t.Helper()
	es, err := timeline.List(context.Background(), idb, s, true)
	if err != nil {
		t.Fatal(err)
	}
	var out []timeline.Entry
	for _, e := range es {
		if e.Via == timeline.ViaEmail {
			out = append(out, e)
		}
	}
	return out
}
