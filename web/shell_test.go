package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"guatu/web/webtest"
)

func TestLogin_SignsInAndShowsHome(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "chief")
	res := c.Get(t, "/")
	if res.Status != http.StatusOK {
		t.Fatalf("GET / = %d", res.Status)
	}
	// 班子分工: the leader and the unit they are in charge of.
	for _, want := range []string{"工作台", "王书记", "主要领导", "XX镇", "班子分工", "李明 副镇长 经发办"} {
		if !res.Contains(want) {
			t.Errorf("home lacks %q", want)
		}
	}
}

func TestLogin_WrongPasswordKeepsUsernameAndSaysWhy(t *testing.T) {
	env := webtest.New(t)
	c := env.Anonymous(t)
	res := c.PostForm(t, "/login", url.Values{"username": {"chief"}, "password": {"wrong-password-1A!"}})
	if res.Status != http.StatusUnauthorized {
		t.Fatalf("status = %d", res.Status)
	}
	if !res.Contains("用户名或密码错误") || !strings.Contains(res.Body, `value="chief"`) {
		t.Errorf("page = %s", res.Text())
	}
}

func TestLogin_UnknownUserGetsTheSameMessage(t *testing.T) {
	env := webtest.New(t)
	c := env.Anonymous(t)
	res := c.PostForm(t, "/login", url.Values{"username": {"nobody"}, "password": {"wrong-password-1A!"}})
	if res.Status != http.StatusUnauthorized || !res.Contains("用户名或密码错误") {
		t.Fatalf("status = %d, %s", res.Status, res.Text())
	}
}

func TestLogin_FiveFailuresLockTheAccountForThirtyMinutes(t *testing.T) {
	env := webtest.New(t)
	c := env.Anonymous(t)
	var res *webtest.Response
	for range 5 {
		res = c.PostForm(t, "/login", url.Values{"username": {"staff"}, "password": {"Not-the-password-9"}})
	}
	if !res.Contains("已锁定") {
		t.Fatalf("fifth failure: %s", res.Text())
	}
	// The right password is refused while locked.
	res = c.PostForm(t, "/login", url.Values{"username": {"staff"}, "password": {webtest.Password}})
	if res.Status != http.StatusUnauthorized || !res.Contains("已锁定") {
		t.Fatalf("locked login: %d %s", res.Status, res.Text())
	}
	env.Clock.Advance(31 * time.Minute)
	env.Login(t, "staff") // fails the test unless accepted
}

func TestPrivatePages_RedirectToLogin(t *testing.T) {
	env := webtest.New(t)
	c := env.Anonymous(t)
	for _, p := range []string{"/", "/org", "/admin/users", "/audit", "/me", "/no/such/page"} {
		res := c.Get(t, p)
		if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/login") {
			t.Errorf("GET %s = %d %q, want redirect to /login", p, res.Status, res.Location)
		}
	}
}

func TestEveryResponse_CarriesSecurityHeaders(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "chief")
	for _, p := range []string{"/", "/login", "/static/css/app.css", "/no/such/page", "/healthz"} {
		res := c.Get(t, p)
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "http") {
			t.Errorf("%s: CSP = %q", p, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("%s: headers = %v", p, res.Header)
		}
	}
}

func TestUnknownPage_Is404InChinese(t *testing.T) {
	env := webtest.New(t)
	res := env.Login(t, "chief").Get(t, "/no/such/page")
	if res.Status != http.StatusNotFound || !res.Contains("找不到该页面") {
		t.Fatalf("status %d: %s", res.Status, res.Text())
	}
}

func TestPost_WithoutCSRFTokenIsRefused(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "chief")
	res := c.PostRaw(t, "/logout", url.Values{})
	if res.Status != http.StatusForbidden {
		t.Fatalf("logout without token = %d", res.Status)
	}
	// Still signed in.
	if res := c.Get(t, "/"); res.Status != http.StatusOK {
		t.Fatalf("after refused logout: %d", res.Status)
	}
}

func TestPost_FromAnotherSiteIsRefused(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "chief")
	req, _ := http.NewRequest(http.MethodPost, env.HTTP.URL+"/logout", strings.NewReader(url.Values{"csrf_token": {c.CSRF}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res := c.Do(t, req); res.Status != http.StatusForbidden {
		t.Fatalf("cross-site POST = %d", res.Status)
	}
}

func TestLogout_EndsTheSession(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "chief")
	res := c.PostForm(t, "/logout", nil)
	if res.Status != http.StatusSeeOther || res.Location != "/login" {
		t.Fatalf("logout = %d %q", res.Status, res.Location)
	}
	if res := c.Get(t, "/"); res.Status != http.StatusSeeOther {
		t.Fatalf("after logout GET / = %d", res.Status)
	}
}

func TestSession_IdleTimeoutEndsIt(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "chief")
	env.Clock.Advance(29 * time.Minute)
	if res := c.Get(t, "/"); res.Status != http.StatusOK {
		t.Fatalf("after 29 min: %d", res.Status)
	}
	env.Clock.Advance(31 * time.Minute)
	res := c.Get(t, "/")
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/login") {
		t.Fatalf("after idle: %d %q", res.Status, res.Location)
	}
}

func TestSession_AbsoluteLimitEndsItEvenWhenActive(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "chief")
	for range 12*2 + 1 { // every 29 minutes for just over 12 hours
		env.Clock.Advance(29 * time.Minute)
		c.Get(t, "/")
	}
	res := c.Get(t, "/")
	if res.Status != http.StatusSeeOther {
		t.Fatalf("after 12 h: %d", res.Status)
	}
}

func TestSession_NewIDAtEachLogin(t *testing.T) {
	env := webtest.New(t)
	a := env.Login(t, "chief")
	b := env.Login(t, "chief")
	u, _ := url.Parse(env.HTTP.URL)
	ca, cb := a.Cookies(u), b.Cookies(u)
	if ca == "" || ca == cb {
		t.Fatalf("session cookies %q and %q", ca, cb)
	}
}

func TestHealthz(t *testing.T) {
	env := webtest.New(t)
	res := env.Anonymous(t).Get(t, "/healthz")
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `"ok"`) {
		t.Fatalf("healthz = %d %s", res.Status, res.Body)
	}
}

func TestStatic_HashedURLIsCachedForAYear(t *testing.T) {
	env := webtest.New(t)
	c := env.Anonymous(t)
	login := c.Get(t, "/login")
	i := strings.Index(login.Body, "/static/css/app.css?v=")
	if i < 0 {
		t.Fatal("no hashed stylesheet link")
	}
	link := login.Body[i : i+strings.IndexByte(login.Body[i:], '"')]
	if res := c.Get(t, link); !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("%s: Cache-Control %q", link, res.Header.Get("Cache-Control"))
	}
	if res := c.Get(t, "/static/css/app.css"); res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("unhashed: Cache-Control %q", res.Header.Get("Cache-Control"))
	}
	if res := c.Get(t, "/static/"); res.Status != http.StatusNotFound {
		t.Errorf("directory listing: %d", res.Status)
	}
}

// An error the user cannot cause shows a plain 500 page with only the
// request id; the cause goes to the log under that id.
func TestInternalError_ShowsOnlyTheRequestID(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "chief")
	if _, err := env.DB.Exec(t.Context(), `DROP TABLE leader_units`); err != nil {
		t.Fatal(err)
	}
	res := c.Get(t, "/org/people")
	if res.Status != http.StatusInternalServerError {
		t.Fatalf("status = %d", res.Status)
	}
	id := res.Header.Get("X-Request-Id")
	if id == "" || !res.Contains(id) || !res.Contains("系统出错了") {
		t.Errorf("500 page lacks the request id %q: %s", id, res.Text())
	}
	if strings.Contains(strings.ToLower(res.Body), "leader_units") || strings.Contains(res.Body, "no such table") || strings.Contains(res.Body, "does not exist") {
		t.Errorf("500 page leaks the cause: %s", res.Text())
	}
}
