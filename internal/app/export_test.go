package app

import (
	"context"
	"time"
)

// ClaimTick is claimTick for a job named name run every interval, for tests.
func (a *App) ClaimTick(ctx context.Context, name string, interval time.Duration, instance string, now time.Time) (bool, error) {
	mine, _, err := a.claimTick(ctx, job{name: name, interval: interval}, instance, now)
	return mine, err
}

// RecordConfig is recordConfig, for tests.
func (a *App) RecordConfig(ctx context.Context) error { return a.recordConfig(ctx) }
