package web_test

import (
	"context"
	"encoding/base64"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"guatu/account"
	"guatu/db"
	"guatu/web/webtest"
)

// sessionHash is the stored id of the client's session.
func sessionHash(t *testing.T, env *webtest.Env, c *webtest.Client) string {
	t.Helper()
	u, err := url.Parse(env.HTTP.URL)
	if err != nil {
		t.Fatal(err)
	}
	token := c.Cookies(u)
	if token == "" {
		t.Fatal("client has no session cookie")
	}
	return account.HashToken(token)
}

func wantStatus(t *testing.T, res *webtest.Response, status int, location string) {
	t.Helper()
	if res.Status != status || location != "" && res.Location != location {
		t.Fatalf("status %d location %q, want %d %q; page: %.400s", res.Status, res.Location, status, location, res.Text())
	}
}

func wantText(t *testing.T, res *webtest.Response, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !res.Contains(s) {
			t.Errorf("page lacks %q; page: %.600s", s, res.Text())
		}
	}
}

func TestMe_ShowsRolesAndSessions(t *testing.T) {
	env := webtest.New(t)
	here := env.Login(t, "chief")
	phone := env.Login(t, "chief")

	res := here.Get(t, "/me")
	wantStatus(t, res, http.StatusOK, "")
	wantText(t, res, "王书记", "chief", "主要领导", "范围：XX镇及下属单位", "在线会话", "当前", "已使用 0 天", "2026-06-13", "未启用")
	// The other browser can be ended; this one is marked and has no end button.
	if !strings.Contains(res.Body, `name="session" value="`+sessionHash(t, env, phone)+`"`) {
		t.Error("the other session has no end button")
	}
	if strings.Contains(res.Body, `value="`+sessionHash(t, env, here)+`"`) {
		t.Error("the current session has an end button")
	}
	if n := strings.Count(res.Body, `action="/me/sessions/revoke"`); n != 1 {
		t.Errorf("%d end buttons, want 1", n)
	}
}

func TestPasswordChange(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "staff")
	other := env.Login(t, "staff")
	const next = "Xin-Mima-2026!"

	t.Run("the form shows the policy", func(t *testing.T) {
		res := c.Get(t, "/me/password")
		wantStatus(t, res, http.StatusOK, "")
		wantText(t, res, "至少 12 个字符", "至少 3 种", "不能与最近 5 次用过的密码相同")
	})
	t.Run("a wrong current password is refused", func(t *testing.T) {
		res := c.PostForm(t, "/me/password", url.Values{"current": {"Wrong-Pass-2026"}, "password": {next}, "confirm": {next}})
		wantStatus(t, res, http.StatusUnprocessableEntity, "")
		wantText(t, res, "当前密码不正确")
		if strings.Contains(res.Body, next) {
			t.Error("the typed password is sent back in the page")
		}
	})
	t.Run("a password breaking the policy is refused", func(t *testing.T) {
		res := c.PostForm(t, "/me/password", url.Values{"current": {webtest.Password}, "password": {"abc123"}, "confirm": {"abc123"}})
		wantStatus(t, res, http.StatusUnprocessableEntity, "")
		wantText(t, res, "密码至少 12 个字符")
		res = c.PostForm(t, "/me/password", url.Values{"current": {webtest.Password}, "password": {"alllowercaseletters"}, "confirm": {"alllowercaseletters"}})
		wantStatus(t, res, http.StatusUnprocessableEntity, "")
		wantText(t, res, "至少 3 种")
		res = c.PostForm(t, "/me/password", url.Values{"current": {webtest.Password}, "password": {next}, "confirm": {next + "x"}})
		wantStatus(t, res, http.StatusUnprocessableEntity, "")
		wantText(t, res, "两次输入的新密码不一致")
	})
	t.Run("success signs the old password out", func(t *testing.T) {
		res := c.PostForm(t, "/me/password", url.Values{"current": {webtest.Password}, "password": {next}, "confirm": {next}})
		wantStatus(t, res, http.StatusSeeOther, "/me")
		wantText(t, c.Get(t, "/me"), "密码已修改")
		// The other browser's session ended with the change; this one stays.
		if res := other.Get(t, "/me"); res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/login") {
			t.Errorf("other session after the change: %d %q, want a redirect to /login", res.Status, res.Location)
		}
		old := env.Anonymous(t).PostForm(t, "/login", url.Values{"username": {"staff"}, "password": {webtest.Password}})
		wantStatus(t, old, http.StatusUnauthorized, "")
		wantText(t, old, "用户名或密码错误")
		env.LoginWith(t, "staff", next)
	})
	t.Run("a recent password cannot be used again", func(t *testing.T) {
		res := c.PostForm(t, "/me/password", url.Values{"current": {next}, "password": {webtest.Password}, "confirm": {webtest.Password}})
		wantStatus(t, res, http.StatusUnprocessableEntity, "")
		wantText(t, res, "不能使用最近 5 次用过的密码")
	})
}

func TestPasswordChange_RequiredAfterReset(t *testing.T) {
	env := webtest.New(t)
	var temp string
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		var err error
		temp, err = account.ResetPassword(ctx, tx, env.Actor("sysadmin"), env.Users["staff"].ID)
		return err
	})
	c := env.LoginWith(t, "staff", temp)
	for _, path := range []string{"/", "/org", "/me", "/me/totp", "/admin/users"} {
		wantStatus(t, c.Get(t, path), http.StatusSeeOther, "/me/password")
	}
	wantStatus(t, c.PostForm(t, "/me/totp/begin", nil), http.StatusSeeOther, "/me/password")
	res := c.Get(t, "/me/password")
	wantStatus(t, res, http.StatusOK, "")
	wantText(t, res, "临时密码", "至少 12 个字符")
	if strings.Contains(res.Body, `class="sidenav"`) {
		t.Error("a gated user sees the navigation")
	}

	const next = "Zi-Ji-De-Mima-9"
	wantStatus(t, c.PostForm(t, "/me/password", url.Values{"current": {temp}, "password": {next}, "confirm": {next}}),
		http.StatusSeeOther, "/")
	res = c.Get(t, "/")
	wantStatus(t, res, http.StatusOK, "")
	wantText(t, res, "密码已修改")
}

func TestPasswordChange_RequiredWhenExpired(t *testing.T) {
	env := webtest.New(t)
	env.Clock.Advance(91 * 24 * time.Hour)
	c := env.Login(t, "viewer")
	wantStatus(t, c.Get(t, "/"), http.StatusSeeOther, "/me/password")
	res := c.Get(t, "/me/password")
	wantStatus(t, res, http.StatusOK, "")
	wantText(t, res, "超过 90 天的有效期")
}

var (
	secretPattern = regexp.MustCompile(`id="totp-secret">([A-Z2-7 ]+)</code>`)
	qrPattern     = regexp.MustCompile(`src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"`)
	codePattern   = regexp.MustCompile(`<li><code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code></li>`)
)

// enrol runs the set-up pages as a person would and returns the secret and recovery codes.
func enrol(t *testing.T, env *webtest.Env, c *webtest.Client, username string) (string, []string) {
	t.Helper()
	wantText(t, c.Get(t, "/me/totp"), "开始绑定")
	wantStatus(t, c.PostForm(t, "/me/totp/begin", nil), http.StatusSeeOther, "/me/totp")
	page := c.Get(t, "/me/totp")
	wantStatus(t, page, http.StatusOK, "")
	m := secretPattern.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no secret on the set-up page: %.600s", page.Text())
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	if !strings.Contains(html.UnescapeString(page.Body), account.TOTPURI(secret, username)) {
		t.Errorf("the otpauth address %s is not on the page", account.TOTPURI(secret, username))
	}
	q := qrPattern.FindStringSubmatch(html.UnescapeString(page.Body))
	if q == nil {
		t.Fatal("no QR code image on the set-up page")
	}
	svg, err := base64.StdEncoding.DecodeString(q[1])
	if err != nil || !strings.HasPrefix(string(svg), "<svg") {
		t.Fatalf("QR code is not an SVG: %v %.60s", err, svg)
	}

	res := c.PostForm(t, "/me/totp/confirm", url.Values{"code": {"000000"}})
	if account.TOTPCode(secret, account.TOTPStep(env.Clock.Now())) != "000000" {
		wantStatus(t, res, http.StatusUnprocessableEntity, "")
		wantText(t, res, "验证码不正确")
	}
	code := account.TOTPCode(secret, account.TOTPStep(env.Clock.Now()))
	res = c.PostForm(t, "/me/totp/confirm", url.Values{"code": {code}})
	wantStatus(t, res, http.StatusOK, "")
	wantText(t, res, "只显示这一次", "动态口令已启用")
	var codes []string
	for _, m := range codePattern.FindAllStringSubmatch(res.Body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown, want 10", len(codes))
	}
	if again := c.Get(t, "/me/totp"); codePattern.MatchString(again.Body) {
		t.Error("recovery codes are shown again")
	}
	return secret, codes
}

// signInWithCode signs in with the password, then the code; it returns the
// client and the response to the code.
func signInWithCode(t *testing.T, env *webtest.Env, username, code string) (*webtest.Client, *webtest.Response) {
	t.Helper()
	c := env.Anonymous(t)
	res := c.PostForm(t, "/login", url.Values{"username": {username}, "password": {webtest.Password}})
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/login/totp") {
		t.Fatalf("sign-in with TOTP on: %d %q, want a redirect to /login/totp", res.Status, res.Location)
	}
	wantText(t, c.Get(t, res.Location), "动态口令")
	return c, c.PostForm(t, "/login/totp", url.Values{"code": {code}})
}

func TestTOTP_EndToEnd(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "staff")
	secret, codes := enrol(t, env, c, "staff")
	wantText(t, c.Get(t, "/me"), "已启用", "10 个")

	t.Run("the code used to confirm cannot sign in again", func(t *testing.T) {
		_, res := signInWithCode(t, env, "staff", account.TOTPCode(secret, account.TOTPStep(env.Clock.Now())))
		wantStatus(t, res, http.StatusUnauthorized, "")
		wantText(t, res, "动态口令或恢复码不正确")
	})
	t.Run("a fresh code signs in once", func(t *testing.T) {
		env.Clock.Advance(30 * time.Second)
		code := account.TOTPCode(secret, account.TOTPStep(env.Clock.Now()))
		d, res := signInWithCode(t, env, "staff", code)
		wantStatus(t, res, http.StatusSeeOther, "/")
		wantStatus(t, d.Get(t, "/me"), http.StatusOK, "")
		_, res = signInWithCode(t, env, "staff", code)
		wantStatus(t, res, http.StatusUnauthorized, "")
	})
	t.Run("a recovery code works once", func(t *testing.T) {
		d, res := signInWithCode(t, env, "staff", codes[3])
		wantStatus(t, res, http.StatusSeeOther, "/")
		wantText(t, d.Get(t, "/me"), "9 个")
		_, res = signInWithCode(t, env, "staff", codes[3])
		wantStatus(t, res, http.StatusUnauthorized, "")
	})
	t.Run("turning it off needs the password", func(t *testing.T) {
		res := c.PostForm(t, "/me/totp/disable", url.Values{"password": {"Wrong-Pass-2026"}})
		wantStatus(t, res, http.StatusUnprocessableEntity, "")
		wantText(t, res, "密码不正确")
		wantStatus(t, c.PostForm(t, "/me/totp/disable", url.Values{"password": {webtest.Password}}), http.StatusSeeOther, "/me/totp")
		wantText(t, c.Get(t, "/me"), "未启用")
		env.Login(t, "staff") // the password alone signs in again
	})
}

func TestTOTP_AdministratorMustEnrol(t *testing.T) {
	env := webtest.New(t)
	env.SetSecurity(t, func(s *account.Security) { s.RequireAdminTOTP = true })
	c := env.Login(t, "secadmin")
	for _, path := range []string{"/", "/me", "/me/password", "/admin/security"} {
		wantStatus(t, c.Get(t, path), http.StatusSeeOther, "/me/totp")
	}
	wantText(t, c.Get(t, "/me/totp"), "管理员账号", "等级保护 2.0", "两种身份鉴别")
	enrol(t, env, c, "secadmin")
	wantStatus(t, c.Get(t, "/"), http.StatusOK, "")

	res := c.PostForm(t, "/me/totp/disable", url.Values{"password": {webtest.Password}})
	wantStatus(t, res, http.StatusSeeOther, "/me/totp")
	page := c.Get(t, "/me/totp")
	wantText(t, page, "管理员账号必须使用动态口令，不能停用", "已启用")
	if !strings.Contains(page.Body, "flash-error") {
		t.Error("the refusal is not shown as an error")
	}
}

func TestSessionRevoke(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "staff")
	lost := env.Login(t, "staff")
	chief := env.Login(t, "chief")
	wantStatus(t, lost.Get(t, "/org"), http.StatusOK, "")

	t.Run("another user's session cannot be ended", func(t *testing.T) {
		res := c.PostForm(t, "/me/sessions/revoke", url.Values{"session": {sessionHash(t, env, chief)}})
		wantStatus(t, res, http.StatusSeeOther, "/me")
		wantText(t, c.Get(t, "/me"), "该会话已结束")
		wantStatus(t, chief.Get(t, "/me"), http.StatusOK, "")
	})
	t.Run("the current session is ended by signing out", func(t *testing.T) {
		wantStatus(t, c.PostForm(t, "/me/sessions/revoke", url.Values{"session": {sessionHash(t, env, c)}}), http.StatusSeeOther, "/me")
		wantText(t, c.Get(t, "/me"), "这是您正在使用的会话")
	})
	t.Run("ending another session signs that browser out", func(t *testing.T) {
		res := c.PostForm(t, "/me/sessions/revoke", url.Values{"session": {sessionHash(t, env, lost)}})
		wantStatus(t, res, http.StatusSeeOther, "/me")
		page := c.Get(t, "/me")
		wantText(t, page, "已结束该会话")
		if n := strings.Count(page.Body, `action="/me/sessions/revoke"`); n != 0 {
			t.Errorf("%d other sessions still listed, want 0", n)
		}
		res = lost.Get(t, "/org")
		if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/login") {
			t.Errorf("ended session: %d %q, want a redirect to /login", res.Status, res.Location)
		}
	})
}

func TestPasswordChange_WrongCurrentPasswordCountsTowardsLockout(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "staff")
	var res *webtest.Response
	for range 5 {
		res = c.PostForm(t, "/me/password", url.Values{"current": {"Guess#Wrong2026"}, "password": {"Another#Pass2026"}, "confirm": {"Another#Pass2026"}})
	}
	if res.Status != http.StatusSeeOther || res.Location != "/login" {
		t.Fatalf("fifth wrong current password: %d %q", res.Status, res.Location)
	}
	if res := c.Get(t, "/"); res.Status != http.StatusSeeOther {
		t.Fatalf("session survived the lockout: %d", res.Status)
	}
	anon := env.Anonymous(t)
	if res := anon.PostForm(t, "/login", url.Values{"username": {"staff"}, "password": {webtest.Password}}); res.Status != http.StatusUnauthorized || !res.Contains("已锁定") {
		t.Fatalf("sign-in while locked: %d %s", res.Status, res.Text())
	}
}
