package dbcopy

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/guichet/guichet/internal/db"
	"github.com/uptrace/bun"
)

// Sums reads every table of the desk in idb (bookkeeping and search index aside) in one
// snapshot and returns each one's rows and checksum, as a copy's report gives them, sorted by
// name: equal sums on two databases of either kind mean equal data. Rows are read one at a
// time, so that a table of millions of rows takes no more memory than one. progress, when not
// nil, is told how many rows of all are summed.
func Sums(ctx context.Context, idb *bun.DB, progress func(done, total int)) ([]TableReport, error) {
	if progress == nil {
		progress = func(int, int) {}
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if db.IsPG(idb) {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := idb.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("begin a snapshot: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	if err := noTimeout(ctx, tx); err != nil {
		return nil, err
	}
	cat, err := readCatalogue(ctx, tx)
	if err != nil {
		return nil, err
	}
	var total int64
	for _, name := range cat.names() {
		n, err := countRows(ctx, tx, name)
		if err != nil {
			return nil, fmt.Errorf("count the rows of %s: %w", name, err)
		}
		total += n
	}
	var done int
	tick := func(n int) {
		done += n
		progress(done, int(total))
	}
	var out []TableReport
	for _, name := range cat.names() {
		s, err := checksum(ctx, tx, cat.tables[name], tick)
		if err != nil {
			return nil, err
		}
		out = append(out, TableReport{Name: name, Rows: s.rows, Checksum: s.hash})
	}
	return out, nil
}

// Holding names the first table of idb, by name, that holds a row (search index included,
// bookkeeping aside), or "" when the database is empty: a database without tables, or migrated
// and never used.
func Holding(ctx context.Context, idb bun.IDB) (string, error) {
	names, err := tableNames(ctx, idb)
	if err != nil {
		return "", fmt.Errorf("read the list of tables: %w", err)
	}
	for _, name := range names {
		if bookkeeping[name] {
			continue
		}
		full, err := hasRows(ctx, idb, name)
		if err != nil {
			return "", fmt.Errorf("read table %s: %w", name, err)
		}
		if full {
			return name, nil
		}
	}
	return "", nil
}
