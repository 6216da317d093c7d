// Package e2e drives a real headless Chromium through the main journeys, at
// desktop and phone size, against the application started in-process.
package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"guatu/db/dbtest"
	"guatu/demo"
	"guatu/web"
)

// chromium finds the browser: $CHROME_BIN, then the usual Debian names.
// Without one the journeys skip, unless GUATU_TEST_REQUIRE_ALL=1 makes a
// missing browser a failure (CI).
func chromium(t *testing.T) string {
	t.Helper()
	for _, c := range []string{os.Getenv("CHROME_BIN"), "chromium", "chromium-browser", "google-chrome"} {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("GUATU_TEST_REQUIRE_ALL") == "1" {
		t.Fatal("no Chromium found (set CHROME_BIN or install Debian's chromium); GUATU_TEST_REQUIRE_ALL=1 requires it")
	}
	t.Skip("no Chromium found; install Debian's chromium to run the browser journeys")
	return ""
}

// app starts Guatu with the demo town on a fresh database; time is real
// (the browser's session must not be judged against a frozen clock).
func app(t *testing.T) *httptest.Server {
	t.Helper()
	d := dbtest.New(t)
	d.Clock = time.Now
	if err := demo.Seed(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{DB: d, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Demo: true, Version: "e2e"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

// browser opens a tab in a new headless Chromium sized as a desktop or a phone.
func browser(t *testing.T, phone bool) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", "zh-CN"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	var size chromedp.Action = chromedp.EmulateViewport(1366, 900)
	if phone {
		size = chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := chromedp.Run(ctx, size); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// shot saves a full-page screenshot when GUATU_E2E_SHOTS names a directory,
// so a person can look at what the journey saw.
func shot(t *testing.T, name string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		dir := os.Getenv("GUATU_E2E_SHOTS")
		if dir == "" {
			return nil
		}
		var png []byte
		if err := chromedp.FullScreenshot(&png, 100).Do(ctx); err != nil {
			return err
		}
		os.MkdirAll(dir, 0o755)
		return os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	})
}

// TestJourney_SignInChangePasswordSeeOrgSignOut is the newcomer's first
// visit: sign in with a demo account, be made to change the password, open
// the organisation tree, sign out — on a desktop and on a phone.
func TestJourney_SignInChangePasswordSeeOrgSignOut(t *testing.T) {
	for _, tc := range []struct {
		name  string
		phone bool
	}{{"desktop", false}, {"phone", true}} {
		t.Run(tc.name, func(t *testing.T) {
			ts := app(t)
			ctx := browser(t, tc.phone)
			const newPassword = "Haibin#2026Spring"
			var heading, flash, url, tree string
			steps := []chromedp.Action{
				chromedp.Navigate(ts.URL + "/"),
				chromedp.WaitVisible(`input[name="username"]`),
				shot(t, tc.name+"-1-login"),
				chromedp.SendKeys(`input[name="username"]`, "chief"),
				chromedp.SendKeys(`input[name="password"]`, demo.Password),
				chromedp.Click(`button[type="submit"]`),
				// First sign-in: the password must be changed before anything else.
				chromedp.WaitVisible(`input[name="current"]`),
				chromedp.Location(&url),
				shot(t, tc.name+"-2-forced-change"),
				chromedp.SendKeys(`input[name="current"]`, demo.Password),
				chromedp.SendKeys(`input[name="password"]`, newPassword),
				chromedp.SendKeys(`input[name="confirm"]`, newPassword),
				chromedp.Submit(`input[name="confirm"]`),
				// body.signed-in appears only once the gate is passed (the password page is body.gated).
				chromedp.WaitVisible(`body.signed-in h1`),
				chromedp.Text(`body.signed-in h1`, &heading),
				shot(t, tc.name+"-3-home"),
			}
			if tc.phone {
				// On a phone the navigation hides behind the menu button.
				steps = append(steps, chromedp.Click(`label.nav-button`), chromedp.WaitVisible(`nav.sidenav a[href="/org"]`),
					chromedp.Sleep(400*time.Millisecond), // let the drawer finish sliding in before the picture
					shot(t, tc.name+"-4-menu"))
			}
			steps = append(steps,
				chromedp.Click(`nav.sidenav a[href="/org"]`),
				chromedp.WaitVisible(`main table`),
				chromedp.Text(`main`, &tree),
				shot(t, tc.name+"-5-org"),
				chromedp.Click(`form.logout-form button`),
				chromedp.WaitVisible(`#flash`),
				chromedp.Text(`#flash`, &flash),
				shot(t, tc.name+"-6-signed-out"),
			)
			if err := chromedp.Run(ctx, steps...); err != nil {
				t.Fatalf("journey: %v", err)
			}
			if !strings.HasSuffix(url, "/me/password") {
				t.Errorf("first sign-in went to %s, want the forced password change", url)
			}
			if !strings.Contains(heading, "工作台") {
				t.Errorf("after the change the heading is %q", heading)
			}
			for _, want := range []string{"XX镇", "党政班子", "经济发展办公室"} {
				if !strings.Contains(tree, want) {
					t.Errorf("org tree lacks %q", want)
				}
			}
			if !strings.Contains(flash, "退出") {
				t.Errorf("after sign-out the message is %q", flash)
			}
		})
	}
}

// signIn signs a demo account in and passes the forced password change.
func signIn(ts *httptest.Server, username string) chromedp.Tasks {
	const newPassword = "Haibin#2026Spring"
	return chromedp.Tasks{
		chromedp.Navigate(ts.URL + "/login"),
		chromedp.WaitVisible(`input[name="username"]`),
		chromedp.SendKeys(`input[name="username"]`, username),
		chromedp.SendKeys(`input[name="password"]`, demo.Password),
		chromedp.Click(`button[type="submit"]`),
		chromedp.WaitVisible(`input[name="current"]`),
		chromedp.SendKeys(`input[name="current"]`, demo.Password),
		chromedp.SendKeys(`input[name="password"]`, newPassword),
		chromedp.SendKeys(`input[name="confirm"]`, newPassword),
		chromedp.Submit(`input[name="confirm"]`),
		chromedp.WaitVisible(`body.signed-in h1`),
	}
}

// TestJourney_ProjectOntoTheBattleMapAndPrint is the clerk's and the
// secretary's day: the 经发办 clerk records a project with its milestones on
// a phone; one milestone is 45 days overdue, so the project is red; the
// secretary finds it on the battle map among the red projects, with its
// reason, and prints the map on A3 landscape.
func TestJourney_ProjectOntoTheBattleMapAndPrint(t *testing.T) {
	ts := app(t)
	today := time.Now().In(time.FixedZone("CST", 8*3600))
	day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
	const name = "海洋牧场智能网箱示范项目"

	phone := browser(t, true)
	var location, shown string
	err := chromedp.Run(phone, signIn(ts, "staff"),
		chromedp.Navigate(ts.URL+"/projects/new"),
		chromedp.WaitVisible(`input[name="name"]`),
		chromedp.SendKeys(`input[name="name"]`, name),
		chromedp.SetValue(`select[name="category_id"]`, "1", chromedp.ByQuery),
		chromedp.SetValue(`select[name="tier"]`, "active", chromedp.ByQuery),
		chromedp.SetValue(`input[name="total_invest"]`, "12000", chromedp.ByQuery),
		chromedp.SetValue(`input[name="planned_start"]`, day(-60), chromedp.ByQuery),
		chromedp.SetValue(`input[name="planned_operating"]`, day(300), chromedp.ByQuery),
		chromedp.SendKeys(`input[name="milestones.0.name"]`, "签约"),
		chromedp.SetValue(`input[name="milestones.0.planned"]`, day(-90), chromedp.ByQuery),
		chromedp.SetValue(`input[name="milestones.0.actual"]`, day(-92), chromedp.ByQuery),
		chromedp.SendKeys(`input[name="milestones.1.name"]`, "施工许可"),
		chromedp.SetValue(`input[name="milestones.1.planned"]`, day(-45), chromedp.ByQuery),
		chromedp.SendKeys(`input[name="milestones.2.name"]`, "主体完工"),
		chromedp.SetValue(`input[name="milestones.2.planned"]`, day(120), chromedp.ByQuery),
		shot(t, "project-1-form-phone"),
		chromedp.Submit(`input[name="name"]`),
		chromedp.WaitVisible(`#flash`),
		chromedp.Location(&location),
		chromedp.Text(`main`, &shown),
		shot(t, "project-2-page-phone"),
	)
	if err != nil {
		t.Fatalf("clerk: %v", err)
	}
	if !strings.Contains(shown, "红灯") || !strings.Contains(shown, "时间节点“施工许可”") || !strings.Contains(shown, "已逾期 45 天") {
		t.Fatalf("the project page does not show the red light with its reason: %s", shown)
	}
	id := strings.TrimPrefix(location[strings.LastIndex(location, "/projects/"):], "/projects/")

	desk := browser(t, false)
	var mapText, rowTitle string
	var pdf []byte
	err = chromedp.Run(desk, signIn(ts, "chief"),
		chromedp.Navigate(ts.URL+"/battlemap?light=red"),
		chromedp.WaitVisible(`svg a[href="/projects/`+id+`"]`),
		chromedp.Text(`main`, &mapText),
		chromedp.TextContent(`svg a[href="/projects/`+id+`"] > g > title`, &rowTitle),
		shot(t, "project-3-battlemap"),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			pdf, _, err = page.PrintToPDF().WithPreferCSSPageSize(true).WithPrintBackground(true).Do(ctx)
			return err
		}),
	)
	if err != nil {
		t.Fatalf("secretary: %v", err)
	}
	if !strings.Contains(rowTitle, name) || !strings.Contains(rowTitle, "红灯：时间节点“施工许可”") {
		t.Errorf("the map row's hover text is %q", rowTitle)
	}
	if !strings.Contains(mapText, "重点项目挂图作战图") {
		t.Errorf("the map has no title: %.300s", mapText)
	}
	// The print stylesheet asks for A3 landscape: 420 × 297 mm is about 1191 × 842 points.
	if !strings.Contains(string(pdf), "/MediaBox [0 0 119") {
		t.Errorf("the printed map is not A3 landscape (%d bytes of PDF)", len(pdf))
	}
	if dir := os.Getenv("GUATU_E2E_SHOTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, "project-4-battlemap.pdf"), pdf, 0o644)
	}
}
