package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"guatu/audit"
	"guatu/db"
)

// registerFailure counts a failed password or code and locks the account at the threshold.
func registerFailure(ctx context.Context, tx *db.Tx, u *User, sec Security, ip, requestID, note string) (LoginResult, error) {
	now := tx.Now()
	// Increment in the database, not in Go: parallel wrong guesses on
	// PostgreSQL would otherwise each write the same count and never lock.
	var failures int
	if err := tx.QueryRowContext(ctx, `UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins`, u.ID).Scan(&failures); err != nil {
		return LoginResult{}, err
	}
	actor := u.Actor(ip, requestID, "ui")
	action := audit.LoginFailed
	if note == totpFailedNote {
		action = audit.TOTPFailed
	}
	if failures >= sec.LockoutThreshold {
		until := now.Add(time.Duration(sec.LockoutMinutes) * time.Minute)
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = $1 WHERE id = $2`, db.Time(until), u.ID); err != nil {
			return LoginResult{}, err
		}
		if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: action, ObjectType: "user", ObjectID: u.ID,
			ObjectName: u.Username, Outcome: audit.Failure, Note: note}); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{Failure: fmt.Sprintf("连续 %d 次登录失败，账号已锁定 %d 分钟", sec.LockoutThreshold, sec.LockoutMinutes)},
			audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: audit.LoginLocked, ObjectType: "user", ObjectID: u.ID,
				ObjectName: u.Username, Outcome: audit.Failure, Note: fmt.Sprintf("锁定至 %s", until.In(shanghai).Format("2006-01-02 15:04"))})
	}
	msg := genericFailure
	if left := sec.LockoutThreshold - failures; left <= 2 {
		msg = fmt.Sprintf("%s，再错 %d 次账号将被锁定 %d 分钟", genericFailure, left, sec.LockoutMinutes)
	}
	return LoginResult{Failure: msg}, audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: action, ObjectType: "user",
		ObjectID: u.ID, ObjectName: u.Username, Outcome: audit.Failure, Note: note})
}

func signIn(ctx context.Context, tx *db.Tx, u *User, ip, ua, requestID string, mfaPending bool) (LoginResult, error) {
	// Only a completed sign-in clears the failure count: otherwise retyping
	// the password would reset the count of wrong second-factor codes.
	if !mfaPending {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = '' WHERE id = $1`, u.ID); err != nil {
			return LoginResult{}, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET prev_login_at = last_login_at, prev_login_ip = last_login_ip,
			last_login_at = $1, last_login_ip = $2 WHERE id = $3`, db.Time(tx.Now()), ip, u.ID); err != nil {
			return LoginResult{}, err
		}
	}
	token, s, err := startSession(ctx, tx, u.ID, mfaPending, ip, ua)
	if err != nil {
		return LoginResult{}, err
	}
	note := ""
	if mfaPending {
		note = "密码正确，待验证动态口令"
	}
	return LoginResult{Token: token, Session: s, User: u, MFAPending: mfaPending},
		audit.Record(ctx, tx, audit.Entry{Actor: u.Actor(ip, requestID, "ui"), Action: audit.LoginOK, ObjectType: "user",
			ObjectID: u.ID, ObjectName: u.Username, Note: note})
}

// SecondFactor completes a sign-in whose password was right: it checks a
// TOTP code (each code once only) or a recovery code, and replaces the
// pending session with a full one (a new id again).
func SecondFactor(ctx context.Context, tx *db.Tx, pendingToken, code, ip, ua, requestID string) (LoginResult, error) {
	idHash := HashToken(pendingToken)
	s, err := scanSession(tx.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id_hash = $1 AND mfa_pending = TRUE`, idHash))
	if errors.Is(err, sql.ErrNoRows) {
		return LoginResult{Failure: "登录已失效，请重新输入用户名和密码"}, nil
	}
	if err != nil {
		return LoginResult{}, fmt.Errorf("account.SecondFactor: %w", err)
	}
	if tx.Now().Sub(s.CreatedAt) > 5*time.Minute {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{Failure: "验证超时，请重新输入用户名和密码"}, nil
	}
	u, err := Get(ctx, tx, s.UserID)
	if err != nil {
		return LoginResult{}, err
	}
	sec, err := LoadSecurity(ctx, tx)
	if err != nil {
		return LoginResult{}, err
	}
	if u.Locked(tx.Now()) || u.Disabled {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{Failure: "账号已锁定或停用"}, nil
	}
	ok, err := useSecondFactor(ctx, tx, u, code, ip, requestID)
	if err != nil {
		return LoginResult{}, err
	}
	if !ok {
		r, err := registerFailure(ctx, tx, u, sec, ip, requestID, totpFailedNote)
		if err == nil && r.Failure != "" {
			r.Failure = "动态口令或恢复码不正确" + trimGeneric(r.Failure)
			r.MFAPending = true
		}
		return r, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash); err != nil {
		return LoginResult{}, err
	}
	return signIn(ctx, tx, u, ip, ua, requestID, false)
}

// useSecondFactor accepts a current TOTP code not used before, or an unused recovery code.
func useSecondFactor(ctx context.Context, tx *db.Tx, u *User, code, ip, requestID string) (bool, error) {
	if step, ok := verifyTOTP(u.TOTPSecret, code, tx.Now(), u.TOTPLastStep); ok {
		// Conditional, so two parallel requests cannot both use one code.
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, u.ID)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n == 1, err
	}
	used, err := useRecoveryCode(ctx, tx, u.ID, code)
	if err != nil || !used {
		return false, err
	}
	return true, audit.Record(ctx, tx, audit.Entry{Actor: u.Actor(ip, requestID, "ui"), Action: audit.RecoveryCodeUsed,
		ObjectType: "user", ObjectID: u.ID, ObjectName: u.Username})
}

// totpFailedNote marks a wrong second-factor code, recorded as audit.TOTPFailed.
const totpFailedNote = "动态口令错误"
