package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"guatu/account"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/demo"
	"guatu/notify"
	"guatu/org"
	"guatu/web"
)

// TestJourney_RobotAndInboxOnAPhone is the supervision office's set-up on
// a phone: a notice waits in the inbox (the badge shows it), opening it
// marks it read; then a DingTalk robot is added for 经发办 and its test
// message reaches the group (a local stand-in for DingTalk).
func TestJourney_RobotAndInboxOnAPhone(t *testing.T) {
	chromium(t)
	d := dbtest.New(t)
	d.Clock = time.Now
	ctx := context.Background()
	if err := demo.Seed(ctx, d); err != nil {
		t.Fatal(err)
	}
	var received atomic.Int32
	robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("sign") != "" {
			received.Add(1)
		}
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	defer robot.Close()
	srv, err := web.New(web.Config{DB: d, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Demo: true, Version: "e2e",
		Robots: &notify.Sender{AnyHost: true}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	sup, err := account.ByUsername(ctx, d, "supervisor")
	if err != nil {
		t.Fatal(err)
	}
	// The demo's own notices (problems reported and finished) are already waiting.
	waiting, err := notify.UnreadCount(ctx, d, auth.Actor{UserID: sup.ID})
	if err != nil {
		t.Fatal(err)
	}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		return notify.Post(ctx, tx, notify.Message{Kind: notify.KindReport, Title: "东岙村3月月报逾期未报", Body: "截止日期已过 2 个工作日，请催报。",
			Link: "/projects", To: []notify.Recipient{notify.ToUser(sup.ID)}})
	})
	if err != nil {
		t.Fatal(err)
	}

	b := browser(t, true)
	var badge, inbox, after, flash, log string
	err = chromedp.Run(b,
		signIn(ts, "supervisor"),
		chromedp.Text(`.topbar-inbox .nav-count`, &badge),
		shot(t, "notify-1-home-badge"),
		chromedp.Click(`.topbar-inbox`),
		chromedp.WaitVisible(`.inbox-list`),
		chromedp.Text(`main`, &inbox),
		shot(t, "notify-2-inbox"),
		chromedp.Click(`.inbox-title`),
		// Opening the notice leads to its page: wait for that page, not for any h1 (the inbox has one too).
		chromedp.WaitVisible(`form.filters[action="/projects"]`),
		chromedp.Navigate(ts.URL+"/inbox"),
		chromedp.WaitVisible(`main h1`),
		chromedp.Text(`main`, &after),
		chromedp.Navigate(ts.URL+"/settings/robots/new"),
		chromedp.WaitVisible(`input[name="name"]`),
		chromedp.SendKeys(`input[name="name"]`, "经发办工作群"),
		chromedp.SetValue(`select[name="scope"]`, scopeOf(t, d, "经济发展办公室（经发办）")),
		chromedp.SendKeys(`input[name="webhook"]`, robot.URL+"/robot/send?access_token=e2e-token"),
		chromedp.SendKeys(`input[name="secret"]`, "SECe2esecret0123"),
		shot(t, "notify-3-robot-form"),
		chromedp.Submit(`input[name="name"]`),
		chromedp.WaitVisible(`#flash`),
		chromedp.Click(`form[action$="/test"] button`),
		chromedp.WaitVisible(`table.robot-log`),
		chromedp.Text(`#flash`, &flash),
		chromedp.Text(`table.robot-log`, &log),
		shot(t, "notify-4-robot-tested"),
	)
	if err != nil {
		t.Fatalf("journey: %v", err)
	}
	if strings.TrimSpace(badge) != fmt.Sprint(waiting+1) {
		t.Errorf("badge = %q, want %d", badge, waiting+1)
	}
	unreadAfter := "没有未读消息"
	if waiting > 0 {
		unreadAfter = fmt.Sprintf("%d 条未读", waiting)
	}
	if !strings.Contains(inbox, "东岙村3月月报逾期未报") || !strings.Contains(after, unreadAfter) {
		t.Errorf("inbox before %q / after opening %q", inbox, after)
	}
	if !strings.Contains(flash, "测试消息已发送") || !strings.Contains(log, "已发送") || received.Load() != 1 {
		t.Errorf("test message: flash %q, log %q, signed requests %d", flash, log, received.Load())
	}
}

// scopeOf is the form value choosing a unit by name.
func scopeOf(t *testing.T, d *db.DB, name string) string {
	t.Helper()
	units, err := org.Tree(context.Background(), d, auth.SystemActor("test"), org.TreeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		if u.Name == name {
			return strconv.FormatInt(u.ID, 10)
		}
	}
	t.Fatalf("no unit %q in the demo town", name)
	return ""
}
