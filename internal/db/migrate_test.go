package db_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/fold"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

var ctx = context.Background()

func open(t *testing.T) *bun.DB {
	t.Helper()
	dsn := testutil.NewDatabase(t)
	if !testutil.OnPostgres() {
		dsn = filepath.Join(t.TempDir(), "guichet test.db") // a space, to test the DSN escaping
	}
	bdb, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close() })
	return bdb
}

func tables(t *testing.T, bdb *bun.DB) []string {
	t.Helper()
	var names []string
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
	if db.IsPG(bdb) {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name"
	}
	if err := bdb.NewRaw(q).Scan(ctx, &names); err != nil {
		t.Fatal(err)
	}
	return names
}

// migrationNames lists the migration files as Migrate names them ("20261124000001_platform"),
// with the migrations written in Go that the program registers (the tests import it whole,
// through testutil).
func migrationNames(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("migrations/*.up.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migration files: %v, %v", files, err)
	}
	own := "migrations/sqlite/*.up.sql"
	if testutil.OnPostgres() {
		own = "migrations/pg/*.up.sql"
	}
	more, err := filepath.Glob(own)
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, more...)
	names := make([]string, len(files))
	for i, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".up.sql")
		names[i] = strings.TrimSuffix(name, ".tx")
	}
	if len(db.GoMigrations()) == 0 {
		t.Fatal("no migration written in Go is registered: the search index would stay empty")
	}
	names = append(names, db.GoMigrations()...)
	sort.Strings(names)
	return names
}

func TestMigrateEmptyFileThenIdempotent(t *testing.T) {
	bdb := open(t)
	applied, err := db.Migrate(ctx, bdb)
	if err != nil {
		t.Fatal(err)
	}
	if want := migrationNames(t); !reflect.DeepEqual(applied, want) {
		t.Errorf("applied = %q, want every migration in order: %q", applied, want)
	}
	want := tables(t, bdb)
	for _, name := range []string{"memberships", "schema_migration_locks", "schema_migrations", "sessions", "settings", "support_levels", "tenants", "users"} {
		if !slices.Contains(want, name) {
			t.Errorf("table %s missing from %q", name, want)
		}
	}
	if err := db.CheckSchema(ctx, bdb); err != nil {
		t.Errorf("CheckSchema after Migrate: %v", err)
	}
	for i := range 2 {
		applied, err := db.Migrate(ctx, bdb)
		if err != nil || len(applied) != 0 {
			t.Errorf("Migrate again (%d) = %q, %v; want nothing applied", i, applied, err)
		}
	}
	var locks int
	if err := bdb.NewRaw("SELECT COUNT(*) FROM schema_migration_locks").Scan(ctx, &locks); err != nil || locks != 0 {
		t.Errorf("locks left = %d, %v", locks, err)
	}
	if got := tables(t, bdb); !reflect.DeepEqual(got, want) {
		t.Errorf("tables after re-run = %q", got)
	}

	if db.IsPG(bdb) {
		var timeout string
		if err := bdb.NewRaw("SHOW statement_timeout").Scan(ctx, &timeout); err != nil || timeout != "30s" {
			t.Errorf("statement_timeout = %q, %v; want the default 30s", timeout, err)
		}
		return
	}
	// The pragmas Open promises.
	for pragma, want := range map[string]string{"foreign_keys": "1", "journal_mode": "wal", "busy_timeout": "5000"} {
		var v string
		if err := bdb.NewRaw("PRAGMA "+pragma).Scan(ctx, &v); err != nil || v != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, v, err, want)
		}
	}
}

func TestCheckSchemaBeforeMigrate(t *testing.T) {
	bdb := open(t)
	err := db.CheckSchema(ctx, bdb)
	if err == nil {
		t.Fatal("CheckSchema on an empty database: nil error")
	}
	if !strings.Contains(err.Error(), "guichet migrate") {
		t.Errorf("CheckSchema on an empty database = %q, want a hint to run `guichet migrate`", err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	bdb := open(t)
	if _, err := db.Migrate(ctx, bdb); err != nil {
		t.Fatal(err)
	}
	if _, err := bdb.NewRaw("INSERT INTO schema_migrations (name, group_id, migrated_at) VALUES ('20991231000000', 2, CURRENT_TIMESTAMP)").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := db.Migrate(ctx, bdb)
	if err == nil || !strings.Contains(err.Error(), "newer version") || !strings.Contains(err.Error(), "20991231000000") {
		t.Errorf("Migrate = %v, want a refusal naming the newer version and the migration", err)
	}
	err = db.CheckSchema(ctx, bdb)
	if err == nil || !strings.Contains(err.Error(), "newer version") {
		t.Errorf("CheckSchema = %v, want a refusal naming the newer version", err)
	}
	var locks int
	if err := bdb.NewRaw("SELECT COUNT(*) FROM schema_migration_locks").Scan(ctx, &locks); err != nil || locks != 0 {
		t.Errorf("a refused Migrate left %d locks (%v)", locks, err)
	}
}

func TestIsUniqueViolation(t *testing.T) {
	bdb := open(t)
	if _, err := db.Migrate(ctx, bdb); err != nil {
		t.Fatal(err)
	}
	insert := "INSERT INTO users (login, login_key, email, display_name, lang, kind, active, created_at, updated_at) VALUES ('a', 'a', 'a@example.com', 'A', 'fr', 'customer', TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
	if _, err := bdb.NewRaw(insert).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	_, dup := bdb.NewRaw(insert).Exec(ctx)
	_, fk := bdb.NewRaw("INSERT INTO memberships VALUES (42, 42, TRUE, TRUE, TRUE, TRUE, CURRENT_TIMESTAMP)").Exec(ctx)
	_, notNull := bdb.NewRaw("INSERT INTO settings (name) VALUES ('x')").Exec(ctx)
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"sqlite unique", dup, true},
		{"sqlite unique, wrapped", fmt.Errorf("insert: %w", dup), true},
		{"sqlite foreign key", fk, false},
		{"sqlite not null", notNull, false},
		{"postgres sqlstate", errors.New("ERROR: duplicate key value violates unique constraint \"users_login_key_key\" (SQLSTATE=23505)"), true},
		{"other", errors.New("disk full"), false},
	}
	for _, tt := range tests {
		if got := db.IsUniqueViolation(tt.err); got != tt.want {
			t.Errorf("%s: IsUniqueViolation(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
	if fk == nil || notNull == nil {
		t.Errorf("expected constraint errors, got fk %v, not null %v", fk, notNull)
	}
}

func TestContainsFold(t *testing.T) {
	bdb := open(t)
	if _, err := db.Migrate(ctx, bdb); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"Prod 100%", "Prod_1", `back\slash`, "Dupont Industrie", "prod1", "Élodie Œuvray", "ÉRIC"} {
		if _, err := bdb.NewRaw("INSERT INTO settings (name, value) VALUES (?, '')", v).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		text string
		want []string
	}{
		{"%", []string{"Prod 100%"}},
		{"_", []string{"Prod_1"}},
		{`\`, []string{`back\slash`}},
		{"DUPONT", []string{"Dupont Industrie"}},
		{"prod", []string{"Prod 100%", "Prod_1", "prod1"}},
		{"élodie", []string{"Élodie Œuvray"}},
		{"ELODIE OEUV", []string{"Élodie Œuvray"}},
		{"Éric", []string{"ÉRIC"}},
		{"eric", []string{"ÉRIC"}},
		{"", []string{"Dupont Industrie", "Prod 100%", "Prod_1", `back\slash`, "prod1", "Élodie Œuvray", "ÉRIC"}},
	}
	for _, tt := range tests {
		cond, arg := db.ContainsFold("name", tt.text)
		var got []string
		if err := bdb.NewSelect().Table("settings").Column("name").Where(cond, arg).Scan(ctx, &got); err != nil {
			t.Fatalf("%q: %v", tt.text, err)
		}
		slices.Sort(got)
		slices.Sort(tt.want)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ContainsFold(%q) matched %q, want %q", tt.text, got, tt.want)
		}
	}
}

// The database's guichet_fold and guichet_lower (Go functions on SQLite, translation tables on
// PostgreSQL) fold and lower every letter as fold.String and strings.ToLower do.
func TestGuichetFoldMatchesTheProgram(t *testing.T) {
	bdb := open(t)
	if _, err := db.Migrate(ctx, bdb); err != nil {
		t.Fatal(err)
	}
	texts := []string{"Élodie", "ÉRIC", "Œuvre et cœur", "Æsir", "Straße", "ça, à l'œil !", "INC0000042", ""}
	for r := rune(0xC0); r <= 0x17F; r++ {
		texts = append(texts, "x"+string(r)+"Y")
	}
	for _, text := range texts {
		var got string
		if err := bdb.NewRaw("SELECT guichet_fold(?)", text).Scan(ctx, &got); err != nil {
			t.Fatal(err)
		}
		if want := fold.String(text); got != want {
			t.Errorf("guichet_fold(%q) = %q, want %q", text, got, want)
		}
		cond, arg := db.LowerEquals("?", text)
		var equal bool
		if err := bdb.NewRaw("SELECT "+cond, text, arg).Scan(ctx, &equal); err != nil || !equal {
			var lowered string
			bdb.NewRaw("SELECT guichet_lower(?)", text).Scan(ctx, &lowered) //nolint:errcheck // for the message
			t.Errorf("guichet_lower(%q) = %q, want %q (%v)", text, lowered, arg, err)
		}
	}
}

// A database that cannot be used gets one line naming the problem, as a *db.Problem.
func TestOpenNamesTheProblem(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://nobody@127.0.0.1:1/guichet": "cannot connect to PostgreSQL at 127.0.0.1:1/guichet",
		"postgres:///guichet":                   "not a valid PostgreSQL URL",
		"postgres://u@h/db?pool_size=zero":      "pool_size",
		"postgres://u@h:99999/db":               "not valid",
	} {
		_, err := db.Open(dsn)
		var p *db.Problem
		if !errors.As(err, &p) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Open(%q) = %v, want a problem saying %q", dsn, err, want)
		}
	}
}

// TestMigrationsStartedTogetherTakeTurns opens one file from several connections pools, as
// several processes starting together do: every start succeeds and each migration runs once.
func TestMigrationsStartedTogetherTakeTurns(t *testing.T) {
	path := testutil.NewDatabase(t)
	const starts = 6
	errs := make(chan error, starts)
	for range starts {
		go func() {
			bdb, err := db.Open(path)
			if err != nil {
				errs <- err
				return
			}
			defer bdb.Close()
			_, err = db.Migrate(ctx, bdb)
			errs <- err
		}()
	}
	for range starts {
		if err := <-errs; err != nil {
			t.Errorf("a start failed: %v", err)
		}
	}
	bdb, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	var n int
	if err := bdb.NewRaw("SELECT count(*) FROM schema_migrations").Scan(ctx, &n); err != nil {
		t.Fatal(err)
	}
	if want := len(migrationNames(t)); n != want {
		t.Errorf("%d migrations recorded, want %d (each once)", n, want)
	}
	if err := db.CheckSchema(ctx, bdb); err != nil {
		t.Error(err)
	}
}

// TestStaleMigrationLock: a lock left by a process that died migrating stops no start with
// nothing to apply, makes a start with work to do wait and then fail with the way out, and
// `migrate --unlock` (db.Unlock) clears it.
func TestStaleMigrationLock(t *testing.T) {
	defer func(w time.Duration) { db.LockWait = w }(db.LockWait)
	db.LockWait = 300 * time.Millisecond
	lock := func(bdb *bun.DB) {
		t.Helper()
		if _, err := bdb.NewRaw("INSERT INTO schema_migration_locks (table_name) VALUES ('schema_migrations')").Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}

	if testutil.OnPostgres() {
		pgMigrationLock(t)
		return
	}
	upToDate := open(t)
	if _, err := db.Migrate(ctx, upToDate); err != nil {
		t.Fatal(err)
	}
	lock(upToDate)
	if _, err := db.Migrate(ctx, upToDate); err != nil {
		t.Errorf("an up-to-date schema waited for a stale lock: %v", err)
	}

	fresh := open(t)
	if _, err := fresh.NewRaw("CREATE TABLE schema_migration_locks (id INTEGER PRIMARY KEY AUTOINCREMENT, table_name VARCHAR UNIQUE)").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	lock(fresh)
	start := time.Now()
	if _, err := db.Migrate(ctx, fresh); !errors.Is(err, db.ErrLocked) || !strings.Contains(err.Error(), "migrate --unlock") {
		t.Fatalf("migrate under a stale lock: %v, want ErrLocked naming --unlock", err)
	}
	if waited := time.Since(start); waited < db.LockWait {
		t.Errorf("gave up after %v, before LockWait", waited)
	}
	if had, err := db.Unlock(ctx, fresh); err != nil || !had {
		t.Fatalf("unlock: %v, %v", had, err)
	}
	if had, err := db.Unlock(ctx, fresh); err != nil || had {
		t.Errorf("second unlock found a lock: %v, %v", had, err)
	}
	if _, err := db.Migrate(ctx, fresh); err != nil {
		t.Errorf("migrate after unlock: %v", err)
	}
}

// pgMigrationLock: on PostgreSQL the migration lock is a session lock of the server's, which
// no dead process can leave behind. A start with work to do waits while another session holds
// it, fails with ErrLocked after LockWait, and migrates once the holder's session ends.
func pgMigrationLock(t *testing.T) {
	fresh := open(t)
	holder, err := fresh.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := holder.ExecContext(ctx, "SELECT pg_advisory_lock(?)", int64(0x6775696368657401)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := db.Migrate(ctx, fresh); !errors.Is(err, db.ErrLocked) {
		t.Fatalf("migrate while another session holds the lock: %v, want ErrLocked", err)
	}
	if waited := time.Since(start); waited < db.LockWait {
		t.Errorf("gave up after %v, before LockWait", waited)
	}
	holder.Raw(func(c any) error { return c.(interface{ Close() error }).Close() }) //nolint:errcheck // the session ends as a dying process's does
	holder.Close()
	if _, err := db.Migrate(ctx, fresh); err != nil {
		t.Errorf("migrate after the holder's session ended: %v", err)
	}
}
