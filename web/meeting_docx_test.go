package web_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guatu/web/webtest"
)

// TestMeeting_MinutesDocx downloads the 纪要 as Word and finds in it what the
// printed page holds: the title, who attended, the decisions and the 交办
// with its unit, leader and deadline.
func TestMeeting_MinutesDocx(t *testing.T) {
	env := webtest.New(t)
	red := reportProject(t, env, env.Units.Econ, "滨海冷库")
	sup := env.Login(t, "supervisor")

	res := sup.PostForm(t, "/meetings", url.Values{"period": {"2026-03"}, "held_on": {"2026-03-05"}, "place": {"三楼会议室"},
		"host": {"王书记"}, "recorder": {"赵督查"}, "summary": {"各单位要对照时序进度倒排工期。\n\n红灯项目责任单位每周报告进展。"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %.300s", res.Status, res.Text())
	}
	page := res.Location
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{"/attendance", url.Values{"attendees.0.name": {"王书记"}, "attendees.0.unit_name": {"党政班子"}, "attendees.0.status": {"present"},
			"attendees.1.name": {"李明"}, "attendees.1.status": {"leave"}, "attendees.1.note": {"外出招商"},
			"attendees.2.name": {"孙村干"}, "attendees.2.status": {"absent"}}},
		{"/decisions", url.Values{"item_type": {"project"}, "item_id": {fmt.Sprint(red.ID)}, "item_name": {red.Name}, "text": {"经发办月底前补报月报，倒排工期"}}},
		{"/decisions", url.Values{"item_type": {"project"}, "item_id": {fmt.Sprint(red.ID)}, "item_name": {red.Name}, "text": {"两周内协调供电增容"},
			"assign": {"1"}, "title": {"冷库供电增容"}, "unit_id": {fmt.Sprint(env.Units.Econ.ID)}, "leader_id": {fmt.Sprint(env.Leader.ID)},
			"due": {"2026-04-10"}, "category": {"utilities"}}},
	} {
		if res := sup.PostForm(t, page+step.path, step.form); res.Status != http.StatusSeeOther {
			t.Fatalf("%s: %d %.300s", step.path, res.Status, res.Text())
		}
	}

	// Both pages offer the download.
	for _, p := range []string{page, page + "/minutes"} {
		if res := sup.Get(t, p); !strings.Contains(res.Body, `href="`+page+`/minutes.docx"`) {
			t.Errorf("%s has no Word link", p)
		}
	}

	res = sup.Get(t, page+"/minutes.docx")
	if res.Status != http.StatusOK {
		t.Fatalf("minutes.docx: %d %.300s", res.Status, res.Text())
	}
	if got, want := res.Header.Get("Content-Type"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
	if got, want := res.Header.Get("Content-Disposition"), "filename*=UTF-8''"+url.PathEscape("2026年3月重点项目调度会纪要.docx"); !strings.HasPrefix(got, "attachment;") || !strings.HasSuffix(got, want) {
		t.Errorf("Content-Disposition = %q, want an attachment named …%s", got, want)
	}
	text := docxText(t, []byte(res.Body))
	for _, want := range []string{
		"XX镇人民政府", "2026年3月重点项目调度会纪要", "2026年3月5日", "三楼会议室", "王书记（党政班子）", "李明（外出招商）", "孙村干", "赵督查",
		"3月5日，XX镇召开2026年3月重点项目调度会", "一、2026年3月项目推进情况", "红灯项目：滨海冷库。", "红灯项目责任单位每周报告进展。",
		"二、会议议定事项", "滨海冷库：经发办月底前补报月报，倒排工期", "滨海冷库：两周内协调供电增容",
		// The 交办 row, one cell a line: title, unit, leader, deadline.
		"三、交办事项", "\n1\n冷库供电增容\n经发办\n李明\n2026-04-10\n", "请各承办单位按时限办理",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the docx lacks %q:\n%s", want, text)
		}
	}

	// Another town's staff cannot download it.
	if res := env.Login(t, "other").Get(t, page+"/minutes.docx"); res.Status != http.StatusNotFound {
		t.Errorf("another town's staff downloaded the minutes: %d", res.Status)
	}
}

// docxText opens a .docx, checks that word/document.xml is well-formed and
// returns its text with one line per paragraph.
func docxText(t *testing.T, data []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	f, err := z.Open("word/document.xml")
	if err != nil {
		t.Fatalf("word/document.xml: %v", err)
	}
	defer f.Close()
	var b strings.Builder
	dec := xml.NewDecoder(f)
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("word/document.xml is not well-formed: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inText = tok.Name.Local == "t"
		case xml.EndElement:
			inText = false
			if tok.Name.Local == "p" {
				b.WriteString("\n")
			}
		case xml.CharData:
			if inText {
				b.Write(tok)
			}
		}
	}
	return b.String()
}
