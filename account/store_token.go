package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
)

const tokenColumns = `id, user_id, name, prefix, created_at, expires_at, last_used_at, last_used_ip, revoked_at, revoked_reason`

func scanToken(s interface{ Scan(...any) error }) (*Token, error) {
	var t Token
	err := s.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, (*db.Time)(&t.CreatedAt), (*db.Time)(&t.ExpiresAt),
		(*db.Time)(&t.LastUsedAt), &t.LastUsedIP, (*db.Time)(&t.RevokedAt), &t.RevokedReason)
	return &t, err
}

// tokenSnapshot is what the audit trail keeps of a token: never the secret or its hash.
func tokenSnapshot(t *Token) map[string]string {
	return map[string]string{"用途": t.Name, "前缀": t.Prefix, "有效期至": t.ExpiresAt.In(shanghai).Format("2006-01-02 15:04")}
}

// CreateToken makes a personal API token for the acting user and returns
// its secret, which exists only in this return value: the caller shows it
// once. The user's password must be given again (a wrong one is an Invalid
// error wrapping ErrWrongPassword, for the caller to count with
// RecheckFailed). Administrators get Forbidden; an account already holding
// MaxLiveTokens live tokens gets Invalid.
func CreateToken(ctx context.Context, tx *db.Tx, by auth.Actor, in TokenInput) (string, *Token, error) {
	u, err := Get(ctx, tx, by.UserID)
	if err != nil {
		return "", nil, err
	}
	if !CanHoldTokens(u) {
		return "", nil, apperr.Forbiddenf("系统管理员、安全管理员和审计管理员不能使用接口令牌：三员的操作须在网页上以密码和动态口令登录后完成")
	}
	if !CheckPassword(u.PasswordHash, in.Password) {
		return "", nil, &apperr.Error{Kind: apperr.Invalid, Msg: "请检查填写的内容",
			Fields: map[string]string{"password": "登录密码不正确"}, Err: ErrWrongPassword}
	}
	name, days, err := in.validate()
	if err != nil {
		return "", nil, err
	}
	now := tx.Now()
	var live int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM api_tokens WHERE user_id = $1 AND revoked_at = '' AND expires_at > $2`,
		u.ID, db.Time(now)).Scan(&live); err != nil {
		return "", nil, fmt.Errorf("account.CreateToken: %w", err)
	}
	if live >= MaxLiveTokens {
		return "", nil, apperr.Invalidf("每个账号最多同时持有 %d 个有效令牌，请先撤销不再使用的令牌", MaxLiveTokens)
	}
	secret := newTokenSecret()
	t := &Token{UserID: u.ID, Name: name, Prefix: secret[:tokenShownPrefix], CreatedAt: now, ExpiresAt: now.AddDate(0, 0, days)}
	err = tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		t.UserID, t.Name, HashToken(secret), t.Prefix, db.Time(t.CreatedAt), db.Time(t.ExpiresAt)).Scan(&t.ID)
	if err != nil {
		return "", nil, fmt.Errorf("account.CreateToken: %w", db.Translate(err))
	}
	return secret, t, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.TokenCreated, ObjectType: "api_token",
		ObjectID: t.ID, ObjectName: t.Name, After: tokenSnapshot(t), Note: fmt.Sprintf("有效期 %d 天", days)})
}

// Tokens lists a user's tokens, newest first (the 50 most recent, revoked
// and expired ones included so the owner sees what became of them).
func Tokens(ctx context.Context, q db.Querier, userID int64) ([]*Token, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY id DESC LIMIT 50`, userID)
	if err != nil {
		return nil, fmt.Errorf("account.Tokens: %w", err)
	}
	defer rows.Close()
	var out []*Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken ends one of the actor's own tokens. Another user's token, or
// one already revoked, is NotFound.
func RevokeToken(ctx context.Context, tx *db.Tx, by auth.Actor, id int64) error {
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = $1 AND user_id = $2`, id, by.UserID))
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("令牌不存在")
	}
	if err != nil {
		return fmt.Errorf("account.RevokeToken %d: %w", id, err)
	}
	if !t.RevokedAt.IsZero() {
		return apperr.NotFoundf("该令牌已撤销")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1, revoked_reason = $2 WHERE id = $3`,
		db.Time(tx.Now()), "本人撤销", id); err != nil {
		return fmt.Errorf("account.RevokeToken %d: %w", id, err)
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.TokenRevoked, ObjectType: "api_token",
		ObjectID: t.ID, ObjectName: t.Name, Before: tokenSnapshot(t)})
}

// revokeTokens ends every live token of the user, as disabling the account
// or an administrator's password reset does to its sessions, and records
// how many (nothing when there were none).
func revokeTokens(ctx context.Context, tx *db.Tx, by auth.Actor, u *User, reason string) error {
	res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1, revoked_reason = $2
		WHERE user_id = $3 AND revoked_at = '' AND expires_at > $1`, db.Time(tx.Now()), reason, u.ID)
	if err != nil {
		return fmt.Errorf("account.revokeTokens: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.TokenRevoked, ObjectType: "user", ObjectID: u.ID,
		ObjectName: u.Username, Note: fmt.Sprintf("%s，撤销其全部 %d 个接口令牌", reason, n)})
}

// Authenticate checks a token secret sent by an API client and returns its
// user and token. The user is re-read on every request, so the actor built
// from it has today's roles and scope, as a session's does.
//
// An unknown, revoked or expired token, or a disabled user, is Unauthorized
// (401); a locked user, one who must first change their password, or one who
// has since become an administrator is Forbidden (403). Every refusal is
// recorded. The first use of a token is recorded too; later uses only move
// last_used_at, at most once a minute, so busy integrations do not turn
// every read into a write.
func Authenticate(ctx context.Context, d *db.DB, sec Security, secret, ip, requestID string) (*User, *Token, error) {
	refuse := func(u *User, t *Token, kind apperr.Kind, msg, note string) (*User, *Token, error) {
		e := audit.Entry{Actor: auth.Actor{IP: ip, RequestID: requestID, Origin: "api"}, Action: audit.TokenRefused,
			ObjectType: "api_token", Outcome: audit.Failure, Note: note}
		if t != nil {
			e.ObjectID, e.ObjectName = t.ID, t.Name
		}
		if u != nil {
			e.Actor = u.Actor(ip, requestID, TokenOrigin(t.ID))
		}
		if err := d.InTx(ctx, func(tx *db.Tx) error { return audit.Record(ctx, tx, e) }); err != nil {
			return nil, nil, err
		}
		return nil, nil, &apperr.Error{Kind: kind, Msg: msg}
	}
	if !wellFormedSecret(secret) {
		return refuse(nil, nil, apperr.Unauthorized, "令牌无效", "令牌格式不对")
	}
	t, err := scanToken(d.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = $1`, HashToken(secret)))
	if errors.Is(err, sql.ErrNoRows) {
		return refuse(nil, nil, apperr.Unauthorized, "令牌无效", "令牌不存在")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("account.Authenticate: %w", err)
	}
	u, err := Get(ctx, d, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	now := d.Now()
	switch {
	case !t.RevokedAt.IsZero():
		return refuse(u, t, apperr.Unauthorized, "令牌已撤销", "令牌已撤销："+t.RevokedReason)
	case !now.Before(t.ExpiresAt):
		return refuse(u, t, apperr.Unauthorized, "令牌已过期，请在“我的 → 接口令牌”创建新令牌", "令牌已过期")
	case u.Disabled:
		return refuse(u, t, apperr.Unauthorized, "账号已停用", "账号已停用")
	case u.Locked(now):
		return refuse(u, t, apperr.Forbidden, "账号因连续登录失败已锁定，请稍后再试或联系系统管理员解锁", "账号锁定中")
	case !CanHoldTokens(u):
		return refuse(u, t, apperr.Forbidden, "管理员账号不能使用接口令牌", "账号持有管理员角色")
	case GateFor(u, sec, now) == GateChangePassword:
		return refuse(u, t, apperr.Forbidden, "该账号须先登录网页修改密码（首次登录、密码被重置或已过期），之后令牌才能使用", "账号须先修改密码")
	}
	if now.Sub(t.LastUsedAt) < touchEvery {
		return u, t, nil
	}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		// Conditional on the value read, so of several parallel requests only one writes (and only one records the first use).
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1, last_used_ip = $2 WHERE id = $3 AND last_used_at = $4`,
			db.Time(tx.Now()), ip, t.ID, lastUsedText(t.LastUsedAt))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 || !t.LastUsedAt.IsZero() {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: u.Actor(ip, requestID, TokenOrigin(t.ID)), Action: audit.TokenFirstUsed,
			ObjectType: "api_token", ObjectID: t.ID, ObjectName: t.Name})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("account.Authenticate: %w", err)
	}
	t.LastUsedAt, t.LastUsedIP = now, ip
	return u, t, nil
}

// lastUsedText is the stored form of last_used_at (empty when never used).
func lastUsedText(t time.Time) any {
	if t.IsZero() {
		return ""
	}
	return db.Time(t)
}
