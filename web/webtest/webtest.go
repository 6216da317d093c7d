// Package webtest is the test environment for HTTP tests: a fresh database
// with a small organisation and one account per role, the real handler stack
// behind httptest, and a client that keeps cookies and posts forms with the
// CSRF token, as a browser would.
package webtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"guatu/account"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/notify"
	"guatu/org"
	"guatu/web"
)

// Password is every seeded account's password.
const Password = "Test@2026guatu!"

// Units are the seeded units. Town is the root; Village1 has a child Group1
// and a sibling Village2; OtherTown is a separate tree.
type Units struct {
	Town, Committee, Office, Econ, Village1, Group1, Village2, OtherTown, OtherOffice *org.Unit
}

// Env is one test's application.
type Env struct {
	DB     *db.DB
	Clock  *dbtest.Clock
	Server *web.Server
	HTTP   *httptest.Server
	Units  Units
	// Users by username: chief, leader, supervisor, staff (经发办), village
	// (staff of 东岙村), viewer, sysadmin, secadmin, auditor (all on the town),
	// vadmin (sysadmin of 东岙村 only) and other (staff in the other town).
	Users map[string]*account.User
	// Leader is the person 分管 经发办 (the leader account's person).
	Leader *org.Person
}

// New builds the environment. The clock starts at dbtest.Now.
func New(t testing.TB) *Env {
	t.Helper()
	d := dbtest.New(t)
	clock := dbtest.NewClock(dbtest.Now)
	d.Clock = clock.Now
	e := &Env{DB: d, Clock: clock, Users: map[string]*account.User{}}
	ctx := context.Background()
	sys := auth.SystemActor("test")
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		u := &e.Units
		if u.Town, err = org.CreateRoot(ctx, tx, sys, org.Town, "XX镇"); err != nil {
			return err
		}
		if u.OtherTown, err = org.CreateRoot(ctx, tx, sys, org.Town, "YY镇"); err != nil {
			return err
		}
		mk := func(parent *org.Unit, kind org.Kind, name string) *org.Unit {
			if err != nil {
				return nil
			}
			var x *org.Unit
			x, err = org.CreateUnit(ctx, tx, sys, org.UnitInput{ParentID: fmt.Sprint(parent.ID), Kind: string(kind), Name: name})
			return x
		}
		u.Committee = mk(u.Town, org.Committee, "党政班子")
		u.Office = mk(u.Town, org.Office, "党政办")
		u.Econ = mk(u.Town, org.Office, "经发办")
		u.Village1 = mk(u.Town, org.Village, "东岙村")
		u.Group1 = mk(u.Village1, org.Group, "东岙村一组")
		u.Village2 = mk(u.Town, org.Village, "西岙村")
		u.OtherOffice = mk(u.OtherTown, org.Office, "YY镇党政办")
		if err != nil {
			return err
		}
		if e.Leader, err = org.CreatePerson(ctx, tx, sys, org.PersonInput{UnitID: fmt.Sprint(u.Committee.ID), Name: "李明", Position: "副镇长", Phone: "13800000001"}); err != nil {
			return err
		}
		if e.Leader, err = org.SetLeaderUnits(ctx, tx, sys, e.Leader.ID, []int64{u.Econ.ID}); err != nil {
			return err
		}
		for _, a := range []struct {
			username, name string
			role           auth.Role
			unit           *org.Unit
		}{
			{"chief", "王书记", auth.Chief, u.Town},
			{"leader", "李明", auth.Leader, u.Town},
			{"supervisor", "赵督查", auth.Supervisor, u.Town},
			{"staff", "钱经办", auth.Staff, u.Econ},
			{"village", "孙村干", auth.Staff, u.Village1},
			{"viewer", "周查看", auth.Viewer, u.Town},
			{"sysadmin", "吴系统", auth.SysAdmin, u.Town},
			{"secadmin", "郑安全", auth.SecAdmin, u.Town},
			{"auditor", "冯审计", auth.Auditor, u.Town},
			{"vadmin", "陈村管", auth.SysAdmin, u.Village1},
			{"other", "褚外镇", auth.Staff, u.OtherOffice},
		} {
			in := account.Input{Username: a.username, DisplayName: a.name, UnitID: fmt.Sprint(a.unit.ID)}
			if a.username == "leader" {
				in.PersonID = fmt.Sprint(e.Leader.ID)
			}
			usr, _, err := account.Create(ctx, tx, sys, in)
			if err != nil {
				return fmt.Errorf("create %s: %w", a.username, err)
			}
			if err := account.Grant(ctx, tx, sys, usr.ID, a.role, a.unit.ID); err != nil {
				return err
			}
			if err := account.SetPassword(ctx, tx, sys, usr.ID, Password, false); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("webtest: seed: %v", err)
	}
	// The administrators would have to enrol TOTP first; tests of that gate turn it back on.
	e.SetSecurity(t, func(s *account.Security) { s.RequireAdminTOTP = false })
	e.Reload(t)
	// Robots may be local httptest servers; the links they carry point at a made-up address.
	robots := &notify.Sender{AnyHost: true, BaseURL: "https://gt.example.cn"}
	srv, err := web.New(web.Config{DB: d, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test", Robots: robots})
	if err != nil {
		t.Fatal(err)
	}
	e.Server = srv
	e.HTTP = httptest.NewServer(srv.Handler())
	t.Cleanup(e.HTTP.Close)
	return e
}

// Reload re-reads every seeded account (after a change made in a test).
func (e *Env) Reload(t testing.TB) {
	t.Helper()
	for _, name := range []string{"chief", "leader", "supervisor", "staff", "village", "viewer", "sysadmin", "secadmin", "auditor", "vadmin", "other"} {
		u, err := account.ByUsername(context.Background(), e.DB, name)
		if err != nil {
			t.Fatal(err)
		}
		e.Users[name] = u
	}
}

// Actor is the acting identity of a seeded account, for calling domain functions directly.
func (e *Env) Actor(username string) auth.Actor {
	return e.Users[username].Actor("127.0.0.1", "test", "ui")
}

// SetSecurity changes the security settings directly (as the system).
func (e *Env) SetSecurity(t testing.TB, change func(*account.Security)) {
	t.Helper()
	ctx := context.Background()
	s, err := account.LoadSecurity(ctx, e.DB)
	if err != nil {
		t.Fatal(err)
	}
	change(&s)
	in := s.Form()
	sys := auth.SystemActor("test")
	sys.Grants = []auth.Grant{{Role: auth.SecAdmin, UnitPath: "/"}}
	if err := e.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := account.SaveSecurity(ctx, tx, sys, in)
		return err
	}); err != nil {
		t.Fatalf("webtest: security settings: %v", err)
	}
}

// Tx runs fn in a transaction and fails the test on error.
func (e *Env) Tx(t testing.TB, fn func(ctx context.Context, tx *db.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := e.DB.InTx(ctx, func(tx *db.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

// Client is a browser: it keeps cookies, does not follow redirects (tests
// assert them), and knows the CSRF token of its session.
type Client struct {
	env  *Env
	http *http.Client
	CSRF string
}

// Anonymous returns a client with no session.
func (e *Env) Anonymous(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	c := &Client{env: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	c.refreshCSRF(t, "/login")
	return c
}

// Login signs a seeded account in through the real sign-in form.
func (e *Env) Login(t testing.TB, username string) *Client {
	t.Helper()
	return e.LoginWith(t, username, Password)
}

// LoginWith signs in with the given password and fails the test unless
// the sign-in is accepted (303 away from /login).
func (e *Env) LoginWith(t testing.TB, username, password string) *Client {
	t.Helper()
	c := e.Anonymous(t)
	res := c.PostForm(t, "/login", url.Values{"username": {username}, "password": {password}})
	if res.Status != http.StatusSeeOther || strings.HasPrefix(res.Location, "/login?") && !strings.HasPrefix(res.Location, "/login/totp") {
		t.Fatalf("webtest: login %s: status %d, location %q, body %s", username, res.Status, res.Location, res.Text())
	}
	if !strings.HasPrefix(res.Location, "/login/totp") {
		c.refreshCSRF(t, "/")
	}
	return c
}

var csrfPattern = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// refreshCSRF reads the CSRF token from a page of the current session.
func (c *Client) refreshCSRF(t testing.TB, path string) {
	t.Helper()
	for range 3 {
		res := c.Get(t, path)
		if res.Status == http.StatusSeeOther {
			path = res.Location
			continue
		}
		if m := csrfPattern.FindStringSubmatch(res.Body); m != nil {
			c.CSRF = m[1]
			return
		}
		break
	}
}

// Response is what a request returned.
type Response struct {
	Status   int
	Location string
	Header   http.Header
	Body     string
}

// Text is the body with tags removed and space collapsed, for assertions on what a reader sees.
func (r *Response) Text() string {
	noTags := regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(r.Body, " ")
	return strings.Join(strings.Fields(noTags), " ")
}

// Contains reports whether the visible text contains s.
func (r *Response) Contains(s string) bool { return strings.Contains(r.Text(), s) }

// Do sends a request.
func (c *Client) Do(t testing.TB, req *http.Request) *Response {
	t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("webtest: %s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Response{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(b)}
}

// Get fetches a path.
func (c *Client) Get(t testing.TB, path string) *Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.env.HTTP.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.Do(t, req)
}

// PostForm posts a form with the session's CSRF token added, as the page's form would.
func (c *Client) PostForm(t testing.TB, path string, form url.Values) *Response {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", c.CSRF)
	}
	return c.PostRaw(t, path, form)
}

// PostRaw posts a form exactly as given (no token added), for CSRF tests.
func (c *Client) PostRaw(t testing.TB, path string, form url.Values) *Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.env.HTTP.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(t, req)
}

// HTTP is the client's underlying http.Client (with its session cookie),
// for requests sent from several goroutines at once, where the testing
// helpers (which may stop the test) cannot be used.
func (c *Client) HTTP() *http.Client { return c.http }

// Cookies is the session cookie value the client holds for u ("" if none).
func (c *Client) Cookies(u *url.URL) string {
	for _, k := range c.http.Jar.Cookies(u) {
		if strings.HasSuffix(k.Name, "guatu_session") {
			return k.Value
		}
	}
	return ""
}

// PostFile posts a multipart form with one file, as a file-upload form
// would, with the session's CSRF token added.
func (c *Client) PostFile(t testing.TB, path string, form url.Values, field, filename string, data []byte) *Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", c.CSRF)
	}
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.env.HTTP.URL+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.Do(t, req)
}
