package once_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/once"
	"github.com/guichet/guichet/internal/testutil"
)

func TestFindRecordForget(t *testing.T) {
	ctx := context.Background()
	bdb := testutil.OpenDB(t)
	now := time.Now().UTC()
	for _, login := range []string{"a", "b"} {
		if _, err := bdb.NewRaw(`INSERT INTO users (login, login_key, email, display_name, lang, kind, active, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'fr', 'customer', TRUE, ?, ?)`, login, login, login+"@example.com", login, now, now).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tok := once.NewToken()
	if _, found, err := once.Find(ctx, bdb, 1, tok, "incident"); err != nil || found {
		t.Fatalf("before: %v %v", found, err)
	}
	if err := once.Record(ctx, bdb, 1, tok, "incident", 42, now.Add(-25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		user  int64
		token string
		kind  string
		found bool
		id    int64
	}{
		{"same user, token and kind", 1, tok, "incident", true, 42},
		{"another user with the same token", 2, tok, "incident", false, 0},
		{"another kind", 1, tok, "change", false, 0},
		{"another token", 1, once.NewToken(), "incident", false, 0},
		{"no token", 1, "", "incident", false, 0},
		{"a token with a NUL", 1, tok + "\x00", "incident", false, 0},
	}
	for _, tt := range tests {
		id, found, err := once.Find(ctx, bdb, tt.user, tt.token, tt.kind)
		if err != nil || found != tt.found || id != tt.id {
			t.Errorf("%s: %d %v %v, want %d %v", tt.name, id, found, err, tt.id, tt.found)
		}
	}
	// A twin that passed Find (PostgreSQL's READ COMMITTED) fails on the key, and finds the first.
	twinErr := once.Record(ctx, bdb, 1, tok, "incident", 43, now)
	if twinErr == nil {
		t.Fatal("a token recorded twice")
	}
	if id, twin := once.Repeated(ctx, bdb, twinErr, 1, tok, "incident"); !twin || id != 42 {
		t.Errorf("repeated: %d %v, want the first ticket", id, twin)
	}
	if _, twin := once.Repeated(ctx, bdb, errors.New("disk full"), 1, tok, "incident"); twin {
		t.Error("another failure taken for a twin")
	}
	if err := once.Record(ctx, bdb, 1, "", "incident", 43, now); err != nil {
		t.Errorf("no token: %v", err)
	}
	if n, err := once.Forget(ctx, bdb, now.Add(-24*time.Hour)); err != nil || n != 1 {
		t.Errorf("forget: %d %v", n, err)
	}
	if _, found, _ := once.Find(ctx, bdb, 1, tok, "incident"); found {
		t.Error("a forgotten token still found")
	}
}
