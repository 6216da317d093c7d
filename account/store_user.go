package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/org"
)

// Get returns the user with id and their grants, or apperr.NotFound.
func Get(ctx context.Context, q db.Querier, id int64) (*User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users us JOIN units un ON un.id = us.unit_id WHERE us.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("账号不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("account.Get %d: %w", id, err)
	}
	u.Grants, err = grants(ctx, q, id)
	return u, err
}

// ByUsername returns the user with the (case-folded) username, or apperr.NotFound.
func ByUsername(ctx context.Context, q db.Querier, username string) (*User, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM users WHERE username = $1`, FoldUsername(username)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("账号不存在")
	}
	if err != nil {
		return nil, err
	}
	return Get(ctx, q, id)
}

func grants(ctx context.Context, q db.Querier, userID int64) ([]auth.Grant, error) {
	rows, err := q.QueryContext(ctx, `SELECT g.role, g.unit_id, u.path, u.name FROM role_grants g
		JOIN units u ON u.id = g.unit_id WHERE g.user_id = $1 ORDER BY g.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("account.grants: %w", err)
	}
	defer rows.Close()
	var out []auth.Grant
	for rows.Next() {
		var g auth.Grant
		var role string
		if err := rows.Scan(&role, &g.UnitID, &g.UnitPath, &g.UnitName); err != nil {
			return nil, err
		}
		g.Role = auth.Role(role)
		out = append(out, g)
	}
	return out, rows.Err()
}

// List returns the accounts the actor may see (their home unit in scope), by username.
func List(ctx context.Context, q db.Querier, by auth.Actor, f Filter) ([]*User, error) {
	if !auth.CanAnywhere(by, auth.ViewAccounts) {
		return nil, apperr.Forbiddenf("无权查看账号")
	}
	var w db.Where
	org.ScopeWhere(&w, by, auth.ViewAccounts, "un.path")
	if !f.IncludeDisabled {
		w.Add("us.disabled = $?", false)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + db.LikeEscape(strings.ToLower(s)) + "%"
		w.Add(`us.username LIKE $? ESCAPE '\' OR lower(us.display_name) LIKE $? ESCAPE '\'`, like, like)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+userColumns+` FROM users us JOIN units un ON un.id = us.unit_id `+w.SQL()+` ORDER BY us.username`, w.Args...)
	if err != nil {
		return nil, fmt.Errorf("account.List: %w", err)
	}
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, u := range out {
		if u.Grants, err = grants(ctx, q, u.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Create adds an account. The password is checked against the policy (or
// generated when empty) and must be changed at first sign-in. It returns the
// new account and the password to hand over.
func Create(ctx context.Context, tx *db.Tx, by auth.Actor, in Input) (*User, string, error) {
	f, err := in.validate(true)
	if err != nil {
		return nil, "", err
	}
	unit, err := org.GetUnit(ctx, tx, f.UnitID)
	if err != nil {
		return nil, "", apperr.InvalidFields(map[string]string{"unit_id": "所在单位不存在"})
	}
	if !auth.Can(by, auth.ManageAccounts, unit.Path) {
		return nil, "", apperr.Forbiddenf("无权在“%s”新建账号", unit.Name)
	}
	if f.PersonID != 0 {
		if _, err := org.GetPerson(ctx, tx, f.PersonID); err != nil {
			return nil, "", apperr.InvalidFields(map[string]string{"person_id": "对应人员不存在"})
		}
	}
	sec, err := LoadSecurity(ctx, tx)
	if err != nil {
		return nil, "", err
	}
	pw := in.Password
	if pw == "" {
		pw = RandomPassword(sec.PasswordMinLength)
	} else if msg := CheckStrength(sec, f.Username, pw); msg != "" {
		return nil, "", apperr.InvalidFields(map[string]string{"password": msg})
	}
	hash, err := HashPassword(pw)
	if err != nil {
		return nil, "", err
	}
	now := db.Time(tx.Now())
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO users (username, display_name, person_id, unit_id, password_hash,
		password_changed_at, must_change_password, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, TRUE, $6, $6) RETURNING id`,
		f.Username, f.DisplayName, nullID(f.PersonID), f.UnitID, hash, now).Scan(&id)
	if db.IsUnique(err) {
		return nil, "", apperr.InvalidFields(map[string]string{"username": "该用户名已被使用（不区分大小写）"})
	}
	if err != nil {
		return nil, "", fmt.Errorf("account.Create: %w", err)
	}
	if err := rememberPassword(ctx, tx, id, hash); err != nil {
		return nil, "", err
	}
	u, err := Get(ctx, tx, id)
	if err != nil {
		return nil, "", err
	}
	return u, pw, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.UserCreated, ObjectType: "user",
		ObjectID: id, ObjectName: u.Username, After: u.snapshot()})
}

// Update changes an account's name, unit and linked person.
func Update(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, in Input) (*User, error) {
	old, err := Get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !auth.Can(by, auth.ManageAccounts, old.UnitPath) {
		return nil, apperr.Forbiddenf("无权修改该账号")
	}
	if err := separateAdmins(by, old); err != nil {
		return nil, err
	}
	f, err := in.validate(false)
	if err != nil {
		return nil, err
	}
	unit, err := org.GetUnit(ctx, tx, f.UnitID)
	if err != nil {
		return nil, apperr.InvalidFields(map[string]string{"unit_id": "所在单位不存在"})
	}
	if !auth.Can(by, auth.ManageAccounts, unit.Path) {
		return nil, apperr.Forbiddenf("无权把账号调到“%s”", unit.Name)
	}
	if f.PersonID != 0 {
		if _, err := org.GetPerson(ctx, tx, f.PersonID); err != nil {
			return nil, apperr.InvalidFields(map[string]string{"person_id": "对应人员不存在"})
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE users SET display_name = $1, unit_id = $2, person_id = $3, updated_at = $4 WHERE id = $5`,
		f.DisplayName, f.UnitID, nullID(f.PersonID), db.Time(tx.Now()), id)
	if err != nil {
		return nil, fmt.Errorf("account.Update: %w", db.Translate(err))
	}
	u, err := Get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return u, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.UserUpdated, ObjectType: "user",
		ObjectID: id, ObjectName: u.Username, Before: old.snapshot(), After: u.snapshot()})
}

// SetDisabled disables (ending all of the user's sessions at once) or re-enables an account.
func SetDisabled(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, disabled bool) (*User, error) {
	u, err := Get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !auth.Can(by, auth.ManageAccounts, u.UnitPath) {
		return nil, apperr.Forbiddenf("无权停用或启用该账号")
	}
	if err := separateAdmins(by, u); err != nil {
		return nil, err
	}
	if by.UserID == id && disabled {
		return nil, apperr.Invalidf("不能停用自己的账号")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3`, disabled, db.Time(tx.Now()), id); err != nil {
		return nil, err
	}
	action := audit.UserEnabled
	if disabled {
		action = audit.UserDisabled
		if err := deleteSessions(ctx, tx, id, ""); err != nil {
			return nil, err
		}
		if err := revokeTokens(ctx, tx, by, u, "账号停用"); err != nil {
			return nil, err
		}
	}
	u.Disabled = disabled
	return u, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: action, ObjectType: "user", ObjectID: id, ObjectName: u.Username})
}

// ResetPassword sets a new temporary password (generated) that must be
// changed at the next sign-in, clears a lockout and ends the user's sessions.
func ResetPassword(ctx context.Context, tx *db.Tx, by auth.Actor, id int64) (string, error) {
	u, err := Get(ctx, tx, id)
	if err != nil {
		return "", err
	}
	if !auth.Can(by, auth.ManageAccounts, u.UnitPath) {
		return "", apperr.Forbiddenf("无权重置该账号的密码")
	}
	if err := separateAdmins(by, u); err != nil {
		return "", err
	}
	sec, err := LoadSecurity(ctx, tx)
	if err != nil {
		return "", err
	}
	pw := RandomPassword(sec.PasswordMinLength)
	hash, err := HashPassword(pw)
	if err != nil {
		return "", err
	}
	_, err = tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, password_changed_at = $2, must_change_password = TRUE,
		failed_logins = 0, locked_until = '', updated_at = $2 WHERE id = $3`, hash, db.Time(tx.Now()), id)
	if err != nil {
		return "", err
	}
	if err := rememberPassword(ctx, tx, id, hash); err != nil {
		return "", err
	}
	if err := deleteSessions(ctx, tx, id, ""); err != nil {
		return "", err
	}
	if err := revokeTokens(ctx, tx, by, u, "密码被重置"); err != nil {
		return "", err
	}
	return pw, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.PasswordReset, ObjectType: "user", ObjectID: id, ObjectName: u.Username})
}

// SetPassword is for the command line (`guatu user passwd`): it sets the given
// password, which must meet the policy, and forces a change at next sign-in
// unless keep is set.
func SetPassword(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, pw string, mustChange bool) error {
	u, err := Get(ctx, tx, id)
	if err != nil {
		return err
	}
	if !auth.Can(by, auth.ManageAccounts, u.UnitPath) {
		return apperr.Forbiddenf("无权设置该账号的密码")
	}
	if err := separateAdmins(by, u); err != nil {
		return err
	}
	sec, err := LoadSecurity(ctx, tx)
	if err != nil {
		return err
	}
	if msg := CheckStrength(sec, u.Username, pw); msg != "" {
		return apperr.InvalidFields(map[string]string{"password": msg})
	}
	hash, err := HashPassword(pw)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, password_changed_at = $2, must_change_password = $3,
		failed_logins = 0, locked_until = '', updated_at = $2 WHERE id = $4`, hash, db.Time(tx.Now()), mustChange, id)
	if err != nil {
		return err
	}
	if err := rememberPassword(ctx, tx, id, hash); err != nil {
		return err
	}
	if err := deleteSessions(ctx, tx, id, ""); err != nil {
		return err
	}
	if err := revokeTokens(ctx, tx, by, u, "密码被重置"); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.PasswordReset, ObjectType: "user", ObjectID: id, ObjectName: u.Username})
}

// Unlock clears a lockout before it runs out.
func Unlock(ctx context.Context, tx *db.Tx, by auth.Actor, id int64) error {
	u, err := Get(ctx, tx, id)
	if err != nil {
		return err
	}
	if !auth.Can(by, auth.ManageAccounts, u.UnitPath) && !auth.Can(by, auth.ManageSecurity, u.UnitPath) {
		return apperr.Forbiddenf("无权解除该账号的锁定")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = '', updated_at = $1 WHERE id = $2`, db.Time(tx.Now()), id); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.UserUnlocked, ObjectType: "user", ObjectID: id, ObjectName: u.Username})
}

// ChangePassword is the user changing their own password: the current one
// must be right, the new one must meet the policy and not be one of the
// last N. Other sessions of the user end; the current one (keepSession) stays.
func ChangePassword(ctx context.Context, tx *db.Tx, by auth.Actor, current, next, confirm, keepSessionHash string) error {
	u, err := Get(ctx, tx, by.UserID)
	if err != nil {
		return err
	}
	var f apperr.Fields
	if !CheckPassword(u.PasswordHash, current) {
		return &apperr.Error{Kind: apperr.Invalid, Msg: "请检查填写的内容", Fields: map[string]string{"current": "当前密码不正确"}, Err: ErrWrongPassword}
	}
	sec, err := LoadSecurity(ctx, tx)
	if err != nil {
		return err
	}
	if msg := CheckStrength(sec, u.Username, next); msg != "" {
		f.Add("password", msg)
	} else if next != confirm {
		f.Add("confirm", "两次输入的新密码不一致")
	} else if next == current {
		f.Add("password", "新密码不能与当前密码相同")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if sec.PasswordHistory > 0 {
		rows, err := tx.QueryContext(ctx, `SELECT hash FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2`, u.ID, sec.PasswordHistory)
		if err != nil {
			return err
		}
		var old []string
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return err
			}
			old = append(old, h)
		}
		rows.Close()
		for _, h := range old {
			if CheckPassword(h, next) {
				return apperr.InvalidFields(map[string]string{"password": fmt.Sprintf("不能使用最近 %d 次用过的密码", sec.PasswordHistory)})
			}
		}
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, password_changed_at = $2, must_change_password = FALSE,
		updated_at = $2 WHERE id = $3`, hash, db.Time(tx.Now()), u.ID)
	if err != nil {
		return err
	}
	if err := rememberPassword(ctx, tx, u.ID, hash); err != nil {
		return err
	}
	if err := deleteSessions(ctx, tx, u.ID, keepSessionHash); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.PasswordChanged, ObjectType: "user", ObjectID: u.ID, ObjectName: u.Username})
}

func rememberPassword(ctx context.Context, tx *db.Tx, userID int64, hash string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO password_history (user_id, hash, created_at) VALUES ($1, $2, $3)`, userID, hash, db.Time(tx.Now()))
	if err != nil {
		return err
	}
	// Keep the last 24 at most (the highest history setting allowed).
	_, err = tx.ExecContext(ctx, `DELETE FROM password_history WHERE user_id = $1 AND id NOT IN
		(SELECT id FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT 24)`, userID)
	return err
}

// Grant gives a user a role on a unit. Only the security administrator
// grants roles, and no account may hold two of the three administrator roles.
func Grant(ctx context.Context, tx *db.Tx, by auth.Actor, userID int64, role auth.Role, unitID int64) error {
	if !role.Valid() {
		return apperr.InvalidFields(map[string]string{"role": "请选择角色"})
	}
	u, err := Get(ctx, tx, userID)
	if err != nil {
		return err
	}
	unit, err := org.GetUnit(ctx, tx, unitID)
	if err != nil {
		return apperr.InvalidFields(map[string]string{"unit_id": "请选择授权范围（单位）"})
	}
	if !auth.Can(by, auth.GrantRoles, unit.Path) || !auth.Can(by, auth.GrantRoles, u.UnitPath) {
		return apperr.Forbiddenf("无权在“%s”范围内给该账号授予角色", unit.Name)
	}
	if by.UserID == userID && !by.System {
		return apperr.Forbiddenf("不能给自己授予角色")
	}
	if role.IsAdmin() {
		for _, g := range u.Grants {
			if g.Role.IsAdmin() && g.Role != role {
				return apperr.InvalidFields(map[string]string{"role": fmt.Sprintf("该账号已是%s；系统管理员、安全管理员、审计管理员不能由同一账号兼任（三员分立）", g.Role.Label())})
			}
		}
	}
	for _, g := range u.Grants {
		if g.Role == role && g.UnitID == unitID {
			return apperr.InvalidFields(map[string]string{"role": "该账号已有这个角色"})
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO role_grants (user_id, role, unit_id, created_at) VALUES ($1, $2, $3, $4)`,
		userID, string(role), unitID, db.Time(tx.Now()))
	if err != nil {
		return fmt.Errorf("account.Grant: %w", db.Translate(err))
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.RoleGranted, ObjectType: "user", ObjectID: userID,
		ObjectName: u.Username, After: map[string]string{"角色": role.Label(), "范围": unit.Name}})
}

// Revoke removes a role grant.
func Revoke(ctx context.Context, tx *db.Tx, by auth.Actor, userID int64, role auth.Role, unitID int64) error {
	u, err := Get(ctx, tx, userID)
	if err != nil {
		return err
	}
	unit, err := org.GetUnit(ctx, tx, unitID)
	if err != nil {
		return err
	}
	if !auth.Can(by, auth.GrantRoles, unit.Path) || !auth.Can(by, auth.GrantRoles, u.UnitPath) {
		return apperr.Forbiddenf("无权撤销该账号在“%s”范围内的角色", unit.Name)
	}
	if by.UserID == userID && !by.System {
		return apperr.Forbiddenf("不能撤销自己的角色")
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM role_grants WHERE user_id = $1 AND role = $2 AND unit_id = $3`, userID, string(role), unitID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("该账号没有这个角色")
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.RoleRevoked, ObjectType: "user", ObjectID: userID,
		ObjectName: u.Username, Before: map[string]string{"角色": role.Label(), "范围": unit.Name}})
}

// CountUsers counts accounts, for the first-run check.
func CountUsers(ctx context.Context, q db.Querier) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

const userColumns = `us.id, us.username, us.display_name, COALESCE(us.person_id, 0), us.unit_id, un.name, un.path,
	us.password_hash, us.password_changed_at, us.must_change_password, us.failed_logins, us.locked_until,
	us.last_login_at, us.last_login_ip, us.prev_login_at, us.prev_login_ip, us.totp_secret, us.totp_enabled, us.totp_last_step, us.disabled,
	us.created_at, us.updated_at`

func scanUser(s interface{ Scan(...any) error }) (*User, error) {
	var u User
	err := s.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PersonID, &u.UnitID, &u.UnitName, &u.UnitPath,
		&u.PasswordHash, (*db.Time)(&u.PasswordChangedAt), &u.MustChangePassword, &u.FailedLogins, (*db.Time)(&u.LockedUntil),
		(*db.Time)(&u.LastLoginAt), &u.LastLoginIP, (*db.Time)(&u.PrevLoginAt), &u.PrevLoginIP, &u.TOTPSecret, &u.TOTPEnabled, &u.TOTPLastStep, &u.Disabled,
		(*db.Time)(&u.CreatedAt), (*db.Time)(&u.UpdatedAt))
	return &u, err
}
