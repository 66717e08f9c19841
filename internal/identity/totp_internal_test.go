package identity

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// TestMatchTOTP is the table of the code check: the current step, one step of skew either side,
// no further, no reuse of an accepted step or an older one, and malformed codes.
func TestMatchTOTP(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	now := time.Date(2027, time.March, 10, 9, 0, 10, 0, time.UTC)
	cur := now.Unix() / totpPeriod
	code := func(step int64) string {
		c, err := totp.GenerateCode(secret, time.Unix(step*totpPeriod, 0))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	valid := map[string]bool{code(cur - 1): true, code(cur): true, code(cur + 1): true}
	wrong := ""
	for i := 0; wrong == ""; i++ {
		if c := fmt.Sprintf("%06d", i); !valid[c] {
			wrong = c
		}
	}
	spaced := code(cur)[:3] + " " + code(cur)[3:]
	tests := []struct {
		name, code string
		lastStep   int64
		wantStep   int64
		wantErr    error
	}{
		{"current step", code(cur), 0, cur, nil},
		{"typed with a space and spaces around", " " + spaced + " ", 0, cur, nil},
		{"previous step (slow phone)", code(cur - 1), 0, cur - 1, nil},
		{"next step (fast phone)", code(cur + 1), 0, cur + 1, nil},
		{"two steps back", code(cur - 2), 0, 0, ErrCodeWrong},
		{"two steps ahead", code(cur + 2), 0, 0, ErrCodeWrong},
		{"reuse of the step accepted", code(cur), cur, 0, ErrCodeReused},
		{"a step older than the one accepted", code(cur - 1), cur, 0, ErrCodeReused},
		{"the next step after the current one was accepted", code(cur + 1), cur, cur + 1, nil},
		{"wrong code", wrong, 0, 0, ErrCodeWrong},
		{"five digits", code(cur)[:5], 0, 0, ErrCodeWrong},
		{"seven digits", code(cur) + "1", 0, 0, ErrCodeWrong},
		{"letters", "abcdef", 0, 0, ErrCodeWrong},
		{"empty", "", 0, 0, ErrCodeWrong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, err := matchTOTP(secret, tt.code, now, tt.lastStep)
			if step != tt.wantStep || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("matchTOTP(%q, last %d) = %d, %v; want %d, %v", tt.code, tt.lastStep, step, err, tt.wantStep, tt.wantErr)
			}
		})
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes := newRecoveryCodes()
	if len(codes) != RecoveryCodeCount {
		t.Fatalf("%d codes, want %d", len(codes), RecoveryCodeCount)
	}
	shape := regexp.MustCompile(`^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$`)
	seen := map[string]bool{}
	for _, c := range codes {
		if !shape.MatchString(c) || seen[c] {
			t.Errorf("code %q: malformed or repeated", c)
		}
		seen[c] = true
		if isTOTPCode(c) {
			t.Errorf("code %q reads as an app's code", c)
		}
	}
	c := codes[0]
	typed := strings.ToUpper(strings.ReplaceAll(c, "-", " "))
	if recoveryHash(typed) != recoveryHash(c) || recoveryHash(c) == recoveryHash(codes[1]) {
		t.Error("a recovery code typed in capitals with spaces does not match itself, or two codes match")
	}
	if len(newTOTPSecret()) != 32 {
		t.Error("the TOTP secret is not 160 bits in base32")
	}
}
