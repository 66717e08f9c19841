// Package db opens the database (SQLite by default, PostgreSQL for several instances) through
// bun and owns the schema migrations.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/fold"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"modernc.org/sqlite" // pure-Go SQLite with FTS5
)

// Options tune a PostgreSQL connection; a value the URL sets itself wins over them. SQLite
// ignores them.
type Options struct {
	// Pool is the largest number of open connections (default 20).
	Pool int
	// StatementTimeout ends a statement that runs longer (default 30 s; 0 keeps the default).
	StatementTimeout time.Duration
	// SSLMode is libpq's sslmode (disable, prefer, require, verify-ca, verify-full).
	SSLMode string
}

// MinPostgres is the oldest PostgreSQL server the desk runs on (its server_version_num).
const MinPostgres = 130000

// Problem is a database that cannot be used as configured: an unreachable server, a wrong URL,
// a server too old. The command line answers it with one line and exit status 2.
type Problem struct{ Msg string }

func (p *Problem) Error() string { return p.Msg }

func problem(format string, args ...any) error { return &Problem{Msg: fmt.Sprintf(format, args...)} }

// IsPostgres says whether dsn names a PostgreSQL database rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// IsPG says whether idb speaks to PostgreSQL.
func IsPG(idb bun.IDB) bool { return idb.Dialect().Name() == dialect.PG }

// Open opens the database dsn names: a postgres:// URL, or else a SQLite file path.
func Open(dsn string, opts ...Options) (*bun.DB, error) {
	if IsPostgres(dsn) {
		var o Options
		if len(opts) > 0 {
			o = opts[0]
		}
		return openPostgres(dsn, o)
	}
	return openSQLite(dsn)
}

// openSQLite opens the SQLite file at path with the pragmas the desk relies on: a busy timeout,
// WAL, foreign keys, and immediate transactions so that read-then-write transactions do not
// fail with SQLITE_BUSY under load.
func openSQLite(path string) (*bun.DB, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_txlock=immediate"
	connector, err := newGatedConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	// The process's write transactions take turns at a gate (gate.go) before SQLite's lock.
	sqldb := sql.OpenDB(connector)
	// SQLite has one writer; a small pool keeps readers concurrent in WAL mode without piling
	// up writers that would only wait on the busy timeout.
	sqldb.SetMaxOpenConns(8)
	sqldb.SetMaxIdleConns(8)
	bdb := bun.NewDB(sqldb, sqlitedialect.New())
	if err := ping(bdb); err != nil {
		bdb.Close()
		return nil, problem("db: cannot open the SQLite file %s: %v", path, err)
	}
	return bdb, nil
}

// openPostgres connects through pgx. bun writes every value into the statement's text, so the
// statements go by the simple protocol: preparing each of them, all different, would cost a
// round trip and fill pgx's statement cache for nothing.
func openPostgres(dsn string, o Options) (*bun.DB, error) {
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" && u.Query().Get("host") == "" {
		return nil, problem("db: GUICHET_DATABASE is not a valid PostgreSQL URL (want postgres://user:password@host:5432/database)")
	}
	q := u.Query()
	pool := o.Pool
	if v := q.Get("pool_size"); v != "" {
		if pool, err = strconv.Atoi(v); err != nil || pool < 1 {
			return nil, problem("db: pool_size=%q in the database URL: want a whole number of connections, 1 or more", v)
		}
		q.Del("pool_size")
	}
	if pool <= 0 {
		pool = 20
	}
	if q.Get("sslmode") == "" && o.SSLMode != "" {
		q.Set("sslmode", o.SSLMode)
	}
	timeout := o.StatementTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	if q.Get("statement_timeout") == "" {
		q.Set("statement_timeout", strconv.FormatInt(timeout.Milliseconds(), 10))
	}
	u.RawQuery = q.Encode()
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, problem("db: the PostgreSQL URL is not valid: %v", err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(pool)
	sqldb.SetMaxIdleConns(pool)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	bdb := bun.NewDB(sqldb, pgdialect.New())
	where := cfg.Host + ":" + strconv.Itoa(int(cfg.Port)) + "/" + cfg.Database
	ctx, cancel := context.WithTimeout(context.Background(), cfg.ConnectTimeout+5*time.Second)
	defer cancel()
	var version int
	if err := bdb.NewRaw("SELECT current_setting('server_version_num')::int").Scan(ctx, &version); err != nil {
		bdb.Close()
		return nil, problem("db: cannot connect to PostgreSQL at %s: %s", where, pgReason(err))
	}
	if err := checkServer(where, version); err != nil {
		bdb.Close()
		return nil, err
	}
	return bdb, nil
}

// checkServer refuses a server older than MinPostgres; version is its server_version_num.
func checkServer(where string, version int) error {
	if version >= MinPostgres {
		return nil
	}
	major, minor := version/10000, version%10000
	if major < 10 { // 9.6.24 is 90624
		minor = version / 100 % 100
	}
	return problem("db: the PostgreSQL server at %s is version %d.%d; Guichet needs 13 or newer", where, major, minor)
}

// pgReason shortens a connection error to its cause.
func pgReason(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "): "); i >= 0 {
		msg = msg[i+3:]
	}
	return msg
}

// IsUniqueViolation reports whether err is a unique-constraint failure.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505") ||
		strings.Contains(msg, "duplicate key value")
}

// IsRetryable reports whether err is a transaction PostgreSQL gave up to keep transactions
// apart (a serialization failure or a deadlock), which succeeds when run again.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 40001") || strings.Contains(msg, "SQLSTATE 40P01")
}

// ForUpdate locks the rows q reads until the transaction ends, on PostgreSQL; SQLite's
// transactions already hold its one write lock from their start.
func ForUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if q.DB().Dialect().Name() == dialect.PG {
		return q.For("UPDATE")
	}
	return q
}

// Serialize makes the transactions that call it with the same key run one after the other
// from this call to their end, on PostgreSQL, whose READ COMMITTED transactions would otherwise
// each count rows without seeing the others' (a limit per tenant or per address, say). It is a
// transaction-level advisory lock, released at commit or rollback. On SQLite it does nothing:
// a transaction there holds the database's one write lock from its start.
func Serialize(ctx context.Context, tx bun.IDB, key string) error {
	if tx.Dialect().Name() != dialect.PG {
		return nil
	}
	_, err := tx.NewRaw("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", key).Exec(ctx)
	return err
}

// ResetSequences moves the id sequences of tables past their largest id, after rows were
// written with their ids (demo data, a copy). SQLite's AUTOINCREMENT follows by itself.
func ResetSequences(ctx context.Context, idb bun.IDB, tables ...string) error {
	if idb.Dialect().Name() != dialect.PG {
		return nil
	}
	for _, t := range tables {
		if _, err := idb.NewRaw("SELECT setval(pg_get_serial_sequence(?, 'id'), COALESCE((SELECT MAX(id) FROM ?), 0) + 1, false)",
			t, bun.Ident(t)).Exec(ctx); err != nil {
			return fmt.Errorf("db: move the id sequence of %s: %w", t, err)
		}
	}
	return nil
}

// ContainsFold returns a "column contains text" condition, in any case and with or without
// accents (fold.String), the same on both databases, and its argument.
func ContainsFold(column, text string) (string, string) {
	text = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(fold.String(text))
	return "guichet_fold(" + column + `) LIKE ? ESCAPE '\'`, "%" + text + "%"
}

// LowerEquals returns a "column equals value in any case" condition and its argument, the same
// on both databases (SQLite's own lower() knows only ASCII).
func LowerEquals(column, value string) (string, string) {
	return "guichet_lower(" + column + ") = ?", strings.ToLower(value)
}

// guichet_fold is fold.String inside SQLite, and guichet_lower strings.ToLower; PostgreSQL's
// are created by migrations.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("guichet_lower", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch v := args[0].(type) {
			case string:
				return strings.ToLower(v), nil
			case []byte:
				return strings.ToLower(string(v)), nil
			default:
				return v, nil
			}
		})
	sqlite.MustRegisterDeterministicScalarFunction("guichet_fold", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch v := args[0].(type) {
			case string:
				return fold.String(v), nil
			case []byte:
				return fold.String(string(v)), nil
			default:
				return v, nil
			}
		})
}

// ping opens the first connection. Processes that start together on a new file race to turn it
// to WAL, which takes the file's exclusive lock without waiting on the busy timeout: the loser
// tries again for a while rather than failing its start.
func ping(bdb *bun.DB) error {
	pause := 20 * time.Millisecond
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := bdb.PingContext(context.Background())
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(pause)
		pause = min(2*pause, 500*time.Millisecond)
	}
}

// Analyze brings PostgreSQL's planner statistics up to date after a bulk load (the demo's
// generated incidents, a copy): until autovacuum gets to it, or after a crash lost them, the
// planner takes a million-row table for an empty one and picks plans a thousand times slower.
// SQLite plans without statistics, as the desk's queries are written for.
func Analyze(ctx context.Context, idb bun.IDB) error {
	if !IsPG(idb) {
		return nil
	}
	if _, err := idb.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("db: analyze: %w", err)
	}
	return nil
}
