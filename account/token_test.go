package account_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"guatu/account"
	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
)

// ready is a user with roles whose password need not be changed first.
func (e *env) ready(name string, roles ...auth.Role) *account.User {
	e.t.Helper()
	u := e.user(name, roles...)
	e.tx(func(tx *db.Tx) error { return account.SetPassword(e.t.Context(), tx, sys, u.ID, pw, false) })
	return e.get(u.ID)
}

func (e *env) createToken(u *account.User, name, days string) (string, *account.Token, error) {
	var secret string
	var tok *account.Token
	err := e.try(func(tx *db.Tx) (err error) {
		secret, tok, err = account.CreateToken(e.t.Context(), tx, u.Actor("10.0.0.1", "req", "ui"), account.TokenInput{Name: name, Days: days, Password: pw})
		return err
	})
	return secret, tok, err
}

func (e *env) mustToken(u *account.User, name string) (string, *account.Token) {
	e.t.Helper()
	secret, tok, err := e.createToken(u, name, "90")
	if err != nil {
		e.t.Fatal(err)
	}
	return secret, tok
}

func (e *env) authenticate(secret string) (*account.User, *account.Token, error) {
	return account.Authenticate(e.t.Context(), e.d, e.security(), secret, "10.0.0.7", "req-api")
}

func TestCreateToken_StoresOnlyTheHash(t *testing.T) {
	e := newEnv(t)
	u := e.ready("zhang", auth.Staff)
	secret, tok := e.mustToken(u, "县平台对接")
	if !strings.HasPrefix(secret, "gt_") || len(secret) != 46 {
		t.Errorf("secret %q: want gt_ and 43 base64url characters", secret)
	}
	if tok.Prefix != secret[:11] || tok.Name != "县平台对接" {
		t.Errorf("token = %+v", tok)
	}
	if want := dbtest90(e); !tok.ExpiresAt.Equal(want) {
		t.Errorf("expires %v, want %v", tok.ExpiresAt, want)
	}
	// No column holds the secret (or anything more of it than the shown prefix).
	rows, err := e.d.QueryContext(t.Context(), `SELECT id, user_id, name, token_hash, prefix, created_at, expires_at, last_used_at,
		last_used_ip, revoked_at, revoked_reason FROM api_tokens`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, uid int64
		cols := make([]string, 9)
		if err := rows.Scan(&id, &uid, &cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5], &cols[6], &cols[7], &cols[8]); err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			if strings.Contains(c, secret[11:20]) {
				t.Errorf("a column holds part of the secret: %q", c)
			}
		}
		if cols[1] != account.HashToken(secret) {
			t.Errorf("token_hash = %q, want the SHA-256 of the secret", cols[1])
		}
	}
	if n := e.audits(audit.Filter{Action: audit.TokenCreated}); n != 1 {
		t.Errorf("%d token.created records, want 1", n)
	}
	// The audit record does not hold the secret either.
	rowsA, _, err := audit.List(t.Context(), e.d, e.auditor, audit.Filter{Action: audit.TokenCreated})
	if err != nil || len(rowsA) != 1 || strings.Contains(rowsA[0].Detail, secret[3:]) || !strings.Contains(rowsA[0].Detail, tok.Prefix) {
		t.Errorf("audit detail %v / %v", rowsA, err)
	}
}

func dbtest90(e *env) time.Time { return e.clock.Now().AddDate(0, 0, 90) }

func TestCreateToken_Refusals(t *testing.T) {
	e := newEnv(t)
	u := e.ready("zhang", auth.Staff)

	_, _, err := e.createToken(u, "", "90")
	fieldErr(t, err, "name", "请填写用途")
	_, _, err = e.createToken(u, strings.Repeat("长", 31), "90")
	fieldErr(t, err, "name", "不超过30个字")
	for _, days := range []string{"0", "7", "366", "never", "", "-90"} {
		_, _, err = e.createToken(u, "对接", days)
		fieldErr(t, err, "days", "请选择有效期")
	}
	// A wrong password is refused and marked for the caller to count.
	err = e.try(func(tx *db.Tx) error {
		_, _, err := account.CreateToken(t.Context(), tx, u.Actor("", "", "ui"), account.TokenInput{Name: "对接", Days: "30", Password: "wrong"})
		return err
	})
	fieldErr(t, err, "password", "登录密码不正确")
	if !errors.Is(err, account.ErrWrongPassword) {
		t.Error("wrong password is not ErrWrongPassword")
	}
	// The three administrators hold no tokens.
	for _, r := range []auth.Role{auth.SysAdmin, auth.SecAdmin, auth.Auditor} {
		adm := e.ready("adm_"+string(r), r)
		_, _, err := e.createToken(adm, "对接", "30")
		wantKind(t, err, apperr.Forbidden)
	}
	// At most ten live tokens; a revoked or expired one frees a place.
	var last *account.Token
	for i := range account.MaxLiveTokens {
		_, last = e.mustToken(u, "对接"+string(rune('A'+i)))
	}
	_, _, err = e.createToken(u, "第十一个", "30")
	if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.Invalid || !strings.Contains(ae.Msg, "最多同时持有 10 个") {
		t.Fatalf("eleventh token: %v", err)
	}
	e.tx(func(tx *db.Tx) error { return account.RevokeToken(t.Context(), tx, u.Actor("", "", "ui"), last.ID) })
	e.mustToken(u, "第十一个")
	if n := e.audits(audit.Filter{Action: audit.TokenCreated}); n != 11 {
		t.Errorf("%d creations recorded, want 11", n)
	}
}

func TestAuthenticate_LiveTokenActsAsItsUser(t *testing.T) {
	e := newEnv(t)
	u := e.ready("zhang", auth.Staff)
	secret, tok := e.mustToken(u, "对接")

	got, gotTok, err := e.authenticate(secret)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != u.ID || gotTok.ID != tok.ID || len(got.Grants) != 1 || got.Grants[0].Role != auth.Staff {
		t.Errorf("user %+v token %+v", got, gotTok)
	}
	// The first use is recorded once; last use moves at most once a minute.
	if n := e.audits(audit.Filter{Action: audit.TokenFirstUsed}); n != 1 {
		t.Errorf("%d first-use records, want 1", n)
	}
	used := func() (time.Time, string) {
		list, err := account.Tokens(t.Context(), e.d, u.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("Tokens = %v, %v", list, err)
		}
		return list[0].LastUsedAt, list[0].LastUsedIP
	}
	at, ip := used()
	if !at.Equal(e.clock.Now()) || ip != "10.0.0.7" {
		t.Errorf("last used %v from %q", at, ip)
	}
	e.clock.Advance(30 * time.Second)
	e.authenticate(secret)
	if at2, _ := used(); !at2.Equal(at) {
		t.Errorf("last used moved after 30 s: %v", at2)
	}
	e.clock.Advance(31 * time.Second)
	e.authenticate(secret)
	if at3, _ := used(); !at3.Equal(e.clock.Now()) {
		t.Errorf("last used not moved after 61 s: %v", at3)
	}
	if n := e.audits(audit.Filter{Action: audit.TokenFirstUsed}); n != 1 {
		t.Errorf("%d first-use records after three uses, want 1", n)
	}
}

func TestAuthenticate_Refusals(t *testing.T) {
	e := newEnv(t)
	actor := func(u *account.User) auth.Actor { return u.Actor("", "", "ui") }
	day := 24 * time.Hour
	seq := 0
	for _, tc := range []struct {
		name   string
		before func()                                    // before the token is made
		after  func(u *account.User, tok *account.Token) // after it is made
		secret func(secret string) string
		kind   apperr.Kind
		msg    string
	}{
		{name: "junk", secret: func(string) string { return "not-a-token" }, kind: apperr.Unauthorized, msg: "令牌无效"},
		{name: "unknown", secret: func(s string) string {
			if s[45] == 'A' {
				return s[:45] + "B"
			}
			return s[:45] + "A"
		}, kind: apperr.Unauthorized, msg: "令牌无效"},
		{name: "revoked", after: func(u *account.User, tok *account.Token) {
			e.tx(func(tx *db.Tx) error { return account.RevokeToken(t.Context(), tx, actor(u), tok.ID) })
		}, kind: apperr.Unauthorized, msg: "令牌已撤销"},
		{name: "expired", after: func(*account.User, *account.Token) { e.clock.Advance(90 * day) },
			kind: apperr.Unauthorized, msg: "令牌已过期"},
		{name: "disabled", after: func(u *account.User, _ *account.Token) {
			e.tx(func(tx *db.Tx) error {
				_, err := account.SetDisabled(t.Context(), tx, e.sysadmin, u.ID, true)
				return err
			})
		}, kind: apperr.Unauthorized, msg: "令牌已撤销"},
		{name: "password reset", after: func(u *account.User, _ *account.Token) {
			e.tx(func(tx *db.Tx) error { _, err := account.ResetPassword(t.Context(), tx, e.sysadmin, u.ID); return err })
		}, kind: apperr.Unauthorized, msg: "令牌已撤销"},
		{name: "locked", after: func(u *account.User, _ *account.Token) {
			for range 5 {
				e.login(u.Username, "wrong")
			}
		}, kind: apperr.Forbidden, msg: "已锁定"},
		// The password (90 days) runs out while the token (made later) still runs.
		{name: "password expired", before: func() { e.clock.Advance(89 * day) },
			after: func(*account.User, *account.Token) { e.clock.Advance(2 * day) },
			kind:  apperr.Forbidden, msg: "须先登录网页修改密码"},
		{name: "became an administrator", after: func(u *account.User, _ *account.Token) {
			e.tx(func(tx *db.Tx) error { return account.Grant(t.Context(), tx, sys, u.ID, auth.Auditor, e.town.ID) })
		}, kind: apperr.Forbidden, msg: "管理员账号不能使用接口令牌"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := e.with(t)
			e.clock.Set(time.Date(2026, 3, 15, 9, 0, 0, 0, time.UTC))
			seq++
			u := e.ready(fmt.Sprintf("user%d", seq), auth.Staff)
			if tc.before != nil {
				tc.before()
			}
			secret, tok := e.mustToken(u, "对接")
			if tc.after != nil {
				tc.after(u, tok)
			}
			if tc.secret != nil {
				secret = tc.secret(secret)
			}
			before := e.audits(audit.Filter{Action: audit.TokenRefused})
			_, _, err := e.authenticate(secret)
			ae, ok := apperr.As(err)
			if !ok || ae.Kind != tc.kind || !strings.Contains(ae.Msg, tc.msg) {
				t.Fatalf("err = %v, want kind %v with %q", err, tc.kind, tc.msg)
			}
			if after := e.audits(audit.Filter{Action: audit.TokenRefused}); after != before+1 {
				t.Errorf("refusal records %d → %d, want one more", before, after)
			}
		})
	}
}

func TestRevokeToken_OnlyOwnAndRecorded(t *testing.T) {
	e := newEnv(t)
	u := e.ready("zhang", auth.Staff)
	other := e.ready("lisi", auth.Staff)
	_, tok := e.mustToken(u, "对接")

	err := e.try(func(tx *db.Tx) error { return account.RevokeToken(t.Context(), tx, other.Actor("", "", "ui"), tok.ID) })
	wantKind(t, err, apperr.NotFound)
	e.tx(func(tx *db.Tx) error { return account.RevokeToken(t.Context(), tx, u.Actor("", "", "ui"), tok.ID) })
	err = e.try(func(tx *db.Tx) error { return account.RevokeToken(t.Context(), tx, u.Actor("", "", "ui"), tok.ID) })
	wantKind(t, err, apperr.NotFound)
	list, err := account.Tokens(t.Context(), e.d, u.ID)
	if err != nil || len(list) != 1 || list[0].State(e.clock.Now()) != account.TokenRevoked || list[0].RevokedReason != "本人撤销" {
		t.Fatalf("Tokens = %+v, %v", list, err)
	}
	if n := e.audits(audit.Filter{Action: audit.TokenRevoked}); n != 1 {
		t.Errorf("%d revocations recorded, want 1", n)
	}
}

func TestDisable_RevokesTokensForGood(t *testing.T) {
	e := newEnv(t)
	u := e.ready("zhang", auth.Staff)
	secret, _ := e.mustToken(u, "对接")
	e.mustToken(u, "报表")
	e.tx(func(tx *db.Tx) error {
		_, err := account.SetDisabled(t.Context(), tx, e.sysadmin, u.ID, true)
		return err
	})
	e.tx(func(tx *db.Tx) error {
		_, err := account.SetDisabled(t.Context(), tx, e.sysadmin, u.ID, false)
		return err
	})
	// Enabling the account again does not bring the tokens back.
	if _, _, err := e.authenticate(secret); apperr.KindOf(err) != apperr.Unauthorized {
		t.Errorf("token after disable and enable: %v", err)
	}
	rows, _, err := audit.List(t.Context(), e.d, e.auditor, audit.Filter{Action: audit.TokenRevoked})
	if err != nil || len(rows) != 1 || !strings.Contains(rows[0].Decoded().Note, "撤销其全部 2 个接口令牌") {
		t.Errorf("revocation records %v, %v", rows, err)
	}
}

func TestChangePassword_KeepsTokens(t *testing.T) {
	e := newEnv(t)
	u := e.ready("zhang", auth.Staff)
	secret, _ := e.mustToken(u, "对接")
	e.tx(func(tx *db.Tx) error {
		return account.ChangePassword(t.Context(), tx, u.Actor("", "", "ui"), pw, "Another#Pass2026", "Another#Pass2026", "")
	})
	if _, _, err := e.authenticate(secret); err != nil {
		t.Errorf("token after the user's own password change: %v", err)
	}
}
