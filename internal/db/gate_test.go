package db_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/db"
	"github.com/uptrace/bun"
)

// The write transactions of a process take turns at the gate: many at once all commit (none
// fails on SQLite's busy timeout), a read-only transaction does not wait for the turn, and a
// writer whose context ends while it waits gives up with its context's error.
func TestSQLiteWritersTakeTurns(t *testing.T) {
	ctx := context.Background()
	bdb, err := db.Open(filepath.Join(t.TempDir(), "gate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if _, err := bdb.ExecContext(ctx, "CREATE TABLE counter (n INTEGER NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if _, err := bdb.ExecContext(ctx, "INSERT INTO counter (n) VALUES (0)"); err != nil {
		t.Fatal(err)
	}

	holder, err := bdb.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A reader is not queued behind the writer.
	ro, err := bdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := ro.NewRaw("SELECT n FROM counter").Scan(ctx, &n); err != nil {
		t.Fatal(err)
	}
	ro.Rollback() //nolint:errcheck // a read
	// A writer whose request ends while it waits for the turn gives up.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := bdb.BeginTx(short, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting writer: %v, want its deadline", err)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- bdb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				var n int
				if err := tx.NewRaw("SELECT n FROM counter").Scan(ctx, &n); err != nil {
					return err
				}
				time.Sleep(time.Millisecond)
				_, err := tx.ExecContext(ctx, "UPDATE counter SET n = ?", n+1)
				return err
			})
		}()
	}
	time.Sleep(20 * time.Millisecond)
	if err := holder.Commit(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a writer failed: %v", err)
		}
	}
	if err := bdb.NewRaw("SELECT n FROM counter").Scan(ctx, &n); err != nil || n != 40 {
		t.Fatalf("counter = %d, %v; want 40 (no lost update)", n, err)
	}
}
