package app

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/db"
	"github.com/uptrace/bun"
)

// recordConfig writes to the audit log, at start-up, each catalogue or policy the desk loaded
// that differs from the one it last recorded (a file replaced, GUICHET_CATALOGUE pointed
// elsewhere, an upgrade changing the embedded one): what was loaded, from where, its digest.
// Instances starting together record a change once.
func (a *App) recordConfig(ctx context.Context) error {
	loaded := []struct {
		object, source string
		value          any
	}{
		{"catalogue", a.Config.Catalogue, a.Catalogue},
		{"services", a.Config.Services, a.Changes.Services},
		{"sla_policy", a.Config.SLAPolicy, a.SLA},
	}
	return a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := db.Serialize(ctx, tx, "config-loaded"); err != nil {
			return err
		}
		for _, l := range loaded {
			b, err := json.Marshal(l.value)
			if err != nil {
				return fmt.Errorf("audit %s: %w", l.object, err)
			}
			sum := sha256.Sum256(b)
			digest := hex.EncodeToString(sum[:])
			source := l.source
			if source == "" {
				source = "embedded"
			}
			var last string
			err = tx.NewSelect().Table("audit_log").Column("after_json").
				Where("action = ? AND object = ?", audit.ConfigLoaded, l.object).OrderExpr("id DESC").Limit(1).Scan(ctx, &last)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("audit %s: %w", l.object, err)
			}
			var was map[string]any
			_ = json.Unmarshal([]byte(last), &was) // "" or an entry of another shape: record anew
			if was["digest"] == digest && was["source"] == source {
				continue
			}
			var before any
			if was != nil {
				before = map[string]any{"source": was["source"], "digest": was["digest"]}
			}
			err = audit.Write(ctx, tx, audit.Change{Action: audit.ConfigLoaded, ActorLabel: "start-up", Object: l.object,
				Before: before, After: map[string]any{"source": source, "digest": digest}})
			if err != nil {
				return err
			}
		}
		return nil
	})
}
