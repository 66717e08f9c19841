package timeline

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// PendingTTL is how long a file kept for a refused form waits for the form to be sent again.
const PendingTTL = 2 * time.Hour

// Pending is a checked upload kept between a form that came back with an error and the same
// form sent again: the user does not choose their files twice, and no file is lost silently. It
// belongs to the session that uploaded it, and to nobody else.
type Pending struct {
	bun.BaseModel `bun:"table:pending_uploads,alias:pu"`

	ID          int64     `bun:"id,pk,autoincrement"`
	SessionHash string    `bun:"session_hash"`
	UserID      int64     `bun:"user_id"`
	Name        string    `bun:"name"`
	ContentType string    `bun:"content_type"`
	Size        int64     `bun:"size"`
	Data        []byte    `bun:"data"`
	CreatedAt   time.Time `bun:"created_at"`
	ExpiresAt   time.Time `bun:"expires_at"`
}

// Owner is who a pending upload belongs to: one user in one session.
type Owner struct {
	SessionHash string
	UserID      int64
}

func (o Owner) valid() bool { return o.SessionHash != "" && o.UserID != 0 }

// Keep stores checked uploads for owner until PendingTTL after now, and clears everyone's
// expired ones on the way. It returns what it kept, without their content.
func Keep(ctx context.Context, idb bun.IDB, o Owner, ups []Upload, now time.Time) ([]Pending, error) {
	if len(ups) == 0 || !o.valid() {
		return nil, nil
	}
	if _, err := idb.NewDelete().Model((*Pending)(nil)).Where("expires_at <= ?", now.UTC()).Exec(ctx); err != nil {
		return nil, fmt.Errorf("timeline: clear expired pending uploads: %w", err)
	}
	kept := make([]Pending, 0, len(ups))
	for _, u := range ups {
		p := Pending{SessionHash: o.SessionHash, UserID: o.UserID, Name: u.Name, ContentType: u.ContentType,
			Size: int64(len(u.Data)), Data: u.Data, CreatedAt: now.UTC(), ExpiresAt: now.UTC().Add(PendingTTL)}
		if _, err := idb.NewInsert().Model(&p).Exec(ctx); err != nil {
			return nil, fmt.Errorf("timeline: keep a pending upload: %w", err)
		}
		p.Data = nil
		kept = append(kept, p)
	}
	return kept, nil
}

// Kept returns the pending uploads among ids that belong to owner and have not expired at now,
// in the order of ids, with their content when withData. Ids of another session, expired or
// unknown, are left out: a form cannot name someone else's file.
func Kept(ctx context.Context, idb bun.IDB, o Owner, ids []int64, now time.Time, withData bool) ([]Pending, error) {
	if len(ids) == 0 || !o.valid() {
		return nil, nil
	}
	var ps []Pending
	q := idb.NewSelect().Model(&ps).
		Where("id IN (?) AND session_hash = ? AND user_id = ? AND expires_at > ?", bun.In(ids), o.SessionHash, o.UserID, now.UTC())
	if !withData {
		q = q.ExcludeColumn("data")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("timeline: read pending uploads: %w", err)
	}
	byID := make(map[int64]Pending, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
	}
	out := make([]Pending, 0, len(ps))
	seen := map[int64]bool{}
	for _, id := range ids {
		if p, ok := byID[id]; ok && !seen[id] {
			seen[id] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// Forget deletes owner's pending uploads among ids: attached, or removed from the form.
func Forget(ctx context.Context, idb bun.IDB, o Owner, ids []int64) error {
	if len(ids) == 0 || !o.valid() {
		return nil
	}
	_, err := idb.NewDelete().Model((*Pending)(nil)).
		Where("id IN (?) AND session_hash = ? AND user_id = ?", bun.In(ids), o.SessionHash, o.UserID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("timeline: forget pending uploads: %w", err)
	}
	return nil
}

// Upload is the pending file as an upload to attach.
func (p Pending) Upload() Upload {
	return Upload{Name: p.Name, ContentType: p.ContentType, Data: p.Data}
}

// Keep is Keep on the service's database.
func (f *Files) Keep(ctx context.Context, o Owner, ups []Upload, now time.Time) ([]Pending, error) {
	return Keep(ctx, f.DB, o, ups, now)
}

// Kept is Kept on the service's database.
func (f *Files) Kept(ctx context.Context, o Owner, ids []int64, now time.Time, withData bool) ([]Pending, error) {
	return Kept(ctx, f.DB, o, ids, now, withData)
}

// Forget is Forget on the service's database.
func (f *Files) Forget(ctx context.Context, o Owner, ids []int64) error {
	return Forget(ctx, f.DB, o, ids)
}
