package dbcopy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// sum is a table's row count and checksum: SHA-256 over the canonical form (appendCanonical) of
// every value of every row, rows ordered by primary key, columns in the source's order. It is
// computed in Go from the values each database hands back, so that equal sums mean equal data
// whatever each database calls its types.
type sum struct {
	rows int64
	hash string
}

// checksum reads t on idb and sums it, telling tick every so many rows.
func checksum(ctx context.Context, idb bun.IDB, t *table, tick func(int)) (sum, error) {
	h := sha256.New()
	var buf []byte
	var n, told int64
	err := eachRow(ctx, idb, t, func(vals []any) error {
		buf = buf[:0]
		for _, v := range vals {
			buf = appendCanonical(buf, v)
		}
		h.Write(buf)
		if n++; n-told == 1000 {
			tick(1000)
			told = n
		}
		return nil
	})
	if err != nil {
		return sum{}, fmt.Errorf("checksum table %s: %w", t.name, err)
	}
	tick(int(n - told))
	return sum{rows: n, hash: hex.EncodeToString(h.Sum(nil))}, nil
}

// verify compares every table's row count and checksum on the source's snapshot and in the
// target's transaction (both read at once, each on its own connection), the search index's row
// count with the source's and with the documents written, and the target's numbering with the
// positions set and the ids copied.
func (c *copier) verify(ctx context.Context, indexed int64, want map[string]int64) (*Report, error) {
	vctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srcSums := make([]sum, len(c.tables))
	srcDone := make(chan error, 1)
	go func() {
		for i, t := range c.tables {
			s, err := checksum(vctx, c.stx, t, func(int) {})
			if err != nil {
				srcDone <- fmt.Errorf("--from: %w", err)
				return
			}
			srcSums[i] = s
		}
		srcDone <- nil
	}()
	dstSums := make([]sum, len(c.tables))
	var dstErr error
	for i, t := range c.tables {
		if dstSums[i], dstErr = checksum(vctx, c.dtx, t, c.tick); dstErr != nil {
			dstErr = fmt.Errorf("--to: %w", dstErr)
			cancel()
			break
		}
	}
	if err := errors.Join(dstErr, <-srcDone); err != nil {
		return nil, err
	}

	rep := &Report{IndexRows: indexed}
	var bad []string
	for i, t := range c.tables {
		s, d := srcSums[i], dstSums[i]
		if s != d {
			bad = append(bad, fmt.Sprintf("table %s: %d rows (checksum %.12s) on the source, %d rows (checksum %.12s) on the target",
				t.name, s.rows, s.hash, d.rows, d.hash))
		}
		rep.Tables = append(rep.Tables, TableReport{Name: t.name, Rows: d.rows, Checksum: d.hash})
	}
	srcIndex, err := indexRows(ctx, c.stx)
	if err != nil {
		return nil, fmt.Errorf("--from: count the search index: %w", err)
	}
	dstIndex, err := indexRows(ctx, c.dtx)
	if err != nil {
		return nil, fmt.Errorf("--to: count the search index: %w", err)
	}
	if srcIndex != dstIndex || dstIndex != indexed {
		bad = append(bad, fmt.Sprintf("search index: %d rows on the source, %d on the target (%d documents written)", srcIndex, dstIndex, indexed))
	}
	for _, s := range c.tables {
		if s.serial == "" {
			continue
		}
		t := c.target.tables[s.name]
		pos, err := position(ctx, c.dtx, t)
		if err != nil {
			return nil, fmt.Errorf("--to: %w", err)
		}
		var maxID int64
		if err := c.dtx.NewRaw("SELECT COALESCE(MAX("+ident(t.serial)+"), 0) FROM "+ident(t.name)).Scan(ctx, &maxID); err != nil {
			return nil, fmt.Errorf("--to: %w", err)
		}
		if pos != want[s.name] || pos < maxID {
			bad = append(bad, fmt.Sprintf("numbering of %s: at %d on the target, want %d (largest id %d)", s.name, pos, want[s.name], maxID))
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("verification failed, the copy was rolled back: %s", strings.Join(bad, "; "))
	}
	return rep, nil
}
