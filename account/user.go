package account

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"guatu/apperr"
	"guatu/auth"
	"guatu/db"
)

// User is an account.
type User struct {
	ID                 int64
	Username           string
	DisplayName        string
	PersonID           int64
	UnitID             int64
	UnitName           string
	UnitPath           string
	PasswordHash       string
	PasswordChangedAt  time.Time
	MustChangePassword bool
	FailedLogins       int
	LockedUntil        time.Time
	LastLoginAt        time.Time // the current (most recent) sign-in
	LastLoginIP        string
	PrevLoginAt        time.Time // the one before it, shown as 上次登录
	PrevLoginIP        string
	TOTPSecret         string
	TOTPEnabled        bool
	TOTPLastStep       int64
	Disabled           bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Grants             []auth.Grant
}

// Locked reports whether the account is locked at now.
func (u *User) Locked(now time.Time) bool { return u.LockedUntil.After(now) }

// PasswordExpired reports whether the password is older than the policy allows.
func (u *User) PasswordExpired(s Security, now time.Time) bool {
	return s.PasswordExpiryDays > 0 && now.Sub(u.PasswordChangedAt) > time.Duration(s.PasswordExpiryDays)*24*time.Hour
}

// IsAdmin reports whether the user holds an administrator role.
func (u *User) IsAdmin() bool {
	for _, g := range u.Grants {
		if g.Role.IsAdmin() {
			return true
		}
	}
	return false
}

// snapshot is what the audit trail keeps of an account: no secrets.
func (u *User) snapshot() map[string]any {
	roles := make([]string, len(u.Grants))
	for i, g := range u.Grants {
		roles[i] = g.Role.Label() + "@" + g.UnitName
	}
	return map[string]any{"用户名": u.Username, "姓名": u.DisplayName, "单位": u.UnitName, "停用": u.Disabled,
		"动态口令": u.TOTPEnabled, "角色": roles}
}

// Actor builds the acting identity of a user for one request.
func (u *User) Actor(ip, requestID, origin string) auth.Actor {
	return auth.Actor{UserID: u.ID, Username: u.Username, Name: u.DisplayName, UnitID: u.UnitID, UnitName: u.UnitName,
		PersonID: u.PersonID, Grants: u.Grants, IP: ip, RequestID: requestID, Origin: origin}
}

// FoldUsername is the canonical form of a username: trimmed and lower-case,
// so "Zhang" and "zhang" are one account.
func FoldUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

var usernamePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{2,31}$`)

// Filter narrows the account list.
type Filter struct {
	Query           string
	IncludeDisabled bool
}

// View returns an account if the actor may see it.
func View(ctx context.Context, q db.Querier, by auth.Actor, id int64) (*User, error) {
	u, err := Get(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !auth.Can(by, auth.ViewAccounts, u.UnitPath) && by.UserID != id {
		return nil, apperr.NotFoundf("账号不存在")
	}
	return u, nil
}

// Input is the account form as typed.
type Input struct {
	Username    string
	DisplayName string
	UnitID      string
	PersonID    string
	Password    string // on create; empty means generate a temporary one
}

type fields struct {
	Username    string
	DisplayName string
	UnitID      int64
	PersonID    int64
}

func (in Input) validate(creating bool) (fields, error) {
	var f apperr.Fields
	var out fields
	if creating {
		out.Username = FoldUsername(in.Username)
		if !usernamePattern.MatchString(out.Username) {
			f.Add("username", "用户名为3到32位，以字母开头，可含字母、数字和 . _ -")
		}
	}
	out.DisplayName = strings.TrimSpace(in.DisplayName)
	if n := utf8.RuneCountInString(out.DisplayName); n == 0 || n > 20 {
		f.Add("display_name", "请填写姓名（不超过20个字）")
	}
	id, err := strconv.ParseInt(strings.TrimSpace(in.UnitID), 10, 64)
	if err != nil || id <= 0 {
		f.Add("unit_id", "请选择所在单位")
	}
	out.UnitID = id
	if s := strings.TrimSpace(in.PersonID); s != "" && s != "0" {
		pid, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			f.Add("person_id", "对应人员无效")
		}
		out.PersonID = pid
	}
	return out, f.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// separateAdmins refuses when the target account holds an administrator role
// other than one the actor holds: the system administrator must not be able
// to take over the security administrator's or the auditor's account by
// resetting its password (三员分立). The command line (System) may, for recovery.
func separateAdmins(by auth.Actor, u *User) error {
	if by.System {
		return nil
	}
	for _, g := range u.Grants {
		if g.Role.IsAdmin() && !by.HasRole(g.Role) {
			return apperr.Forbiddenf("该账号是%s；按三员分立，不能由其他管理员修改、停用或重置密码（如需恢复，请在服务器上用 guatu user 命令）", g.Role.Label())
		}
	}
	return nil
}

// Edit returns an account for its edit form: NotFound outside the actor's
// view, Forbidden when they may see but not manage it.
func Edit(ctx context.Context, q db.Querier, by auth.Actor, id int64) (*User, error) {
	u, err := View(ctx, q, by, id)
	if err != nil {
		return nil, err
	}
	if !auth.Can(by, auth.ManageAccounts, u.UnitPath) {
		return nil, apperr.Forbiddenf("无权修改该账号")
	}
	return u, nil
}

// RequireManager refuses an actor who may create no account anywhere (asked by the empty form).
func RequireManager(by auth.Actor) error {
	if !auth.CanAnywhere(by, auth.ManageAccounts) {
		return apperr.Forbiddenf("只有系统管理员可以新建账号")
	}
	return nil
}
