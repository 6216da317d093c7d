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
