package testutil

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/uptrace/bun"
)

// Fingerprint sums what the desk's business tables hold: a refused request must leave it as
// it was. Bookkeeping that a refusal may rightly write (sessions, login failures and limits,
// search indexes, the last use of an API token) is left out.
func Fingerprint(t testing.TB, idb *bun.DB) string {
	t.Helper()
	ctx := context.Background()
	var tables []string
	for _, tb := range Tables(t, idb) {
		skip := strings.Contains(tb, "fts") || strings.HasPrefix(tb, "schema_migration") || tb == "sessions" || tb == "settings" ||
			tb == "timeline_search" || strings.Contains(tb, "limit") || strings.Contains(tb, "attempt") || strings.Contains(tb, "failure")
		if !skip {
			tables = append(tables, tb)
		}
	}
	// One statement reads every count and sum: a walk takes a fingerprint around each of its
	// thousands of requests.
	var cols []string
	for _, tb := range tables {
		cols = append(cols, "(SELECT count(*) FROM "+tb+")")
	}
	versioned := []string{"incidents", "change_requests", "contract_requests"}
	for _, tb := range versioned {
		cols = append(cols, "(SELECT coalesce(sum(version), 0) FROM "+tb+")")
	}
	rows, err := idb.QueryContext(ctx, "SELECT "+strings.Join(cols, ", "))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	vals := make([]int64, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if !rows.Next() {
		t.Fatal(rows.Err())
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i, tb := range tables {
		fmt.Fprintf(&b, "%s=%d ", tb, vals[i])
	}
	for i, tb := range versioned {
		fmt.Fprintf(&b, "%s.version=%d ", tb, vals[len(tables)+i])
	}
	return b.String()
}
