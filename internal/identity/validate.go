package identity

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/i18n"
)

var (
	errLoginTaken = i18n.FieldError("login", "error.user.login_taken")
)

var (
	loginPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// Field limits, shared by forms and checks.
const (
	MaxLogin  = 64
	MaxEmail  = 254
	MaxName   = 120
	MaxPasswd = 200
)

// HasControl reports whether s is not valid UTF-8 or holds a character that has no place in a
// one-line value: C0 and C1 controls (NUL, CR, LF, tab, DEL…), the line and paragraph
// separators, and the bidirectional controls that reorder what a reader sees (with U+202E,
// "Anne\u202Egpj.exe" reads "Annexe.jpg"). A name with CR/LF breaks the mail headers it goes in.
func HasControl(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

// CheckRequired refuses an empty, too long or control-bearing one-line value.
func CheckRequired(es *i18n.Errors, field, v string, max int) {
	switch {
	case strings.TrimSpace(v) == "":
		es.Add(i18n.FieldError(field, "error.field.required"))
	case HasControl(v):
		es.Add(i18n.FieldError(field, "error.field.control"))
	case utf8.RuneCountInString(v) > max:
		es.Add(i18n.FieldError(field, "error.field.too_long", "Max", max))
	}
}

// CheckDisplayName adds a message when a person's name is missing, too long or holds control
// characters. Every path that sets a display name goes through it.
func CheckDisplayName(es *i18n.Errors, field, name string) {
	CheckRequired(es, field, name, MaxName)
}

func CheckLogin(es *i18n.Errors, login string) {
	CheckRequired(es, "login", login, MaxLogin)
	if login != "" && utf8.RuneCountInString(login) <= MaxLogin && !loginPattern.MatchString(login) {
		es.Add(i18n.FieldError("login", "error.user.login_format"))
	}
}

// CheckEmail adds a message when email is missing or is not a plain address.
func CheckEmail(es *i18n.Errors, field, email string) {
	CheckRequired(es, field, email, MaxEmail)
	if email == "" || HasControl(email) || utf8.RuneCountInString(email) > MaxEmail {
		return
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		es.Add(i18n.FieldError(field, "error.field.email"))
	}
}

// CheckPassword adds a message when password is too short or too long.
func CheckNewPassword(es *i18n.Errors, field, password string) {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		es.Add(i18n.FieldError(field, "error.password.too_short", "Min", MinPasswordLength))
	case n > MaxPasswd:
		es.Add(i18n.FieldError(field, "error.field.too_long", "Max", MaxPasswd))
	}
}
