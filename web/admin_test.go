package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"guatu/account"
	"guatu/audit"
	"guatu/auth"
	"guatu/web/webtest"
)

var oneTimePassword = regexp.MustCompile(`one-time-secret">([^<]+)<`)

// shownPassword is the temporary password on a result page ("" if none).
func shownPassword(res *webtest.Response) string {
	m := oneTimePassword.FindStringSubmatch(res.Body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func userPath(u *account.User) string { return fmt.Sprintf("/admin/users/%d", u.ID) }

// auditCount counts the records of one action (read as the system).
func auditCount(t *testing.T, env *webtest.Env, action audit.Action) int {
	t.Helper()
	_, n, err := audit.List(context.Background(), env.DB, auth.SystemActor("test"), audit.Filter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUserCreate_ShowsTheGeneratedPasswordOnceAndForcesAChange(t *testing.T) {
	env := webtest.New(t)
	admin := env.Login(t, "sysadmin")

	if res := admin.Get(t, "/admin/users/new"); res.Status != http.StatusOK || !res.Contains("新建账号") {
		t.Fatalf("GET new = %d %s", res.Status, res.Text())
	}
	res := admin.PostForm(t, "/admin/users", url.Values{
		"username": {"Xiaoli"}, "display_name": {"小李"}, "unit_id": {fmt.Sprint(env.Units.Econ.ID)}, "password": {""},
	})
	if res.Status != http.StatusOK {
		t.Fatalf("create = %d %s", res.Status, res.Text())
	}
	pw := shownPassword(res)
	if len(pw) < 12 || !res.Contains("临时密码只显示这一次") {
		t.Fatalf("no one-time password shown: %q %s", pw, res.Text())
	}
	u, err := account.ByUsername(context.Background(), env.DB, "xiaoli")
	if err != nil {
		t.Fatal(err)
	}
	if u.DisplayName != "小李" || u.UnitID != env.Units.Econ.ID || !u.MustChangePassword {
		t.Errorf("stored user = %+v", u)
	}

	// Shown once: the account page does not show it again.
	page := admin.Get(t, userPath(u))
	if page.Status != http.StatusOK || strings.Contains(page.Body, html.EscapeString(pw)) || strings.Contains(page.Body, pw) {
		t.Errorf("account page status %d shows the password again", page.Status)
	}

	// The same name in another case is the same account.
	dup := admin.PostForm(t, "/admin/users", url.Values{
		"username": {"XIAOLI"}, "display_name": {"另一个小李"}, "unit_id": {fmt.Sprint(env.Units.Econ.ID)},
	})
	if dup.Status != http.StatusUnprocessableEntity || !dup.Contains("该用户名已被使用（不区分大小写）") {
		t.Fatalf("duplicate = %d %s", dup.Status, dup.Text())
	}
	if !strings.Contains(dup.Body, `value="另一个小李"`) {
		t.Errorf("the form did not keep what was typed")
	}

	// First sign-in with the temporary password goes to the password change.
	c := env.Anonymous(t)
	login := c.PostForm(t, "/login", url.Values{"username": {"xiaoli"}, "password": {pw}})
	if login.Status != http.StatusSeeOther || login.Location != "/" {
		t.Fatalf("login = %d %q %s", login.Status, login.Location, login.Text())
	}
	if home := c.Get(t, "/"); home.Status != http.StatusSeeOther || home.Location != "/me/password" {
		t.Errorf("GET / after first login = %d %q, want 303 /me/password", home.Status, home.Location)
	}
}

func TestUserCreate_TypedPasswordMustMeetThePolicy(t *testing.T) {
	env := webtest.New(t)
	admin := env.Login(t, "sysadmin")
	res := admin.PostForm(t, "/admin/users", url.Values{
		"username": {"xiaowang"}, "display_name": {"小王"}, "unit_id": {fmt.Sprint(env.Units.Econ.ID)}, "password": {"short"},
	})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("密码至少 12 个字符") {
		t.Fatalf("weak password = %d %s", res.Status, res.Text())
	}
	if strings.Contains(res.Body, `value="short"`) {
		t.Error("the typed password was echoed back into the form")
	}
}

func TestUserPages_OnlyForAccountAdministrators(t *testing.T) {
	env := webtest.New(t)
	staff := env.Login(t, "staff")
	for _, p := range []string{"/admin/users", "/admin/users/new", userPath(env.Users["chief"])} {
		res := staff.Get(t, p)
		if res.Status != http.StatusForbidden && res.Status != http.StatusNotFound {
			t.Errorf("staff GET %s = %d", p, res.Status)
		}
	}
	sec := env.Login(t, "secadmin")
	if res := sec.Get(t, "/admin/users"); res.Status != http.StatusOK || !res.Contains("chief") {
		t.Errorf("secadmin list = %d", res.Status)
	}
	res := sec.PostForm(t, "/admin/users", url.Values{"username": {"abc"}, "display_name": {"甲"}, "unit_id": {fmt.Sprint(env.Units.Town.ID)}})
	if res.Status != http.StatusForbidden {
		t.Errorf("secadmin create = %d, want 403", res.Status)
	}
}

func TestUserList_SearchAndStatus(t *testing.T) {
	env := webtest.New(t)
	// Lock staff with five wrong passwords.
	c := env.Anonymous(t)
	for range 5 {
		c.PostForm(t, "/login", url.Values{"username": {"staff"}, "password": {"Wrong-password-99"}})
	}
	admin := env.Login(t, "sysadmin")
	res := admin.Get(t, "/admin/users?q=staff")
	if res.Status != http.StatusOK {
		t.Fatalf("list = %d", res.Status)
	}
	if !res.Contains("钱经办") || res.Contains("王书记") {
		t.Errorf("search for staff: %s", res.Text())
	}
	if !res.Contains("锁定至 2026-03-15 09:30") || !res.Contains("经办人") {
		t.Errorf("status or role missing: %s", res.Text())
	}

	// Unlock from the account page.
	staff := env.Users["staff"]
	if page := admin.Get(t, userPath(staff)); !page.Contains("解除锁定") {
		t.Fatalf("no unlock button: %s", page.Text())
	}
	if r := admin.PostForm(t, userPath(staff)+"/unlock", nil); r.Status != http.StatusSeeOther || r.Location != userPath(staff) {
		t.Fatalf("unlock = %d %q", r.Status, r.Location)
	}
	env.Login(t, "staff") // fails unless the sign-in is accepted
}

func TestUserUpdate_ChangesNameAndUnit(t *testing.T) {
	env := webtest.New(t)
	admin := env.Login(t, "sysadmin")
	staff := env.Users["staff"]
	if res := admin.Get(t, userPath(staff)+"/edit"); res.Status != http.StatusOK || !strings.Contains(res.Body, `value="钱经办"`) {
		t.Fatalf("edit form = %d", res.Status)
	}
	res := admin.PostForm(t, userPath(staff), url.Values{"display_name": {""}, "unit_id": {fmt.Sprint(env.Units.Office.ID)}})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("请填写姓名") {
		t.Fatalf("empty name = %d %s", res.Status, res.Text())
	}
	res = admin.PostForm(t, userPath(staff), url.Values{"display_name": {"钱新名"}, "unit_id": {fmt.Sprint(env.Units.Office.ID)},
		"person_id": {fmt.Sprint(env.Leader.ID)}})
	if res.Status != http.StatusSeeOther || res.Location != userPath(staff) {
		t.Fatalf("update = %d %q %s", res.Status, res.Location, res.Text())
	}
	u, err := account.Get(context.Background(), env.DB, staff.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.DisplayName != "钱新名" || u.UnitID != env.Units.Office.ID || u.PersonID != env.Leader.ID {
		t.Errorf("after update: %+v", u)
	}
}

func TestGrant_SecurityAdministratorGrantsAndRevokes(t *testing.T) {
	env := webtest.New(t)
	sec := env.Login(t, "secadmin")
	staff := env.Users["staff"]
	page := sec.Get(t, userPath(staff))
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `action="`+userPath(staff)+`/grants"`) {
		t.Fatalf("secadmin sees no grant form: %d", page.Status)
	}
	form := url.Values{"role": {string(auth.Viewer)}, "unit_id": {fmt.Sprint(env.Units.Town.ID)}}
	res := sec.PostForm(t, userPath(staff)+"/grants", form)
	if res.Status != http.StatusSeeOther || res.Location != userPath(staff) {
		t.Fatalf("grant = %d %q %s", res.Status, res.Location, res.Text())
	}
	u, _ := account.Get(context.Background(), env.DB, staff.ID)
	if len(u.Grants) != 2 || u.Grants[1].Role != auth.Viewer || u.Grants[1].UnitID != env.Units.Town.ID {
		t.Fatalf("grants = %+v", u.Grants)
	}
	if n := auditCount(t, env, audit.RoleGranted); n == 0 {
		t.Error("the grant was not audited")
	}
	// The flash names the role on the page the redirect leads to.
	if p := sec.Get(t, userPath(staff)); !p.Contains("已授予角色：查看") {
		t.Errorf("no confirmation: %s", p.Text())
	}

	res = sec.PostForm(t, userPath(staff)+"/revoke", form)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("revoke = %d %s", res.Status, res.Text())
	}
	u, _ = account.Get(context.Background(), env.DB, staff.ID)
	if len(u.Grants) != 1 {
		t.Errorf("after revoke: %+v", u.Grants)
	}
}

func TestGrant_SecondAdministratorRoleIsRefused(t *testing.T) {
	env := webtest.New(t)
	sec := env.Login(t, "secadmin")
	auditor := env.Users["auditor"]
	res := sec.PostForm(t, userPath(auditor)+"/grants", url.Values{"role": {string(auth.SecAdmin)}, "unit_id": {fmt.Sprint(env.Units.Town.ID)}})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("三员分立") || !res.Contains("该账号已是审计管理员") {
		t.Fatalf("second admin role = %d %s", res.Status, res.Text())
	}
	u, _ := account.Get(context.Background(), env.DB, auditor.ID)
	if len(u.Grants) != 1 {
		t.Errorf("grants changed: %+v", u.Grants)
	}
}

func TestGrant_SystemAdministratorCannotGrant(t *testing.T) {
	env := webtest.New(t)
	admin := env.Login(t, "sysadmin")
	staff := env.Users["staff"]
	if page := admin.Get(t, userPath(staff)); strings.Contains(page.Body, "/grants\"") || strings.Contains(page.Body, "/revoke\"") {
		t.Error("sysadmin is shown the grant or revoke form")
	}
	res := admin.PostForm(t, userPath(staff)+"/grants", url.Values{"role": {string(auth.Chief)}, "unit_id": {fmt.Sprint(env.Units.Town.ID)}})
	if res.Status != http.StatusForbidden {
		t.Fatalf("sysadmin grant = %d, want 403", res.Status)
	}
	res = admin.PostForm(t, userPath(staff)+"/revoke", url.Values{"role": {string(auth.Staff)}, "unit_id": {fmt.Sprint(env.Units.Econ.ID)}})
	if res.Status != http.StatusForbidden {
		t.Fatalf("sysadmin revoke = %d, want 403", res.Status)
	}
	u, _ := account.Get(context.Background(), env.DB, staff.ID)
	if len(u.Grants) != 1 || u.Grants[0].Role != auth.Staff {
		t.Errorf("grants changed: %+v", u.Grants)
	}
}

func TestSecurity_SaveAndRefuseOutOfRange(t *testing.T) {
	env := webtest.New(t)
	sec := env.Login(t, "secadmin")
	page := sec.Get(t, "/admin/security")
	if page.Status != http.StatusOK {
		t.Fatalf("GET = %d", page.Status)
	}
	for _, want := range []string{"审计记录保留天数", "网络安全法", "默认 365 天", "连续登录失败锁定次数", "三员必须使用动态口令"} {
		if !page.Contains(want) {
			t.Errorf("settings page lacks %q", want)
		}
	}

	cur, err := account.LoadSecurity(context.Background(), env.DB)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{}
	for k, v := range cur.Form() {
		if v != "" {
			form.Set(k, v)
		}
	}
	form.Set("lockout_threshold", "6")
	form.Set("idle_timeout_minutes", "20")
	res := sec.PostForm(t, "/admin/security", form)
	if res.Status != http.StatusSeeOther || res.Location != "/admin/security" {
		t.Fatalf("save = %d %q %s", res.Status, res.Location, res.Text())
	}
	got, _ := account.LoadSecurity(context.Background(), env.DB)
	if got.LockoutThreshold != 6 || got.IdleTimeoutMinutes != 20 || got.RequireAdminTOTP != cur.RequireAdminTOTP {
		t.Errorf("saved = %+v", got)
	}

	form.Set("audit_retention_days", "100")
	res = sec.PostForm(t, "/admin/security", form)
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("审计记录保留天数应为 184 到 3650 之间的整数") {
		t.Fatalf("retention 100 = %d %s", res.Status, res.Text())
	}
	if !strings.Contains(res.Body, `name="audit_retention_days" value="100"`) {
		t.Error("the form did not keep the typed value")
	}
	if got, _ := account.LoadSecurity(context.Background(), env.DB); got.AuditRetentionDays != 365 {
		t.Errorf("retention saved anyway: %d", got.AuditRetentionDays)
	}

	admin := env.Login(t, "sysadmin")
	if r := admin.Get(t, "/admin/security"); r.Status != http.StatusForbidden {
		t.Errorf("sysadmin GET security = %d", r.Status)
	}
	if r := admin.PostForm(t, "/admin/security", form); r.Status != http.StatusForbidden {
		t.Errorf("sysadmin POST security = %d", r.Status)
	}
}

func TestDisableUser_EndsTheirSessions(t *testing.T) {
	env := webtest.New(t)
	staffClient := env.Login(t, "staff")
	if res := staffClient.Get(t, "/"); res.Status != http.StatusOK {
		t.Fatalf("staff home = %d", res.Status)
	}
	admin := env.Login(t, "sysadmin")
	staff := env.Users["staff"]
	res := admin.PostForm(t, userPath(staff)+"/disable", nil)
	if res.Status != http.StatusSeeOther || res.Location != userPath(staff) {
		t.Fatalf("disable = %d %q %s", res.Status, res.Location, res.Text())
	}
	if res := staffClient.Get(t, "/"); res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/login") {
		t.Errorf("disabled user's GET / = %d %q, want a redirect to /login", res.Status, res.Location)
	}
	if list := admin.Get(t, "/admin/users?disabled=1&q=staff"); !list.Contains("停用") {
		t.Errorf("list does not show 停用: %s", list.Text())
	}
	if list := admin.Get(t, "/admin/users?q=staff"); list.Contains("钱经办") {
		t.Error("disabled account listed without ?disabled=1")
	}

	res = admin.PostForm(t, userPath(staff)+"/enable", nil)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("enable = %d", res.Status)
	}
	env.Login(t, "staff")

	// Disabling oneself is refused with a message on the account page.
	me := env.Users["sysadmin"]
	res = admin.PostForm(t, userPath(me)+"/disable", nil)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("self-disable = %d", res.Status)
	}
	if page := admin.Get(t, res.Location); !page.Contains("不能停用自己的账号") {
		t.Errorf("no refusal message: %s", page.Text())
	}
}

func TestResetPassword_ShowsANewTemporaryPassword(t *testing.T) {
	env := webtest.New(t)
	staffClient := env.Login(t, "staff")
	admin := env.Login(t, "sysadmin")
	staff := env.Users["staff"]
	res := admin.PostForm(t, userPath(staff)+"/reset", nil)
	pw := shownPassword(res)
	if res.Status != http.StatusOK || pw == "" || !res.Contains("原有的登录会话已全部结束") {
		t.Fatalf("reset = %d %s", res.Status, res.Text())
	}
	if r := staffClient.Get(t, "/"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Errorf("old session after reset: %d %q", r.Status, r.Location)
	}
	c := env.Anonymous(t)
	if r := c.PostForm(t, "/login", url.Values{"username": {"staff"}, "password": {webtest.Password}}); r.Status != http.StatusUnauthorized {
		t.Errorf("old password still accepted: %d", r.Status)
	}
	if r := c.PostForm(t, "/login", url.Values{"username": {"staff"}, "password": {pw}}); r.Status != http.StatusSeeOther {
		t.Fatalf("new password refused: %d %s", r.Status, r.Text())
	}
	if r := c.Get(t, "/"); r.Location != "/me/password" {
		t.Errorf("after reset GET / = %d %q, want /me/password", r.Status, r.Location)
	}
}

var sessionField = regexp.MustCompile(`name="session" value="([0-9a-f]+)"`)

func TestSessions_SecurityAdministratorEndsOne(t *testing.T) {
	env := webtest.New(t)
	staffClient := env.Login(t, "staff")
	staff := env.Users["staff"]

	admin := env.Login(t, "sysadmin")
	if page := admin.Get(t, userPath(staff)); !page.Contains("在线会话") || strings.Contains(page.Body, `name="session"`) {
		t.Error("sysadmin should see the sessions but no end button")
	}

	sec := env.Login(t, "secadmin")
	page := sec.Get(t, userPath(staff))
	m := sessionField.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no end-session button: %s", page.Text())
	}
	res := sec.PostForm(t, "/admin/sessions/revoke", url.Values{"session": {m[1]}, "user_id": {fmt.Sprint(staff.ID)}})
	if res.Status != http.StatusSeeOther || res.Location != userPath(staff) {
		t.Fatalf("revoke = %d %q %s", res.Status, res.Location, res.Text())
	}
	if r := staffClient.Get(t, "/"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Errorf("ended session still works: %d %q", r.Status, r.Location)
	}
	if n := auditCount(t, env, audit.SessionRevoked); n != 1 {
		t.Errorf("session_revoked records = %d", n)
	}
}
