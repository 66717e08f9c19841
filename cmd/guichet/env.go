package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/identity"
)

// env is what a command runs with: the config, the streams, and the app once opened.
type env struct {
	cfg            config.Config
	stdout, stderr io.Writer
	stdin          io.Reader
	app            *app.App
}

// open connects to the database and applies migrations, once.
func (e *env) open(ctx context.Context) (*app.App, error) {
	if e.app != nil {
		return e.app, nil
	}
	a, err := app.Open(ctx, e.cfg, app.NewLogger(e.cfg))
	if err != nil {
		return nil, err
	}
	e.app = a
	return a, nil
}

// user opens the app and finds the user with login.
func (e *env) user(ctx context.Context, login string) (*app.App, *identity.User, error) {
	a, err := e.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	u, err := identity.UserByLogin(ctx, a.DB, login)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil, fmt.Errorf("no user with login %q", login)
	}
	return a, u, err
}

func (e *env) close() {
	if e.app != nil {
		e.app.Close()
	}
}
