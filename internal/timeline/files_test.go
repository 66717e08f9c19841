package timeline_test

import (
	"context"
	"errors"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
)

// A file goes to whom the ticket's capability lets read the ticket, and a note's file to staff
// only; anything else is not found, like a file that does not exist.
func TestAttachmentGoesToTheReadersOfItsTicket(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	actor := func(login string) tenancy.Actor {
		u, err := identity.UserByLogin(ctx, a.DB, login)
		if err != nil {
			t.Fatal(err)
		}
		return tenancy.ActorOf(u)
	}
	marie, alice := actor("Marie.Dupont"), actor("Alice.Agent")
	t1, err := tenancy.TenantByCode(ctx, a.DB, "OCB0000001")
	if err != nil {
		t.Fatal(err)
	}
	file := timeline.Upload{Name: "nova.log", ContentType: "text/plain; charset=utf-8", Data: []byte("ERROR nova\n")}
	inc, err := a.Incidents.Declare(ctx, marie, t1.ID, incident.Draft{Title: "Instance en erreur", Description: "Depuis ce matin.",
		Service: "ecs", Region: "eu-west-0", Impact: "medium", Urgency: "medium", Files: []timeline.Upload{file}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Reply, Body: "Trace interne", Internal: true,
		Files: []timeline.Upload{file}}); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	if err := a.DB.NewRaw("SELECT id FROM attachments ORDER BY id").Scan(ctx, &ids); err != nil || len(ids) != 2 {
		t.Fatalf("attachments %v, %v", ids, err)
	}
	public, internal := ids[0], ids[1]
	var asked []timeline.Subject
	may := func(_ context.Context, _ tenancy.Actor, s timeline.Subject) error {
		asked = append(asked, s)
		return nil
	}
	refuse := func(context.Context, tenancy.Actor, timeline.Subject) error { return apperr.ErrNotFound }

	files := &timeline.Files{DB: a.DB}
	got, err := files.Attachment(ctx, marie, public, may)
	if err != nil || string(got.Data) != "ERROR nova\n" || len(asked) != 1 || asked[0].Kind != inc.Subject().Kind || asked[0].ID != inc.Subject().ID {
		t.Fatalf("the reporter's file: %+v, %v; asked %v", got, err, asked)
	}
	if _, err := files.Attachment(ctx, alice, internal, may); err != nil {
		t.Errorf("a note's file to staff: %v", err)
	}
	for name, c := range map[string]struct {
		who  tenancy.Actor
		id   int64
		read timeline.ReadCheck
	}{
		"a note's file to a customer": {marie, internal, may},
		"a ticket the reader may not": {actor("Paul.Martin"), public, refuse},
		"a file that does not exist":  {alice, internal + 1000, may},
	} {
		if _, err := files.Attachment(ctx, c.who, c.id, c.read); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s: %v, want not found", name, err)
		}
	}
}
