package web_test

import (
	"net/http"
	"testing"
)

// A session's user and access are kept between its requests, and read again at the next one
// whenever the database changes what they are made of, whoever changes it: here another
// process's statements, written straight to the database (the triggers of the access version).
func TestAccessChangedElsewhereIsSeenAtTheNextRequest(t *testing.T) {
	d := newDesk(t)
	ctx := t.Context()
	t1 := d.tenant(t, "OCB0000001").ID
	john := d.as(t, "John.Doe")
	if r := john.Get("/incidents"); r.Status != http.StatusOK {
		t.Fatalf("John's list: %d", r.Status)
	}
	// Kept: the same request again reads no user and no membership.
	counter := &statementCounter{}
	d.DB.AddQueryHook(counter)
	if stmts := counter.count(func() { john.Get("/incidents") }); len(stmts) > 2 {
		t.Fatalf("a second request read %d statements: %v", len(stmts), stmts)
	}

	// The incidents right taken away: refused at once.
	if _, err := d.DB.ExecContext(ctx, "UPDATE memberships SET can_incidents = ? WHERE tenant_id = ? AND user_id = (SELECT id FROM users WHERE login = 'John.Doe')", false, t1); err != nil {
		t.Fatal(err)
	}
	if r := john.Get("/incidents"); r.Status == http.StatusOK {
		t.Fatalf("John without the right still lists: %d", r.Status)
	}
	if _, err := d.DB.ExecContext(ctx, "UPDATE memberships SET can_incidents = ? WHERE tenant_id = ? AND user_id = (SELECT id FROM users WHERE login = 'John.Doe')", true, t1); err != nil {
		t.Fatal(err)
	}
	if r := john.Get("/incidents"); r.Status != http.StatusOK {
		t.Fatalf("John with the right again: %d", r.Status)
	}

	// The user disabled: logged out at once.
	if _, err := d.DB.ExecContext(ctx, "UPDATE users SET active = ? WHERE login = 'John.Doe'", false); err != nil {
		t.Fatal(err)
	}
	if r := john.Get("/incidents"); r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Fatalf("disabled John: %d %q", r.Status, r.Location)
	}

	// Every session ended (as `guichet user reset-2fa` does): logged out at once.
	marie := d.as(t, "Marie.Dupont")
	if r := marie.Get("/incidents"); r.Status != http.StatusOK {
		t.Fatalf("Marie's list: %d", r.Status)
	}
	if _, err := d.DB.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE login = 'Marie.Dupont')"); err != nil {
		t.Fatal(err)
	}
	if r := marie.Get("/incidents"); r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Fatalf("Marie without a session: %d %q", r.Status, r.Location)
	}
}
