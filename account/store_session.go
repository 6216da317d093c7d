package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
)

// startSession creates a session for the user and returns its token.
func startSession(ctx context.Context, tx *db.Tx, userID int64, mfaPending bool, ip, ua string) (string, *Session, error) {
	token := NewToken()
	s := &Session{IDHash: HashToken(token), UserID: userID, CSRFToken: NewToken(), MFAPending: mfaPending,
		CreatedAt: tx.Now(), LastSeenAt: tx.Now(), ClientIP: ip, UserAgent: truncate(ua, 200)}
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, mfa_pending, created_at, last_seen_at, client_ip, user_agent)
		VALUES ($1, $2, $3, $4, $5, $5, $6, $7)`, s.IDHash, userID, s.CSRFToken, mfaPending, db.Time(tx.Now()), ip, s.UserAgent)
	if err != nil {
		return "", nil, fmt.Errorf("account.startSession: %w", err)
	}
	return token, s, nil
}

// Resume looks up the session for a cookie token and its user. It ends the
// session (and records why) when it has been idle or alive too long, or the
// user is disabled; then it returns apperr.Unauthorized.
func Resume(ctx context.Context, d *db.DB, token string) (*Session, *User, error) {
	if token == "" {
		return nil, nil, apperr.Unauthorizedf("请先登录")
	}
	idHash := HashToken(token)
	s, err := scanSession(d.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id_hash = $1`, idHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, apperr.Unauthorizedf("登录已失效，请重新登录")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("account.Resume: %w", err)
	}
	u, err := Get(ctx, d, s.UserID)
	if err != nil {
		return nil, nil, err
	}
	sec, err := LoadSecurity(ctx, d)
	if err != nil {
		return nil, nil, err
	}
	now := d.Now()
	reason := ""
	switch {
	case u.Disabled:
		reason = "账号已停用"
	case now.Sub(s.LastSeenAt) > sec.IdleTimeout():
		reason = fmt.Sprintf("超过 %d 分钟未操作", sec.IdleTimeoutMinutes)
	case now.Sub(s.CreatedAt) > sec.AbsoluteTimeout():
		reason = fmt.Sprintf("登录已超过 %d 小时", sec.AbsoluteTimeoutHour)
	}
	if reason != "" {
		err := d.InTx(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash); err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.Entry{Actor: u.Actor(s.ClientIP, "", "ui"), Action: audit.SessionExpired,
				ObjectType: "user", ObjectID: u.ID, ObjectName: u.Username, Note: reason})
		})
		if err != nil {
			return nil, nil, err
		}
		return nil, nil, apperr.Unauthorizedf("%s，请重新登录", reason)
	}
	if now.Sub(s.LastSeenAt) > touchEvery {
		err := d.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2`, db.Time(tx.Now()), idHash)
			return err
		})
		if err != nil {
			return nil, nil, err
		}
		s.LastSeenAt = now
	}
	return s, u, nil
}

// Logout ends the session and records it.
func Logout(ctx context.Context, tx *db.Tx, by auth.Actor, token string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, HashToken(token)); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.Logout, ObjectType: "user", ObjectID: by.UserID, ObjectName: by.Username})
}

// Sessions lists a user's active sessions, newest first.
func Sessions(ctx context.Context, q db.Querier, userID int64) ([]*Session, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE user_id = $1 AND mfa_pending = FALSE ORDER BY created_at DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// RevokeSession ends one of the actor's own sessions (by its stored hash),
// or any user's session for the security administrator.
func RevokeSession(ctx context.Context, tx *db.Tx, by auth.Actor, idHash string) error {
	s, err := scanSession(tx.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id_hash = $1`, idHash))
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("该会话已结束")
	}
	if err != nil {
		return err
	}
	u, err := Get(ctx, tx, s.UserID)
	if err != nil {
		return err
	}
	if s.UserID != by.UserID && !auth.Can(by, auth.ManageSecurity, u.UnitPath) {
		return apperr.NotFoundf("该会话已结束")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.SessionRevoked, ObjectType: "user", ObjectID: u.ID,
		ObjectName: u.Username, Note: "登录地址 " + s.ClientIP})
}

// deleteSessions ends every session of the user except keep (a stored hash, or "").
func deleteSessions(ctx context.Context, tx *db.Tx, userID int64, keep string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2`, userID, keep)
	return err
}

// PurgeSessions removes sessions past the absolute limit (a daily job).
func PurgeSessions(ctx context.Context, tx *db.Tx) error {
	sec, err := LoadSecurity(ctx, tx)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE created_at < $1 OR last_seen_at < $2`,
		db.Time(tx.Now().Add(-sec.AbsoluteTimeout())), db.Time(tx.Now().Add(-sec.IdleTimeout())))
	return err
}

const sessionColumns = `id_hash, user_id, csrf_token, mfa_pending, created_at, last_seen_at, client_ip, user_agent`

func scanSession(s interface{ Scan(...any) error }) (*Session, error) {
	var x Session
	err := s.Scan(&x.IDHash, &x.UserID, &x.CSRFToken, &x.MFAPending, (*db.Time)(&x.CreatedAt), (*db.Time)(&x.LastSeenAt), &x.ClientIP, &x.UserAgent)
	return &x, err
}
