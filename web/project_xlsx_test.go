package web_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"guatu/sheet"
	"guatu/web/webtest"
)

func TestProjectSpreadsheets_ExportCheckImport(t *testing.T) {
	env := webtest.New(t)
	staff := env.Login(t, "staff")
	for _, name := range []string{"XX湾蓝色经济产业园", "水产品精深加工"} {
		if res := staff.PostForm(t, "/projects", projectForm(env, name)); res.Status != http.StatusSeeOther {
			t.Fatalf("create %s: %d %s", name, res.Status, res.Text())
		}
	}
	// The export holds exactly the rows the 台账's filters show.
	list := staff.Get(t, "/projects?q=精深")
	if !strings.Contains(list.Body, `href="/projects/export.xlsx?q=%E7%B2%BE%E6%B7%B1"`) {
		t.Errorf("the export link does not carry the filter: %s", list.Body)
	}
	res := staff.Get(t, "/projects/export.xlsx?q=精深")
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/vnd.openxmlformats") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), `filename="projects-2026-03-15.xlsx"; filename*=UTF-8''XX%E9%95%87`) {
		t.Fatalf("export: %d %v", res.Status, res.Header)
	}
	g, err := sheet.Read(strings.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, r := range g.Rows {
		for _, c := range r {
			all = append(all, c.Text)
		}
	}
	text := strings.Join(all, "|")
	if !strings.Contains(text, "水产品精深加工") || strings.Contains(text, "XX湾蓝色经济产业园") || !strings.Contains(text, "红灯") {
		t.Errorf("exported cells: %s", text)
	}
	if res := env.Login(t, "auditor").Get(t, "/audit?action=project.exported"); !res.Contains("导出项目台账") {
		t.Error("the export is not in the audit trail")
	}

	// Uploading the whole export back: checked, every row unchanged, then imported with nothing changed.
	full := staff.Get(t, "/projects/export.xlsx").Body
	check := staff.PostFile(t, "/projects/import", url.Values{"year": {"2026"}}, "file", "台账.xlsx", []byte(full))
	if n := strings.Count(check.Body, `<td class="nowrap">无变化</td>`); check.Status != http.StatusOK || n != 2 || !check.Contains("确认导入") {
		t.Fatalf("check: %d, %d rows unchanged, want 2: %s", check.Status, n, check.Text())
	}
	token := regexp.MustCompile(`name="token" value="([0-9a-f]+)"`).FindStringSubmatch(check.Body)
	if token == nil {
		t.Fatal("no confirm token")
	}
	// The checked file is the uploader's alone.
	if res := env.Login(t, "supervisor").PostForm(t, "/projects/import/confirm", url.Values{"token": {token[1]}}); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("another user confirmed the upload: %d", res.Status)
	}
	done := staff.PostForm(t, "/projects/import/confirm", url.Values{"token": {token[1]}})
	if done.Status != http.StatusSeeOther {
		t.Fatalf("confirm: %d %s", done.Status, done.Text())
	}
	if again := staff.PostForm(t, "/projects/import/confirm", url.Values{"token": {token[1]}}); !again.Contains("已过期") {
		t.Errorf("a confirmed file was importable twice: %s", again.Text())
	}
	// Imported back, the 台账 reads exactly as before (the title row carries the day, so it is left out).
	rowsOf := func(body string) string {
		g, err := sheet.ReadBook(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, grid := range g {
			for _, r := range grid.Rows[1:] {
				for _, c := range r {
					b.WriteString(c.Text + "|")
				}
				b.WriteString("\n")
			}
		}
		return b.String()
	}
	if after := staff.Get(t, "/projects/export.xlsx").Body; rowsOf(after) != rowsOf(full) {
		t.Errorf("importing the export changed the 台账:\nbefore %s\nafter  %s", rowsOf(full), rowsOf(after))
	}

	// A sheet with a mistake is refused with the row and column named, and nothing kept.
	var bad bytes.Buffer
	if err := sheet.Write(&bad, "项目", []sheet.Col{{Title: "项目名称"}, {Title: "项目类别"}, {Title: "牵头单位"}, {Title: "计划开工日期"}},
		[][]any{{"新项目甲", "海洋经济", "经发办", "2026-02-30"}}); err != nil {
		t.Fatal(err)
	}
	refused := staff.PostFile(t, "/projects/import", url.Values{"year": {"2026"}}, "file", "新项目.xlsx", bad.Bytes())
	if refused.Status != http.StatusUnprocessableEntity || !refused.Contains("“2026-02-30”不是有效日期") || refused.Contains("确认导入") {
		t.Errorf("bad sheet: %d %s", refused.Status, refused.Text())
	}
	// An old .xls is refused with what to do.
	xls := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...)
	if res := staff.PostFile(t, "/projects/import", nil, "file", "旧表.xls", xls); res.Status != http.StatusUnprocessableEntity || !res.Contains(".xlsx") {
		t.Errorf(".xls: %d %s", res.Status, res.Text())
	}
	// A spreadsheet over its limit is refused by the importer, naming the limit.
	huge := staff.PostFile(t, "/projects/import", nil, "file", "大表.xlsx", make([]byte, sheet.MaxFileSize+2<<20))
	if huge.Status != http.StatusUnprocessableEntity || !huge.Contains("20 MB 以内") {
		t.Errorf("huge upload: %d %s", huge.Status, huge.Text())
	}
	// A body past any form's limit without a length (chunked) is refused
	// once it runs past the limit, before it is all read.
	req, err := http.NewRequest(http.MethodPost, env.HTTP.URL+"/projects/import", io.MultiReader(
		strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.xlsx\"\r\n\r\n"),
		bytes.NewReader(make([]byte, 66<<20))))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	req.ContentLength = -1
	if res := staff.Do(t, req); res.Status != http.StatusUnprocessableEntity || !res.Contains("不能超过 64 MB") {
		t.Errorf("chunked huge upload: %d %s", res.Status, res.Text())
	}
	// The template downloads with the columns the importer reads.
	tpl := staff.Get(t, "/projects/import/template.xlsx")
	if g, err := sheet.Read(strings.NewReader(tpl.Body)); err != nil || !strings.Contains(g.Rows[len(g.Rows)-1][1].Text, "项目名称") {
		t.Errorf("template: %v", err)
	}
	// A viewer may export but not import.
	viewer := env.Login(t, "viewer")
	if res := viewer.Get(t, "/projects/import"); res.Status != http.StatusForbidden {
		t.Errorf("viewer opened the import page: %d", res.Status)
	}
}
