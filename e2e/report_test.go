package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestJourney_MonthlyReportToMeetingToClosedProblem is 一月一调度 end to
// end: the 经发办 clerk submits this month's report with a site photo on a
// phone; the supervision office returns it with a reason; the clerk
// corrects and resubmits; the office opens a dispatch meeting, whose agenda
// built itself, and assigns work (交办) to 经发办; the clerk signs for the
// problem and finishes it on the phone; the office closes it (销号).
func TestJourney_MonthlyReportToMeetingToClosedProblem(t *testing.T) {
	ts := app(t)
	photo := filepath.Join(t.TempDir(), "工地.jpg")
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for x := 0; x < 320; x++ {
		for y := 0; y < 240; y++ {
			img.Set(x, y, color.RGBA{uint8(x), 140, uint8(y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(photo, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	due := time.Now().AddDate(0, 0, 20).Format("2006-01-02")

	// The clerk fills this month's report on a phone.
	phone := browser(t, true)
	var form, reportURL, shown string
	err := chromedp.Run(phone, signIn(ts, "staff"),
		chromedp.Navigate(ts.URL+"/reports"),
		chromedp.WaitVisible(`table.report-rows`),
		shot(t, "report-1-board-phone"),
		chromedp.AttributeValue(`table.report-rows a.button.primary`, "href", &form, nil),
		chromedp.ActionFunc(func(ctx context.Context) error { return chromedp.Navigate(ts.URL + form).Do(ctx) }),
		chromedp.WaitVisible(`textarea[name="progress"]`),
		chromedp.SetValue(`input[name="month_invest"]`, "120", chromedp.ByQuery),
		chromedp.SetValue(`textarea[name="progress"]`, "主体结构完成至第三层", chromedp.ByQuery),
		chromedp.SetValue(`textarea[name="next_plan"]`, "完成主体封顶", chromedp.ByQuery),
		chromedp.SetValue(`textarea[name="problems"]`, "施工用电容量不足，需协调供电所增容", chromedp.ByQuery),
		chromedp.SetUploadFiles(`input[name="photos"]`, []string{photo}),
		shot(t, "report-2-form-phone"),
		chromedp.Click(`button[name="action"][value="submit"]`),
		chromedp.WaitVisible(`#flash`),
		chromedp.Location(&reportURL),
		chromedp.Text(`main`, &shown),
		shot(t, "report-3-submitted-phone"),
	)
	if err != nil {
		t.Fatalf("clerk submits: %v", err)
	}
	if !strings.Contains(shown, "月报已报送") || !strings.Contains(shown, "主体结构完成至第三层") || !strings.Contains(shown, "问题督办") {
		t.Fatalf("the submitted report: %.600s", shown)
	}
	var thumbs int
	if err := chromedp.Run(phone, chromedp.Evaluate(`document.querySelectorAll('.photo-grid img').length`, &thumbs)); err != nil || thumbs != 1 {
		t.Fatalf("photo on the report: %d %v", thumbs, err)
	}

	// The office returns it.
	desk := browser(t, false)
	err = chromedp.Run(desk, signIn(ts, "supervisor"),
		chromedp.Navigate(reportURL),
		chromedp.WaitVisible(`textarea[name="reason"]`),
		chromedp.SendKeys(`textarea[name="reason"]`, "本月完成投资与财务支付不符，请核实"),
		chromedp.Submit(`textarea[name="reason"]`),
		chromedp.WaitVisible(`#flash`),
	)
	if err != nil {
		t.Fatalf("office returns: %v", err)
	}

	// The clerk sees why, corrects and resubmits.
	err = chromedp.Run(phone,
		chromedp.Navigate(ts.URL+form),
		chromedp.WaitVisible(`input[name="month_invest"]`),
		chromedp.Text(`main`, &shown),
		chromedp.SetValue(`input[name="month_invest"]`, "95", chromedp.ByQuery),
		chromedp.Click(`button[name="action"][value="submit"]`),
		chromedp.WaitVisible(`#flash`),
		chromedp.Navigate(reportURL),
		chromedp.WaitVisible(`ol.timeline`),
	)
	if err != nil {
		t.Fatalf("clerk resubmits: %v", err)
	}
	if !strings.Contains(shown, "本月完成投资与财务支付不符") {
		t.Errorf("the returned form does not say why: %.400s", shown)
	}

	// The office opens a meeting; the agenda built itself; it assigns work to 经发办.
	var agenda, flash, meetingURL string
	err = chromedp.Run(desk,
		chromedp.Navigate(ts.URL+"/meetings"),
		chromedp.WaitVisible(`input[name="place"]`),
		chromedp.SendKeys(`input[name="place"]`, "镇政府三楼会议室"),
		chromedp.Submit(`input[name="place"]`),
		chromedp.WaitVisible(`#decide-meeting-0`),
		chromedp.Location(&meetingURL),
		chromedp.Text(`main`, &agenda),
		shot(t, "report-4-agenda"),
		// Opened by script: a click after scrolling can land on the sticky top bar instead.
		chromedp.Evaluate(`document.querySelector('#decide-meeting-0').open = true`, nil),
		chromedp.SetValue(`#decide-meeting-0 textarea[name="text"]`, "经发办协调供电所，两周内解决施工用电增容", chromedp.ByQuery),
		chromedp.Click(`#decide-meeting-0 input[name="assign"]`),
		chromedp.SetValue(`#decide-meeting-0 input[name="title"]`, "施工用电增容", chromedp.ByQuery),
		chromedp.Evaluate(`(() => { const s = document.querySelector('#decide-meeting-0 select[name="unit_id"]');
			const o = [...s.options].find(o => o.textContent.includes('经发办')); s.value = o.value; return o.value; })()`, nil),
		chromedp.SetValue(`#decide-meeting-0 input[name="due"]`, due, chromedp.ByQuery),
		chromedp.Submit(`#decide-meeting-0 textarea[name="text"]`),
		chromedp.WaitVisible(`ol.decisions-all`), // only the page after the decision has it (and a new flash)
		chromedp.Text(`#flash`, &flash),
	)
	if err != nil {
		t.Fatalf("office meets: %v", err)
	}
	for _, want := range []string{"红灯项目", "新增问题", "施工用电容量不足"} {
		if !strings.Contains(agenda, want) {
			t.Errorf("the agenda lacks %q: %.800s", want, agenda)
		}
	}
	if !strings.Contains(flash, "交办") {
		t.Fatalf("the decision was not assigned: %q", flash)
	}
	// The 纪要 lists the 交办 and prints on A4 portrait (595 × 842 points).
	var minutes string
	var pdf []byte
	err = chromedp.Run(desk,
		chromedp.ActionFunc(func(ctx context.Context) error { return chromedp.Navigate(meetingURL + "/minutes").Do(ctx) }),
		chromedp.WaitVisible(`article.minutes`),
		chromedp.Text(`article.minutes`, &minutes),
		shot(t, "report-4b-minutes"),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			pdf, _, err = page.PrintToPDF().WithPreferCSSPageSize(true).WithPrintBackground(true).Do(ctx)
			return err
		}),
	)
	if err != nil {
		t.Fatalf("minutes: %v", err)
	}
	if !strings.Contains(minutes, "交办事项") || !strings.Contains(minutes, "施工用电增容") || !strings.Contains(minutes, "镇政府三楼会议室") {
		t.Errorf("the 纪要: %.600s", minutes)
	}
	if !regexp.MustCompile(`/MediaBox \[0 0 59[45]`).Match(pdf) {
		t.Errorf("the 纪要 does not print on A4 (%d bytes of PDF)", len(pdf))
	}
	if dir := os.Getenv("GUATU_E2E_SHOTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, "report-4c-minutes.pdf"), pdf, 0o644)
	}

	// The clerk finds the 交办 among the unit's problems, signs for it and
	// finishes it on the phone. (Links are followed by their address: a
	// click can land on the row above while the page still lays out.)
	var problemURL string
	err = chromedp.Run(phone,
		chromedp.Navigate(ts.URL+"/problems?tab=mine"),
		chromedp.AttributeValue(`//a[text()="施工用电增容"]`, "href", &problemURL, nil, chromedp.BySearch),
		chromedp.ActionFunc(func(ctx context.Context) error { return chromedp.Navigate(ts.URL + problemURL).Do(ctx) }),
		chromedp.WaitVisible(`form[action$="/sign"] button`),
		chromedp.Submit(`form[action$="/sign"] button`),
		// Each step waits for what only the next page has, not for a flash
		// the page it leaves may show too.
		chromedp.WaitReady(`textarea[name="done_note"]`),
		chromedp.Evaluate(`document.querySelector('textarea[name="done_note"]').closest('details').open = true`, nil),
		chromedp.SendKeys(`textarea[name="done_note"]`, "供电所已完成增容，施工用电恢复"),
		chromedp.Submit(`textarea[name="done_note"]`),
		chromedp.WaitNotPresent(`textarea[name="done_note"]`),
		chromedp.WaitVisible(`#flash`),
		shot(t, "report-5-problem-done-phone"),
	)
	if err != nil {
		t.Fatalf("clerk signs and finishes: %v", err)
	}

	// The office closes it.
	var state string
	err = chromedp.Run(desk,
		chromedp.Navigate(ts.URL+problemURL),
		chromedp.WaitVisible(`input[name="close_note"]`),
		chromedp.SendKeys(`input[name="close_note"]`, "经核实已解决"),
		chromedp.Submit(`input[name="close_note"]`),
		chromedp.WaitVisible(`#flash`),
		chromedp.Text(`.problem-badges`, &state),
		shot(t, "report-6-closed"),
	)
	if err != nil {
		t.Fatalf("office closes: %v", err)
	}
	if !strings.Contains(state, "已销号") {
		t.Errorf("after 销号 the problem shows %q", state)
	}
}
