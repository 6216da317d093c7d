package account

import (
	"context"
	"strings"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
)

// BeginTOTP stores a new, not yet active secret for the actor and returns it.
// Until ConfirmTOTP, sign-in does not ask for a code.
func BeginTOTP(ctx context.Context, tx *db.Tx, by auth.Actor) (string, error) {
	u, err := Get(ctx, tx, by.UserID)
	if err != nil {
		return "", err
	}
	if u.TOTPEnabled {
		return "", apperr.Conflictf("动态口令已启用；如需更换，请先停用")
	}
	secret := NewTOTPSecret()
	if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = $1, updated_at = $2 WHERE id = $3`, secret, db.Time(tx.Now()), u.ID); err != nil {
		return "", err
	}
	return secret, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.TOTPBegun, ObjectType: "user", ObjectID: u.ID,
		ObjectName: u.Username, Note: "待输入验证码后启用"})
}

// ConfirmTOTP turns the second factor on once the user proves their app
// produces the right code, and returns ten one-time recovery codes (shown once).
func ConfirmTOTP(ctx context.Context, tx *db.Tx, by auth.Actor, code string) ([]string, error) {
	u, err := Get(ctx, tx, by.UserID)
	if err != nil {
		return nil, err
	}
	if u.TOTPEnabled {
		return nil, apperr.Conflictf("动态口令已启用")
	}
	if u.TOTPSecret == "" {
		return nil, apperr.Invalidf("请先生成密钥")
	}
	step, ok := verifyTOTP(u.TOTPSecret, code, tx.Now(), u.TOTPLastStep)
	if !ok {
		return nil, apperr.InvalidFields(map[string]string{"code": "验证码不正确，请核对手机时间后输入应用中当前显示的6位数字"})
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_enabled = TRUE, totp_last_step = $1, updated_at = $2 WHERE id = $3`,
		step, db.Time(tx.Now()), u.ID); err != nil {
		return nil, err
	}
	codes, err := newRecoveryCodes(ctx, tx, u.ID)
	if err != nil {
		return nil, err
	}
	return codes, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.TOTPEnabled, ObjectType: "user", ObjectID: u.ID, ObjectName: u.Username})
}

// DisableTOTP turns the second factor off after checking the password.
// Administrators cannot while the policy requires it of them.
func DisableTOTP(ctx context.Context, tx *db.Tx, by auth.Actor, password string) error {
	u, err := Get(ctx, tx, by.UserID)
	if err != nil {
		return err
	}
	if !CheckPassword(u.PasswordHash, password) {
		return &apperr.Error{Kind: apperr.Invalid, Msg: "请检查填写的内容", Fields: map[string]string{"password": "密码不正确"}, Err: ErrWrongPassword}
	}
	sec, err := LoadSecurity(ctx, tx)
	if err != nil {
		return err
	}
	if sec.RequireAdminTOTP && u.IsAdmin() {
		return apperr.Forbiddenf("管理员账号必须使用动态口令，不能停用")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_enabled = FALSE, totp_secret = '', updated_at = $1 WHERE id = $2`, db.Time(tx.Now()), u.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, u.ID); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.TOTPDisabled, ObjectType: "user", ObjectID: u.ID, ObjectName: u.Username})
}

// ResetTOTP turns off a user's second factor when their phone and recovery
// codes are lost, so they can enrol again at their next sign-in (an
// administrator is made to at once). It ends the user's sessions. The same
// 三员分立 rule as for passwords applies.
func ResetTOTP(ctx context.Context, tx *db.Tx, by auth.Actor, id int64) error {
	u, err := Get(ctx, tx, id)
	if err != nil {
		return err
	}
	if !auth.Can(by, auth.ManageAccounts, u.UnitPath) {
		return apperr.Forbiddenf("无权重置该账号的动态口令")
	}
	if err := separateAdmins(by, u); err != nil {
		return err
	}
	if !u.TOTPEnabled && u.TOTPSecret == "" {
		return apperr.Invalidf("该账号没有启用动态口令")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_enabled = FALSE, totp_secret = '', updated_at = $1 WHERE id = $2`, db.Time(tx.Now()), id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, id); err != nil {
		return err
	}
	if err := deleteSessions(ctx, tx, id, ""); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.TOTPDisabled, ObjectType: "user", ObjectID: id,
		ObjectName: u.Username, Note: "管理员重置（手机或恢复码丢失）"})
}

// newRecoveryCodes replaces the user's recovery codes with ten new ones.
func newRecoveryCodes(ctx context.Context, tx *db.Tx, userID int64) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return nil, err
	}
	codes := make([]string, 10)
	for i := range codes {
		codes[i] = newRecoveryCode()
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, recoveryHash(userID, codes[i])); err != nil {
			return nil, err
		}
	}
	return codes, nil
}

// useRecoveryCode marks an unused recovery code used; it reports whether one matched.
func useRecoveryCode(ctx context.Context, tx *db.Tx, userID int64, code string) (bool, error) {
	code = strings.ToLower(strings.Join(strings.Fields(code), ""))
	if len(code) != recoveryCodeLen {
		return false, nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at = ''`,
		db.Time(tx.Now()), userID, recoveryHash(userID, code))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RecoveryCodesLeft counts unused recovery codes.
func RecoveryCodesLeft(ctx context.Context, q db.Querier, userID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at = ''`, userID).Scan(&n)
	return n, err
}
