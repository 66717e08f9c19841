package identity_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

// entries returns the audit entries of action about the user subject, oldest first.
func (d *desk) entries(action string, subject int64) []audit.Entry {
	d.t.Helper()
	var es []audit.Entry
	err := d.DB.NewSelect().Model(&es).Where("action = ? AND subject_user_id = ?", action, subject).OrderExpr("id").Scan(ctx)
	if err != nil {
		d.t.Fatal(err)
	}
	return es
}

func (d *desk) oneEntry(action string, subject, actor int64) map[string]any {
	d.t.Helper()
	es := d.entries(action, subject)
	if len(es) != 1 {
		d.t.Fatalf("%s about user %d: %d entries, want 1", action, subject, len(es))
	}
	if es[0].ActorID == nil || *es[0].ActorID != actor {
		d.t.Errorf("%s: actor %v, want %d", action, es[0].ActorID, actor)
	}
	out := map[string]any{}
	if es[0].After != "" {
		if err := json.Unmarshal([]byte(es[0].After), &out); err != nil {
			d.t.Fatal(err)
		}
	}
	for _, s := range []string{es[0].Before, es[0].After} {
		if s != "" && (containsAny(s, "password", "secret", "hash")) {
			d.t.Errorf("%s records a secret: %s", action, s)
		}
	}
	return out
}

func containsAny(s string, words ...string) bool {
	for _, w := range words {
		for i := 0; i+len(w) <= len(s); i++ {
			if s[i:i+len(w)] == w {
				return true
			}
		}
	}
	return false
}

func TestAuditRecordsAccountsTwoFactorAndTokens(t *testing.T) {
	d := newDesk(t)
	admin, john := d.user("admin"), d.user("John.Doe")
	adminActor := d.actor("admin")

	u, err := d.s.CreateUser(ctx, adminActor, identity.UserInput{Login: "New.Agent", Email: "new.agent@example.org",
		DisplayName: "New Agent", Lang: "fr", Kind: identity.Agent, Active: true, Password: "a long enough passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	if after := d.oneEntry(audit.UserCreated, u.ID, admin.ID); after["kind"] != "agent" || after["email"] != "new.agent@example.org" {
		t.Errorf("created: %v", after)
	}
	// Deactivation: only what changed is recorded.
	if _, err := d.s.UpdateUser(ctx, adminActor, u.ID, identity.UserInput{Email: u.Email, DisplayName: u.DisplayName,
		Lang: u.Lang, Kind: u.Kind, Active: false}); err != nil {
		t.Fatal(err)
	}
	if after := d.oneEntry(audit.UserUpdated, u.ID, admin.ID); len(after) != 1 || after["active"] != false {
		t.Errorf("updated: %v, want only active: false", after)
	}

	// A lockout reset.
	for range identity.MaxFailedLogins {
		d.s.Authenticate(ctx, "John.Doe", "wrong password") //nolint:errcheck // failing on purpose
	}
	if err := d.s.ResetFailedLogin(ctx, adminActor, john.ID); err != nil {
		t.Fatal(err)
	}
	if after := d.oneEntry(audit.UserLockoutReset, john.ID, admin.ID); after["locked"] != false {
		t.Errorf("reset: %v", after)
	}

	// Two-factor authentication: enabled, new codes, disabled by the person, reset by an admin.
	secret, _ := d.enrol("John.Doe")
	d.oneEntry(audit.TwoFactorEnabled, john.ID, john.ID)
	if _, err := d.s.NewRecoveryCodes(ctx, d.actor("John.Doe"), demo.Password, d.code(secret)); err != nil {
		t.Fatal(err)
	}
	d.oneEntry(audit.RecoveryCodes, john.ID, john.ID)
	d.now = d.now.Add(60e9)
	if err := d.s.DisableTwoFactor(ctx, d.actor("John.Doe"), demo.Password, d.code(secret), false); err != nil {
		t.Fatal(err)
	}
	d.oneEntry(audit.TwoFactorDisabled, john.ID, john.ID)
	d.now = d.now.Add(60e9)
	d.enrol("John.Doe")
	if err := d.s.ResetTwoFactor(ctx, adminActor, john.ID, ""); err != nil {
		t.Fatal(err)
	}
	d.oneEntry(audit.TwoFactorReset, john.ID, admin.ID)

	// API tokens: made and revoked, never their secret.
	secretToken, tok, err := d.s.CreateToken(ctx, d.actor("John.Doe"), identity.NewAPIToken{Name: "monitoring",
		Scope: identity.ScopeWrite, Expires: d.now.AddDate(0, 1, 0)}, false)
	if err != nil {
		t.Fatal(err)
	}
	if after := d.oneEntry(audit.TokenCreated, john.ID, john.ID); after["name"] != "monitoring" || after["scope"] != "write" {
		t.Errorf("token created: %v", after)
	}
	if err := d.s.RevokeToken(ctx, adminActor, tok.ID); err != nil {
		t.Fatal(err)
	}
	d.oneEntry(audit.TokenRevoked, john.ID, admin.ID)
	// Revoking it again changes nothing and records nothing.
	if err := d.s.RevokeToken(ctx, adminActor, tok.ID); err != nil {
		t.Fatal(err)
	}
	d.oneEntry(audit.TokenRevoked, john.ID, admin.ID)
	var all []string
	if err := d.DB.NewSelect().Table("audit_log").ColumnExpr("before_json || after_json || object").Scan(ctx, &all); err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if containsAny(s, secretToken[4:20], secret) {
			t.Errorf("an entry holds a secret: %s", s)
		}
	}
}

func TestAuditRecordsActivationAndUnlockByLink(t *testing.T) {
	d := newDesk(t)
	u, err := d.s.CreateUser(ctx, identity.Actor{Login: "system", Kind: identity.Admin}, identity.UserInput{Login: "Waiting.User",
		Email: "waiting@example.org", DisplayName: "Waiting User", Lang: "en", Kind: identity.Customer, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	link := func(u *identity.User, purpose string) string {
		var token string
		err := d.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			var err error
			token, err = identity.NewPasswordLink(ctx, tx, u, purpose, d.now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	const pw = "a long enough passphrase"
	if _, _, err := d.s.UsePasswordLink(ctx, link(u, identity.PurposeWelcome), pw, pw); err != nil {
		t.Fatal(err)
	}
	d.oneEntry(audit.UserActivated, u.ID, u.ID)
	// Created by the program: no actor id, the program's label.
	if es := d.entries(audit.UserCreated, u.ID); len(es) != 1 || es[0].ActorID != nil || es[0].ActorLabel != "system" {
		t.Errorf("created by %+v", es)
	}

	john := d.user("John.Doe")
	for range identity.MaxFailedLogins {
		d.s.Authenticate(ctx, "John.Doe", "wrong password") //nolint:errcheck // failing on purpose
	}
	if _, _, err := d.s.UsePasswordLink(ctx, link(d.user("John.Doe"), identity.PurposeReset), pw, pw); err != nil {
		t.Fatal(err)
	}
	if after := d.oneEntry(audit.UserLockoutReset, john.ID, john.ID); after["locked"] != false {
		t.Errorf("unlocked: %v", after)
	}
}
