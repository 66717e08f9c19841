package api

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"
)

// IdempotencyHeader names the key a client sends with a create, so that a retry returns the
// first result instead of creating twice.
const IdempotencyHeader = "Idempotency-Key"

// Idempotency keys are kept a day; a request still running after runningFor is taken to have
// died with its process, and a retry runs it again (the creates that matter most, incidents and
// change requests, also pass the key to their service, which finds the first one in its
// transaction).
const (
	IdempotencyKeep = 24 * time.Hour
	runningFor      = time.Minute
	maxIdemKey      = 255
)

type idemRow struct {
	bun.BaseModel `bun:"table:api_idempotency"`

	TokenID   int64     `bun:"token_id,pk"`
	Key       string    `bun:"idem_key,pk"`
	Request   string    `bun:"request"`
	Status    int       `bun:"status"`
	Headers   string    `bun:"headers"`
	Body      string    `bun:"body"`
	CreatedAt time.Time `bun:"created_at"`
}

// replayed are the response headers a replay repeats.
var replayed = []string{fiber.HeaderContentType, fiber.HeaderLocation, fiber.HeaderETag}

// idempotent answers a POST with an Idempotency-Key the first response to that key, or runs it
// and keeps its response when it succeeds. The same key with another request is refused (422);
// with the first still running, 409.
func (s *server) idempotent(c *fiber.Ctx) error {
	key := c.Get(IdempotencyHeader)
	cl := callerOf(c.UserContext())
	if c.Method() != fiber.MethodPost || key == "" || cl.Token == nil {
		return c.Next()
	}
	if len(key) > maxIdemKey || !printableASCII(key) {
		return s.problem(c, fiber.StatusBadRequest, refuse(fiber.StatusBadRequest, "api.problem.idempotency_key"))
	}
	sum := sha256.Sum256(append([]byte(c.Method()+" "+c.Path()+"\n"), c.Body()...))
	req := hex.EncodeToString(sum[:])
	ctx := c.UserContext()
	now := time.Now().UTC()
	row, mine, err := claimKey(ctx, s.DB, cl.Token.ID, key, req, now)
	if err != nil {
		return err
	}
	if !mine {
		switch {
		case row.Request != req:
			return s.problem(c, fiber.StatusUnprocessableEntity, refuse(fiber.StatusUnprocessableEntity, "api.problem.idempotency_mismatch"))
		case row.Status == 0:
			return s.problem(c, fiber.StatusConflict, refuse(fiber.StatusConflict, "api.problem.idempotency_running"))
		}
		var hs map[string]string
		_ = json.Unmarshal([]byte(row.Headers), &hs)
		for k, v := range hs {
			c.Set(k, v)
		}
		c.Set("Idempotent-Replayed", "true")
		return c.Status(row.Status).SendString(row.Body)
	}
	nerr := c.Next()
	st := c.Response().StatusCode()
	// What follows must be recorded even if the client has gone.
	bg := context.WithoutCancel(ctx)
	if nerr != nil || st < 200 || st >= 300 {
		// Nothing was created: the key is free for a corrected retry.
		_, derr := s.DB.NewDelete().Model((*idemRow)(nil)).Where("token_id = ? AND idem_key = ?", cl.Token.ID, key).Exec(bg)
		return errors.Join(nerr, derr)
	}
	hs := map[string]string{}
	for _, h := range replayed {
		if v := c.GetRespHeader(h); v != "" {
			hs[h] = v
		}
	}
	hb, _ := json.Marshal(hs)
	_, err = s.DB.NewUpdate().Model((*idemRow)(nil)).Set("status = ?", st).Set("headers = ?", string(hb)).
		Set("body = ?", withoutSecret(c.Response().Body())).Where("token_id = ? AND idem_key = ?", cl.Token.ID, key).Exec(bg)
	if err != nil {
		return fmt.Errorf("api: keep the response of an idempotency key: %w", err)
	}
	return nil
}

// withoutSecret is a response as kept for replays: a secret shown once (a webhook's) is not
// kept in the database, and a replay answers without it.
func withoutSecret(body []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil || m["secret"] == nil {
		return string(body)
	}
	delete(m, "secret")
	out, err := json.Marshal(m)
	if err != nil {
		return "{}"
	}
	return string(out)
}

// claimKey records (token, key) as running for this request, or returns the row already there.
// A row older than a day is forgotten; one left running by a process that died is taken over.
func claimKey(ctx context.Context, idb *bun.DB, tokenID int64, key, req string, now time.Time) (*idemRow, bool, error) {
	for range 3 {
		res, err := idb.NewRaw("INSERT INTO api_idempotency (token_id, idem_key, request, status, headers, body, created_at) "+
			"VALUES (?, ?, ?, 0, '', '', ?) ON CONFLICT (token_id, idem_key) DO NOTHING", tokenID, key, req, now).Exec(ctx)
		if err != nil {
			return nil, false, fmt.Errorf("api: claim an idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil, true, nil
		}
		row := new(idemRow)
		err = idb.NewSelect().Model(row).Where("token_id = ? AND idem_key = ?", tokenID, key).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			continue // deleted meanwhile: claim again
		}
		if err != nil {
			return nil, false, fmt.Errorf("api: read an idempotency key: %w", err)
		}
		stale := now.Sub(row.CreatedAt) > IdempotencyKeep || (row.Status == 0 && now.Sub(row.CreatedAt) > runningFor)
		if !stale {
			return row, false, nil
		}
		// Conditional on the row read: of two retries taking over, one wins.
		res, err = idb.NewRaw("UPDATE api_idempotency SET request = ?, status = 0, headers = '', body = '', created_at = ? "+
			"WHERE token_id = ? AND idem_key = ? AND created_at = ? AND status = ?", req, now, tokenID, key, row.CreatedAt, row.Status).Exec(ctx)
		if err != nil {
			return nil, false, fmt.Errorf("api: take over an idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil, true, nil
		}
	}
	return nil, false, refuse(fiber.StatusConflict, "api.problem.idempotency_running")
}

// ForgetIdempotency deletes the keys older than before (the hourly sweep).
func ForgetIdempotency(ctx context.Context, idb bun.IDB, before time.Time) (int64, error) {
	res, err := idb.NewDelete().Model((*idemRow)(nil)).Where("created_at < ?", before).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("api: forget idempotency keys: %w", err)
	}
	return res.RowsAffected()
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
