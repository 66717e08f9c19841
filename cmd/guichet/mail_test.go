package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/testutil"
)

// ingest runs the built program's `mail ingest` with raw on standard input.
func ingest(t *testing.T, bin string, env []string, raw string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, "mail", "ingest")
	cmd.Env = env
	cmd.Stdin = strings.NewReader(raw)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// `guichet mail ingest`, as a Postfix pipe transport runs it: a customer's mail to the support
// address becomes an incident and exits 0; the same mail again writes nothing; a message that
// cannot be read is kept in the quarantine, still exit 0; a missing support address is a usage
// error (2) and an unreachable database a temporary failure (75), so that the MTA keeps the mail.
func TestMailIngest(t *testing.T) {
	c := newCLI(t)
	c.must("demo")
	bin := testutil.GuichetBinary(t)
	env := append(os.Environ(), "GUICHET_DATABASE="+c.db, "GUICHET_LOG_LEVEL=warn", "GUICHET_MAIL_REPLY_TO=support@desk.example.com")
	mail := "From: Paul Martin <paul.martin@example.com>\r\nTo: support@desk.example.com\r\nSubject: Instance bloquée\r\n" +
		"Message-ID: <ingest-1@client.example.net>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nElle ne répond plus depuis 9 h.\r\n"
	paul := c.user("Paul.Martin")
	mail = strings.ReplaceAll(mail, "paul.martin@example.com", paul.Email)

	code, out, errs := ingest(t, bin, env, mail)
	if code != 0 || !strings.HasPrefix(out, "handled ") {
		t.Fatalf("first ingest: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, out, _ = ingest(t, bin, env, mail)
	if code != 0 || !strings.Contains(out, "already handled") {
		t.Errorf("second ingest: exit %d, stdout %q", code, out)
	}
	bdb, err := db.Open(c.db)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	n, err := bdb.NewSelect().Model((*incident.Incident)(nil)).Where("reporter_id = ?", paul.ID).Count(context.Background())
	if err != nil || n != 1 {
		t.Errorf("%d incidents from the same mail ingested twice (%v)", n, err)
	}
	if code, out, _ := ingest(t, bin, env, "\x00\x01garbage"); code != 0 || !strings.HasPrefix(out, "quarantined ") {
		t.Errorf("garbage: exit %d, stdout %q", code, out)
	}

	noSupport := append(os.Environ(), "GUICHET_DATABASE="+c.db, "GUICHET_MAIL_REPLY_TO=")
	if code, _, errs := ingest(t, bin, noSupport, mail); code != 2 || !strings.Contains(errs, "GUICHET_MAIL_REPLY_TO") {
		t.Errorf("without a support address: exit %d, stderr %q", code, errs)
	}
	down := append(os.Environ(), "GUICHET_DATABASE=postgres://nobody@127.0.0.1:1/guichet", "GUICHET_MAIL_REPLY_TO=support@desk.example.com")
	if code, _, errs := ingest(t, bin, down, mail); code != exitTempFail || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("database unreachable: exit %d, stderr %q; want %d and one line", code, errs, exitTempFail)
	}
}
