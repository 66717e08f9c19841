package dbcopy

import (
	"context"
	"fmt"

	"github.com/guichet/guichet/internal/db"
	"github.com/uptrace/bun"
)

// The ids of a table with an auto-increment key go on from its position: the last id given
// (SQLite's sqlite_sequence, PostgreSQL's BIGSERIAL sequence), which can be past the largest id
// still there when rows were deleted. The target's position is set to the source's, and never
// below the largest id copied, so that no id is given twice.

// position reads where t's numbering stands on idb: the last id given, 0 for none.
func position(ctx context.Context, idb bun.IDB, t *table) (int64, error) {
	var pos int64
	var err error
	if db.IsPG(idb) {
		err = idb.NewRaw("SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM "+t.seq).Scan(ctx, &pos)
	} else {
		err = idb.NewRaw("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0)", t.name).Scan(ctx, &pos)
	}
	if err != nil {
		return 0, fmt.Errorf("read the numbering of %s: %w", t.name, err)
	}
	return pos, nil
}

// setPosition makes the next id of t on idb pos+1.
func setPosition(ctx context.Context, idb bun.IDB, t *table, pos int64) error {
	if db.IsPG(idb) {
		var err error
		if pos > 0 {
			_, err = idb.NewRaw("SELECT setval(?::regclass, ?, true)", t.seq, pos).Exec(ctx)
		} else {
			_, err = idb.NewRaw("SELECT setval(?::regclass, 1, false)", t.seq).Exec(ctx)
		}
		return err
	}
	res, err := idb.NewRaw("UPDATE sqlite_sequence SET seq = ? WHERE name = ?", pos, t.name).Exec(ctx)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 || pos == 0 {
		return err
	}
	_, err = idb.NewRaw("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", t.name, pos).Exec(ctx)
	return err
}

// setSequences sets the target's numbering of every auto-increment table past the source's
// and the ids copied, and returns the positions set, by table.
func (c *copier) setSequences(ctx context.Context, maxIDs map[string]int64) (map[string]int64, error) {
	want := map[string]int64{}
	for _, s := range c.tables {
		if s.serial == "" {
			continue
		}
		pos, err := position(ctx, c.stx, s)
		if err != nil {
			return nil, fmt.Errorf("--from: %w", err)
		}
		pos = max(pos, maxIDs[s.name])
		if err := setPosition(ctx, c.dtx, c.target.tables[s.name], pos); err != nil {
			return nil, fmt.Errorf("--to: set the numbering of %s: %w", s.name, err)
		}
		want[s.name] = pos
	}
	return want, nil
}

// seqState is where a PostgreSQL sequence of the target stood before the copy.
type seqState struct {
	t        *table
	last     int64
	isCalled bool
}

// sequencesBefore reads the target's PostgreSQL sequences, which a rollback does not restore.
func (c *copier) sequencesBefore(ctx context.Context) ([]seqState, error) {
	if !db.IsPG(c.dst) {
		return nil, nil
	}
	var out []seqState
	for _, name := range c.target.names() {
		t := c.target.tables[name]
		if t.seq == "" {
			continue
		}
		s := seqState{t: t}
		if err := c.dtx.NewRaw("SELECT last_value, is_called FROM "+t.seq).Scan(ctx, &s.last, &s.isCalled); err != nil {
			return nil, fmt.Errorf("--to: read the sequence of %s: %w", name, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// restoreSequences puts the target's PostgreSQL sequences back after a failed copy.
func (c *copier) restoreSequences(ctx context.Context, states []seqState) error {
	for _, s := range states {
		if _, err := c.dst.NewRaw("SELECT setval(?::regclass, ?, ?)", s.t.seq, s.last, s.isCalled).Exec(ctx); err != nil {
			return fmt.Errorf("--to: restore the sequence of %s: %w", s.t.name, err)
		}
	}
	return nil
}
