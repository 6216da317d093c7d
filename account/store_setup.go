package account

import (
	"context"
	"fmt"
	"time"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/org"
)

// NewSetupToken creates the one-time link token for creating the first
// system administrator: valid one hour, usable once, and only while the
// database has no accounts.
func NewSetupToken(ctx context.Context, tx *db.Tx) (string, error) {
	n, err := CountUsers(ctx, tx)
	if err != nil {
		return "", err
	}
	if n > 0 {
		return "", apperr.Conflictf("系统已有账号，无需初始化")
	}
	token := NewToken()
	_, err = tx.ExecContext(ctx, `INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, $2)`,
		HashToken(token), db.Time(tx.Now().Add(time.Hour)))
	return token, err
}

// CheckSetupToken reports whether token is a live set-up token.
func CheckSetupToken(ctx context.Context, q db.Querier, token string) error {
	var expires db.Time
	var used string
	err := q.QueryRowContext(ctx, `SELECT expires_at, used_at FROM setup_tokens WHERE token_hash = $1`, HashToken(token)).Scan(&expires, &used)
	if err != nil || used != "" || q.Now().After(time.Time(expires)) {
		return apperr.NotFoundf("初始化链接无效或已过期，请重新启动服务获取新的链接")
	}
	n, err := CountUsers(ctx, q)
	if err != nil {
		return err
	}
	if n > 0 {
		return apperr.NotFoundf("系统已完成初始化")
	}
	return nil
}

// Setup uses a set-up token: it creates the top unit (the town) if there is
// none, the first system administrator with the chosen password, and — since
// only a security administrator may grant roles and the three administrator
// roles are held by three people (三员分立) — the security administrator
// ("secadmin") and the auditor ("auditor") with temporary passwords.
func Setup(ctx context.Context, tx *db.Tx, token string, in SetupInput, ip, requestID string) (*SetupResult, error) {
	if err := CheckSetupToken(ctx, tx, token); err != nil {
		return nil, err
	}
	sys := auth.SystemActor("setup")
	sys.IP, sys.RequestID = ip, requestID
	sec, err := LoadSecurity(ctx, tx)
	if err != nil {
		return nil, err
	}
	var f apperr.Fields
	if msg := CheckStrength(sec, in.Username, in.Password); msg != "" {
		f.Add("password", msg)
	} else if in.Password != in.Confirm {
		f.Add("confirm", "两次输入的密码不一致")
	}
	roots, err := org.Children(ctx, tx, 0)
	if err != nil {
		return nil, err
	}
	if u := FoldUsername(in.Username); u == "secadmin" || u == "auditor" {
		f.Add("username", "secadmin 和 auditor 留给安全管理员和审计管理员，请换一个用户名")
	}
	if len(roots) == 0 && in.TownName == "" {
		f.Add("town", "请填写本镇（或县）名称")
	}
	if err := f.Err(); err != nil {
		// Check the account fields too, so every problem shows at once.
		if _, verr := (Input{Username: in.Username, DisplayName: in.DisplayName, UnitID: "1"}).validate(true); verr != nil {
			ae, _ := apperr.As(verr)
			for k, v := range ae.Fields {
				f.Add(k, v)
			}
		}
		return nil, f.Err()
	}
	var root *org.Unit
	if len(roots) == 0 {
		kind := org.Town
		if len([]rune(in.TownName)) > 0 && []rune(in.TownName)[len([]rune(in.TownName))-1] == '县' {
			kind = org.County
		}
		if root, err = org.CreateRoot(ctx, tx, sys, kind, in.TownName); err != nil {
			return nil, err
		}
	} else {
		root = roots[0]
	}
	u, _, err := Create(ctx, tx, sys, Input{Username: in.Username, DisplayName: in.DisplayName,
		UnitID: fmt.Sprint(root.ID), Password: in.Password})
	if err != nil {
		return nil, err
	}
	// The administrator chose this password just now: no forced change.
	if _, err := tx.ExecContext(ctx, `UPDATE users SET must_change_password = FALSE WHERE id = $1`, u.ID); err != nil {
		return nil, err
	}
	if err := Grant(ctx, tx, sys, u.ID, auth.SysAdmin, root.ID); err != nil {
		return nil, err
	}
	// Conditional, so the same link submitted twice at once creates one administrator.
	used, err := tx.ExecContext(ctx, `UPDATE setup_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at = ''`, db.Time(tx.Now()), HashToken(token))
	if err != nil {
		return nil, err
	}
	if n, err := used.RowsAffected(); err != nil || n != 1 {
		return nil, apperr.NotFoundf("初始化链接已被使用")
	}
	res := &SetupResult{}
	for _, o := range []struct {
		username, name string
		role           auth.Role
	}{{"secadmin", "安全管理员", auth.SecAdmin}, {"auditor", "审计管理员", auth.Auditor}} {
		if _, err := ByUsername(ctx, tx, o.username); err == nil {
			continue
		}
		other, pw, err := Create(ctx, tx, sys, Input{Username: o.username, DisplayName: o.name, UnitID: fmt.Sprint(root.ID)})
		if err != nil {
			return nil, err
		}
		if err := Grant(ctx, tx, sys, other.ID, o.role, root.ID); err != nil {
			return nil, err
		}
		res.Others = append(res.Others, Handover{Username: other.Username, Role: o.role, Password: pw})
	}
	if err := audit.Record(ctx, tx, audit.Entry{Actor: sys, Action: audit.SetupUsed, ObjectType: "user", ObjectID: u.ID, ObjectName: u.Username}); err != nil {
		return nil, err
	}
	res.Admin, err = Get(ctx, tx, u.ID)
	return res, err
}
