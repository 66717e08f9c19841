package dbcopy

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/guichet/guichet/internal/db"
	"github.com/uptrace/bun"
)

// kind is how a column's values are read, compared and written, whatever each database calls
// its type.
type kind int

const (
	kText kind = iota
	kInt
	kBool
	kTime
	kBytes
)

func (k kind) String() string {
	return [...]string{"text", "integer", "boolean", "timestamp", "binary"}[k]
}

type column struct {
	name string
	kind kind
}

// table is one table of the desk as a database's catalogue describes it.
type table struct {
	name string
	cols []column
	// pk are the primary key's columns, in the key's order.
	pk []string
	// refs are the tables its foreign keys reference.
	refs []string
	// serial is its auto-increment column ("" when it has none), and seq the sequence that
	// numbers it on PostgreSQL.
	serial, seq string
}

// catalogue is what copying needs to know of a database: its data tables, and the tables of
// its search index.
type catalogue struct {
	tables map[string]*table
	search []string
}

// ManifestTable holds a backup's manifest (internal/backup) in the backup's SQLite file: it
// describes that file, and is no part of the desk.
const ManifestTable = "backup_manifest"

// Migration bookkeeping is each database's own: the target's is written by migrating it. So is
// the access version (internal/access), which only has to move when access changes, and a
// backup's manifest.
var bookkeeping = map[string]bool{"schema_migrations": true, "schema_migration_locks": true, "access_version": true,
	ManifestTable: true}

// The search index is rebuilt rather than copied: SQLite's FTS5 table and PostgreSQL's
// tsvector table hold the same documents in forms the other cannot read.
var searchTables = map[string]bool{"timeline_fts": true, "timeline_search": true}

// tableNames lists idb's tables, bookkeeping and search index included.
func tableNames(ctx context.Context, idb bun.IDB) ([]string, error) {
	if db.IsPG(idb) {
		return pgTables(ctx, idb)
	}
	return sqliteTables(ctx, idb)
}

// readCatalogue reads idb's tables.
func readCatalogue(ctx context.Context, idb bun.IDB) (*catalogue, error) {
	c := &catalogue{tables: map[string]*table{}}
	names, err := tableNames(ctx, idb)
	if err != nil {
		return nil, fmt.Errorf("read the list of tables: %w", err)
	}
	for _, name := range names {
		if bookkeeping[name] {
			continue
		}
		if searchTables[name] {
			c.search = append(c.search, name)
			continue
		}
		var t *table
		if db.IsPG(idb) {
			t, err = pgTable(ctx, idb, name)
		} else {
			t, err = sqliteTable(ctx, idb, name)
		}
		if err != nil {
			return nil, fmt.Errorf("read the columns of table %s: %w", name, err)
		}
		c.tables[name] = t
	}
	return c, nil
}

// names lists the catalogue's tables, sorted.
func (c *catalogue) names() []string {
	out := make([]string, 0, len(c.tables))
	for n := range c.tables {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// match checks that target has the same tables as source, with the same columns of the same
// kinds and the same primary keys: both are migrated to this program's schema, so a difference
// is a schema this program does not know.
func match(source, target *catalogue) error {
	for _, name := range source.names() {
		s, t := source.tables[name], target.tables[name]
		if t == nil {
			return fmt.Errorf("table %s of the source is missing from the target", name)
		}
		if len(s.cols) != len(t.cols) {
			return fmt.Errorf("table %s has %d columns on the source and %d on the target", name, len(s.cols), len(t.cols))
		}
		for _, sc := range s.cols {
			k, ok := t.kind(sc.name)
			if !ok {
				return fmt.Errorf("column %s.%s of the source is missing from the target", name, sc.name)
			}
			if k != sc.kind {
				return fmt.Errorf("column %s.%s is %s on the source and %s on the target", name, sc.name, sc.kind, k)
			}
		}
		if !slices.Equal(s.pk, t.pk) {
			return fmt.Errorf("table %s has primary key (%s) on the source and (%s) on the target", name,
				strings.Join(s.pk, ", "), strings.Join(t.pk, ", "))
		}
		if s.serial != t.serial {
			return fmt.Errorf("table %s is numbered by %q on the source and %q on the target", name, s.serial, t.serial)
		}
	}
	for _, name := range target.names() {
		if source.tables[name] == nil {
			return fmt.Errorf("table %s of the target is missing from the source", name)
		}
	}
	return nil
}

func (t *table) kind(col string) (kind, bool) {
	for _, c := range t.cols {
		if c.name == col {
			return c.kind, true
		}
	}
	return 0, false
}

// order sorts the tables so that every table comes after those its foreign keys reference
// (alphabetically among those free to go), and fails on a cycle.
func (c *catalogue) order() ([]*table, error) {
	done := map[string]bool{}
	var out []*table
	for len(out) < len(c.tables) {
		var ready []*table
		for _, t := range c.tables {
			if done[t.name] {
				continue
			}
			free := true
			for _, r := range t.refs {
				if r != t.name && !done[r] {
					free = false
					break
				}
			}
			if free {
				ready = append(ready, t)
			}
		}
		if len(ready) == 0 {
			return nil, fmt.Errorf("the tables' foreign keys form a cycle")
		}
		slices.SortFunc(ready, func(x, y *table) int { return cmp.Compare(x.name, y.name) })
		for _, t := range ready {
			done[t.name] = true
		}
		out = append(out, ready...)
	}
	return out, nil
}

// ident quotes a table or column name for either database.
func ident(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// columnList is the table's columns, quoted, in the order of cols.
func columnList(cols []column) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = ident(c.name)
	}
	return strings.Join(q, ", ")
}

// orderBy sorts rows by primary key (by every column when there is none) in the same order on
// both databases: text by its bytes, which is SQLite's BINARY collation and PostgreSQL's "C".
func orderBy(t *table, pg bool) string {
	keys := t.pk
	if len(keys) == 0 {
		for _, c := range t.cols {
			keys = append(keys, c.name)
		}
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = ident(k)
		if kd, _ := t.kind(k); pg && kd == kText {
			parts[i] += ` COLLATE "C"`
		}
	}
	return strings.Join(parts, ", ")
}

// hasRows says whether the table holds a row.
func hasRows(ctx context.Context, idb bun.IDB, name string) (bool, error) {
	var n int
	err := idb.NewRaw("SELECT count(*) FROM (SELECT 1 FROM "+ident(name)+" LIMIT 1) AS x").Scan(ctx, &n)
	return n > 0, err
}

// countRows counts the table's rows.
func countRows(ctx context.Context, idb bun.IDB, name string) (int64, error) {
	var n int64
	err := idb.NewRaw("SELECT count(*) FROM "+ident(name)).Scan(ctx, &n)
	return n, err
}
