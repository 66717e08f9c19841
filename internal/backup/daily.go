package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"github.com/guichet/guichet/internal/config"
	"github.com/uptrace/bun"
)

// dailyName is the name of a daily backup (its time, UTC); tempName one being written.
var (
	dailyName = regexp.MustCompile(`^guichet-\d{8}-\d{6}\.db$`)
	tempName  = regexp.MustCompile(`^\.guichet-\d{8}-\d{6}\.db\.\d+\.tmp(-journal|-wal|-shm)?$`)
)

// DailyName is the file name of the daily backup taken at now.
func DailyName(now time.Time) string {
	return "guichet-" + now.UTC().Format("20060102-150405") + ".db"
}

// Daily is the jobs runner's daily backup of the desk open in bdb as c configures it: into
// c.BackupDir (created, readable by its owner alone), as DailyName, keeping the newest
// c.BackupKeep of the folder's daily backups and deleting the older ones (never another file).
// The runner runs it once a day across the instances; it does nothing without a folder.
func Daily(bdb *bun.DB, c config.Config) func(ctx context.Context, now time.Time) (int, error) {
	return func(ctx context.Context, now time.Time) (int, error) {
		if c.BackupDir == "" {
			return 0, nil
		}
		if _, err := TakeDaily(ctx, bdb, c.Database, c.BackupDir, c.BackupKeep, now); err != nil {
			return 0, err
		}
		return 1, nil
	}
}

// TakeDaily takes the daily backup of now into dir and keeps the newest keep daily backups
// there; it returns the file written.
func TakeDaily(ctx context.Context, bdb *bun.DB, dsn, dir string, keep int, now time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("backup folder: %w", err)
	}
	file := filepath.Join(dir, DailyName(now))
	if _, err := Take(ctx, dsn, file, Options{DB: bdb, Actor: "job backup.daily"}); err != nil {
		return "", fmt.Errorf("daily backup %s: %w", file, err)
	}
	if err := prune(dir, max(keep, 1), now); err != nil {
		return file, fmt.Errorf("daily backup %s written, but the older ones were not deleted: %w", file, err)
	}
	return file, nil
}

// prune deletes the daily backups of dir but the newest keep, and what a backup interrupted a
// day ago or more left behind.
func prune(dir string, keep int, now time.Time) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var daily []string
	var errs []error
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		switch {
		case dailyName.MatchString(e.Name()):
			daily = append(daily, e.Name())
		case tempName.MatchString(e.Name()):
			if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > 24*time.Hour {
				if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
					errs = append(errs, err)
				}
			}
		}
	}
	slices.Sort(daily) // their names sort by time
	for len(daily) > keep {
		if err := os.Remove(filepath.Join(dir, daily[0])); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
		daily = daily[1:]
	}
	return errors.Join(errs...)
}
