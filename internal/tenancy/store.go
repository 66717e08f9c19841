package tenancy

import (
	"fmt"
	"regexp"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
)

var (
	errCodeTaken     = i18n.FieldError("code", "error.tenant.code_taken")
	errAlreadyMember = i18n.FieldError("login", "error.member.already")
	codePattern      = regexp.MustCompile(`^OCB[0-9]{7}$`)
)

// ValidTenantCode reports whether code is OCB followed by seven digits.
func ValidTenantCode(code string) bool { return codePattern.MatchString(code) }

func notFound(err error) error { return apperr.FromNoRows(err) }

// wrap says what was being done when err happened; nil stays nil, and apperr.ErrNotFound (and
// any other wrapped error) stays detectable with errors.Is.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("tenancy: "+format+": %w", append(args, err)...)
}
