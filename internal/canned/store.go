package canned

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/db"
	"github.com/uptrace/bun"
)

// byID reads a canned response; one that does not exist is apperr.ErrNotFound. It does not
// authorize.
func byID(ctx context.Context, idb bun.IDB, id int64) (*Response, error) {
	r := new(Response)
	err := idb.NewSelect().Model(r).Where("cr.id = ?", id).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, apperr.ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("canned: read response %d: %w", id, err)
	}
	return r, nil
}

// lockByID is byID holding the row until the transaction ends, on PostgreSQL.
func lockByID(ctx context.Context, tx bun.IDB, id int64) (*Response, error) {
	r := new(Response)
	err := db.ForUpdate(tx.NewSelect().Model(r).Where("cr.id = ?", id)).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, apperr.ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("canned: read response %d: %w", id, err)
	}
	return r, nil
}

// all reads every canned response, by name.
func all(ctx context.Context, idb bun.IDB) ([]Response, error) {
	var rs []Response
	if err := idb.NewSelect().Model(&rs).OrderExpr("cr.name_key, cr.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("canned: list responses: %w", err)
	}
	return rs, nil
}

// nameTaken says whether another response than except already has a name of key NameKey.
func nameTaken(ctx context.Context, idb bun.IDB, key string, except int64) (bool, error) {
	n, err := idb.NewSelect().Model((*Response)(nil)).Where("cr.name_key = ? AND cr.id <> ?", key, except).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("canned: look for the name: %w", err)
	}
	return n > 0, nil
}

// countUse adds one to a response's uses; a response that is gone is apperr.ErrNotFound.
func countUse(ctx context.Context, idb bun.IDB, id int64) error {
	res, err := idb.NewUpdate().Model((*Response)(nil)).Set("uses = uses + 1").Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("canned: count a use of response %d: %w", id, err)
	}
	return oneRow(res, id, apperr.ErrNotFound)
}

// oneRow is nil when res changed one row, and none otherwise.
func oneRow(res sql.Result, id int64, none error) error {
	n, err := res.RowsAffected()
	switch {
	case err != nil:
		return fmt.Errorf("canned: response %d: %w", id, err)
	case n != 1:
		return none
	}
	return nil
}
