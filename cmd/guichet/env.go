package main

import (
	"context"
	"io"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/config"
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

func (e *env) close() {
	if e.app != nil {
		e.app.Close()
	}
}
