package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"guatu/account"
	"guatu/apperr"
	"guatu/auth"
	"guatu/db"
	"guatu/org"
)

// Accounts, role grants and security settings: the pages of the system
// administrator (accounts) and the security administrator (grants, settings,
// ending sessions). Every permission is checked by the account package; the
// pages only hide what the actor cannot do.

// option is one entry of a select.

func roleOptions() []option {
	out := make([]option, len(auth.Roles))
	for i, r := range auth.Roles {
		label := r.Label()
		if r.IsAdmin() {
			label += "（三员）"
		}
		out[i] = option{Value: string(r), Label: label}
	}
	return out
}

type userListPage struct {
	Base
	Query    string
	Disabled bool
	Users    []*account.User
	Now      time.Time
}

func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := userListPage{Base: s.base(r, "账号与角色", "users"), Query: strings.TrimSpace(q.Get("q")),
		Disabled: q.Get("disabled") == "1", Now: s.db.Now()}
	var err error
	p.Users, err = account.List(r.Context(), s.db, actor(r), account.Filter{Query: p.Query, IncludeDisabled: p.Disabled})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "user_list", p)
}

type userFormPage struct {
	Base
	ID       int64 // 0 when creating
	Username string
	Input    account.Input
	Units    []unitOption
	People   []option
	Errors   map[string]string
	Error    string
}

// userForm fills the unit and person choices of the account form: the units
// where the actor may keep accounts, and the people they can see.
func (s *Server) userForm(ctx context.Context, a auth.Actor, p *userFormPage) error {
	var err error
	if p.Units, err = s.unitChoices(ctx, a, func(u *org.Unit) bool { return !u.Disabled && auth.Can(a, auth.ManageAccounts, u.Path) }); err != nil {
		return err
	}
	people, _, err := org.People(ctx, s.db, a, org.PeopleFilter{})
	if err != nil {
		return err
	}
	for _, x := range people {
		label := x.Name + " · " + x.UnitName
		if x.Position != "" {
			label += " · " + x.Position
		}
		p.People = append(p.People, option{Value: strconv.FormatInt(x.ID, 10), Label: label})
	}
	return nil
}

func (s *Server) userNew(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if err := account.RequireManager(a); err != nil {
		return err
	}
	p := userFormPage{Base: s.base(r, "新建账号", "users")}
	if err := s.userForm(r.Context(), a, &p); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "user_form", p)
}

func accountInput(r *http.Request) account.Input {
	return account.Input{
		Username:    r.PostFormValue("username"),
		DisplayName: r.PostFormValue("display_name"),
		UnitID:      r.PostFormValue("unit_id"),
		PersonID:    r.PostFormValue("person_id"),
		Password:    r.PostFormValue("password"),
	}
}

type userPasswordPage struct {
	Base
	U        *account.User
	Password string
	Reset    bool
}

// userCreate adds an account. The password (typed, or generated when left
// empty) is shown once on the result page, which is rendered rather than
// redirected to so that it is never stored anywhere to show again.
func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	in := accountInput(r)
	var u *account.User
	var pw string
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		u, pw, err = account.Create(r.Context(), tx, a, in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		in.Password = ""
		p := userFormPage{Base: s.base(r, "新建账号", "users"), Input: in, Errors: fields, Error: msg}
		if err := s.userForm(r.Context(), a, &p); err != nil {
			return err
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "user_form", p)
	}
	if err != nil {
		return err
	}
	p := userPasswordPage{Base: s.base(r, "账号已创建", "users"), U: u}
	if in.Password == "" {
		p.Password = pw // only a generated password is shown: a typed one is already known
	}
	return s.render(w, r, http.StatusOK, "user_password", p)
}

type userShowPage struct {
	Base
	U           *account.User
	Person      *org.Person
	Now         time.Time
	Locked      bool
	Self        bool
	Sessions    []*account.Session
	Roles       []option
	GrantUnits  []unitOption
	GrantRole   string
	GrantUnit   string
	GrantErrors map[string]string
	GrantError  string
}

// userShowData builds the account page: details, grants, the grant form's
// choices and the active sessions.
func (s *Server) userShowData(r *http.Request, id int64) (userShowPage, error) {
	ctx := r.Context()
	a := actor(r)
	u, err := account.View(ctx, s.db, a, id)
	if err != nil {
		return userShowPage{}, err
	}
	p := userShowPage{Base: s.base(r, u.DisplayName+"（"+u.Username+"）", "users"), U: u, Now: s.db.Now(),
		Self: u.ID == a.UserID, GrantUnit: strconv.FormatInt(u.UnitID, 10)}
	p.Locked = u.Locked(p.Now)
	if u.PersonID != 0 {
		if p.Person, err = org.GetPerson(ctx, s.db, u.PersonID); err != nil && apperr.KindOf(err) != apperr.NotFound {
			return p, err
		}
	}
	if p.Sessions, err = account.Sessions(ctx, s.db, u.ID); err != nil {
		return p, err
	}
	if auth.CanAnywhere(a, auth.GrantRoles) {
		p.Roles = roleOptions()
		if p.GrantUnits, err = s.unitChoices(ctx, a, func(x *org.Unit) bool { return !x.Disabled && auth.Can(a, auth.GrantRoles, x.Path) }); err != nil {
			return p, err
		}
	}
	return p, nil
}

func (s *Server) userShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.userShowData(r, id)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "user_show", p)
}

func (s *Server) userEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := actor(r)
	u, err := account.Edit(r.Context(), s.db, a, id)
	if err != nil {
		return err
	}
	p := userFormPage{Base: s.base(r, "修改账号", "users"), ID: id, Username: u.Username, Input: account.Input{
		DisplayName: u.DisplayName, UnitID: strconv.FormatInt(u.UnitID, 10), PersonID: strconv.FormatInt(u.PersonID, 10)}}
	if err := s.userForm(r.Context(), a, &p); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "user_form", p)
}

func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := actor(r)
	in := accountInput(r)
	in.Password = ""
	var u *account.User
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		u, err = account.Update(r.Context(), tx, a, id, in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		old, err := account.View(r.Context(), s.db, a, id)
		if err != nil {
			return err
		}
		p := userFormPage{Base: s.base(r, "修改账号", "users"), ID: id, Username: old.Username, Input: in, Errors: fields, Error: msg}
		if err := s.userForm(r.Context(), a, &p); err != nil {
			return err
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "user_form", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, userURL(u.ID), "账号已保存")
}

func userURL(id int64) string { return "/admin/users/" + strconv.FormatInt(id, 10) }

// backToUser ends a button action on an account page. A refusal the user
// can understand (such as disabling their own account) goes back to the
// page as a red message instead of an error page.
func (s *Server) backToUser(w http.ResponseWriter, r *http.Request, id int64, err error, done string) error {
	if ae, ok := apperr.As(err); ok && ae.Kind == apperr.Invalid {
		msg := ae.Msg
		for _, m := range ae.Fields {
			msg = m
		}
		s.setFlash(w, r, msg, true)
		http.Redirect(w, r, userURL(id), http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, userURL(id), done)
}

func (s *Server) setUserDisabled(w http.ResponseWriter, r *http.Request, disabled bool) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var u *account.User
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		u, err = account.SetDisabled(r.Context(), tx, actor(r), id, disabled)
		return err
	})
	done := ""
	if err == nil {
		done = "账号 " + u.Username + " 已启用"
		if disabled {
			done = "账号 " + u.Username + " 已停用，其所有登录会话已结束"
		}
	}
	return s.backToUser(w, r, id, err, done)
}

func (s *Server) userDisable(w http.ResponseWriter, r *http.Request) error {
	return s.setUserDisabled(w, r, true)
}

func (s *Server) userEnable(w http.ResponseWriter, r *http.Request) error {
	return s.setUserDisabled(w, r, false)
}

// userReset sets a new temporary password and shows it once, like userCreate.
func (s *Server) userReset(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := actor(r)
	var pw string
	var u *account.User
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		if pw, err = account.ResetPassword(r.Context(), tx, a, id); err != nil {
			return err
		}
		u, err = account.Get(r.Context(), tx, id)
		return err
	})
	if err != nil {
		return s.backToUser(w, r, id, err, "")
	}
	return s.render(w, r, http.StatusOK, "user_password", userPasswordPage{Base: s.base(r, "密码已重置", "users"), U: u, Password: pw, Reset: true})
}

func (s *Server) userUnlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		return account.Unlock(r.Context(), tx, actor(r), id)
	})
	return s.backToUser(w, r, id, err, "已解除锁定")
}

func (s *Server) userTOTPReset(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		return account.ResetTOTP(r.Context(), tx, actor(r), id)
	})
	return s.backToUser(w, r, id, err, "已重置动态口令，该账号下次登录时须重新绑定（管理员账号）或可自行重新启用")
}

// grantForm reads the role and scope fields of the grant and revoke forms.
func grantForm(r *http.Request) (auth.Role, int64, string, string) {
	role, unit := strings.TrimSpace(r.PostFormValue("role")), strings.TrimSpace(r.PostFormValue("unit_id"))
	unitID, _ := strconv.ParseInt(unit, 10, 64) // 0 is refused by the domain as "请选择授权范围"
	return auth.Role(role), unitID, role, unit
}

// userGrant grants a role. A refusal (三员分立, a duplicate) re-renders the
// account page with the message beside the grant form.
func (s *Server) userGrant(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	role, unitID, roleText, unitText := grantForm(r)
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		return account.Grant(r.Context(), tx, actor(r), id, role, unitID)
	})
	if fields, msg, ok := invalid(err); ok {
		p, err := s.userShowData(r, id)
		if err != nil {
			return err
		}
		p.GrantRole, p.GrantUnit, p.GrantErrors, p.GrantError = roleText, unitText, fields, msg
		return s.render(w, r, http.StatusUnprocessableEntity, "user_show", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, userURL(id), "已授予角色："+role.Label())
}

func (s *Server) userRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	role, unitID, _, _ := grantForm(r)
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		return account.Revoke(r.Context(), tx, actor(r), id, role, unitID)
	})
	return s.backToUser(w, r, id, err, "已撤销角色："+role.Label())
}

// adminSessionRevoke is the security administrator ending another user's
// session (the account package refuses anyone else's but one's own).
func (s *Server) adminSessionRevoke(w http.ResponseWriter, r *http.Request) error {
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		return account.RevokeSession(r.Context(), tx, actor(r), r.PostFormValue("session"))
	})
	if err != nil {
		return err
	}
	back := "/admin/users"
	if id, err := strconv.ParseInt(r.PostFormValue("user_id"), 10, 64); err == nil && id > 0 {
		back = userURL(id)
	}
	return s.redirect(w, r, back, "该会话已结束，对方须重新登录")
}

// securitySetting is one setting on the form: the account catalog's entry
// with its range and default written out for the reader.
type securitySetting struct {
	account.SecuritySetting
	Range   string
	Default string
}

type securityGroup struct {
	Title    string
	Settings []securitySetting
}

// securityGroups is the settings form, built from account.SecuritySettings
// so the ranges shown are the ones the server enforces.
func securityGroups() []securityGroup {
	def := account.DefaultSecurity().Form()
	var out []securityGroup
	for _, g := range account.SecuritySettings() {
		sg := securityGroup{Title: g.Title}
		for _, st := range g.Settings {
			x := securitySetting{SecuritySetting: st}
			switch v := def[st.Key]; {
			case st.Check && v != "":
				x.Default = "开启"
			case st.Check:
				x.Default = "关闭"
			default:
				x.Default = v + " " + st.Unit
				x.Range = fmt.Sprintf("%d–%d", st.Min, st.Max)
				if st.Note != "" {
					x.Range += "，" + st.Note
				}
			}
			sg.Settings = append(sg.Settings, x)
		}
		out = append(out, sg)
	}
	return out
}

// securityLabels maps each setting key to its Chinese name, for the audit
// page where the settings' before and after are shown.
func securityLabels() map[string]string {
	out := map[string]string{}
	for _, g := range securityGroups() {
		for _, st := range g.Settings {
			out[st.Key] = st.Label
		}
	}
	return out
}

type securityPage struct {
	Base
	Groups []securityGroup
	Values account.SecurityInput
	Errors map[string]string
	Error  string
}

func (s *Server) securityForm(w http.ResponseWriter, r *http.Request) error {
	sec, err := account.ViewSecurity(r.Context(), s.db, actor(r))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "security", securityPage{Base: s.base(r, "安全设置", "security"),
		Groups: securityGroups(), Values: sec.Form()})
}

func (s *Server) securitySave(w http.ResponseWriter, r *http.Request) error {
	groups := securityGroups()
	in := account.SecurityInput{}
	for _, g := range groups {
		for _, st := range g.Settings {
			v := strings.TrimSpace(r.PostFormValue(st.Key))
			if st.Check && v != "" {
				v = "on"
			}
			in[st.Key] = v
		}
	}
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		_, err := account.SaveSecurity(r.Context(), tx, actor(r), in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		return s.render(w, r, http.StatusUnprocessableEntity, "security", securityPage{Base: s.base(r, "安全设置", "security"),
			Groups: groups, Values: in, Errors: fields, Error: msg})
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/admin/security", "安全设置已保存，新的规则立即生效")
}
