package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
	"time"
)

// SQLite has one writer. Its own wait for the write lock is a busy handler that sleeps and
// polls (1, 2, 5 … 100 ms): under many concurrent writes the lock sits free while waiters
// sleep, throughput drops and the slowest write waits a second. The writers of this process
// therefore take turns at a gate first, in order, the turn passing the moment the last
// transaction ends; SQLite's busy timeout is left for the writers of other processes (the
// command line). A read-only transaction does not queue.

// gateWait bounds the wait for the turn, as SQLite's busy timeout bounds the wait for its lock:
// a transaction that waits longer fails as a busy database does, instead of hanging.
const gateWait = 5 * time.Second

// errGateBusy is a turn not had within gateWait; it reads as SQLite's own busy error, which
// callers already treat as a database too busy to answer.
var errGateBusy = errors.New("database is locked (SQLITE_BUSY): waited too long for the write turn")

// gatedConnector opens SQLite connections whose write transactions share one gate.
type gatedConnector struct {
	drv  driver.Driver
	dsn  string
	gate chan struct{}
}

func newGatedConnector(dsn string) (*gatedConnector, error) {
	// The driver registered as "sqlite", with the desk's functions (guichet_fold…).
	probe, err := sql.Open("sqlite", "")
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	probe.Close()
	return &gatedConnector{drv: drv, dsn: dsn, gate: make(chan struct{}, 1)}, nil
}

func (c *gatedConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &gatedConn{Conn: conn, gate: c.gate}, nil
}

func (c *gatedConnector) Driver() driver.Driver { return c.drv }

// The interfaces of modernc's connection that database/sql uses, forwarded.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type gatedConn struct {
	driver.Conn
	gate chan struct{}
}

func (c *gatedConn) inner() sqliteConn { return c.Conn.(sqliteConn) }

// BeginTx waits for the write turn, then begins (immediately: the DSN's _txlock).
func (c *gatedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if opts.ReadOnly {
		return c.inner().BeginTx(ctx, opts)
	}
	timer := time.NewTimer(gateWait)
	defer timer.Stop()
	select {
	case c.gate <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timer.C:
		return nil, errGateBusy
	}
	tx, err := c.inner().BeginTx(ctx, opts)
	if err != nil {
		<-c.gate
		return nil, err
	}
	return &gatedTx{Tx: tx, gate: c.gate}, nil
}

func (c *gatedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *gatedConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.inner().PrepareContext(ctx, q)
}

func (c *gatedConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.inner().ExecContext(ctx, q, args)
}

func (c *gatedConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.inner().QueryContext(ctx, q, args)
}

func (c *gatedConn) Ping(ctx context.Context) error           { return c.inner().Ping(ctx) }
func (c *gatedConn) ResetSession(ctx context.Context) error   { return c.inner().ResetSession(ctx) }
func (c *gatedConn) IsValid() bool                            { return c.inner().IsValid() }
func (c *gatedConn) Raw() driver.Conn                         { return c.Conn }
func (c *gatedConn) CheckNamedValue(*driver.NamedValue) error { return driver.ErrSkip }

// gatedTx passes the turn on when it ends, once.
type gatedTx struct {
	driver.Tx
	gate chan struct{}
	once sync.Once
}

func (t *gatedTx) release() { t.once.Do(func() { <-t.gate }) }

func (t *gatedTx) Commit() error {
	defer t.release()
	return t.Tx.Commit()
}

func (t *gatedTx) Rollback() error {
	defer t.release()
	return t.Tx.Rollback()
}
