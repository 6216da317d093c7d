package web

import (
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"guatu/account"
	"guatu/db"
	"guatu/demo"
	"guatu/org"
)

// DemoPassword is the demo accounts' password, printed by serve --demo and in the README.
const DemoPassword = demo.Password

type loginPage struct {
	Base
	Username     string
	Next         string
	Error        string
	DemoAccounts []demo.Account
	DemoPassword string
}

// safeNext keeps a post-login redirect on this site.
//
// Browsers drop tabs and newlines inside URLs and treat "\\" like "/", so
// "/\t/evil.example" would become "//evil.example", another site: any control
// character or backslash is refused, and the address is rebuilt from its
// parsed path and query so nothing else survives.
func safeNext(next string) string {
	if next == "" || strings.ContainsAny(next, "\\") || strings.IndexFunc(next, unicode.IsControl) >= 0 {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	out := u.EscapedPath()
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	if strings.HasPrefix(out, "//") {
		return "/"
	}
	return out
}

func (s *Server) loginPageData(r *http.Request, username, next, errMsg string) loginPage {
	p := loginPage{Base: s.base(r, "登录", ""), Username: username, Next: next, Error: errMsg}
	if s.demo {
		p.DemoAccounts, p.DemoPassword = demo.Accounts, DemoPassword
	}
	return p
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if state(r).user != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "login", s.loginPageData(r, "", r.URL.Query().Get("next"), ""))
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	username, password := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	next := r.PostFormValue("next")
	now := s.db.Now()
	if !s.throttle.Take(st.ip, st.security.IPThrottlePerWindow, now) {
		return s.render(w, r, http.StatusTooManyRequests, "login", s.loginPageData(r, username, next, account.ErrThrottled.Error()))
	}
	var res account.LoginResult
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		res, err = account.Login(r.Context(), tx, username, password, st.ip, r.UserAgent(), st.requestID)
		return err
	})
	if err != nil {
		return err
	}
	if res.Failure != "" {
		return s.render(w, r, http.StatusUnauthorized, "login", s.loginPageData(r, username, next, res.Failure))
	}
	s.throttle.Refund(st.ip)
	s.setSessionCookie(w, r, res.Token)
	if res.MFAPending {
		http.Redirect(w, r, "/login/totp?next="+url.QueryEscape(next), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
	return nil
}

type totpLoginPage struct {
	Base
	Next  string
	Error string
}

func (s *Server) totpLoginForm(w http.ResponseWriter, r *http.Request) error {
	if state(r).token == "" || state(r).user != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "login_totp", totpLoginPage{Base: s.base(r, "动态口令验证", ""), Next: r.URL.Query().Get("next")})
}

func (s *Server) totpLogin(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	next := r.PostFormValue("next")
	if st.token == "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	var res account.LoginResult
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		res, err = account.SecondFactor(r.Context(), tx, st.token, r.PostFormValue("code"), st.ip, r.UserAgent(), st.requestID)
		return err
	})
	if err != nil {
		return err
	}
	if res.Failure != "" {
		if !res.MFAPending {
			s.clearSessionCookie(w, r)
			s.setFlash(w, r, res.Failure, true)
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return nil
		}
		return s.render(w, r, http.StatusUnauthorized, "login_totp", totpLoginPage{Base: s.base(r, "动态口令验证", ""), Next: next, Error: res.Failure})
	}
	s.setSessionCookie(w, r, res.Token)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		return account.Logout(r.Context(), tx, st.actor, st.token)
	})
	if err != nil {
		return err
	}
	s.clearSessionCookie(w, r)
	w.Header().Set("Clear-Site-Data", `"cache"`)
	s.setFlash(w, r, "您已安全退出", false)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

type setupPage struct {
	Base
	Token    string
	NeedTown bool
	Input    account.SetupInput
	Errors   map[string]string
	Error    string
	Result   *account.SetupResult
}

func (s *Server) setupForm(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	if err := account.CheckSetupToken(r.Context(), s.db, token); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "setup", setupPage{Base: s.base(r, "初始化系统管理员", ""), Token: token, NeedTown: s.needTown(r)})
}

// needTown reports whether set-up must also create the top unit.
func (s *Server) needTown(r *http.Request) bool {
	roots, err := org.Children(r.Context(), s.db, 0)
	return err != nil || len(roots) == 0
}

func (s *Server) setup(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	token := r.PathValue("token")
	in := account.SetupInput{TownName: strings.TrimSpace(r.PostFormValue("town")), Username: r.PostFormValue("username"),
		DisplayName: r.PostFormValue("display_name"), Password: r.PostFormValue("password"), Confirm: r.PostFormValue("confirm")}
	var res *account.SetupResult
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		res, err = account.Setup(r.Context(), tx, token, in, st.ip, st.requestID)
		return err
	})
	page := setupPage{Base: s.base(r, "初始化系统管理员", ""), Token: token, NeedTown: s.needTown(r), Input: in}
	if fields, msg, ok := invalid(err); ok {
		page.Input.Password, page.Input.Confirm = "", ""
		page.Errors, page.Error = fields, msg
		return s.render(w, r, http.StatusUnprocessableEntity, "setup", page)
	}
	if err != nil {
		return err
	}
	page.Result = res
	return s.render(w, r, http.StatusOK, "setup", page)
}

// health answers the load balancer: 200 when the database answers.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if err := s.db.Ping(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"status":"unavailable"}`))
		return
	}
	w.Write([]byte(`{"status":"ok"}`))
}
