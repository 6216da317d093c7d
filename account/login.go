package account

import (
	"context"
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

func trimGeneric(msg string) string {
	if len(msg) > len(genericFailure) && msg[:len(genericFailure)] == genericFailure {
		return msg[len(genericFailure):]
	}
	if msg == genericFailure {
		return ""
	}
	return "；" + msg
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

// Take reserves one attempt for ip at now, counted as a failure until
// Refund says it succeeded; it reports false when ip has used up the limit.
// Checking and counting in one step means a burst of parallel requests
// cannot all slip under the limit.
func (t *Throttle) Take(ip string, limit int, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.fails[ip]
	if !ok || now.Sub(e.start) > t.window {
		e = throttleEntry{start: now}
	}
	if e.count >= limit {
		return false
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
	return true
}

// Refund gives back the attempt Take reserved, because it succeeded.
func (t *Throttle) Refund(ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.fails[ip]; ok && e.count > 0 {
		e.count--
		t.fails[ip] = e
	}
}

// ErrThrottled is shown when an address has failed too often.
var ErrThrottled = errors.New("该地址登录失败次数过多，请15分钟后再试")
