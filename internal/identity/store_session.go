package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/uptrace/bun"
)

// NewToken returns a random URL-safe token of 32 bytes.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's random source never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is what the database keeps of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// InsertSession writes a session for the token.
func InsertSession(ctx context.Context, idb bun.IDB, token string, userID int64, now time.Time) (*Session, error) {
	return insertSession(ctx, idb, &Session{IDHash: HashToken(token), UserID: userID, CreatedAt: now, LastSeenAt: now})
}

// InsertPendingLogin writes a login that passed the password and waits for its second factor.
func InsertPendingLogin(ctx context.Context, idb bun.IDB, token string, userID int64, now time.Time) (*Session, error) {
	return insertSession(ctx, idb, &Session{IDHash: HashToken(token), UserID: userID, CreatedAt: now, LastSeenAt: now, Pending: true})
}

func insertSession(ctx context.Context, idb bun.IDB, s *Session) (*Session, error) {
	_, err := idb.NewInsert().Model(s).Exec(ctx)
	return s, wrap(err, "insert session of user %d", s.UserID)
}

// SessionByToken returns the session of token, or apperr.ErrNotFound.
func SessionByToken(ctx context.Context, idb bun.IDB, token string) (*Session, error) {
	s := new(Session)
	err := idb.NewSelect().Model(s).Where("id_hash = ?", HashToken(token)).Scan(ctx)
	return s, wrap(notFound(err), "read session")
}

// UpdateSession writes the columns named.
func UpdateSession(ctx context.Context, idb bun.IDB, s *Session, columns ...string) error {
	_, err := idb.NewUpdate().Model(s).Column(columns...).WherePK().Exec(ctx)
	return wrap(err, "update session of user %d %v", s.UserID, columns)
}

// DeleteSession ends the session of token.
func DeleteSession(ctx context.Context, idb bun.IDB, token string) error {
	_, err := idb.NewDelete().Model((*Session)(nil)).Where("id_hash = ?", HashToken(token)).Exec(ctx)
	return wrap(err, "delete session")
}

// DeleteSessionsOf ends every session of user but the one whose token is kept ("" for none).
func DeleteSessionsOf(ctx context.Context, idb bun.IDB, userID int64, keepToken string) error {
	q := idb.NewDelete().Model((*Session)(nil)).Where("user_id = ?", userID)
	if keepToken != "" {
		q = q.Where("id_hash <> ?", HashToken(keepToken))
	}
	_, err := q.Exec(ctx)
	return wrap(err, "delete sessions of user %d", userID)
}

// DeleteExpiredSessions removes sessions idle since before idleBefore or created before maxBefore.
func DeleteExpiredSessions(ctx context.Context, idb bun.IDB, idleBefore, maxBefore time.Time) (int64, error) {
	res, err := idb.NewDelete().Model((*Session)(nil)).
		Where("last_seen_at < ? OR created_at < ?", idleBefore, maxBefore).Exec(ctx)
	if err != nil {
		return 0, wrap(err, "delete expired sessions")
	}
	return res.RowsAffected()
}
