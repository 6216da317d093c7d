package web_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"guatu/account"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/web"
	"guatu/web/webtest"
)

// emptyEnv is a server on a database with no accounts at all: a first start.
func emptyEnv(t *testing.T) *webtest.Env {
	d := dbtest.New(t)
	srv, err := web.New(web.Config{DB: d, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &webtest.Env{DB: d, Server: srv, HTTP: ts}
}

func TestSetup_CreatesTownAndTheThreeAdministrators(t *testing.T) {
	env := emptyEnv(t)
	var token string
	if err := env.DB.InTx(context.Background(), func(tx *db.Tx) error {
		var err error
		token, err = account.NewSetupToken(context.Background(), tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	c := env.Anonymous(t)
	res := c.Get(t, "/setup/"+token)
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `name="town"`) {
		t.Fatalf("set-up form: %d %s", res.Status, res.Text())
	}
	// A weak password is refused beside its field and the typed names stay.
	res = c.PostForm(t, "/setup/"+token, url.Values{"town": {"海滨镇"}, "username": {"admin1"}, "display_name": {"许管理"},
		"password": {"short"}, "confirm": {"short"}})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("密码至少 12 个字符") || !strings.Contains(res.Body, `value="海滨镇"`) || !strings.Contains(res.Body, `value="admin1"`) {
		t.Fatalf("weak password: %d %s", res.Status, res.Text())
	}
	const pw = "Haibin#Admin2026"
	res = c.PostForm(t, "/setup/"+token, url.Values{"town": {"海滨镇"}, "username": {"admin1"}, "display_name": {"许管理"},
		"password": {pw}, "confirm": {pw}})
	if res.Status != http.StatusOK || !res.Contains("初始化完成") {
		t.Fatalf("set-up: %d %s", res.Status, res.Text())
	}
	// The security administrator and the auditor got temporary passwords to hand over.
	handover := regexp.MustCompile(`<code>(secadmin|auditor)</code></td><td>[^<]+</td><td><code class="secret">([^<]+)</code>`).FindAllStringSubmatch(res.Body, -1)
	if len(handover) != 2 {
		t.Fatalf("hand-over table: %v\n%s", handover, res.Text())
	}
	// The link works once.
	if res := env.Anonymous(t).Get(t, "/setup/"+token); res.Status != http.StatusNotFound {
		t.Errorf("used link: %d", res.Status)
	}
	// The administrator signs in and must first bind TOTP (the policy's default).
	admin := env.LoginWith(t, "admin1", pw)
	if res := admin.Get(t, "/"); res.Status != http.StatusSeeOther || res.Location != "/me/totp" {
		t.Errorf("administrator's first page: %d %q", res.Status, res.Location)
	}
	// The security administrator's temporary password works and must be changed first.
	for _, h := range handover {
		if h[1] != "secadmin" {
			continue
		}
		sec := env.LoginWith(t, "secadmin", html.UnescapeString(h[2])) // "+" comes escaped as &#43;
		if res := sec.Get(t, "/"); res.Status != http.StatusSeeOther || res.Location != "/me/password" {
			t.Errorf("secadmin's first page: %d %q", res.Status, res.Location)
		}
	}
}
