// Package dbcopy moves a whole desk from one database to another, SQLite to PostgreSQL or back:
// every row of every table, in one transaction on an empty target, with the sequences set past
// the copied ids, the search index rebuilt as the program builds it, and a verification of each
// table's row count and checksum on both sides before the transaction commits.
package dbcopy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/db"
	"github.com/uptrace/bun"
)

// Options tune a copy.
type Options struct {
	// Progress is told, from one goroutine, how much of the work is done out of total: rows
	// copied, timeline entries indexed, rows verified.
	Progress func(done, total int)
	// Batch is how many rows one INSERT writes (default 500); a batch of large rows (attachments)
	// is cut short at a few megabytes of statement.
	Batch int
	// Expect, when set, is shown the tables verified (their rows and checksums, equal on both
	// sides) before the target's transaction commits: an error it returns rolls the copy back.
	Expect func(tables []TableReport) error
}

// Report says what was copied and verified.
type Report struct {
	// Tables are the tables copied, in the order they were (referenced tables first).
	Tables []TableReport
	// Rows counts the rows copied; IndexRows the rows of the search index rebuilt.
	Rows, IndexRows int64
	// Copy is how long the whole copy took, from opening the databases to the target's commit;
	// Verify the part of it spent verifying.
	Copy, Verify time.Duration
}

// TableReport is one table copied: its rows and their checksum, equal on both sides.
type TableReport struct {
	Name     string
	Rows     int64
	Checksum string
}

// maxStatement bounds the text of one INSERT, whose values bun writes into it.
const maxStatement = 4 << 20

// Copy copies the desk at from into the empty database at to, each a SQLite file path or a
// postgres:// URL. A bad input (an address that cannot be opened, the same database twice, a
// source not migrated to exactly this program's schema, a target that is not empty) is a
// *db.Problem, found before anything is written. The target's schema is migrated first, then
// every row is written and verified in one transaction: a failure leaves the target without a
// row (and removes a SQLite file the copy created).
func Copy(ctx context.Context, from, to string, o Options) (*Report, error) {
	start := time.Now()
	if err := sameAddress(from, to); err != nil {
		return nil, err
	}
	src, err := openSource(from)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	rep, err := CopyFrom(ctx, src, from, to, o)
	if err != nil {
		return nil, err
	}
	rep.Copy = time.Since(start)
	return rep, nil
}

// CopyFrom is Copy from a source already open (a backup file opened read only, say); from is
// its address, for the messages and to refuse copying it onto itself.
func CopyFrom(ctx context.Context, src *bun.DB, from, to string, o Options) (*Report, error) {
	if o.Batch <= 0 {
		o.Batch = 500
	}
	if o.Progress == nil {
		o.Progress = func(int, int) {}
	}
	start := time.Now()
	if err := sameAddress(from, to); err != nil {
		return nil, err
	}
	if err := db.CheckSchema(ctx, src); err != nil {
		return nil, problem("--from %s: not a desk of this version of Guichet: %v", Redact(from), err)
	}
	source, err := readCatalogue(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	dst, closeTarget, err := openTarget(to)
	if err != nil {
		return nil, err
	}
	rep, err := copyInto(ctx, src, dst, source, to, o)
	if err == nil {
		err = db.Analyze(ctx, dst)
	}
	closeTarget(err != nil)
	if err != nil {
		return nil, err
	}
	rep.Copy = time.Since(start)
	return rep, nil
}

func copyInto(ctx context.Context, src, dst *bun.DB, source *catalogue, to string, o Options) (*Report, error) {
	if err := sameServerDatabase(ctx, src, dst, to); err != nil {
		return nil, err
	}
	if err := checkTarget(ctx, dst, source, to); err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx, dst); err != nil {
		return nil, problem("--to %s: cannot migrate it: %v", Redact(to), err)
	}
	if err := db.CheckSchema(ctx, dst); err != nil {
		return nil, problem("--to %s: %v", Redact(to), err)
	}
	target, err := readCatalogue(ctx, dst)
	if err != nil {
		return nil, fmt.Errorf("--to: %w", err)
	}
	if err := match(source, target); err != nil {
		return nil, fmt.Errorf("the source's and the target's schemas differ: %w", err)
	}
	tables, err := source.order()
	if err != nil {
		return nil, err
	}
	c := &copier{src: src, dst: dst, target: target, tables: tables, to: to, o: o}
	return c.run(ctx)
}

// copier is one copy under way.
type copier struct {
	src, dst *bun.DB
	target   *catalogue
	// tables are the source's, in the order they are copied.
	tables []*table
	to     string
	o      Options
	// stx reads the source in one snapshot; dtx writes the target.
	stx, dtx    bun.Tx
	done, total int
}

func (c *copier) tick(n int) {
	c.done += n
	c.o.Progress(c.done, c.total)
}

func (c *copier) run(ctx context.Context) (*Report, error) {
	// The source is read in one snapshot, so that a desk still running is copied as it was at
	// one instant; on SQLite a read-only transaction is a deferred one, which takes no lock.
	opts := &sql.TxOptions{ReadOnly: true}
	if db.IsPG(c.src) {
		opts.Isolation = sql.LevelRepeatableRead
	}
	stx, err := c.src.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("--from: begin a snapshot: %w", err)
	}
	defer stx.Rollback() //nolint:errcheck // read only
	c.stx = stx
	if err := noTimeout(ctx, stx); err != nil {
		return nil, err
	}
	counts := map[string]int64{}
	var rows int64
	for _, t := range c.tables {
		n, err := countRows(ctx, stx, t.name)
		if err != nil {
			return nil, fmt.Errorf("--from: count the rows of %s: %w", t.name, err)
		}
		counts[t.name], rows = n, rows+n
	}
	c.total = int(2*rows + counts["timeline_entries"])

	dtx, err := c.dst.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("--to: begin: %w", err)
	}
	c.dtx = dtx
	seqs, err := c.sequencesBefore(ctx)
	if err != nil {
		dtx.Rollback() //nolint:errcheck // nothing written
		return nil, err
	}
	rep, err := c.write(ctx, counts)
	if err == nil {
		err = dtx.Commit()
	}
	if err != nil {
		dtx.Rollback() //nolint:errcheck // the error said is the first one
		// PostgreSQL's sequences are not transactional: they go back to where they were.
		return nil, errors.Join(err, c.restoreSequences(context.WithoutCancel(ctx), seqs))
	}
	rep.Rows = rows
	return rep, nil
}

// write copies every table, sets the sequences, rebuilds the search index and verifies, in the
// target's transaction.
func (c *copier) write(ctx context.Context, counts map[string]int64) (*Report, error) {
	if err := noTimeout(ctx, c.dtx); err != nil {
		return nil, err
	}
	// Nothing may have come in since the target was found empty.
	for _, name := range append(c.target.names(), c.target.search...) {
		full, err := hasRows(ctx, c.dtx, name)
		if err != nil {
			return nil, fmt.Errorf("--to: read table %s: %w", name, err)
		}
		if full {
			return nil, problem("--to %s: the database is not empty (table %s holds rows): copy into an empty database", Redact(c.to), name)
		}
	}
	maxIDs := map[string]int64{}
	for _, t := range c.tables {
		n, maxID, err := c.copyTable(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("copy table %s: %w", t.name, err)
		}
		if n != counts[t.name] {
			return nil, fmt.Errorf("copy table %s: %d rows read, %d counted", t.name, n, counts[t.name])
		}
		maxIDs[t.name] = maxID
	}
	want, err := c.setSequences(ctx, maxIDs)
	if err != nil {
		return nil, err
	}
	indexed, err := rebuildIndex(ctx, c.dtx, c.tick)
	if err != nil {
		return nil, fmt.Errorf("rebuild the search index: %w", err)
	}
	start := time.Now()
	rep, err := c.verify(ctx, indexed, want)
	if err != nil {
		return nil, err
	}
	rep.Verify = time.Since(start)
	if c.o.Expect != nil {
		if err := c.o.Expect(rep.Tables); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// noTimeout lifts the statement timeout db.Open sets on PostgreSQL for the transaction: a
// source table is read by one statement for as long as writing its rows into the target takes.
func noTimeout(ctx context.Context, tx bun.Tx) error {
	if !db.IsPG(tx) {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SET LOCAL statement_timeout = 0")
	return err
}

// eachRow reads table t of idb ordered by primary key, with its values as value returns them
// (the slice is reused from row to row).
func eachRow(ctx context.Context, idb bun.IDB, t *table, each func(vals []any) error) error {
	rows, err := idb.QueryContext(ctx, "SELECT "+columnList(t.cols)+" FROM "+ident(t.name)+" ORDER BY "+orderBy(t, db.IsPG(idb)))
	if err != nil {
		return err
	}
	defer rows.Close()
	raw, ptrs, vals := make([]any, len(t.cols)), make([]any, len(t.cols)), make([]any, len(t.cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, col := range t.cols {
			if vals[i], err = value(col.kind, raw[i]); err != nil {
				return fmt.Errorf("row %s, column %s: %w", rowKey(t, raw), col.name, err)
			}
		}
		if err := each(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// rowKey names a row by its primary key, for errors: (id=42).
func rowKey(t *table, raw []any) string {
	var parts []string
	for _, k := range t.pk {
		for i, c := range t.cols {
			if c.name == k {
				parts = append(parts, fmt.Sprintf("%s=%v", k, raw[i]))
			}
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// copyTable copies t's rows from the source snapshot into the target, a batch of rows per
// INSERT whose values bun writes as the target's dialect does, and returns how many rows it
// copied and the largest value of its auto-increment column.
func (c *copier) copyTable(ctx context.Context, t *table) (n, maxID int64, err error) {
	insert := "INSERT INTO " + ident(t.name) + " (" + columnList(t.cols) + ") VALUES "
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	serial := -1
	for i, col := range t.cols {
		if col.name == t.serial {
			serial = i
		}
	}
	var args []any
	rows, bytes := 0, 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		q := insert + strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
		if _, err := c.dtx.NewRaw(q, args...).Exec(ctx); err != nil {
			return err
		}
		c.tick(rows)
		args, rows, bytes = args[:0], 0, 0
		return nil
	}
	err = eachRow(ctx, c.stx, t, func(vals []any) error {
		for _, v := range vals {
			bytes += size(v)
		}
		args = append(args, vals...)
		rows++
		n++
		if serial >= 0 {
			if id, ok := vals[serial].(int64); ok && id > maxID {
				maxID = id
			}
		}
		if rows >= c.o.Batch || bytes >= maxStatement {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return n, maxID, err
}
