package dbcopy

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// pgTables lists the tables of the PostgreSQL database's current schema.
func pgTables(ctx context.Context, idb bun.IDB) ([]string, error) {
	var names []string
	err := idb.NewRaw("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "+
		"AND table_type = 'BASE TABLE' ORDER BY table_name").Scan(ctx, &names)
	return names, err
}

// pgTable reads a table's columns (information_schema.columns), primary key, references and
// the sequence of its BIGSERIAL key.
func pgTable(ctx context.Context, idb bun.IDB, name string) (*table, error) {
	t := &table{name: name}
	var cols []struct {
		Name string `bun:"column_name"`
		Type string `bun:"data_type"`
	}
	if err := idb.NewRaw("SELECT column_name, data_type FROM information_schema.columns "+
		"WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position", name).Scan(ctx, &cols); err != nil {
		return nil, err
	}
	for _, c := range cols {
		k, err := pgKind(c.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		t.cols = append(t.cols, column{name: c.Name, kind: k})
	}
	if err := idb.NewRaw("SELECT kcu.column_name FROM information_schema.table_constraints AS tc "+
		"JOIN information_schema.key_column_usage AS kcu ON kcu.constraint_schema = tc.constraint_schema "+
		"AND kcu.constraint_name = tc.constraint_name AND kcu.table_name = tc.table_name "+
		"WHERE tc.table_schema = current_schema() AND tc.table_name = ? AND tc.constraint_type = 'PRIMARY KEY' "+
		"ORDER BY kcu.ordinal_position", name).Scan(ctx, &t.pk); err != nil {
		return nil, err
	}
	if err := idb.NewRaw("SELECT DISTINCT r.relname FROM pg_constraint AS k "+
		"JOIN pg_class AS c ON c.oid = k.conrelid JOIN pg_class AS r ON r.oid = k.confrelid "+
		"WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace AND c.relname = ? ORDER BY 1", name).Scan(ctx, &t.refs); err != nil {
		return nil, err
	}
	if len(t.pk) == 1 {
		var seq string
		if err := idb.NewRaw("SELECT COALESCE(pg_get_serial_sequence(quote_ident(current_schema()) || '.' || quote_ident(?), ?), '')",
			name, t.pk[0]).Scan(ctx, &seq); err != nil {
			return nil, err
		}
		if seq != "" {
			t.serial, t.seq = t.pk[0], seq
		}
	}
	return t, nil
}

// pgKind reads information_schema's data_type.
func pgKind(dataType string) (kind, error) {
	switch dataType {
	case "bigint", "integer", "smallint":
		return kInt, nil
	case "boolean":
		return kBool, nil
	case "timestamp with time zone", "timestamp without time zone":
		return kTime, nil
	case "bytea":
		return kBytes, nil
	case "character varying", "character", "text":
		return kText, nil
	}
	return 0, fmt.Errorf("type %q is not one this program writes", dataType)
}
