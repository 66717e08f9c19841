package main

import (
	"context"
	"testing"

	"github.com/guichet/guichet/internal/db"
)

// TestMigrateUnlockClearsAStaleLock: `guichet migrate --unlock` removes the lock a process left
// when it died migrating, says so, and migrates.
func TestMigrateUnlockClearsAStaleLock(t *testing.T) {
	c := newCLI(t)
	c.must("migrate")
	bdb, err := db.Open(c.db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bdb.NewRaw("INSERT INTO schema_migration_locks (table_name) VALUES ('schema_migrations')").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	bdb.Close()
	if out := c.must("migrate", "--unlock"); out != "migration lock cleared\ndatabase is up to date\n" {
		t.Errorf("stdout %q", out)
	}
	if n := c.count("schema_migration_locks"); n != 0 {
		t.Errorf("%d lock rows left", n)
	}
	if out := c.must("migrate", "--unlock"); out != "no migration lock was held\ndatabase is up to date\n" {
		t.Errorf("second unlock: stdout %q", out)
	}
}

// TestUserReset2FA: the last admin who lost phone and recovery codes gets back in from the
// command line.
func TestUserReset2FA(t *testing.T) {
	c := newCLI(t)
	c.must("demo")
	bdb, err := db.Open(c.db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bdb.NewRaw("UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXP', totp_enabled_at = CURRENT_TIMESTAMP WHERE login_key = 'admin'").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	bdb.Close()
	if !c.user("admin").TwoFactor() {
		t.Fatal("setup: 2FA not on")
	}
	if out := c.must("user", "reset-2fa", "--login", "admin"); out != "two-factor authentication of admin turned off; they enrol again at their next login if it is required\n" {
		t.Errorf("stdout %q", out)
	}
	if u := c.user("admin"); u.TwoFactor() || u.TOTPSecret != "" {
		t.Errorf("2FA still on: %v %q", u.TwoFactor(), u.TOTPSecret)
	}
}
