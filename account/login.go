package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
)

// LoginResult is the outcome of a sign-in attempt. A refused attempt is not
// an error: its failure count and audit record must be committed.
type LoginResult struct {
	Token      string // the new session's cookie value, when signed in
	Session    *Session
	User       *User
	MFAPending bool   // password accepted; the TOTP step is next
	Failure    string // the message to show when the attempt was refused
}

// genericFailure does not say whether the username exists.
const genericFailure = "用户名或密码错误"

// Login checks a username and password, counts failures and locks the
// account after the threshold, and on success starts a new session (a new
// id at every sign-in, so a planted id is useless).
func Login(ctx context.Context, tx *db.Tx, username, password, ip, ua, requestID string) (LoginResult, error) {
	// What was typed as a username is recorded on failure; bound it so the
	// trail cannot be bloated through the sign-in form.
	who := auth.Actor{Username: truncate(FoldUsername(username), 64), IP: ip, RequestID: requestID, Origin: "ui"}
	fail := func(u *User, msg, note string) (LoginResult, error) {
		e := audit.Entry{Actor: who, Action: audit.LoginFailed, ObjectType: "user", Outcome: audit.Failure, Note: note}
		if u != nil {
			e.Actor = u.Actor(ip, requestID, "ui")
			e.ObjectID, e.ObjectName = u.ID, u.Username
		}
		return LoginResult{Failure: msg}, audit.Record(ctx, tx, e)
	}
	if username == "" || password == "" {
		return LoginResult{Failure: "请输入用户名和密码"}, nil
	}
	u, err := ByUsername(ctx, tx, username)
	if apperr.KindOf(err) == apperr.NotFound {
		CheckPassword(dummyHash, password) // same time as a wrong password
		return fail(nil, genericFailure, "用户名不存在")
	}
	if err != nil {
		return LoginResult{}, err
	}
	sec, err := LoadSecurity(ctx, tx)
	if err != nil {
		return LoginResult{}, err
	}
	now := tx.Now()
	if u.Locked(now) {
		CheckPassword(dummyHash, password)
		return fail(u, fmt.Sprintf("连续登录失败次数过多，账号已锁定，请于 %s 后再试，或联系系统管理员解锁",
			u.LockedUntil.In(shanghai).Format("15:04")), "账号锁定中")
	}
	if !CheckPassword(u.PasswordHash, password) {
		return registerFailure(ctx, tx, u, sec, ip, requestID, "密码错误")
	}
	if u.Disabled {
		return fail(u, "该账号已停用，请联系系统管理员", "账号已停用")
	}
	return signIn(ctx, tx, u, ip, ua, requestID, u.TOTPEnabled)
}

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
	if failures >= sec.LockoutThreshold {
		until := now.Add(time.Duration(sec.LockoutMinutes) * time.Minute)
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = $1 WHERE id = $2`, db.Time(until), u.ID); err != nil {
			return LoginResult{}, err
		}
		if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: audit.LoginFailed, ObjectType: "user", ObjectID: u.ID,
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
	return LoginResult{Failure: msg}, audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: audit.LoginFailed, ObjectType: "user",
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
		r, err := registerFailure(ctx, tx, u, sec, ip, requestID, "动态口令错误")
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

func trimGeneric(msg string) string {
	if len(msg) > len(genericFailure) && msg[:len(genericFailure)] == genericFailure {
		return msg[len(genericFailure):]
	}
	if msg == genericFailure {
		return ""
	}
	return "；" + msg
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

// ErrWrongPassword marks a refused password re-check inside a session
// (changing the password, turning off TOTP); the caller then counts it with
// RecheckFailed, since the refused change itself rolls back.
var ErrWrongPassword = errors.New("wrong password on re-check")

// RecheckFailed counts a wrong password typed inside a session like a failed
// sign-in: someone holding a stolen session cannot guess the password
// without limit. At the threshold the account locks and all its sessions
// end; it reports whether that happened.
func RecheckFailed(ctx context.Context, tx *db.Tx, by auth.Actor, what string) (locked bool, err error) {
	u, err := Get(ctx, tx, by.UserID)
	if err != nil {
		return false, err
	}
	sec, err := LoadSecurity(ctx, tx)
	if err != nil {
		return false, err
	}
	if _, err := registerFailure(ctx, tx, u, sec, by.IP, by.RequestID, what+"时密码错误"); err != nil {
		return false, err
	}
	if u, err = Get(ctx, tx, u.ID); err != nil {
		return false, err
	}
	if !u.Locked(tx.Now()) {
		return false, nil
	}
	return true, deleteSessions(ctx, tx, u.ID, "")
}

// Gate is what a signed-in user must do before anything else.
type Gate int

// The gates, in the order they are enforced.
const (
	GateNone           Gate = iota
	GateChangePassword      // first sign-in, after a reset, or expired
	GateEnrolTOTP           // an administrator without a second factor
)

// GateFor says what the user must do first under the settings.
func GateFor(u *User, sec Security, now time.Time) Gate {
	if u.MustChangePassword || u.PasswordExpired(sec, now) {
		return GateChangePassword
	}
	if sec.RequireAdminTOTP && u.IsAdmin() && !u.TOTPEnabled {
		return GateEnrolTOTP
	}
	return GateNone
}

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// Throttle limits failed sign-ins per client address (on top of the
// per-account lockout), so one address cannot try many accounts.
type Throttle struct {
	mu     sync.Mutex
	window time.Duration
	fails  map[string]throttleEntry
}

type throttleEntry struct {
	start time.Time
	count int
}

// NewThrottle returns a throttle with a 15-minute window.
func NewThrottle() *Throttle {
	return &Throttle{window: 15 * time.Minute, fails: map[string]throttleEntry{}}
}

// Allow reports whether ip may try again at now under the limit.
func (t *Throttle) Allow(ip string, limit int, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.fails[ip]
	if !ok || now.Sub(e.start) > t.window {
		return true
	}
	return e.count < limit
}

// Fail counts one failure for ip.
func (t *Throttle) Fail(ip string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.fails[ip]
	if !ok || now.Sub(e.start) > t.window {
		e = throttleEntry{start: now}
	}
	e.count++
	t.fails[ip] = e
	if len(t.fails) > 10000 { // forget old windows rather than grow without bound
		for k, v := range t.fails {
			if now.Sub(v.start) > t.window {
				delete(t.fails, k)
			}
		}
	}
}

// ErrThrottled is shown when an address has failed too often.
var ErrThrottled = errors.New("该地址登录失败次数过多，请15分钟后再试")
