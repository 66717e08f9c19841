package identity

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// recoveryCode is one one-time recovery code of a user; only its hash is kept.
type recoveryCode struct {
	bun.BaseModel `bun:"table:recovery_codes"`

	UserID    int64  `bun:",pk"`
	CodeHash  string `bun:",pk"`
	CreatedAt time.Time
	UsedAt    *time.Time
}

// replaceRecoveryCodes makes codes the only recovery codes of user.
func replaceRecoveryCodes(ctx context.Context, idb bun.IDB, userID int64, codes []string, now time.Time) error {
	if err := deleteRecoveryCodes(ctx, idb, userID); err != nil {
		return err
	}
	rows := make([]recoveryCode, len(codes))
	for i, c := range codes {
		rows[i] = recoveryCode{UserID: userID, CodeHash: recoveryHash(c), CreatedAt: now}
	}
	_, err := idb.NewInsert().Model(&rows).Exec(ctx)
	return wrap(err, "insert recovery codes of user %d", userID)
}

func deleteRecoveryCodes(ctx context.Context, idb bun.IDB, userID int64) error {
	_, err := idb.NewDelete().Model((*recoveryCode)(nil)).Where("user_id = ?", userID).Exec(ctx)
	return wrap(err, "delete recovery codes of user %d", userID)
}

// useRecoveryCode marks code used and reports whether it was an unused code of user. The update
// claims the code: of two concurrent uses, one finds it already used.
func useRecoveryCode(ctx context.Context, idb bun.IDB, userID int64, code string, now time.Time) (bool, error) {
	res, err := idb.NewUpdate().Model((*recoveryCode)(nil)).Set("used_at = ?", now).
		Where("user_id = ? AND code_hash = ? AND used_at IS NULL", userID, recoveryHash(code)).Exec(ctx)
	if err != nil {
		return false, wrap(err, "use a recovery code of user %d", userID)
	}
	n, err := res.RowsAffected()
	return n == 1, wrap(err, "use a recovery code of user %d", userID)
}

// unusedRecoveryCodes counts the recovery codes user has left.
func unusedRecoveryCodes(ctx context.Context, idb bun.IDB, userID int64) (int, error) {
	n, err := idb.NewSelect().Model((*recoveryCode)(nil)).Where("user_id = ? AND used_at IS NULL", userID).Count(ctx)
	return int(n), wrap(err, "count recovery codes of user %d", userID)
}

// claimTOTPStep records step as the last accepted of user and reports whether it is later than
// the one recorded: of two concurrent uses of one code, in any process, one only succeeds.
func claimTOTPStep(ctx context.Context, idb bun.IDB, userID, step int64) (bool, error) {
	res, err := idb.NewUpdate().Model((*User)(nil)).Set("totp_last_step = ?", step).
		Where("id = ? AND totp_last_step < ?", userID, step).Exec(ctx)
	if err != nil {
		return false, wrap(err, "record the code step of user %d", userID)
	}
	n, err := res.RowsAffected()
	return n == 1, wrap(err, "record the code step of user %d", userID)
}

// setTOTPSecretOnce gives user the secret unless enrolment already gave one: two pages opened at
// once show the same secret.
func setTOTPSecretOnce(ctx context.Context, idb bun.IDB, userID int64, secret string, now time.Time) error {
	_, err := idb.NewUpdate().Model((*User)(nil)).Set("totp_secret = ?", secret).Set("updated_at = ?", now).
		Where("id = ? AND totp_secret = '' AND totp_enabled_at IS NULL", userID).Exec(ctx)
	return wrap(err, "start the enrolment of user %d", userID)
}

// enableTOTP turns two-factor authentication on with the secret the user confirmed, and reports
// whether it did (false when it was on already or the secret changed meanwhile).
func enableTOTP(ctx context.Context, idb bun.IDB, userID int64, secret string, step int64, now time.Time) (bool, error) {
	res, err := idb.NewUpdate().Model((*User)(nil)).
		Set("totp_enabled_at = ?", now).Set("totp_last_step = ?", step).Set("updated_at = ?", now).
		Where("id = ? AND totp_secret = ? AND totp_enabled_at IS NULL", userID, secret).Exec(ctx)
	if err != nil {
		return false, wrap(err, "enable two-factor authentication of user %d", userID)
	}
	n, err := res.RowsAffected()
	return n == 1, wrap(err, "enable two-factor authentication of user %d", userID)
}

// clearTOTP turns two-factor authentication off and forgets its secret and recovery codes.
func clearTOTP(ctx context.Context, idb bun.IDB, u *User) error {
	u.TOTPSecret, u.TOTPEnabledAt, u.TOTPLastStep = "", nil, 0
	if err := UpdateUser(ctx, idb, u, "totp_secret", "totp_enabled_at", "totp_last_step"); err != nil {
		return err
	}
	return deleteRecoveryCodes(ctx, idb, u.ID)
}
