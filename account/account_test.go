package account_test

import (
	"encoding/base32"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"guatu/account"
	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/org"
)

// pw meets the default policy: 14 characters, four classes, not common.
const pw = "Guatu#Town2026"

var sys = auth.SystemActor("test")

type env struct {
	t       *testing.T
	d       *db.DB
	clock   *dbtest.Clock
	town    *org.Unit
	village *org.Unit
	// Actors for the three administrators, granted on the town.
	sysadmin, secadmin, auditor auth.Actor
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, d: dbtest.New(t), clock: dbtest.NewClock(dbtest.Now)}
	e.d.Clock = e.clock.Now
	e.tx(func(tx *db.Tx) (err error) {
		if e.town, err = org.CreateRoot(t.Context(), tx, sys, org.Town, "XX镇"); err != nil {
			return err
		}
		e.village, err = org.CreateUnit(t.Context(), tx, sys, org.UnitInput{ParentID: fmt.Sprint(e.town.ID), Kind: "village", Name: "东村"})
		return err
	})
	on := func(id int64, r auth.Role, name string) auth.Actor {
		return auth.Actor{UserID: id, Username: name, IP: "10.0.0.9", Origin: "ui",
			Grants: []auth.Grant{{Role: r, UnitID: e.town.ID, UnitPath: e.town.Path, UnitName: e.town.Name}}}
	}
	e.sysadmin = on(9001, auth.SysAdmin, "sysadm")
	e.secadmin = on(9002, auth.SecAdmin, "secadm")
	e.auditor = on(9003, auth.Auditor, "audit")
	return e
}

// with is e reporting to t, for use inside a subtest.
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

func (e *env) tx(fn func(tx *db.Tx) error) {
	e.t.Helper()
	if err := e.d.InTx(e.t.Context(), fn); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) try(fn func(tx *db.Tx) error) error { return e.d.InTx(e.t.Context(), fn) }

// user creates an account with pw in the town, granted the roles on the town.
func (e *env) user(name string, roles ...auth.Role) *account.User {
	e.t.Helper()
	var u *account.User
	e.tx(func(tx *db.Tx) (err error) {
		u, _, err = account.Create(e.t.Context(), tx, sys, account.Input{Username: name, DisplayName: "测试" + name,
			UnitID: fmt.Sprint(e.town.ID), Password: pw})
		if err != nil {
			return err
		}
		for _, r := range roles {
			if err := account.Grant(e.t.Context(), tx, sys, u.ID, r, e.town.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return e.get(u.ID)
}

func (e *env) get(id int64) *account.User {
	e.t.Helper()
	u, err := account.Get(e.t.Context(), e.d, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// login signs in; the transaction commits whether or not the attempt was refused.
func (e *env) login(username, password string) account.LoginResult {
	e.t.Helper()
	var r account.LoginResult
	e.tx(func(tx *db.Tx) (err error) {
		r, err = account.Login(e.t.Context(), tx, username, password, "10.0.0.1", "Mozilla/5.0", "req-1")
		return err
	})
	return r
}

func (e *env) mustLogin(username, password string) account.LoginResult {
	e.t.Helper()
	r := e.login(username, password)
	if r.Failure != "" || r.Token == "" {
		e.t.Fatalf("login %s: %q", username, r.Failure)
	}
	return r
}

func (e *env) secondFactor(token, code string) account.LoginResult {
	e.t.Helper()
	var r account.LoginResult
	e.tx(func(tx *db.Tx) (err error) {
		r, err = account.SecondFactor(e.t.Context(), tx, token, code, "10.0.0.1", "Mozilla/5.0", "req-2")
		return err
	})
	return r
}

func (e *env) resume(token string) (*account.Session, *account.User, error) {
	return account.Resume(e.t.Context(), e.d, token)
}

// audits counts audit rows matching f.
func (e *env) audits(f audit.Filter) int {
	e.t.Helper()
	_, total, err := audit.List(e.t.Context(), e.d, e.auditor, f)
	if err != nil {
		e.t.Fatal(err)
	}
	return total
}

func (e *env) security() account.Security {
	e.t.Helper()
	s, err := account.LoadSecurity(e.t.Context(), e.d)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) saveSecurity(change map[string]string) {
	e.t.Helper()
	in := e.security().Form()
	for k, v := range change {
		in[k] = v
	}
	e.tx(func(tx *db.Tx) error {
		_, err := account.SaveSecurity(e.t.Context(), tx, e.secadmin, in)
		return err
	})
}

func fieldErr(t *testing.T, err error, field, want string) {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.Invalid {
		t.Fatalf("err = %v, want Invalid", err)
	}
	if got := ae.Fields[field]; !strings.Contains(got, want) || want == "" && got != "" {
		t.Errorf("field %s = %q, want %q (all: %v)", field, got, want, ae.Fields)
	}
}

func wantKind(t *testing.T, err error, k apperr.Kind) {
	t.Helper()
	if apperr.KindOf(err) != k {
		t.Errorf("err = %v (kind %v), want kind %v", err, apperr.KindOf(err), k)
	}
}

func TestHashPassword(t *testing.T) {
	h1, err := account.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := account.HashPassword(pw)
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not argon2id in PHC form with the OWASP parameters", h1)
	}
	if h1 == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	if !account.CheckPassword(h1, pw) || !account.CheckPassword(h2, pw) {
		t.Error("the password does not verify")
	}
	for _, wrong := range []string{"", "guatu#town2026", pw + " ", pw[:len(pw)-1]} {
		if account.CheckPassword(h1, wrong) {
			t.Errorf("%q verifies", wrong)
		}
	}
	for _, bad := range []string{"", "plain", "$2a$10$abcdefghijklmnopqrstuv", strings.Replace(h1, "argon2id", "argon2i", 1),
		strings.Replace(h1, "v=19", "v=16", 1), h1[:strings.LastIndex(h1, "$")] + "$", h1 + "$extra"} {
		if account.CheckPassword(bad, pw) {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}

	t.Run("the whole of a long Chinese password counts", func(t *testing.T) {
		long := string([]rune(strings.Repeat("挂图作战一月一调度一季一通报", 10))[:100])
		if n := len([]rune(long)); n != 100 || len(long) != 300 {
			t.Fatalf("%d characters, %d bytes", n, len(long))
		}
		h, err := account.HashPassword(long)
		if err != nil {
			t.Fatal(err)
		}
		if !account.CheckPassword(h, long) {
			t.Error("100-character Chinese password does not verify")
		}
		if account.CheckPassword(h, long[:72]) {
			t.Error("its first 72 bytes verify (bcrypt-style truncation)")
		}
		if account.CheckPassword(h, string([]rune(long)[:99])) {
			t.Error("its first 99 characters verify")
		}
	})
}

func TestCheckStrength(t *testing.T) {
	def := account.DefaultSecurity()
	loose := def
	loose.PasswordMinLength, loose.PasswordMinClasses = 8, 2
	strict := def
	strict.PasswordMinClasses = 4
	tests := []struct {
		name     string
		s        account.Security
		username string
		pw       string
		want     string // "" means accepted; else a part of the message
	}{
		{"good", def, "zhang", pw, ""},
		{"good with Chinese as symbols", def, "zhang", "挂图作战Town2026", ""},
		{"three classes are enough", def, "zhang", "guatu#town2026", ""},
		{"too short", def, "zhang", "Ab1!xyz", "密码至少 12 个字符"},
		{"length counts characters, not bytes", def, "zhang", "挂图作战Ab1", "密码至少 12 个字符"},
		{"one class", def, "zhang", "abcdefghijklmn", "至少 3 种"},
		{"two classes", def, "zhang", "abcdefgh123456", "至少 3 种"},
		{"contains the username", def, "zhang", "xx.zhang.2026X", "密码不能包含用户名"},
		{"contains the username, other case", def, "ZhangSan", "Abc.ZHANGSAN.2026", "密码不能包含用户名"},
		{"common, whatever the case", def, "zhang", "Password@123", "太常见"},
		{"common from the list", def, "zhang", "1qaz@WSX3edc", "太常见"},
		{"control character", def, "zhang", "Guatu#Town\x002026", "控制字符"},
		{"over 256 bytes", def, "zhang", strings.Repeat("挂", 86) + "Aa1", "256 字节"},
		{"loose settings: 8 characters, 2 classes", loose, "zhang", "tuzhan88", ""},
		{"loose settings still refuse one class", loose, "zhang", "tuzhanxx", "至少 2 种"},
		{"the default refuses the loose one", def, "zhang", "tuzhan88", "密码至少 12 个字符"},
		{"strict settings want four classes", strict, "zhang", "guatu#town2026", "至少 4 种"},
		{"strict settings accept four", strict, "zhang", pw, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := account.CheckStrength(tt.s, tt.username, tt.pw)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("CheckStrength(%q) = %q, want %q", tt.pw, got, tt.want)
			}
		})
	}
	// The generated temporary passwords meet the strictest policy the settings allow.
	for _, n := range []int{8, 12, 16, 40, 64} {
		strict.PasswordMinLength = n
		for range 20 {
			if p := account.RandomPassword(n); account.CheckStrength(strict, "zhang", p) != "" {
				t.Errorf("RandomPassword(%d) %q: %s", n, p, account.CheckStrength(strict, "zhang", p))
			}
		}
	}
}

func TestTOTP_RFC6238Vectors(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	if secret != "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" {
		t.Fatalf("secret = %s", secret)
	}
	for _, v := range []struct {
		unix int64
		want string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	} {
		step := account.TOTPStep(time.Unix(v.unix, 0))
		if got := account.TOTPCode(secret, step); got != v.want {
			t.Errorf("TOTP at %d = %s, want %s", v.unix, got, v.want)
		}
	}
	if account.TOTPStep(time.Unix(59, 0)) != 1 || account.TOTPStep(time.Unix(60, 0)) != 2 {
		t.Error("steps are not 30 seconds")
	}
	// Apps show the secret in lower case and groups of four.
	if got := account.TOTPCode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", 1); got != "287082" {
		t.Errorf("spaced lower-case secret: %s", got)
	}
	if got := account.TOTPCode("not base32!", 1); got != "" {
		t.Errorf("bad secret gives %q", got)
	}
	s1, s2 := account.NewTOTPSecret(), account.NewTOTPSecret()
	if raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s1); err != nil || len(raw) != 20 || s1 == s2 {
		t.Errorf("NewTOTPSecret = %q (%d bytes, %v)", s1, len(raw), err)
	}
	uri := account.TOTPURI(secret, "zhang")
	if !strings.HasPrefix(uri, "otpauth://totp/Guatu:zhang?") || !strings.Contains(uri, "secret="+secret) || !strings.Contains(uri, "issuer=Guatu") {
		t.Errorf("TOTPURI = %s", uri)
	}
}

func TestLogin_LockoutAfterFiveFailures(t *testing.T) {
	e := newEnv(t)
	u := e.user("zhang")
	wrong := "Wrong#Pass2026"
	wantMsgs := []string{
		"用户名或密码错误",
		"用户名或密码错误",
		"用户名或密码错误，再错 2 次账号将被锁定 30 分钟",
		"用户名或密码错误，再错 1 次账号将被锁定 30 分钟",
		"连续 5 次登录失败，账号已锁定 30 分钟",
	}
	for i, want := range wantMsgs {
		r := e.login("zhang", wrong)
		if r.Failure != want || r.Token != "" || r.Session != nil {
			t.Errorf("failure %d: %q (token %q), want %q", i+1, r.Failure, r.Token, want)
		}
		if i == 1 {
			// The refused attempts were committed.
			if n := e.get(u.ID).FailedLogins; n != 2 {
				t.Errorf("failed_logins after 2 failures = %d", n)
			}
		}
	}
	locked := e.get(u.ID)
	if !locked.Locked(e.clock.Now()) || !locked.LockedUntil.Equal(dbtest.Now.Add(30*time.Minute)) {
		t.Errorf("locked until %v", locked.LockedUntil)
	}
	r := e.login("zhang", pw)
	if r.Token != "" || !strings.Contains(r.Failure, "已锁定") {
		t.Errorf("right password while locked: %q, token %q", r.Failure, r.Token)
	}
	e.clock.Advance(29 * time.Minute)
	if r := e.login("ZHANG", pw); r.Token != "" {
		t.Error("signed in before the lockout ran out")
	}
	e.clock.Advance(2 * time.Minute)
	e.mustLogin("zhang", pw)

	// Every refused attempt is in the trail although the sign-in failed.
	if n := e.audits(audit.Filter{User: "zhang", Action: audit.LoginFailed, Outcome: audit.Failure}); n != 7 {
		t.Errorf("%d login failures recorded, want 7 (5 wrong, 2 while locked)", n)
	}
	if n := e.audits(audit.Filter{User: "zhang", Action: audit.LoginLocked}); n != 1 {
		t.Errorf("%d lockouts recorded, want 1", n)
	}
	if n := e.audits(audit.Filter{User: "zhang", Action: audit.LoginOK}); n != 1 {
		t.Errorf("%d sign-ins recorded, want 1", n)
	}
	if v, err := audit.Verify(t.Context(), e.d); err != nil || !v.OK {
		t.Errorf("Verify = %+v, %v", v, err)
	}
}

func TestLogin_SuccessResetsTheCount(t *testing.T) {
	e := newEnv(t)
	u := e.user("zhang")
	for range 4 {
		e.login("zhang", "Wrong#Pass2026")
	}
	e.mustLogin("zhang", pw)
	if n := e.get(u.ID).FailedLogins; n != 0 {
		t.Errorf("failed_logins after a sign-in = %d", n)
	}
	for range 4 {
		if r := e.login("zhang", "Wrong#Pass2026"); strings.Contains(r.Failure, "已锁定") {
			t.Fatalf("locked after a sign-in and 4 failures: %q", r.Failure)
		}
	}
	e.mustLogin("zhang", pw)
}

func TestUnlock(t *testing.T) {
	e := newEnv(t)
	u := e.user("zhang")
	for range 5 {
		e.login("zhang", "Wrong#Pass2026")
	}
	staff := auth.Actor{UserID: 50, Grants: []auth.Grant{{Role: auth.Staff, UnitID: e.town.ID, UnitPath: e.town.Path}}}
	wantKind(t, e.try(func(tx *db.Tx) error { return account.Unlock(t.Context(), tx, staff, u.ID) }), apperr.Forbidden)
	if r := e.login("zhang", pw); r.Token != "" {
		t.Fatal("not locked")
	}
	e.tx(func(tx *db.Tx) error { return account.Unlock(t.Context(), tx, e.sysadmin, u.ID) })
	e.mustLogin("zhang", pw)
	// The security administrator may unlock too.
	for range 5 {
		e.login("zhang", "Wrong#Pass2026")
	}
	e.tx(func(tx *db.Tx) error { return account.Unlock(t.Context(), tx, e.secadmin, u.ID) })
	e.mustLogin("zhang", pw)
	rows, _ := audit.ForObject(t.Context(), e.d, "user", u.ID)
	unlocked := 0
	for _, r := range rows {
		if r.Action == audit.UserUnlocked {
			unlocked++
		}
	}
	if unlocked != 2 {
		t.Errorf("%d unlocks recorded, want 2", unlocked)
	}
}

func TestLogin_RefusesUnknownEmptyAndDisabled(t *testing.T) {
	e := newEnv(t)
	u := e.user("zhang")
	if r := e.login("", pw); r.Failure != "请输入用户名和密码" {
		t.Errorf("empty username: %q", r.Failure)
	}
	if r := e.login("zhang", ""); r.Failure != "请输入用户名和密码" {
		t.Errorf("empty password: %q", r.Failure)
	}
	if r := e.login("nobody", pw); r.Failure != "用户名或密码错误" || r.Token != "" {
		t.Errorf("unknown user: %q", r.Failure)
	}
	rows, _, err := audit.List(t.Context(), e.d, e.auditor, audit.Filter{User: "nobody"})
	if err != nil || len(rows) != 1 || rows[0].Outcome != audit.Failure || rows[0].Decoded().Note != "用户名不存在" {
		t.Errorf("unknown user trail = %+v, %v", rows, err)
	}

	e.tx(func(tx *db.Tx) error {
		_, err := account.SetDisabled(t.Context(), tx, e.sysadmin, u.ID, true)
		return err
	})
	if r := e.login("zhang", pw); r.Failure != "该账号已停用，请联系系统管理员" || r.Token != "" {
		t.Errorf("disabled user: %q, token %q", r.Failure, r.Token)
	}
	e.tx(func(tx *db.Tx) error {
		_, err := account.SetDisabled(t.Context(), tx, e.sysadmin, u.ID, false)
		return err
	})
	e.mustLogin("zhang", pw)
	// Nobody disables themselves.
	self := u.Actor("10.0.0.1", "r", "ui")
	self.Grants = e.sysadmin.Grants
	wantKind(t, e.try(func(tx *db.Tx) error {
		_, err := account.SetDisabled(t.Context(), tx, self, u.ID, true)
		return err
	}), apperr.Invalid)
}

func TestGate_FirstLoginAndExpiry(t *testing.T) {
	e := newEnv(t)
	u := e.user("zhang")
	sec := e.security()
	if !u.MustChangePassword {
		t.Fatal("a new account need not change its password")
	}
	r := e.mustLogin("zhang", pw)
	if g := account.GateFor(r.User, sec, e.clock.Now()); g != account.GateChangePassword {
		t.Errorf("first sign-in gate = %v, want GateChangePassword", g)
	}
	next := "Another#Pass2026"
	e.tx(func(tx *db.Tx) error {
		return account.ChangePassword(t.Context(), tx, r.User.Actor("10.0.0.1", "r", "ui"), pw, next, next, r.Session.IDHash)
	})
	if g := account.GateFor(e.get(u.ID), sec, e.clock.Now()); g != account.GateNone {
		t.Errorf("after changing the password gate = %v", g)
	}
	e.clock.Advance(89 * 24 * time.Hour)
	if g := account.GateFor(e.mustLogin("zhang", next).User, sec, e.clock.Now()); g != account.GateNone {
		t.Errorf("at 89 days gate = %v", g)
	}
	e.clock.Advance(2 * 24 * time.Hour)
	if g := account.GateFor(e.mustLogin("zhang", next).User, sec, e.clock.Now()); g != account.GateChangePassword {
		t.Errorf("at 91 days gate = %v, want GateChangePassword", g)
	}
	never := sec
	never.PasswordExpiryDays = 0
	if g := account.GateFor(e.get(u.ID), never, e.clock.Now().AddDate(5, 0, 0)); g != account.GateNone {
		t.Errorf("with no expiry gate = %v", g)
	}

	t.Run("administrators enrol a second factor", func(t *testing.T) {
		e := e.with(t)
		a := e.user("admin2", auth.SysAdmin)
		e.tx(func(tx *db.Tx) error {
			return account.ChangePassword(t.Context(), tx, a.Actor("", "", "ui"), pw, next, next, "")
		})
		a = e.get(a.ID)
		if g := account.GateFor(a, sec, e.clock.Now()); g != account.GateEnrolTOTP {
			t.Errorf("admin without TOTP gate = %v", g)
		}
		relaxed := sec
		relaxed.RequireAdminTOTP = false
		if g := account.GateFor(a, relaxed, e.clock.Now()); g != account.GateNone {
			t.Errorf("admin without TOTP, not required: gate = %v", g)
		}
	})
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	u := e.user("zhang")
	actor := u.Actor("10.0.0.1", "r", "ui")
	change := func(current, next, confirm, keep string) error {
		return e.try(func(tx *db.Tx) error {
			return account.ChangePassword(t.Context(), tx, actor, current, next, confirm, keep)
		})
	}
	fieldErr(t, change("Wrong#Pass2026", "New#Password01", "New#Password01", ""), "current", "当前密码不正确")
	fieldErr(t, change(pw, "short", "short", ""), "password", "密码至少 12 个字符")
	fieldErr(t, change(pw, "New#Password01", "New#Password02", ""), "confirm", "两次输入的新密码不一致")
	fieldErr(t, change(pw, pw, pw, ""), "password", "新密码不能与当前密码相同")

	// Five changes: the history holds pw and p1…p5.
	ps := []string{pw}
	for i := 1; i <= 5; i++ {
		p := fmt.Sprintf("New#Password%02d", i)
		if err := change(ps[i-1], p, p, ""); err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
		ps = append(ps, p)
	}
	current := ps[5]
	for i := 1; i <= 4; i++ {
		fieldErr(t, change(current, ps[i], ps[i], ""), "password", "不能使用最近 5 次用过的密码")
	}
	// pw is the sixth-newest: allowed again.
	if err := change(current, pw, pw, ""); err != nil {
		t.Errorf("reusing the 6th-oldest password: %v", err)
	}
	if got := e.audits(audit.Filter{User: "zhang", Action: audit.PasswordChanged}); got != 6 {
		t.Errorf("%d password changes recorded, want 6", got)
	}

	t.Run("other sessions end, the current one stays", func(t *testing.T) {
		e := e.with(t)
		a := e.mustLogin("zhang", pw)
		b := e.mustLogin("zhang", pw)
		next := "Fresh#Password01"
		if err := change(pw, next, next, a.Session.IDHash); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.resume(a.Token); err != nil {
			t.Errorf("the current session ended: %v", err)
		}
		if _, _, err := e.resume(b.Token); apperr.KindOf(err) != apperr.Unauthorized {
			t.Errorf("the other session: %v, want Unauthorized", err)
		}
		if r := e.login("zhang", pw); r.Token != "" {
			t.Error("the old password still works")
		}
	})
}

func TestResetPassword(t *testing.T) {
	e := newEnv(t)
	u := e.user("zhang")
	s := e.mustLogin("zhang", pw)
	for range 5 {
		e.login("zhang", "Wrong#Pass2026")
	}
	var temp string
	wantKind(t, e.try(func(tx *db.Tx) error {
		_, err := account.ResetPassword(t.Context(), tx, e.secadmin, u.ID)
		return err
	}), apperr.Forbidden)
	e.tx(func(tx *db.Tx) (err error) {
		temp, err = account.ResetPassword(t.Context(), tx, e.sysadmin, u.ID)
		return err
	})
	if _, _, err := e.resume(s.Token); err == nil {
		t.Error("session survived a reset")
	}
	r := e.mustLogin("zhang", temp) // the lockout is cleared too
	if g := account.GateFor(r.User, e.security(), e.clock.Now()); g != account.GateChangePassword {
		t.Errorf("after a reset gate = %v", g)
	}
}

func TestGrant_ThreeAdministratorsAreSeparate(t *testing.T) {
	e := newEnv(t)
	u := e.user("zhang")
	other := e.unit("西村")
	grant := func(by auth.Actor, role auth.Role, unitID int64) error {
		return e.try(func(tx *db.Tx) error { return account.Grant(t.Context(), tx, by, u.ID, role, unitID) })
	}

	if err := grant(e.secadmin, auth.SysAdmin, e.town.ID); err != nil {
		t.Fatal(err)
	}
	for _, r := range []auth.Role{auth.Auditor, auth.SecAdmin} {
		err := grant(e.secadmin, r, e.village.ID)
		fieldErr(t, err, "role", "三员分立")
		fieldErr(t, err, "role", "该账号已是系统管理员")
	}
	// The same administrator role on another unit is no conflict.
	if err := grant(e.secadmin, auth.SysAdmin, other.ID); err != nil {
		t.Errorf("sysadmin on a second unit: %v", err)
	}
	// Non-administrator roles on several units, and beside an administrator role.
	if err := grant(e.secadmin, auth.Staff, e.village.ID); err != nil {
		t.Error(err)
	}
	if err := grant(e.secadmin, auth.Staff, other.ID); err != nil {
		t.Error(err)
	}
	fieldErr(t, grant(e.secadmin, auth.Staff, e.village.ID), "role", "该账号已有这个角色")
	fieldErr(t, grant(e.secadmin, auth.Role("root"), e.town.ID), "role", "请选择角色")
	fieldErr(t, grant(e.secadmin, auth.Staff, 9999), "unit_id", "请选择授权范围")

	got := e.get(u.ID).Grants
	var names []string
	for _, g := range got {
		names = append(names, string(g.Role)+"@"+g.UnitName)
	}
	if fmt.Sprint(names) != "[sysadmin@XX镇 sysadmin@西村 staff@东村 staff@西村]" {
		t.Errorf("grants = %v", names)
	}
	if got[2].UnitPath != e.village.Path {
		t.Errorf("grant path = %q", got[2].UnitPath)
	}
	if n := e.audits(audit.Filter{Action: audit.RoleGranted, ObjectType: "user", ObjectID: u.ID}); n != 4 {
		t.Errorf("%d grants recorded, want 4", n)
	}

	t.Run("revoke", func(t *testing.T) {
		e := e.with(t)
		revoke := func(by auth.Actor) error {
			return e.try(func(tx *db.Tx) error { return account.Revoke(t.Context(), tx, by, u.ID, auth.Staff, other.ID) })
		}
		wantKind(t, revoke(e.sysadmin), apperr.Forbidden)
		if err := revoke(e.secadmin); err != nil {
			t.Fatal(err)
		}
		wantKind(t, revoke(e.secadmin), apperr.NotFound)
		if n := len(e.get(u.ID).Grants); n != 3 {
			t.Errorf("%d grants after revoking one", n)
		}
	})
}

func (e *env) unit(name string) *org.Unit {
	e.t.Helper()
	var u *org.Unit
	e.tx(func(tx *db.Tx) (err error) {
		u, err = org.CreateUnit(e.t.Context(), tx, sys, org.UnitInput{ParentID: fmt.Sprint(e.town.ID), Kind: "village", Name: name})
		return err
	})
	return u
}

func TestGrant_OnlyTheSecurityAdministrator(t *testing.T) {
	e := newEnv(t)
	u := e.user("zhang")
	sec := e.user("sec2", auth.SecAdmin)
	grant := func(by auth.Actor, unitID int64) error {
		return e.try(func(tx *db.Tx) error { return account.Grant(t.Context(), tx, by, u.ID, auth.Staff, unitID) })
	}
	wantKind(t, grant(e.sysadmin, e.village.ID), apperr.Forbidden)
	wantKind(t, grant(e.auditor, e.village.ID), apperr.Forbidden)
	chief := auth.Actor{UserID: 77, Grants: []auth.Grant{{Role: auth.Chief, UnitID: e.town.ID, UnitPath: e.town.Path}}}
	wantKind(t, grant(chief, e.village.ID), apperr.Forbidden)
	// A security administrator of a village grants inside it only.
	villageSec := auth.Actor{UserID: 78, Grants: []auth.Grant{{Role: auth.SecAdmin, UnitID: e.village.ID, UnitPath: e.village.Path}}}
	wantKind(t, grant(villageSec, e.town.ID), apperr.Forbidden)
	// …and only to accounts inside it: zhang belongs to the town.
	wantKind(t, grant(villageSec, e.village.ID), apperr.Forbidden)
	var cun *account.User
	e.tx(func(tx *db.Tx) error {
		var err error
		cun, _, err = account.Create(t.Context(), tx, sys, account.Input{Username: "cun", DisplayName: "村干部", UnitID: fmt.Sprint(e.village.ID)})
		return err
	})
	if err := e.try(func(tx *db.Tx) error {
		return account.Grant(t.Context(), tx, villageSec, cun.ID, auth.Staff, e.village.ID)
	}); err != nil {
		t.Errorf("village secadmin, village account, village unit: %v", err)
	}
	if err := grant(sec.Actor("10.0.0.2", "r", "ui"), e.village.ID); err != nil {
		t.Errorf("town secadmin: %v", err)
	}
	// Nobody grants themselves anything.
	self := sec.Actor("10.0.0.2", "r", "ui")
	wantKind(t, e.try(func(tx *db.Tx) error { return account.Grant(t.Context(), tx, self, sec.ID, auth.Viewer, e.town.ID) }), apperr.Forbidden)
	if n := len(e.get(u.ID).Grants); n != 1 {
		t.Errorf("%d grants kept, want 1", n)
	}
}

func TestCreate_UsernamesAreCaseFolded(t *testing.T) {
	e := newEnv(t)
	var u *account.User
	var got string
	e.tx(func(tx *db.Tx) (err error) {
		u, got, err = account.Create(t.Context(), tx, e.sysadmin, account.Input{Username: " Zhang.San ", DisplayName: "张三",
			UnitID: fmt.Sprint(e.village.ID), Password: pw})
		return err
	})
	if u.Username != "zhang.san" || got != pw || u.UnitName != "东村" || !u.MustChangePassword {
		t.Errorf("created %+v, password %q", u, got)
	}
	create := func(by auth.Actor, in account.Input) error {
		return e.try(func(tx *db.Tx) error {
			_, _, err := account.Create(t.Context(), tx, by, in)
			return err
		})
	}
	unit := fmt.Sprint(e.village.ID)
	fieldErr(t, create(e.sysadmin, account.Input{Username: "ZHANG.SAN", DisplayName: "另一个张三", UnitID: unit, Password: pw}),
		"username", "该用户名已被使用（不区分大小写）")
	fieldErr(t, create(e.sysadmin, account.Input{Username: "1zhang", DisplayName: "x", UnitID: unit}), "username", "以字母开头")
	fieldErr(t, create(e.sysadmin, account.Input{Username: "zh", DisplayName: "x", UnitID: unit}), "username", "3到32位")
	fieldErr(t, create(e.sysadmin, account.Input{Username: "wangwu", DisplayName: "", UnitID: unit}), "display_name", "请填写姓名")
	fieldErr(t, create(e.sysadmin, account.Input{Username: "wangwu", DisplayName: "王五", UnitID: "999"}), "unit_id", "所在单位不存在")
	fieldErr(t, create(e.sysadmin, account.Input{Username: "wangwu", DisplayName: "王五", UnitID: unit, Password: "Wangwu@2026xx"}),
		"password", "密码不能包含用户名")
	wantKind(t, create(e.secadmin, account.Input{Username: "wangwu", DisplayName: "王五", UnitID: unit}), apperr.Forbidden)

	found, err := account.ByUsername(t.Context(), e.d, "  ZHANG.san")
	if err != nil || found.ID != u.ID {
		t.Errorf("ByUsername = %v, %v", found, err)
	}
	e.mustLogin("Zhang.SAN", pw)
	if n, _ := account.CountUsers(t.Context(), e.d); n != 1 {
		t.Errorf("%d users, want 1", n)
	}

	t.Run("a generated password meets the policy and works", func(t *testing.T) {
		e := e.with(t)
		var temp string
		e.tx(func(tx *db.Tx) (err error) {
			_, temp, err = account.Create(t.Context(), tx, e.sysadmin, account.Input{Username: "lisi", DisplayName: "李四", UnitID: unit})
			return err
		})
		if msg := account.CheckStrength(e.security(), "lisi", temp); msg != "" {
			t.Errorf("generated %q: %s", temp, msg)
		}
		e.mustLogin("lisi", temp)
	})
}

func TestSaveSecurity(t *testing.T) {
	e := newEnv(t)
	save := func(by auth.Actor, change map[string]string) error {
		in := account.DefaultSecurity().Form()
		for k, v := range change {
			in[k] = v
		}
		return e.try(func(tx *db.Tx) error {
			_, err := account.SaveSecurity(t.Context(), tx, by, in)
			return err
		})
	}
	fieldErr(t, save(e.secadmin, map[string]string{"audit_retention_days": "100"}), "audit_retention_days",
		"审计记录保留天数应为 184 到 3650 之间的整数")
	fieldErr(t, save(e.secadmin, map[string]string{"password_min_length": "6"}), "password_min_length", "8 到 64")
	fieldErr(t, save(e.secadmin, map[string]string{"idle_timeout_minutes": "半小时"}), "idle_timeout_minutes", "5 到 30")
	fieldErr(t, save(e.secadmin, map[string]string{"lockout_threshold": "11"}), "lockout_threshold", "3 到 10")
	wantKind(t, save(e.sysadmin, map[string]string{"audit_retention_days": "184"}), apperr.Forbidden)
	wantKind(t, save(e.auditor, map[string]string{"audit_retention_days": "184"}), apperr.Forbidden)
	if got := e.security(); got != account.DefaultSecurity() {
		t.Errorf("refused saves changed the settings: %+v", got)
	}

	if err := save(e.secadmin, map[string]string{"audit_retention_days": "184", "require_admin_totp": "", "lockout_threshold": "3"}); err != nil {
		t.Fatal(err)
	}
	want := account.DefaultSecurity()
	want.AuditRetentionDays, want.RequireAdminTOTP, want.LockoutThreshold = 184, false, 3
	if got := e.security(); got != want {
		t.Errorf("saved %+v\nwant  %+v", got, want)
	}
	rows, _, err := audit.List(t.Context(), e.d, e.auditor, audit.Filter{Action: audit.SettingsChanged})
	if err != nil || len(rows) != 1 || rows[0].Username != "secadm" || !strings.Contains(string(rows[0].Decoded().After), `"audit_retention_days":184`) {
		t.Errorf("settings trail = %+v, %v", rows, err)
	}
	// The new threshold applies at once.
	e.user("zhang")
	for range 3 {
		e.login("zhang", "Wrong#Pass2026")
	}
	if r := e.login("zhang", pw); !strings.Contains(r.Failure, "已锁定") {
		t.Errorf("after 3 failures with threshold 3: %q", r.Failure)
	}
}

func TestSetup(t *testing.T) {
	d := dbtest.New(t)
	clock := dbtest.NewClock(dbtest.Now)
	d.Clock = clock.Now
	e := &env{t: t, d: d, clock: clock}
	e.auditor = auth.Actor{UserID: 1, Grants: []auth.Grant{{Role: auth.Auditor, UnitPath: "/"}}}
	newToken := func() string {
		var tok string
		e.tx(func(tx *db.Tx) (err error) {
			tok, err = account.NewSetupToken(t.Context(), tx)
			return err
		})
		return tok
	}
	setup := func(token string, in account.SetupInput) (*account.SetupResult, error) {
		var res *account.SetupResult
		err := e.try(func(tx *db.Tx) (err error) {
			res, err = account.Setup(t.Context(), tx, token, in, "10.0.0.1", "req-setup")
			return err
		})
		return res, err
	}
	good := account.SetupInput{TownName: "XX镇", Username: "Admin", DisplayName: "张三", Password: pw, Confirm: pw}

	expired := newToken()
	clock.Advance(30 * time.Minute)
	tok := newToken()
	spare := newToken()
	if err := account.CheckSetupToken(t.Context(), d, tok); err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	wantKind(t, account.CheckSetupToken(t.Context(), d, "made-up"), apperr.NotFound)

	bad := good
	bad.Password, bad.Confirm = "short", "short"
	_, err := setup(tok, bad)
	fieldErr(t, err, "password", "密码至少 12 个字符")
	bad = good
	bad.Confirm = "Other#Pass2026"
	_, err = setup(tok, bad)
	fieldErr(t, err, "confirm", "两次输入的密码不一致")
	bad = good
	bad.TownName = ""
	_, err = setup(tok, bad)
	fieldErr(t, err, "town", "请填写本镇")
	bad = good
	bad.Username = "SecAdmin"
	_, err = setup(tok, bad)
	fieldErr(t, err, "username", "留给安全管理员")

	clock.Advance(31 * time.Minute) // the first token is 61 minutes old, the second 31
	_, err = setup(expired, good)
	wantKind(t, err, apperr.NotFound)

	res, err := setup(tok, good)
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	a := res.Admin
	if a.Username != "admin" || a.MustChangePassword || len(a.Grants) != 1 || a.Grants[0].Role != auth.SysAdmin || a.Grants[0].UnitName != "XX镇" {
		t.Errorf("admin = %+v", a)
	}
	roots, _ := org.Children(t.Context(), d, 0)
	if len(roots) != 1 || roots[0].Name != "XX镇" || roots[0].Kind != org.Town {
		t.Errorf("roots = %v", roots)
	}
	if len(res.Others) != 2 || res.Others[0].Username != "secadmin" || res.Others[0].Role != auth.SecAdmin ||
		res.Others[1].Username != "auditor" || res.Others[1].Role != auth.Auditor {
		t.Fatalf("others = %+v", res.Others)
	}
	sec := e.security()
	for _, h := range res.Others {
		r := e.mustLogin(h.Username, h.Password)
		if len(r.User.Grants) != 1 || r.User.Grants[0].Role != h.Role {
			t.Errorf("%s grants = %v", h.Username, r.User.Grants)
		}
		if g := account.GateFor(r.User, sec, clock.Now()); g != account.GateChangePassword {
			t.Errorf("%s must change the handed-over password; gate = %v", h.Username, g)
		}
	}
	if g := account.GateFor(e.mustLogin("admin", pw).User, sec, clock.Now()); g != account.GateEnrolTOTP {
		t.Errorf("admin gate = %v, want GateEnrolTOTP", g)
	}
	if n := e.audits(audit.Filter{Action: audit.SetupUsed}); n != 1 {
		t.Errorf("%d set-ups recorded", n)
	}

	_, err = setup(tok, good)
	wantKind(t, err, apperr.NotFound)
	_, err = setup(spare, good)
	wantKind(t, err, apperr.NotFound)
	err = e.try(func(tx *db.Tx) error {
		_, err := account.NewSetupToken(t.Context(), tx)
		return err
	})
	wantKind(t, err, apperr.Conflict)
	if n, _ := account.CountUsers(t.Context(), d); n != 3 {
		t.Errorf("%d users, want 3", n)
	}
}

func TestSetup_CountyAndTokenExpiry(t *testing.T) {
	d := dbtest.New(t)
	clock := dbtest.NewClock(dbtest.Now)
	d.Clock = clock.Now
	var tok string
	if err := d.InTx(t.Context(), func(tx *db.Tx) (err error) {
		tok, err = account.NewSetupToken(t.Context(), tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(59 * time.Minute)
	if err := account.CheckSetupToken(t.Context(), d, tok); err != nil {
		t.Errorf("59 minutes old: %v", err)
	}
	clock.Advance(2 * time.Minute)
	wantKind(t, account.CheckSetupToken(t.Context(), d, tok), apperr.NotFound)
	clock.Set(dbtest.Now)
	err := d.InTx(t.Context(), func(tx *db.Tx) error {
		_, err := account.Setup(t.Context(), tx, tok, account.SetupInput{TownName: "YY县", Username: "admin", DisplayName: "李四", Password: pw, Confirm: pw}, "", "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	roots, _ := org.Children(t.Context(), d, 0)
	if len(roots) != 1 || roots[0].Kind != org.County {
		t.Errorf("roots = %+v", roots)
	}
}

func TestResume_Limits(t *testing.T) {
	e := newEnv(t)
	u := e.user("zhang")
	r := e.mustLogin("zhang", pw)
	if r.Session.IDHash != account.HashToken(r.Token) || r.Session.IDHash == r.Token || len(r.Session.CSRFToken) < 40 {
		t.Errorf("session = %+v", r.Session)
	}
	s, got, err := e.resume(r.Token)
	if err != nil || got.ID != u.ID || s.MFAPending {
		t.Fatalf("Resume = %+v, %+v, %v", s, got, err)
	}
	for _, bad := range []string{"", "made-up"} {
		if _, _, err := e.resume(bad); apperr.KindOf(err) != apperr.Unauthorized {
			t.Errorf("Resume(%q): %v", bad, err)
		}
	}

	t.Run("idle", func(t *testing.T) {
		e := e.with(t)
		// Activity every 20 minutes keeps the session alive past the idle limit.
		for range 3 {
			e.clock.Advance(20 * time.Minute)
			if _, _, err := e.resume(r.Token); err != nil {
				t.Fatalf("active session ended: %v", err)
			}
		}
		e.clock.Advance(31 * time.Minute)
		_, _, err := e.resume(r.Token)
		wantKind(t, err, apperr.Unauthorized)
		if err == nil || !strings.Contains(err.Error(), "超过 30 分钟未操作") {
			t.Errorf("idle: %v", err)
		}
		// It is gone, not merely refused.
		if _, _, err := e.resume(r.Token); err == nil || !strings.Contains(err.Error(), "登录已失效") {
			t.Errorf("after expiry: %v", err)
		}
		if n := e.audits(audit.Filter{Action: audit.SessionExpired, User: "zhang"}); n != 1 {
			t.Errorf("%d expiries recorded", n)
		}
	})

	t.Run("absolute", func(t *testing.T) {
		e := e.with(t)
		e.saveSecurity(map[string]string{"absolute_timeout_hours": "1"})
		r := e.mustLogin("zhang", pw)
		for range 2 {
			e.clock.Advance(25 * time.Minute)
			if _, _, err := e.resume(r.Token); err != nil {
				t.Fatalf("session ended within an hour: %v", err)
			}
		}
		e.clock.Advance(25 * time.Minute)
		_, _, err := e.resume(r.Token)
		if apperr.KindOf(err) != apperr.Unauthorized || !strings.Contains(err.Error(), "登录已超过 1 小时") {
			t.Errorf("75 minutes after sign-in: %v", err)
		}
	})

	t.Run("disabled user", func(t *testing.T) {
		e := e.with(t)
		r := e.mustLogin("zhang", pw)
		e.tx(func(tx *db.Tx) error {
			_, err := account.SetDisabled(t.Context(), tx, e.sysadmin, u.ID, true)
			return err
		})
		if _, _, err := e.resume(r.Token); apperr.KindOf(err) != apperr.Unauthorized {
			t.Errorf("session of a disabled user: %v", err)
		}
		e.tx(func(tx *db.Tx) error {
			_, err := account.SetDisabled(t.Context(), tx, e.sysadmin, u.ID, false)
			return err
		})
		if _, _, err := e.resume(r.Token); err == nil {
			t.Error("re-enabling brought the old session back")
		}
	})

	t.Run("logout", func(t *testing.T) {
		e := e.with(t)
		r := e.mustLogin("zhang", pw)
		e.tx(func(tx *db.Tx) error { return account.Logout(t.Context(), tx, r.User.Actor("", "", "ui"), r.Token) })
		if _, _, err := e.resume(r.Token); apperr.KindOf(err) != apperr.Unauthorized {
			t.Errorf("after logout: %v", err)
		}
		if n := e.audits(audit.Filter{Action: audit.Logout, User: "zhang"}); n != 1 {
			t.Errorf("%d logouts recorded", n)
		}
	})
}

// otherCode is a six-digit code that is not valid for secret around now.
func otherCode(secret string, now time.Time) string {
	step := account.TOTPStep(now)
	valid := map[string]bool{}
	for s := step - 1; s <= step+1; s++ {
		valid[account.TOTPCode(secret, s)] = true
	}
	for i := 0; ; i++ {
		c := fmt.Sprintf("%06d", i*7919%1000000)
		if !valid[c] {
			return c
		}
	}
}

func TestSecondFactor(t *testing.T) {
	e := newEnv(t)
	u := e.user("zhang")
	actor := u.Actor("10.0.0.1", "r", "ui")
	var secret string
	e.tx(func(tx *db.Tx) (err error) {
		secret, err = account.BeginTOTP(t.Context(), tx, actor)
		return err
	})
	if r := e.mustLogin("zhang", pw); r.MFAPending {
		t.Error("an unconfirmed secret already asks for a code")
	}
	err := e.try(func(tx *db.Tx) error {
		_, err := account.ConfirmTOTP(t.Context(), tx, actor, otherCode(secret, e.clock.Now()))
		return err
	})
	fieldErr(t, err, "code", "验证码不正确")
	confirmCode := account.TOTPCode(secret, account.TOTPStep(e.clock.Now()))
	var codes []string
	e.tx(func(tx *db.Tx) (err error) {
		codes, err = account.ConfirmTOTP(t.Context(), tx, actor, confirmCode)
		return err
	})
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes", len(codes))
	}
	shape := regexp.MustCompile(`^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$`)
	for _, c := range codes {
		if !shape.MatchString(c) {
			t.Errorf("recovery code %q", c)
		}
	}
	left := func() int {
		n, err := account.RecoveryCodesLeft(t.Context(), e.d, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if left() != 10 {
		t.Errorf("%d recovery codes left", left())
	}

	pending := e.mustLogin("zhang", pw)
	if !pending.MFAPending {
		t.Fatal("password alone signed in with TOTP on")
	}
	if s, _, err := e.resume(pending.Token); err != nil || !s.MFAPending {
		t.Errorf("pending session: %+v, %v", s, err)
	}

	// The code used to confirm is spent: same 30-second step.
	r := e.secondFactor(pending.Token, confirmCode)
	if r.Token != "" || !r.MFAPending || !strings.HasPrefix(r.Failure, "动态口令或恢复码不正确") {
		t.Errorf("replayed confirm code: %+v", r)
	}
	e.clock.Advance(30 * time.Second)
	code := account.TOTPCode(secret, account.TOTPStep(e.clock.Now()))
	r = e.secondFactor(pending.Token, code)
	if r.Failure != "" || r.Token == "" || r.Token == pending.Token || r.MFAPending {
		t.Fatalf("current code: %+v", r)
	}
	if s, _, err := e.resume(r.Token); err != nil || s.MFAPending {
		t.Errorf("full session: %+v, %v", s, err)
	}
	if _, _, err := e.resume(pending.Token); err == nil {
		t.Error("the pending session survived the second factor")
	}

	// Replaying the code (or the older one) in a new sign-in is refused.
	p2 := e.mustLogin("zhang", pw)
	for _, c := range []string{code, confirmCode, otherCode(secret, e.clock.Now()), "12345"} {
		if r := e.secondFactor(p2.Token, c); r.Token != "" {
			t.Errorf("code %s accepted twice", c)
		}
	}

	// A recovery code works once, whatever its case and spacing.
	r = e.secondFactor(p2.Token, "  "+strings.ToUpper(codes[0])+" ")
	if r.Failure != "" || r.Token == "" {
		t.Fatalf("recovery code: %+v", r)
	}
	if left() != 9 {
		t.Errorf("%d recovery codes left, want 9", left())
	}
	p3 := e.mustLogin("zhang", pw)
	if r := e.secondFactor(p3.Token, codes[0]); r.Token != "" {
		t.Error("a recovery code worked twice")
	}
	if n := e.audits(audit.Filter{Action: audit.RecoveryCodeUsed, User: "zhang"}); n != 1 {
		t.Errorf("%d recovery code uses recorded", n)
	}

	// A pending sign-in lasts five minutes.
	e.clock.Advance(6 * time.Minute)
	now := account.TOTPCode(secret, account.TOTPStep(e.clock.Now()))
	if r := e.secondFactor(p3.Token, now); r.Token != "" || !strings.Contains(r.Failure, "验证超时") {
		t.Errorf("after 6 minutes: %+v", r)
	}
	if r := e.secondFactor("made-up", now); r.Token != "" || !strings.Contains(r.Failure, "登录已失效") {
		t.Errorf("unknown pending token: %+v", r)
	}
}

// Wrong codes count toward the lockout like wrong passwords, and typing the
// password again must not wipe the count: otherwise whoever knows the
// password could try codes forever, four at a time.
func TestSecondFactor_FailuresAccumulateAcrossSignIns(t *testing.T) {
	e := newEnv(t)
	u := e.user("zhang")
	actor := u.Actor("10.0.0.1", "r", "ui")
	var secret string
	e.tx(func(tx *db.Tx) (err error) {
		secret, err = account.BeginTOTP(t.Context(), tx, actor)
		return err
	})
	e.tx(func(tx *db.Tx) error {
		_, err := account.ConfirmTOTP(t.Context(), tx, actor, account.TOTPCode(secret, account.TOTPStep(e.clock.Now())))
		return err
	})
	wrong := otherCode(secret, e.clock.Now())
	p1 := e.mustLogin("zhang", pw)
	for range 4 {
		if r := e.secondFactor(p1.Token, wrong); r.Token != "" {
			t.Fatal("wrong code accepted")
		}
	}
	p2 := e.mustLogin("zhang", pw) // the password again, then a fifth wrong code
	r := e.secondFactor(p2.Token, wrong)
	if !strings.Contains(r.Failure, "已锁定") {
		t.Errorf("fifth consecutive wrong code: %q, want the account locked (failed_logins = %d)", r.Failure, e.get(u.ID).FailedLogins)
	}
	if r := e.login("zhang", pw); r.Failure == "" {
		t.Error("the password was accepted (a session started) after five consecutive wrong codes")
	}
}

func TestDisableTOTP(t *testing.T) {
	e := newEnv(t)
	enrol := func(u *account.User) auth.Actor {
		a := u.Actor("", "", "ui")
		var secret string
		e.tx(func(tx *db.Tx) (err error) {
			secret, err = account.BeginTOTP(t.Context(), tx, a)
			return err
		})
		e.tx(func(tx *db.Tx) error {
			_, err := account.ConfirmTOTP(t.Context(), tx, a, account.TOTPCode(secret, account.TOTPStep(e.clock.Now())))
			return err
		})
		return a
	}
	disable := func(a auth.Actor, password string) error {
		return e.try(func(tx *db.Tx) error { return account.DisableTOTP(t.Context(), tx, a, password) })
	}
	admin := e.user("admin2", auth.SysAdmin)
	aa := enrol(admin)
	wantKind(t, disable(aa, pw), apperr.Forbidden)
	staff := e.user("zhang")
	sa := enrol(staff)
	fieldErr(t, disable(sa, "Wrong#Pass2026"), "password", "密码不正确")
	if err := disable(sa, pw); err != nil {
		t.Fatal(err)
	}
	if e.get(staff.ID).TOTPEnabled {
		t.Error("TOTP still on")
	}
	if n, _ := account.RecoveryCodesLeft(t.Context(), e.d, staff.ID); n != 0 {
		t.Errorf("%d recovery codes kept", n)
	}
	if r := e.mustLogin("zhang", pw); r.MFAPending {
		t.Error("still asks for a code")
	}
}

func TestRevokeSession(t *testing.T) {
	e := newEnv(t)
	a := e.user("zhang")
	b := e.user("lisi")
	a1 := e.mustLogin("zhang", pw)
	e.clock.Advance(time.Minute)
	a2 := e.mustLogin("zhang", pw)
	b1 := e.mustLogin("lisi", pw)
	ss, err := account.Sessions(t.Context(), e.d, a.ID)
	if err != nil || len(ss) != 2 || ss[0].IDHash != a2.Session.IDHash {
		t.Fatalf("Sessions = %v, %v", ss, err)
	}
	revoke := func(by auth.Actor, idHash string) error {
		return e.try(func(tx *db.Tx) error { return account.RevokeSession(t.Context(), tx, by, idHash) })
	}
	wantKind(t, revoke(b.Actor("", "", "ui"), a1.Session.IDHash), apperr.NotFound)
	wantKind(t, revoke(e.sysadmin, a1.Session.IDHash), apperr.NotFound)
	if _, _, err := e.resume(a1.Token); err != nil {
		t.Fatalf("a refused revoke ended the session: %v", err)
	}
	if err := revoke(a.Actor("", "", "ui"), a1.Session.IDHash); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.resume(a1.Token); err == nil {
		t.Error("revoked session still works")
	}
	if _, _, err := e.resume(a2.Token); err != nil {
		t.Errorf("the other session ended too: %v", err)
	}
	if err := revoke(e.secadmin, b1.Session.IDHash); err != nil {
		t.Errorf("secadmin revoking another's session: %v", err)
	}
	wantKind(t, revoke(a.Actor("", "", "ui"), a1.Session.IDHash), apperr.NotFound)
	if n := e.audits(audit.Filter{Action: audit.SessionRevoked}); n != 2 {
		t.Errorf("%d revocations recorded, want 2", n)
	}
}

func TestList_AccountsInScope(t *testing.T) {
	e := newEnv(t)
	e.user("zhang")
	e.tx(func(tx *db.Tx) error {
		_, _, err := account.Create(t.Context(), tx, sys, account.Input{Username: "cun", DisplayName: "村干部", UnitID: fmt.Sprint(e.village.ID), Password: pw})
		return err
	})
	names := func(by auth.Actor, f account.Filter) string {
		us, err := account.List(t.Context(), e.d, by, f)
		if err != nil {
			return err.Error()
		}
		var out []string
		for _, u := range us {
			out = append(out, u.Username)
		}
		return strings.Join(out, ",")
	}
	if got := names(e.sysadmin, account.Filter{}); got != "cun,zhang" { // by username
		t.Errorf("town sysadmin sees %s", got)
	}
	villageAdmin := auth.Actor{UserID: 80, Grants: []auth.Grant{{Role: auth.SysAdmin, UnitID: e.village.ID, UnitPath: e.village.Path}}}
	if got := names(villageAdmin, account.Filter{}); got != "cun" {
		t.Errorf("village sysadmin sees %s", got)
	}
	if got := names(e.auditor, account.Filter{Query: "村"}); got != "cun" {
		t.Errorf("search 村: %s", got)
	}
	staff := auth.Actor{UserID: 81, Grants: []auth.Grant{{Role: auth.Staff, UnitID: e.town.ID, UnitPath: e.town.Path}}}
	if _, err := account.List(t.Context(), e.d, staff, account.Filter{}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("staff listing accounts: %v", err)
	}
}

// 三员分立: the system administrator cannot take over the security
// administrator's or the auditor's account by resetting its password,
// disabling or editing it; the command line can, for recovery.
func TestSeparatedAdministrators_CannotTakeOverEachOther(t *testing.T) {
	e := newEnv(t)
	sec := e.user("sec2", auth.SecAdmin)
	aud := e.user("aud2", auth.Auditor)
	peer := e.user("sys2", auth.SysAdmin)
	for _, target := range []*account.User{sec, aud} {
		wantKind(t, e.try(func(tx *db.Tx) error {
			_, err := account.ResetPassword(t.Context(), tx, e.sysadmin, target.ID)
			return err
		}), apperr.Forbidden)
		wantKind(t, e.try(func(tx *db.Tx) error {
			_, err := account.SetDisabled(t.Context(), tx, e.sysadmin, target.ID, true)
			return err
		}), apperr.Forbidden)
		wantKind(t, e.try(func(tx *db.Tx) error {
			_, err := account.Update(t.Context(), tx, e.sysadmin, target.ID, account.Input{DisplayName: "改名", UnitID: fmt.Sprint(e.town.ID)})
			return err
		}), apperr.Forbidden)
		if err := e.try(func(tx *db.Tx) error {
			_, err := account.ResetPassword(t.Context(), tx, sys, target.ID)
			return err
		}); err != nil {
			t.Errorf("command line reset of %s: %v", target.Username, err)
		}
	}
	// A fellow system administrator's account is the system administrator's to manage.
	if err := e.try(func(tx *db.Tx) error {
		_, err := account.ResetPassword(t.Context(), tx, e.sysadmin, peer.ID)
		return err
	}); err != nil {
		t.Errorf("reset of another sysadmin: %v", err)
	}
}

func TestThrottle_CountsParallelAttemptsAtOnce(t *testing.T) {
	th := account.NewThrottle()
	now := time.Date(2026, 3, 15, 9, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	var allowed atomic.Int32
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if th.Take("10.0.0.9", 20, now) {
				allowed.Add(1)
			}
		}()
	}
	wg.Wait()
	if allowed.Load() != 20 {
		t.Fatalf("%d of 50 parallel attempts allowed, want 20", allowed.Load())
	}
	th.Refund("10.0.0.9") // one of them succeeded
	if !th.Take("10.0.0.9", 20, now) || th.Take("10.0.0.9", 20, now) {
		t.Error("a refund frees exactly one attempt")
	}
	if !th.Take("10.0.0.9", 20, now.Add(16*time.Minute)) {
		t.Error("a new window starts after 15 minutes")
	}
	if !th.Take("10.0.0.10", 20, now) {
		t.Error("another address has its own count")
	}
}
