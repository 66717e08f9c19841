package timeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
)

// Files kept for a refused form belong to the session that sent them, until they expire, are
// attached or the session ends.
func TestPendingUploadsBelongToTheirSession(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	owner := func(login, token string) timeline.Owner {
		u, err := identity.UserByLogin(ctx, a.DB, login)
		if err != nil {
			t.Fatal(err)
		}
		s, err := identity.InsertSession(ctx, a.DB, token, u.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		return timeline.Owner{SessionHash: s.IDHash, UserID: u.ID}
	}
	marie, marie2, john := owner("Marie.Dupont", "tab-one"), owner("Marie.Dupont", "tab-two"), owner("John.Doe", "john")
	log := timeline.Upload{Name: "nova.log", ContentType: "text/plain; charset=utf-8", Data: []byte("ERROR nova\n")}
	png := timeline.Upload{Name: "capture.png", ContentType: "image/png", Data: []byte("\x89PNG\r\n\x1a\nxx")}
	kept, err := a.Files.Keep(ctx, marie, []timeline.Upload{log, png}, now)
	if err != nil || len(kept) != 2 || kept[0].Name != "nova.log" || kept[0].Size != int64(len(log.Data)) || kept[0].Data != nil {
		t.Fatalf("keep: %+v, %v", kept, err)
	}
	ids := []int64{kept[1].ID, kept[0].ID, kept[0].ID, 999999}
	got, err := a.Files.Kept(ctx, marie, ids, now.Add(time.Minute), true)
	if err != nil || len(got) != 2 || got[0].Name != "capture.png" || string(got[1].Upload().Data) != string(log.Data) {
		t.Fatalf("kept, with data: %+v, %v", got, err)
	}
	for name, o := range map[string]timeline.Owner{"another session of the same user": marie2, "another user": john,
		"no session": {UserID: marie.UserID}} {
		if got, err := a.Files.Kept(ctx, o, ids, now, false); err != nil || len(got) != 0 {
			t.Errorf("%s reads %+v, %v", name, got, err)
		}
		if err := a.Files.Forget(ctx, o, ids); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := a.Files.Kept(ctx, marie, ids, now, false); len(got) != 2 {
		t.Fatalf("another owner's Forget removed Marie's files: %+v", got)
	}
	if got, _ := a.Files.Kept(ctx, marie, ids, now.Add(timeline.PendingTTL), false); len(got) != 0 {
		t.Errorf("expired files still read: %+v", got)
	}
	if err := a.Files.Forget(ctx, marie, []int64{kept[0].ID}); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Files.Kept(ctx, marie, ids, now, false); len(got) != 1 || got[0].ID != kept[1].ID {
		t.Errorf("after forgetting one: %+v", got)
	}
	// Keeping again later clears what expired; ending the session takes the rest with it.
	if _, err := a.Files.Keep(ctx, john, []timeline.Upload{log}, now.Add(timeline.PendingTTL+time.Second)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := a.DB.NewRaw("SELECT COUNT(*) FROM pending_uploads WHERE user_id = ?", marie.UserID).Scan(ctx, &n); err != nil || n != 0 {
		t.Errorf("%d expired rows left, %v", n, err)
	}
	if _, err := a.DB.NewDelete().Model((*identity.Session)(nil)).Where("id_hash = ?", john.SessionHash).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.DB.NewRaw("SELECT COUNT(*) FROM pending_uploads").Scan(ctx, &n); err != nil || n != 0 {
		t.Errorf("%d rows left after the session ended, %v", n, err)
	}
}
