package identity_test

import (
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/identity"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	h1, err := identity.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := identity.HashPassword("correct horse battery")
	if h1 == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=") || strings.Count(h1, "$") != 5 {
		t.Errorf("hash %q is not a PHC argon2id string", h1)
	}
	for _, h := range []string{h1, h2} {
		if !identity.CheckPassword(h, "correct horse battery") {
			t.Errorf("CheckPassword(%q) = false for the right password", h)
		}
	}
	for _, pw := range []string{"", "correct horse batter", "Correct horse battery", "correct horse battery "} {
		if identity.CheckPassword(h1, pw) {
			t.Errorf("CheckPassword accepted %q", pw)
		}
	}
	// An empty password hashes and checks like any other.
	he, _ := identity.HashPassword("")
	if !identity.CheckPassword(he, "") || identity.CheckPassword(he, "x") {
		t.Error("empty password round trip")
	}
}

// A malformed hash answers false; it must never panic (a stored hash with t=0 or p=0 would
// otherwise crash every login attempt on that account).
func TestCheckPasswordRejectsMalformedHashes(t *testing.T) {
	good, _ := identity.HashPassword("secret-password")
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=..,t=..,p=.., salt, key
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := map[string]string{
		"empty":              "",
		"plain text":         "secret-password",
		"bcrypt":             "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":            with(1, "argon2i"),
		"too few parts":      strings.Join(parts[:5], "$"),
		"too many parts":     good + "$extra",
		"bad params":         with(3, "m=abc"),
		"bad salt":           with(4, "!!!"),
		"bad key":            with(5, "!!!"),
		"empty key":          with(5, ""),
		"zero time":          with(3, "m=64,t=0,p=1"),
		"zero threads":       with(3, "m=64,t=1,p=0"),
		"threads overflow":   with(3, "m=64,t=1,p=300"),
		"huge memory":        with(3, "m=4294967295,t=1,p=1"),
		"key of another one": with(5, strings.Split(mustHash(t, "other"), "$")[5]),
	}
	for name, h := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("CheckPassword(%q) panicked: %v", h, r)
				}
			}()
			if identity.CheckPassword(h, "secret-password") {
				t.Errorf("CheckPassword(%q) = true", h)
			}
		})
	}
}

func mustHash(t *testing.T, pw string) string {
	t.Helper()
	h, err := identity.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
