package web

import (
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"guatu/account"
	"guatu/apperr"
	"guatu/db"
	"guatu/qr"
)

// 我的: the signed-in person's own account — profile and roles, password,
// the TOTP second factor with its recovery codes, and the browsers signed in.
// Every page here acts on the actor alone; the account package checks that.

// sessionRow is one signed-in browser on the profile page.
type sessionRow struct {
	*account.Session
	Current bool
	Client  string // "Chrome · Windows", from the user agent
}

type mePage struct {
	Base
	Security     account.Security
	PasswordDays int       // days since the password was set
	ExpiresOn    time.Time // zero when passwords do not expire
	DaysLeft     int
	Expired      bool
	RecoveryLeft int
	Sessions     []sessionRow
	// TokensAllowed is false for the three administrators; LiveTokens counts my usable API tokens.
	TokensAllowed bool
	LiveTokens    int
}

// me is the profile: who I am, my roles, my password and second factor, and
// where I am signed in.
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	u, now := st.user, s.db.Now()
	p := mePage{Base: s.base(r, "我的", "me"), Security: st.security}
	p.PasswordDays = int(now.Sub(u.PasswordChangedAt).Hours() / 24)
	if days := st.security.PasswordExpiryDays; days > 0 {
		p.ExpiresOn = u.PasswordChangedAt.AddDate(0, 0, days)
		p.DaysLeft = int(p.ExpiresOn.Sub(now).Hours() / 24)
		p.Expired = u.PasswordExpired(st.security, now)
	}
	var err error
	if p.RecoveryLeft, err = account.RecoveryCodesLeft(r.Context(), s.db, u.ID); err != nil {
		return err
	}
	sessions, err := account.Sessions(r.Context(), s.db, u.ID)
	if err != nil {
		return err
	}
	current := account.HashToken(st.token)
	for _, x := range sessions {
		p.Sessions = append(p.Sessions, sessionRow{Session: x, Current: x.IDHash == current, Client: clientName(x.UserAgent)})
	}
	if p.TokensAllowed = account.CanHoldTokens(u); p.TokensAllowed {
		tokens, err := account.Tokens(r.Context(), s.db, u.ID)
		if err != nil {
			return err
		}
		for _, t := range tokens {
			if t.State(now) == account.TokenLive {
				p.LiveTokens++
			}
		}
	}
	return s.render(w, r, http.StatusOK, "me", p)
}

// clientName names the browser and system of a user agent well enough for a
// person to recognise their own phone or office computer. The in-app browsers
// of WeChat and DingTalk come first: many users sign in from them.
func clientName(ua string) string {
	pick := func(pairs ...string) string {
		for i := 0; i+1 < len(pairs); i += 2 {
			if strings.Contains(ua, pairs[i]) {
				return pairs[i+1]
			}
		}
		return ""
	}
	browser := pick("MicroMessenger", "微信", "wxwork", "企业微信", "DingTalk", "钉钉", "Edg/", "Edge", "Firefox/", "Firefox",
		"Chrome/", "Chrome", "Safari/", "Safari")
	system := pick("Android", "Android", "iPhone", "iPhone", "iPad", "iPad", "Windows", "Windows", "Mac OS", "macOS",
		"Kylin", "麒麟", "UOS", "统信", "Linux", "Linux")
	switch {
	case browser != "" && system != "":
		return browser + " · " + system
	case browser+system != "":
		return browser + system
	default:
		return "未知浏览器"
	}
}

// sessionRevoke ends another of my sessions (a lost phone, a shared computer).
func (s *Server) sessionRevoke(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	hash := r.PostFormValue("session")
	if hash == account.HashToken(st.token) {
		s.setFlash(w, r, "这是您正在使用的会话，如需结束请点击右上角“退出”", true)
		return s.redirect(w, r, "/me", "")
	}
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		return account.RevokeSession(r.Context(), tx, actor(r), hash)
	})
	if apperr.KindOf(err) == apperr.NotFound {
		// Already ended (it timed out, or was ended from another window): say so on the list.
		ae, _ := apperr.As(err)
		s.setFlash(w, r, ae.Msg, true)
		return s.redirect(w, r, "/me", "")
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/me", "已结束该会话，那台设备需要重新登录")
}

type passwordPage struct {
	Base
	MustChange bool // first sign-in or after a reset
	Expired    bool
	ExpiryDays int
	Rules      []string
	Errors     map[string]string
	Error      string
}

// passwordRules lists the policy in force, so nobody has to guess it from
// error messages (等保 2.0: 口令复杂度要求).
func passwordRules(sec account.Security) []string {
	rules := []string{
		fmt.Sprintf("至少 %d 个字符", sec.PasswordMinLength),
		fmt.Sprintf("包含小写字母、大写字母、数字、符号中的至少 %d 种", sec.PasswordMinClasses),
		"不能包含用户名，不能是常见的弱密码",
		"不能与当前密码相同",
	}
	if sec.PasswordHistory > 0 {
		rules = append(rules, fmt.Sprintf("不能与最近 %d 次用过的密码相同", sec.PasswordHistory))
	}
	if sec.PasswordExpiryDays > 0 {
		rules = append(rules, fmt.Sprintf("有效期 %d 天，到期后须更换", sec.PasswordExpiryDays))
	}
	return rules
}

func (s *Server) passwordPageData(r *http.Request) passwordPage {
	st := state(r)
	p := passwordPage{Base: s.base(r, "修改密码", "me"), Rules: passwordRules(st.security), ExpiryDays: st.security.PasswordExpiryDays}
	if st.gate == account.GateChangePassword {
		p.MustChange = st.user.MustChangePassword
		p.Expired = !p.MustChange && st.user.PasswordExpired(st.security, s.db.Now())
	}
	return p
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "me_password", s.passwordPageData(r))
}

// passwordChange sets my new password. My other sessions end (whoever else
// may know the old password is signed out); this one stays.
func (s *Server) passwordChange(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		return account.ChangePassword(r.Context(), tx, actor(r), r.PostFormValue("current"),
			r.PostFormValue("password"), r.PostFormValue("confirm"), account.HashToken(st.token))
	})
	if errors.Is(err, account.ErrWrongPassword) {
		if locked, rerr := s.recheckFailed(r, "修改密码"); rerr != nil || locked {
			return s.lockedOut(w, r, rerr)
		}
	}
	if fields, msg, ok := invalid(err); ok {
		p := s.passwordPageData(r) // the password fields are never sent back
		p.Errors, p.Error = fields, msg
		return s.render(w, r, http.StatusUnprocessableEntity, "me_password", p)
	}
	if err != nil {
		return err
	}
	if st.gate == account.GateNone {
		return s.redirect(w, r, "/me", "密码已修改，您在其他设备上的登录已结束")
	}
	// Gated: go on to the next gate (an administrator enrols TOTP) or to work.
	u, err := account.Get(r.Context(), s.db, st.user.ID)
	if err != nil {
		return err
	}
	if account.GateFor(u, st.security, s.db.Now()) == account.GateEnrolTOTP {
		return s.redirect(w, r, "/me/totp", "密码已修改。管理员账号还须绑定动态口令")
	}
	return s.redirect(w, r, "/", "密码已修改")
}

type totpPage struct {
	Base
	Enabled      bool
	Pending      bool // a secret is waiting for its first code
	Required     bool // an administrator under the policy: cannot turn it off
	MustEnrol    bool // gated until enrolled
	Secret       string
	URI          string
	QR           template.URL
	RecoveryLeft int
	Codes        []string // the new recovery codes, shown once
	Errors       map[string]string
	Error        string
}

// totpPageData describes my second factor from the account as it is now.
func (s *Server) totpPageData(r *http.Request) (totpPage, error) {
	st := state(r)
	u, err := account.Get(r.Context(), s.db, st.user.ID) // fresh: begin and confirm change it within the request
	if err != nil {
		return totpPage{}, err
	}
	p := totpPage{Base: s.base(r, "动态口令", "me"), Enabled: u.TOTPEnabled, Pending: !u.TOTPEnabled && u.TOTPSecret != "",
		Required: st.security.RequireAdminTOTP && u.IsAdmin(), MustEnrol: st.gate == account.GateEnrolTOTP}
	if p.Enabled {
		if p.RecoveryLeft, err = account.RecoveryCodesLeft(r.Context(), s.db, u.ID); err != nil {
			return p, err
		}
	}
	if p.Pending {
		p.Secret, p.URI = groupSecret(u.TOTPSecret), account.TOTPURI(u.TOTPSecret, u.Username)
		if svg, err := qr.SVG(p.URI); err == nil { // too long for a QR code: the secret and address remain
			// html/template refuses data: URLs unless typed. This one is base64 (which cannot close
			// the attribute) of an SVG that package qr drew, shown through <img>, where nothing runs.
			p.QR = template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(svg))) //security:allow-html: base64 of qr's own SVG
		}
	}
	return p, nil
}

// groupSecret writes the secret in groups of four, as it is typed into an app by hand.
func groupSecret(secret string) string {
	var b strings.Builder
	for i, c := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (s *Server) totpPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.totpPageData(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "me_totp", p)
}

// totpBegin makes a new secret, not yet active, and shows it.
func (s *Server) totpBegin(w http.ResponseWriter, r *http.Request) error {
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		_, err := account.BeginTOTP(r.Context(), tx, actor(r))
		return err
	})
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/me/totp", "")
}

// totpConfirm turns the second factor on with a first code and shows the
// recovery codes on this response only: they are stored hashed.
func (s *Server) totpConfirm(w http.ResponseWriter, r *http.Request) error {
	var codes []string
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		codes, err = account.ConfirmTOTP(r.Context(), tx, actor(r), r.PostFormValue("code"))
		return err
	})
	fields, msg, bad := invalid(err)
	if err != nil && !bad {
		return err
	}
	p, perr := s.totpPageData(r)
	if perr != nil {
		return perr
	}
	if bad {
		p.Errors, p.Error = fields, msg
		return s.render(w, r, http.StatusUnprocessableEntity, "me_totp", p)
	}
	p.Codes, p.MustEnrol = codes, false
	p.Base.Flash, p.Base.FlashErr = "动态口令已启用", false
	return s.render(w, r, http.StatusOK, "me_totp", p)
}

// totpDisable turns the second factor off after the password is given again.
func (s *Server) totpDisable(w http.ResponseWriter, r *http.Request) error {
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		return account.DisableTOTP(r.Context(), tx, actor(r), r.PostFormValue("password"))
	})
	if errors.Is(err, account.ErrWrongPassword) {
		if locked, rerr := s.recheckFailed(r, "停用动态口令"); rerr != nil || locked {
			return s.lockedOut(w, r, rerr)
		}
	}
	if fields, msg, ok := invalid(err); ok {
		p, perr := s.totpPageData(r)
		if perr != nil {
			return perr
		}
		p.Errors, p.Error = fields, msg
		return s.render(w, r, http.StatusUnprocessableEntity, "me_totp", p)
	}
	if apperr.KindOf(err) == apperr.Forbidden {
		// The policy keeps administrators on TOTP: say so where they were.
		ae, _ := apperr.As(err)
		s.setFlash(w, r, ae.Msg, true)
		return s.redirect(w, r, "/me/totp", "")
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/me/totp", "动态口令已停用，恢复码已作废")
}

// recheckFailed counts a wrong password typed inside the session.
func (s *Server) recheckFailed(r *http.Request, what string) (locked bool, err error) {
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		locked, err = account.RecheckFailed(r.Context(), tx, actor(r), what)
		return err
	})
	return locked, err
}

// lockedOut ends the browser's session after the account locked.
func (s *Server) lockedOut(w http.ResponseWriter, r *http.Request, err error) error {
	if err != nil {
		return err
	}
	s.clearSessionCookie(w, r)
	s.setFlash(w, r, "密码连续输错，账号已锁定，所有登录已结束", true)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// tokenRow is one personal API token in the list.
type tokenRow struct {
	*account.Token
	State account.TokenState
}

type tokensPage struct {
	Base
	CanHold   bool // the three administrators hold no tokens
	Rows      []tokenRow
	Live      int
	Max       int
	Lifetimes []int
	Name      string // what was typed, kept on a refused form (never the password)
	Days      string
	Errors    map[string]string
	Error     string
	Secret    string         // the new token's secret: on the creation response only, never stored or logged
	Created   *account.Token // the token just created
	APIBase   string         // this server's address, for the example
}

// tokensPageData lists my tokens as they are now.
func (s *Server) tokensPageData(r *http.Request) (tokensPage, error) {
	st := state(r)
	p := tokensPage{Base: s.base(r, "接口令牌", "me"), CanHold: account.CanHoldTokens(st.user), Max: account.MaxLiveTokens,
		Lifetimes: account.TokenLifetimes, Days: strconv.Itoa(account.DefaultTokenDays)}
	scheme := "http"
	if st.secure {
		scheme = "https"
	}
	p.APIBase = scheme + "://" + r.Host
	tokens, err := account.Tokens(r.Context(), s.db, st.user.ID)
	if err != nil {
		return p, err
	}
	now := s.db.Now()
	for _, t := range tokens {
		row := tokenRow{Token: t, State: t.State(now)}
		if row.State == account.TokenLive {
			p.Live++
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

// tokenPage is 我的 → 接口令牌: my personal API tokens and the form for a new one.
func (s *Server) tokenPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.tokensPageData(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "me_tokens", p)
}

// tokenCreate makes a token and shows its secret on this response only:
// it is stored hashed, so it cannot be shown again (and is never put in a
// flash cookie, a URL or a log).
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	in := account.TokenInput{Name: r.PostFormValue("name"), Days: r.PostFormValue("days"), Password: r.PostFormValue("password")}
	var secret string
	var created *account.Token
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		secret, created, err = account.CreateToken(r.Context(), tx, actor(r), in)
		return err
	})
	if errors.Is(err, account.ErrWrongPassword) {
		if locked, rerr := s.recheckFailed(r, "创建接口令牌"); rerr != nil || locked {
			return s.lockedOut(w, r, rerr)
		}
	}
	fields, msg, bad := invalid(err)
	if err != nil && !bad {
		return err
	}
	p, perr := s.tokensPageData(r)
	if perr != nil {
		return perr
	}
	if bad {
		p.Name, p.Days, p.Errors, p.Error = in.Name, in.Days, fields, msg
		return s.render(w, r, http.StatusUnprocessableEntity, "me_tokens", p)
	}
	p.Secret, p.Created = secret, created
	p.Base.Flash, p.Base.FlashErr = "令牌已创建", false
	return s.render(w, r, http.StatusOK, "me_tokens", p)
}

// tokenRevoke ends one of my tokens at once.
func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, _ := strconv.ParseInt(r.PostFormValue("token"), 10, 64)
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		return account.RevokeToken(r.Context(), tx, actor(r), id)
	})
	if apperr.KindOf(err) == apperr.NotFound {
		ae, _ := apperr.As(err)
		s.setFlash(w, r, ae.Msg, true)
		return s.redirect(w, r, "/me/tokens", "")
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/me/tokens", "令牌已撤销，使用它的程序将无法再调用接口")
}
