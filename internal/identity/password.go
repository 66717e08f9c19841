package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argonParams are OWASP's recommended argon2id settings (19 MiB, 2 passes). Tests lower them.
var argonParams = struct {
	memory  uint32
	time    uint32
	threads uint8
}{19 * 1024, 2, 1}

// HashPassword returns an argon2id PHC string for password.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := argonParams
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the PHC string hash.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false
	}
	// argon2 panics on zero parameters; a stored hash never has them, but a damaged one may.
	if memory < 8*uint32(threads) || time == 0 || time > 16 || threads == 0 || memory > 1<<21 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err := errors.Join(err1, err2); err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when the login is unknown, the account inactive or locked, or
// without a password, so that every refusal does the same hashing work as a wrong password.
// Its password is random: nothing matches it but by chance.
var dummyHash, _ = HashPassword(NewToken())

// verifyPassword is CheckPassword; tests count its calls to prove every path hashes once.
var verifyPassword = CheckPassword

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10
