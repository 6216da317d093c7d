package account

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
)

// TOTP as RFC 6238 with the parameters every authenticator app uses by
// default: HMAC-SHA1, 30-second steps, 6 digits. One step of clock drift
// either way is accepted; a step once used is never accepted again.
const (
	totpPeriod = 30
	totpDigits = 6
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a random 160-bit secret in base32.
func NewTOTPSecret() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b32.EncodeToString(b)
}

// TOTPCode is the code for secret at step (RFC 4226 dynamic truncation).
func TOTPCode(secret string, step int64) string {
	key, err := b32.DecodeString(strings.ToUpper(strings.ReplaceAll(secret, " ", "")))
	if err != nil {
		return ""
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, v%1_000_000)
}

// TOTPStep is the time step of t.
func TOTPStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// verifyTOTP returns the matching step when code is valid at now and newer than lastStep.
func verifyTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	code = strings.TrimSpace(strings.ReplaceAll(code, " ", ""))
	if secret == "" || len(code) != totpDigits {
		return 0, false
	}
	cur := TOTPStep(now)
	for _, step := range []int64{cur - 1, cur, cur + 1} {
		if step > lastStep && hmac.Equal([]byte(TOTPCode(secret, step)), []byte(code)) {
			return step, true
		}
	}
	return 0, false
}

// TOTPURI is the otpauth:// address an authenticator app imports.
func TOTPURI(secret, username string) string {
	label := url.PathEscape("Guatu:" + username)
	v := url.Values{"secret": {secret}, "issuer": {"Guatu"}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + label + "?" + v.Encode()
}

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
	_, err = tx.ExecContext(ctx, `UPDATE users SET totp_secret = $1, updated_at = $2 WHERE id = $3`, secret, db.Time(tx.Now()), u.ID)
	return secret, err
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
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	codes := make([]string, 10)
	for i := range codes {
		b := make([]byte, 9)
		for j := range b {
			if j == 4 {
				b[j] = '-'
				continue
			}
			b[j] = alphabet[randIntn(len(alphabet))]
		}
		codes[i] = string(b)
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, HashToken(codes[i])); err != nil {
			return nil, err
		}
	}
	return codes, nil
}

// useRecoveryCode marks an unused recovery code used; it reports whether one matched.
func useRecoveryCode(ctx context.Context, tx *db.Tx, userID int64, code string) (bool, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	if len(code) != 9 {
		return false, nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at = ''`,
		db.Time(tx.Now()), userID, HashToken(code))
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
