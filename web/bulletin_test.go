package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"guatu/auth"
	"guatu/bulletin"
	"guatu/db"
	"guatu/org"
	"guatu/project"
	"guatu/report"
	"guatu/web/webtest"
	"guatu/worktime"
)

func init() { matrixAreas = append(matrixAreas, bulletinMatrixRoutes) }

var (
	bulReads  = []auth.Role{auth.Chief, auth.Leader, auth.Supervisor, auth.Staff, auth.Viewer}
	bulDrafts = []auth.Role{auth.Chief, auth.Leader, auth.Supervisor, auth.Viewer}
	bulWrites = []auth.Role{auth.Chief, auth.Supervisor}
)

var february, _ = bulletin.ParseSpan("2026-02")

// closeFebruary closes February 2026 for the unit's subtree (once), so a
// bulletin over it can be drafted from frozen data.
func closeFebruary(t testing.TB, env *webtest.Env, u *org.Unit) {
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		p := report.Period{Year: 2026, Month: time.February}
		if closed, err := report.IsClosed(ctx, tx, p, u.Path); err != nil || closed {
			return err
		}
		cal, err := worktime.Load(ctx, tx)
		if err != nil {
			return err
		}
		_, err = report.Close(ctx, tx, auth.SystemActor("test"), u.ID, p, env.Clock.Now(), project.DefaultRules(), report.DefaultConfig(), cal, false)
		return err
	})
}

// aBulletin drafts a fresh February bulletin for the unit: removing an
// earlier draft, or correcting the one issued.
func aBulletin(t testing.TB, env *webtest.Env, u *org.Unit) *bulletin.Bulletin {
	closeFebruary(t, env, u)
	var b *bulletin.Bulletin
	sys := auth.SystemActor("test")
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		list, err := bulletin.List(ctx, tx, sys)
		if err != nil {
			return err
		}
		for _, x := range list {
			if x.UnitID == u.ID && x.State == bulletin.Draft {
				if _, err := bulletin.Delete(ctx, tx, sys, x.ID); err != nil {
					return err
				}
			}
		}
		for _, x := range list { // newest first
			if x.UnitID == u.ID && x.State == bulletin.Issued && x.ReplacedBy == nil {
				b, err = bulletin.Correct(ctx, tx, sys, x.ID)
				return err
			}
		}
		b, err = bulletin.Create(ctx, tx, sys, u.ID, february, env.Clock.Now())
		return err
	})
	return b
}

func bulletinMatrixRoutes() []route {
	at := func(suffix string) func(m *matrix, tg target) string {
		return func(m *matrix, tg target) string {
			return fmt.Sprintf("/bulletins/%d%s", aBulletin(m.t, m.env, tg.unit).ID, suffix)
		}
	}
	return []route{
		{method: "GET", path: "/bulletins", allowed: bulReads},
		{method: "POST", path: "/bulletins", allowed: bulWrites, form: func(*matrix, target) url.Values { return url.Values{"span": {"2026-01"}} }},
		// The weights score every town: only an office or chief over a whole
		// tree may set them, which no matrix grant is (TestBulletin_Weights).
		{method: "POST", path: "/bulletins/weights", allowed: nil, form: func(*matrix, target) url.Values {
			return url.Values{"w_milestones": {"30"}, "w_investment": {"30"}, "w_reports": {"20"}, "w_problems": {"10"}, "w_instructions": {"10"}}
		}},
		// A draft: the office, the leaders and the viewers over it read it,
		// units do not (issued ones: TestBulletin_UnitsReadWhatWasIssued).
		{method: "GET", path: "/bulletins/{id}", allowed: bulDrafts, scoped: true, pathFor: at("")},
		{method: "GET", path: "/bulletins/{id}/print", allowed: bulDrafts, scoped: true, pathFor: at("/print")},
		{method: "GET", path: "/bulletins/{id}/docx", allowed: bulDrafts, scoped: true, pathFor: at("/docx")},
		{method: "GET", path: "/bulletins/{id}/xlsx", allowed: bulDrafts, scoped: true, pathFor: at("/xlsx")},
		{method: "GET", path: "/bulletins/{id}/edit", allowed: bulWrites, scoped: true, pathFor: at("/edit")},
		{method: "POST", path: "/bulletins/{id}/edit", allowed: bulWrites, scoped: true, pathFor: at("/edit"), form: func(*matrix, target) url.Values {
			return url.Values{"title": {""}}
		}},
		{method: "POST", path: "/bulletins/{id}/regenerate", allowed: bulWrites, scoped: true, pathFor: at("/regenerate")},
		{method: "POST", path: "/bulletins/{id}/issue", allowed: bulWrites, scoped: true, pathFor: at("/issue"), form: func(*matrix, target) url.Values {
			return url.Values{"prefix": {"X镇督"}, "issuer": {"XX镇督查室"}, "signer": {"王书记"}, "date": {"2026-03-10"}}
		}},
		{method: "POST", path: "/bulletins/{id}/correct", allowed: bulWrites, scoped: true, pathFor: at("/correct")},
		{method: "POST", path: "/bulletins/{id}/delete", allowed: bulWrites, scoped: true, pathFor: at("/delete")},
	}
}

// The office drafts the month's bulletin, edits it (a stale form keeps
// what was typed), issues it under the year's first number, and the files
// carry the issued text.
func TestBulletin_DraftEditIssueDownload(t *testing.T) {
	env := webtest.New(t)
	reportProject(t, env, env.Units.Econ, "滨海冷库")
	closeFebruary(t, env, env.Units.Town)
	sup := env.Login(t, "supervisor")

	// January is not closed: a bulletin over it is refused, with the reason.
	res := sup.PostForm(t, "/bulletins", url.Values{"span": {"2026-01"}})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("还没有关账的月份") {
		t.Fatalf("unclosed span: %d %.300s", res.Status, res.Text())
	}
	res = sup.PostForm(t, "/bulletins", url.Values{"span": {"2026-Q9"}})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("不是有效的通报周期") {
		t.Fatalf("bad span: %d %.300s", res.Status, res.Text())
	}
	res = sup.PostForm(t, "/bulletins", url.Values{"span": {"2026-02"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("draft: %d %.300s", res.Status, res.Text())
	}
	page := sup.Get(t, res.Location)
	if !page.Contains("关于2026年2月重点项目推进情况的通报") || !page.Contains("各单位综合考评情况") || !page.Contains("（草稿，签发时编号）") ||
		!page.Contains("XX镇督〔2026〕1号") {
		t.Fatalf("draft page: %.600s", page.Text())
	}
	id := strings.TrimPrefix(res.Location, "/bulletins/")

	// A second draft of the same span is refused.
	if again := sup.PostForm(t, "/bulletins", url.Values{"span": {"2026-02"}}); again.Status != http.StatusUnprocessableEntity || !again.Contains("已有草稿") {
		t.Errorf("second draft: %d %.300s", again.Status, again.Text())
	}

	// Edit: the form holds each section; a refused edit keeps the text.
	form := sup.Get(t, "/bulletins/"+id+"/edit")
	headings := regexp.MustCompile(`name="heading" value="([^"]*)"`).FindAllStringSubmatch(form.Body, -1)
	if len(headings) != 7 {
		t.Fatalf("edit form has %d headings", len(headings))
	}
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(form.Body)[1]
	edit := url.Values{"version": {version}, "title": {"关于2026年2月重点项目推进情况的通报"}, "recipient": {"各村（社区）"}}
	for i, h := range headings {
		edit.Add("heading", h[1])
		edit.Add("paragraphs", fmt.Sprintf("第%d部分的文字。", i+1))
	}
	bad := url.Values{}
	for k, v := range edit {
		bad[k] = v
	}
	bad.Set("title", "")
	res = sup.PostForm(t, "/bulletins/"+id+"/edit", bad)
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("标题不能为空") || !res.Contains("第3部分的文字。") {
		t.Fatalf("refused edit: %d %.300s", res.Status, res.Text())
	}
	if res = sup.PostForm(t, "/bulletins/"+id+"/edit", edit); res.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d %.300s", res.Status, res.Text())
	}
	res = sup.PostForm(t, "/bulletins/"+id+"/edit", edit) // the same form again: stale
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("已被") || !res.Contains("第7部分的文字。") {
		t.Fatalf("stale edit: %d %.300s", res.Status, res.Text())
	}

	// Issue: a bad date is refused beside its field; then issued.
	page = sup.Get(t, "/bulletins/"+id)
	version = regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page.Body)[1]
	issue := url.Values{"version": {version}, "prefix": {"X镇督"}, "issuer": {"XX镇督查室"}, "signer": {"王书记"}, "date": {"2026-13-01"}}
	res = sup.PostForm(t, "/bulletins/"+id+"/issue", issue)
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("成文日期应为") || !strings.Contains(res.Body, `value="王书记"`) {
		t.Fatalf("bad issue: %d %.300s", res.Status, res.Text())
	}
	issue.Set("date", "2026-03-10")
	if res = sup.PostForm(t, "/bulletins/"+id+"/issue", issue); res.Status != http.StatusSeeOther {
		t.Fatalf("issue: %d %.300s", res.Status, res.Text())
	}
	page = sup.Get(t, "/bulletins/"+id)
	if !page.Contains("X镇督〔2026〕1号") || !page.Contains("2026年3月10日") || !page.Contains("第2部分的文字。") || !page.Contains("与存储内容一致") {
		t.Fatalf("issued page: %.600s", page.Text())
	}
	if res = sup.PostForm(t, "/bulletins/"+id+"/edit", edit); res.Status != http.StatusSeeOther && res.Status != http.StatusConflict {
		t.Errorf("edit after issue: %d", res.Status)
	}
	if page = sup.Get(t, "/bulletins/"+id); !page.Contains("第2部分的文字。") {
		t.Error("an issued bulletin changed")
	}

	// The Word file: a well-formed 公文 with the number, the edited text and the tables.
	doc := sup.Get(t, "/bulletins/"+id+"/docx")
	if doc.Status != http.StatusOK || !strings.Contains(doc.Header.Get("Content-Disposition"), ".docx") {
		t.Fatalf("docx: %d %v", doc.Status, doc.Header)
	}
	body := docxText(t, []byte(doc.Body))
	for _, want := range []string{"X镇督〔2026〕1号", "第2部分的文字。", "综合得分", "经发办", "2026年3月10日"} {
		if !strings.Contains(body, want) {
			t.Errorf("docx lacks %q", want)
		}
	}
	if x := sup.Get(t, "/bulletins/"+id+"/xlsx"); x.Status != http.StatusOK || !strings.HasPrefix(x.Body, "PK") {
		t.Errorf("xlsx: %d", x.Status)
	}
	if p := sup.Get(t, "/bulletins/"+id+"/print"); p.Status != http.StatusOK || !strings.Contains(p.Body, `<article class="gongwen">`) ||
		!p.Contains("X镇督〔2026〕1号") || !p.Contains("第2部分的文字。") || !p.Contains("2026年3月10日印发") {
		t.Errorf("print page: %d %.300s", p.Status, p.Text())
	}
}

// A village reads its town's issued bulletins, never a draft, never
// another town's; the list shows it what it may open.
func TestBulletin_UnitsReadWhatWasIssued(t *testing.T) {
	env := webtest.New(t)
	b := aBulletin(t, env, env.Units.Town)
	other := aBulletin(t, env, env.Units.OtherTown)
	village := env.Login(t, "village")
	if res := village.Get(t, fmt.Sprintf("/bulletins/%d", b.ID)); res.Status != http.StatusNotFound {
		t.Errorf("village reads a draft: %d", res.Status)
	}
	sys := auth.SystemActor("test")
	for _, x := range []*bulletin.Bulletin{b, other} {
		env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
			in, _, err := bulletin.IssueDefaults(ctx, tx, sys, x, env.Clock.Now())
			if err != nil {
				return err
			}
			in.Signer = "王书记"
			_, err = bulletin.Issue(ctx, tx, sys, x.ID, in, env.Clock.Now())
			return err
		})
	}
	res := village.Get(t, fmt.Sprintf("/bulletins/%d", b.ID))
	if res.Status != http.StatusOK || !res.Contains("XX镇督〔2026〕1号") || strings.Contains(res.Body, "/correct") {
		t.Errorf("village reads the issued bulletin: %d", res.Status)
	}
	if res := village.Get(t, fmt.Sprintf("/bulletins/%d", other.ID)); res.Status != http.StatusNotFound {
		t.Errorf("village reads another town's bulletin: %d", res.Status)
	}
	list := village.Get(t, "/bulletins")
	if !list.Contains("XX镇督〔2026〕1号") || list.Contains("YY镇") || list.Contains("生成草稿") {
		t.Errorf("village list: %.400s", list.Text())
	}
	if res := village.Get(t, fmt.Sprintf("/bulletins/%d/docx", b.ID)); res.Status != http.StatusOK {
		t.Errorf("village downloads the issued bulletin: %d", res.Status)
	}
}

// The weights are a setting with field messages; a town office may set
// them, and a refused form keeps what was typed.
func TestBulletin_Weights(t *testing.T) {
	env := webtest.New(t)
	sup := env.Login(t, "supervisor")
	res := sup.PostForm(t, "/bulletins/weights", url.Values{"w_milestones": {"abc"}, "w_investment": {"30"}, "w_reports": {"20"}, "w_problems": {"10"}, "w_instructions": {"10"}})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("节点按期完成率的权重应为 0 到 100 的整数") || !strings.Contains(res.Body, `value="abc"`) {
		t.Fatalf("bad weight: %d %.300s", res.Status, res.Text())
	}
	res = sup.PostForm(t, "/bulletins/weights", url.Values{"w_milestones": {"40"}, "w_investment": {"30"}, "w_reports": {"20"}, "w_problems": {"5"}, "w_instructions": {"5"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("weights: %d %.300s", res.Status, res.Text())
	}
	w, err := bulletin.LoadWeights(context.Background(), env.DB)
	if err != nil || w[bulletin.Milestones] != 40 || w[bulletin.Problems] != 5 {
		t.Errorf("stored %v %v", w, err)
	}
}
