package dbcopy

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// sqliteTables lists the tables of a SQLite database: its own tables and virtual tables, without
// SQLite's internal tables and the shadow tables of the virtual ones (FTS5's _data, _idx…).
func sqliteTables(ctx context.Context, idb bun.IDB) ([]string, error) {
	var names []string
	err := idb.NewRaw("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual') "+
		"AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name").Scan(ctx, &names)
	return names, err
}

// sqliteTable reads a table's columns, primary key, references and AUTOINCREMENT column from
// PRAGMA table_info and foreign_key_list and the table's CREATE statement.
func sqliteTable(ctx context.Context, idb bun.IDB, name string) (*table, error) {
	t := &table{name: name}
	var cols []struct {
		Name string `bun:"name"`
		Type string `bun:"type"`
		PK   int    `bun:"pk"`
	}
	if err := idb.NewRaw("SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid", name).Scan(ctx, &cols); err != nil {
		return nil, err
	}
	pk := map[int]string{}
	for _, c := range cols {
		k, err := sqliteKind(c.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		t.cols = append(t.cols, column{name: c.Name, kind: k})
		if c.PK > 0 {
			pk[c.PK] = c.Name
		}
	}
	for i := 1; i <= len(pk); i++ {
		t.pk = append(t.pk, pk[i])
	}
	if err := idb.NewRaw(`SELECT DISTINCT "table" FROM pragma_foreign_key_list(?) ORDER BY 1`, name).Scan(ctx, &t.refs); err != nil {
		return nil, err
	}
	var create string
	if err := idb.NewRaw("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", name).Scan(ctx, &create); err != nil {
		return nil, err
	}
	// AUTOINCREMENT is allowed only on an INTEGER PRIMARY KEY, which is the table's one key.
	if strings.Contains(strings.ToUpper(create), "AUTOINCREMENT") && len(t.pk) == 1 {
		t.serial = t.pk[0]
	}
	return t, nil
}

// sqliteKind reads a declared type the way the desk's migrations write them (INTEGER, BIGINT,
// BOOLEAN, TIMESTAMP, BLOB, VARCHAR(n), TEXT).
func sqliteKind(decl string) (kind, error) {
	d := strings.ToUpper(decl)
	switch {
	case strings.Contains(d, "INT"):
		return kInt, nil
	case strings.Contains(d, "BOOL"):
		return kBool, nil
	case strings.Contains(d, "TIMESTAMP"), strings.Contains(d, "DATE"), strings.Contains(d, "TIME"):
		return kTime, nil
	case strings.Contains(d, "BLOB"):
		return kBytes, nil
	case strings.Contains(d, "CHAR"), strings.Contains(d, "TEXT"), strings.Contains(d, "CLOB"):
		return kText, nil
	}
	return 0, fmt.Errorf("type %q is not one this program writes", decl)
}
