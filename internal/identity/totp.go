package identity

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/i18n"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP settings: RFC 6238's defaults (HMAC-SHA1, 6 digits, 30-second steps), the ones every
// authenticator app reads from the otpauth link.
const (
	totpPeriod = 30
	totpDigits = 6
	// totpSkew is how many steps either side of now are accepted, for phones whose clock drifts.
	totpSkew = 1
	// TOTPIssuer names the desk in the authenticator app.
	TOTPIssuer = "Guichet"
	// RecoveryCodeCount one-time codes are given at enrolment.
	RecoveryCodeCount = 10
)

var (
	// ErrCodeWrong refuses a code that is neither the app's current code nor an unused
	// recovery code.
	ErrCodeWrong = i18n.FieldError("code", "error.totp.wrong")
	// ErrCodeReused refuses a code already accepted: a code works once, even within its 30 seconds.
	ErrCodeReused = i18n.FieldError("code", "error.totp.reused")
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// secretEncoding is the base32 of otpauth links, without padding.
var secretEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newTOTPSecret returns a random 160-bit secret in base32, the size RFC 4226 recommends.
func newTOTPSecret() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's random source never fails on supported platforms
	}
	return secretEncoding.EncodeToString(b)
}

// isTOTPCode reports whether code looks like an app's code (six digits, spaces allowed) rather
// than a recovery code.
func isTOTPCode(code string) bool {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != totpDigits {
		return false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// matchTOTP returns the time step, within totpSkew steps of now, whose code is code. A step at or
// before lastStep is refused as reused: once a code is accepted, neither it nor an older one
// works again.
func matchTOTP(secret, code string, now time.Time, lastStep int64) (int64, error) {
	if !isTOTPCode(code) {
		return 0, ErrCodeWrong
	}
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	cur := now.Unix() / totpPeriod
	reused := false
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		step := cur + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, fmt.Errorf("identity: totp code of step %d: %w", step, err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
			continue
		}
		if step <= lastStep {
			reused = true
			continue
		}
		return step, nil
	}
	if reused {
		return 0, ErrCodeReused
	}
	return 0, ErrCodeWrong
}

// Enrolment is what the enrolment page shows: the secret as text for typing, the otpauth link,
// and the same link as a QR code (PNG) for scanning.
type Enrolment struct {
	Secret string
	URL    string
	QRCode []byte
}

// enrolmentOf renders u's pending secret for the enrolment page.
func enrolmentOf(u *User) (*Enrolment, error) {
	raw, err := secretEncoding.DecodeString(u.TOTPSecret)
	if err != nil {
		return nil, fmt.Errorf("identity: totp secret of user %d: %w", u.ID, err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: u.Login, Secret: raw,
		Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("identity: totp key of user %d: %w", u.ID, err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return nil, fmt.Errorf("identity: totp QR code of user %d: %w", u.ID, err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("identity: totp QR code of user %d: %w", u.ID, err)
	}
	return &Enrolment{Secret: key.Secret(), URL: key.URL(), QRCode: buf.Bytes()}, nil
}

// recoveryAlphabet is lower-case base32: no 0/1/8/9 to mistake for o/l/b/g.
const recoveryAlphabet = "abcdefghijklmnopqrstuvwxyz234567"

// newRecoveryCodes returns RecoveryCodeCount codes of 16 characters (80 random bits) written
// xxxx-xxxx-xxxx-xxxx. So many bits make a plain SHA-256 enough to store them.
func newRecoveryCodes() []string {
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		var s strings.Builder
		for j, c := range b {
			if j > 0 && j%4 == 0 {
				s.WriteByte('-')
			}
			s.WriteByte(recoveryAlphabet[c%32])
		}
		codes[i] = s.String()
	}
	return codes
}

// recoveryHash is what the database keeps of a recovery code, however it was typed: case,
// spaces and hyphens do not matter.
func recoveryHash(code string) string {
	var s strings.Builder
	for _, r := range strings.ToLower(code) {
		if r != '-' && r != ' ' {
			s.WriteRune(r)
		}
	}
	return HashToken(s.String())
}
