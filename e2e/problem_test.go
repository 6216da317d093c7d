package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestJourney_ProblemFeedbackOnAPhoneAndCloseOnADesk is 问题督办's daily
// round: the 经发办 clerk, on a phone, finds the unit's problem that is due
// soon and reports progress with a site photo; the supervision office, on a
// desktop, closes (销号) a problem a unit has finished.
func TestJourney_ProblemFeedbackOnAPhoneAndCloseOnADesk(t *testing.T) {
	ts := app(t)
	photo := filepath.Join(t.TempDir(), "现场照片.png")
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(photo, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	phone := browser(t, true)
	var list, shown string
	err := chromedp.Run(phone, signIn(ts, "staff"),
		chromedp.Navigate(ts.URL+"/problems?tab=mine"),
		chromedp.WaitVisible(`main table`),
		chromedp.Text(`main table`, &list),
		shot(t, "problem-1-list-phone"),
		chromedp.Click(`//a[text()="闲置厂房技术改造项目供电增容"]`, chromedp.BySearch),
		chromedp.WaitVisible(`textarea[name="note"]`),
		chromedp.SendKeys(`textarea[name="note"]`, "变压器已到货，周五安装"),
		chromedp.SetUploadFiles(`details[open] input[name="files"]`, []string{photo}),
		shot(t, "problem-2-feedback-phone"),
		chromedp.Submit(`textarea[name="note"]`),
		chromedp.WaitVisible(`#flash`),
		chromedp.Text(`main`, &shown),
		shot(t, "problem-3-timeline-phone"),
	)
	if err != nil {
		t.Fatalf("clerk: %v", err)
	}
	if !strings.Contains(list, "即将到期") || !strings.Contains(list, "深海养殖基地用海审批手续未办结") {
		t.Errorf("the unit's list: %s", list)
	}
	for _, want := range []string{"进展已反馈", "变压器已到货，周五安装", "现场照片.png"} {
		if !strings.Contains(shown, want) {
			t.Errorf("after the feedback the page lacks %q: %.500s", want, shown)
		}
	}

	desk := browser(t, false)
	var flash, state string
	err = chromedp.Run(desk, signIn(ts, "supervisor"),
		chromedp.Navigate(ts.URL+"/problems?state=done"),
		chromedp.Click(`//a[text()="民宿集群提升工程消防验收卡在县消防大队"]`, chromedp.BySearch),
		chromedp.WaitVisible(`input[name="close_note"]`),
		chromedp.SendKeys(`input[name="close_note"]`, "经核实验收意见齐全"),
		chromedp.Submit(`input[name="close_note"]`),
		chromedp.WaitVisible(`#flash`),
		chromedp.Text(`#flash`, &flash),
		chromedp.Text(`.problem-badges`, &state),
		shot(t, "problem-4-closed"),
	)
	if err != nil {
		t.Fatalf("office: %v", err)
	}
	if !strings.Contains(flash, "问题已销号") || !strings.Contains(state, "已销号") {
		t.Errorf("after 销号: flash %q, badges %q", flash, state)
	}
}
