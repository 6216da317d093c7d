package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// TestJourney_BulletinDraftEditIssueDownload is 一季一通报 end to end: the
// supervision office, on a desktop, drafts the bulletin of the quarter the
// list proposes (throwing away the draft the demo left for it, so the
// draft is really generated here), adds a sentence to one part, issues it
// (the 签发 button asks to confirm), downloads the Word 公文 and the Excel
// tables and prints the 公文 on A4; then the village cadre, on a phone,
// reads the issued bulletin without any of the draft's controls.
func TestJourney_BulletinDraftEditIssueDownload(t *testing.T) {
	ts := app(t)
	const added = "督查室将对进度滞后的项目逐一实地督查，督查结果纳入年度考核。"
	numberRE := regexp.MustCompile(`镇督〔\d{4}〕\d+号`)

	desk := browser(t, false)
	dialogs := acceptDialogs(desk)

	// The list proposes a span; the demo may already hold a draft for it.
	var choice struct {
		Key, Label string
		Year       string // the current year's 全年 span, used when the proposed quarter is issued already
	}
	var rows []struct{ Span, Href, State string }
	err := chromedp.Run(desk, signIn(ts, "supervisor"),
		chromedp.Navigate(ts.URL+"/bulletins"),
		chromedp.WaitVisible(`select[name="span"]`),
		chromedp.Evaluate(`(() => { const o = document.querySelector('select[name="span"]').selectedOptions[0];
			const y = [...document.querySelectorAll('select[name="span"] option')].find(o => /^\d{4}$/.test(o.value));
			return {Key: o.value, Label: o.textContent.trim(), Year: y ? y.value : ''}; })()`, &choice),
		chromedp.Evaluate(`[...document.querySelectorAll('table.table tbody tr')].map(tr => ({
			Span: tr.cells[0].textContent.trim(), Href: tr.querySelector('a').getAttribute('href'), State: tr.cells[3].textContent.trim()}))`, &rows),
	)
	if err != nil {
		t.Fatalf("office opens the list: %v", err)
	}
	for _, r := range rows {
		if r.Span != choice.Label {
			continue
		}
		if strings.Contains(r.State, "草稿") {
			// Start over: delete the demo's draft through its page.
			var flash string
			err = chromedp.Run(desk,
				chromedp.Navigate(ts.URL+r.Href),
				chromedp.WaitVisible(`#issue`),
				press(`form[action$="/delete"] button`),
				chromedp.WaitVisible(`select[name="span"]`), // back on the list
				chromedp.Text(`#flash`, &flash),
			)
			if err != nil {
				t.Fatalf("office deletes the demo's draft of %s: %v", choice.Label, err)
			}
			if !strings.Contains(flash, "草稿已删除") || !strings.Contains(dialogs.last(), "删除这份草稿") {
				t.Fatalf("deleting the draft: flash %q, confirm %q", flash, dialogs.last())
			}
			t.Logf("deleted the demo's draft of %s to generate it afresh", choice.Label)
		} else {
			// Between the previous quarter's 签发 and the close of this
			// quarter's first month there is no quarter left to draft;
			// the year so far is (its months are closed).
			t.Logf("%s is issued already; drafting the bulletin of %s instead", choice.Label, choice.Year)
			choice.Key = choice.Year
		}
	}

	// Generate, and see the draft.
	var draftURL, title, flash, refused string
	err = chromedp.Run(desk,
		chromedp.Navigate(ts.URL+"/bulletins"),
		chromedp.WaitVisible(`select[name="span"]`),
		chromedp.SetValue(`select[name="span"]`, choice.Key, chromedp.ByQuery),
		shot(t, "bulletin-1-list"),
		press(`form[action="/bulletins"] button[type="submit"]`),
		// Only a draft's page has the 签发 form; a refusal comes back to the list with its reason.
		chromedp.WaitVisible(`#issue, section.card > .form-error`, chromedp.ByQuery),
		chromedp.Evaluate(`(document.querySelector('section.card > .form-error') || {}).textContent || ''`, &refused),
	)
	if err != nil || refused != "" {
		t.Fatalf("office generates the draft of %s: %v %s", choice.Key, err, refused)
	}
	err = chromedp.Run(desk,
		chromedp.WaitVisible(`article.gongwen .gw-title`),
		chromedp.Location(&draftURL),
		chromedp.Text(`article.gongwen .gw-title`, &title),
		chromedp.Text(`#flash`, &flash),
		shot(t, "bulletin-2-draft"),
	)
	if err != nil {
		t.Fatalf("office generates the draft of %s: %v", choice.Key, err)
	}
	if !strings.Contains(flash, "通报草稿已按冻结的月度数据生成") || !strings.Contains(title, "通报") {
		t.Fatalf("the new draft: flash %q, title %q", flash, title)
	}
	id := draftURL[strings.LastIndex(draftURL, "/")+1:]
	if _, err := strconv.Atoi(id); err != nil {
		t.Fatalf("the draft's address %s", draftURL)
	}

	// Add a sentence to the first paragraph of the first part that has
	// text (a part's paragraphs are the lines of its box), and save.
	var edit, doc string
	var part int
	err = chromedp.Run(desk,
		chromedp.AttributeValue(`.bulletin-side a[href$="/edit"]`, "href", &edit, nil),
		chromedp.ActionFunc(func(ctx context.Context) error { return chromedp.Navigate(ts.URL + edit).Do(ctx) }),
		chromedp.WaitVisible(`textarea[name="paragraphs"]`),
		chromedp.Evaluate(`(() => { const all = [...document.querySelectorAll('textarea[name="paragraphs"]')];
			const i = all.findIndex(t => t.value.trim() !== ''); const lines = all[i].value.split('\n');
			lines[0] = lines[0].trimEnd() + `+strconv.Quote(added)+`; all[i].value = lines.join('\n'); return i; })()`, &part),
		shot(t, "bulletin-3-edit"),
		press(`form[action$="/edit"] button[type="submit"]`),
		chromedp.WaitVisible(`#issue`),
		chromedp.Text(`#flash`, &flash),
		chromedp.Text(`article.gongwen`, &doc),
	)
	if err != nil {
		t.Fatalf("office edits the draft: %v", err)
	}
	if !strings.Contains(flash, "通报文字已保存") || !strings.Contains(doc, added) {
		t.Fatalf("after saving part %d: flash %q, the draft lacks the sentence: %.400s", part+1, flash, doc)
	}

	// 签发 with the defaults and the chief as signer; the button asks first.
	var next, head, number, signed string
	err = chromedp.Run(desk,
		chromedp.Text(`#issue small`, &next),
		chromedp.SetValue(`#issue input[name="signer"]`, "周建华", chromedp.ByQuery),
		press(`#issue button[type="submit"]`),
		chromedp.WaitVisible(`footer.gw-record`), // the 版记 is printed on an issued bulletin only
		chromedp.Text(`.page-head`, &head),
		chromedp.Text(`article.gongwen .gw-number`, &number),
		chromedp.Text(`.bulletin-side dl`, &signed),
		chromedp.Text(`article.gongwen`, &doc),
		shot(t, "bulletin-4-issued"),
	)
	if err != nil {
		t.Fatalf("office issues the bulletin: %v", err)
	}
	if !strings.Contains(dialogs.last(), "确认签发") {
		t.Errorf("签发 did not ask to confirm; last dialog %q", dialogs.last())
	}
	number = strings.TrimSpace(number)
	if !numberRE.MatchString(number) || !strings.Contains(next, number) {
		t.Fatalf("the number is %q; the form promised %q", number, next)
	}
	if !strings.Contains(head, "已签发") || !strings.Contains(head, number) || !strings.Contains(signed, "周建华") || !strings.Contains(doc, added) {
		t.Errorf("the issued page: head %q, 签发信息 %q", head, signed)
	}
	var left int
	if err := chromedp.Run(desk, chromedp.Evaluate(`document.querySelectorAll('#issue, a[href$="/edit"], form[action$="/delete"], form[action$="/regenerate"]').length`, &left)); err != nil || left != 0 {
		t.Errorf("the issued page still has %d draft controls (%v)", left, err)
	}

	// The Word 公文 carries the sentence and the number; the workbook opens
	// with its ranking sheet.
	word := fetchFile(t, desk, "/bulletins/"+id+"/docx")
	if !strings.Contains(word.Type, "wordprocessingml") || !strings.Contains(word.Disposition, "attachment") {
		t.Errorf("Word download: %q, %q", word.Type, word.Disposition)
	}
	text := docxBody(t, word.Body)
	if !strings.Contains(text, added) || !strings.Contains(text, number) || !strings.Contains(text, title) {
		t.Errorf("the Word 公文 lacks the sentence, the number %q or the title %q: %.600s", number, title, text)
	}
	if strings.Contains(text, "草稿") {
		t.Errorf("the Word file of the issued bulletin is still marked as a draft: %.300s", text)
	}
	excel := fetchFile(t, desk, "/bulletins/"+id+"/xlsx")
	if !strings.Contains(excel.Type, "spreadsheetml") {
		t.Errorf("Excel download: %q", excel.Type)
	}
	book, err := excelize.OpenReader(bytes.NewReader(excel.Body))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	defer book.Close()
	ranking, err := book.GetRows("综合排名")
	if err != nil {
		t.Fatalf("the workbook has no 综合排名 (sheets %v): %v", book.GetSheetList(), err)
	}
	if len(ranking) < 3 || len(ranking[2]) < 2 || ranking[2][0] != "排名" || ranking[2][1] != "单位" || !strings.Contains(strings.Join(ranking[1], ""), number) {
		t.Errorf("综合排名 starts %q", ranking[:min(len(ranking), 4)])
	}

	// The print version is a 公文 on A4, over more than one page.
	var print string
	var pdf []byte
	err = chromedp.Run(desk,
		chromedp.Navigate(draftURL),
		chromedp.WaitVisible(`footer.gw-record`),
		chromedp.AttributeValue(`.bulletin-side a[href$="/print"]`, "href", &print, nil),
		chromedp.ActionFunc(func(ctx context.Context) error { return chromedp.Navigate(ts.URL + print).Do(ctx) }),
		chromedp.WaitVisible(`article.gongwen`),
		chromedp.WaitNotPresent(`.bulletin-side`),
		shot(t, "bulletin-5-print"),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			pdf, _, err = page.PrintToPDF().WithPreferCSSPageSize(true).WithPrintBackground(true).Do(ctx)
			return err
		}),
	)
	if err != nil {
		t.Fatalf("print: %v", err)
	}
	if dir := os.Getenv("GUATU_E2E_SHOTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, "bulletin-5-print.pdf"), pdf, 0o644)
	}
	boxes := regexp.MustCompile(`/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]`).FindAllSubmatch(pdf, -1)
	if len(boxes) < 2 {
		t.Errorf("the printed bulletin has %d pages, want at least 2 (%d bytes of PDF)", len(boxes), len(pdf))
	}
	for i, b := range boxes {
		w, _ := strconv.ParseFloat(string(b[1]), 64)
		h, _ := strconv.ParseFloat(string(b[2]), 64)
		if w < 593 || w > 597 || h < 840 || h > 844 { // A4 portrait: 210 × 297 mm ≈ 595 × 842 pt
			t.Errorf("page %d is %.1f × %.1f pt, not A4 portrait", i+1, w, h)
		}
	}

	// The village cadre reads it on a phone.
	phone := browser(t, true)
	var link, phoneDoc string
	var overflow, controls, draftForm int
	err = chromedp.Run(phone, signIn(ts, "village"),
		chromedp.Navigate(ts.URL+"/bulletins"),
		chromedp.WaitVisible(`a[href="/bulletins/`+id+`"]`),
		chromedp.Evaluate(`document.querySelectorAll('form[action="/bulletins"]').length`, &draftForm),
		shot(t, "bulletin-6-list-phone"),
		chromedp.AttributeValue(`a[href="/bulletins/`+id+`"]`, "href", &link, nil),
		chromedp.ActionFunc(func(ctx context.Context) error { return chromedp.Navigate(ts.URL + link).Do(ctx) }),
		chromedp.WaitVisible(`footer.gw-record`),
		chromedp.Text(`article.gongwen`, &phoneDoc),
		chromedp.Evaluate(`document.querySelectorAll('#issue, a[href$="/edit"], form[action$="/delete"], form[action$="/regenerate"], form[action$="/correct"]').length`, &controls),
		chromedp.Evaluate(`document.documentElement.scrollWidth - document.documentElement.clientWidth`, &overflow),
		shot(t, "bulletin-7-issued-phone"),
	)
	if err != nil {
		t.Fatalf("village cadre reads: %v", err)
	}
	for _, want := range []string{title, number, added} {
		if !strings.Contains(phoneDoc, want) {
			t.Errorf("on the phone the bulletin lacks %q", want)
		}
	}
	if controls != 0 || draftForm != 0 {
		t.Errorf("the village cadre sees %d draft or correction controls and %d 生成草稿 forms", controls, draftForm)
	}
	if overflow > 0 {
		t.Errorf("the bulletin page is %d px wider than the phone", overflow)
	}
}

// press scrolls the element to the middle of the window and clicks it, so
// the sticky top bar cannot take the click.
func press(sel string) chromedp.Tasks {
	return chromedp.Tasks{
		chromedp.WaitVisible(sel),
		chromedp.Evaluate(`document.querySelector(`+strconv.Quote(sel)+`).scrollIntoView({block: "center"})`, nil),
		chromedp.Click(sel),
	}
}

// dialogLog accepts every JavaScript dialog of a tab (the data-confirm
// buttons ask with confirm()) and keeps what they asked.
type dialogLog struct {
	mu   sync.Mutex
	asks []string
}

func acceptDialogs(ctx context.Context) *dialogLog {
	l := &dialogLog{}
	chromedp.ListenTarget(ctx, func(ev any) {
		if ev, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			l.mu.Lock()
			l.asks = append(l.asks, ev.Message)
			l.mu.Unlock()
			go chromedp.Run(ctx, page.HandleJavaScriptDialog(true))
		}
	})
	return l
}

func (l *dialogLog) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.asks) == 0 {
		return ""
	}
	return l.asks[len(l.asks)-1]
}

// download is a file fetched by the page with its own session.
type download struct {
	Status      int
	Type        string
	Disposition string
	Body        []byte
}

// fetchFile downloads path from within the page, as the signed-in user.
func fetchFile(t *testing.T, ctx context.Context, path string) download {
	t.Helper()
	var got struct {
		Status            int
		Type, Disposition string
		Body              string
	}
	err := chromedp.Run(ctx, chromedp.Evaluate(`(async () => {
		const r = await fetch(`+strconv.Quote(path)+`, {credentials: "same-origin"});
		const b = new Uint8Array(await r.arrayBuffer());
		let s = "";
		for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
		return {Status: r.status, Type: r.headers.get("Content-Type") || "", Disposition: r.headers.get("Content-Disposition") || "", Body: btoa(s)};
	})()`, &got, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if err != nil {
		t.Fatalf("fetch %s: %v", path, err)
	}
	body, err := base64.StdEncoding.DecodeString(got.Body)
	if err != nil || got.Status != 200 {
		t.Fatalf("fetch %s: status %d, %d bytes (%v)", path, got.Status, len(body), err)
	}
	return download{Status: got.Status, Type: got.Type, Disposition: got.Disposition, Body: body}
}

// docxBody is the text of word/document.xml, paragraphs on their own lines.
func docxBody(t *testing.T, file []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatalf("the Word file is not a zip: %v", err)
	}
	f, err := z.Open("word/document.xml")
	if err != nil {
		t.Fatalf("the Word file has no word/document.xml: %v", err)
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	xml := strings.ReplaceAll(string(raw), "</w:p>", "\n")
	return regexp.MustCompile(`<[^>]+>`).ReplaceAllString(xml, "")
}
