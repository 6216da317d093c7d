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
	"guatu/db"
	"guatu/problem"
	"guatu/sheet"
	"guatu/web/webtest"
)

func init() { matrixAreas = append(matrixAreas, problemMatrixRoutes) }

// Who may do what with problems, written out by hand (auth.go's policy must
// agree): everyone who works the projects reads them and raises them, the
// units' staff (and the office acting for a unit on paper) handle them, and
// only the supervision office oversees them.
var (
	pbViews   = []auth.Role{auth.Chief, auth.Leader, auth.Supervisor, auth.Staff, auth.Viewer}
	pbRaise   = []auth.Role{auth.Chief, auth.Leader, auth.Supervisor, auth.Staff}
	pbHandle  = []auth.Role{auth.Supervisor, auth.Staff}
	pbOversee = []auth.Role{auth.Supervisor}
)

// pdfBytes is a small file the server accepts as a PDF.
var pdfBytes = []byte("%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")

// stagedProblem makes a problem for the unit as the system and walks it to
// the given stage: "pending", "handling", "waiting" (an extension request
// waits), "done", or "file" (handling, with a feedback carrying a PDF). It
// returns the problem and, for "file", the attachment's name.
func stagedProblem(d *db.DB, unitID int64, title, stage string) (*problem.Problem, string) {
	sys := auth.SystemActor("test")
	var p *problem.Problem
	var file string
	ctx := context.Background()
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		p, err = problem.Create(ctx, tx, sys, problem.Input{Title: title, Category: "land", Source: "site",
			UnitID: fmt.Sprint(unitID), LimitDays: "10"})
		if err != nil || stage == "pending" {
			return err
		}
		if p, err = problem.Sign(ctx, tx, sys, p.ID); err != nil {
			return err
		}
		switch stage {
		case "waiting":
			p, err = problem.RequestExtension(ctx, tx, sys, p.ID, problem.ExtensionInput{NewDeadline: "2026-06-30", Reason: "等待县局批复"})
		case "done":
			p, err = problem.Finish(ctx, tx, sys, p.ID, "已解决", nil)
		case "file":
			if p, err = problem.Feedback(ctx, tx, sys, p.ID, "附回函", []problem.Upload{{Name: "回函.pdf", Data: pdfBytes}}); err != nil {
				return err
			}
			files, err := problem.Files(ctx, tx, p.ID)
			if err != nil || len(files) != 1 {
				return fmt.Errorf("files %v: %w", files, err)
			}
			file = files[0].Name
		}
		return err
	})
	if err != nil {
		panic(fmt.Sprintf("stagedProblem %s: %v", stage, err))
	}
	return p, file
}

func problemMatrixRoutes() []route {
	id := func(x int64) string { return fmt.Sprint(x) }
	at := func(stage, action string) func(m *matrix, tg target) string {
		return func(m *matrix, tg target) string {
			p, file := stagedProblem(m.env.DB, tg.unit.ID, m.unique("矩阵问题"), stage)
			if action == "files" {
				return fmt.Sprintf("/problems/%d/files/%s", p.ID, file)
			}
			if action == "" {
				return fmt.Sprintf("/problems/%d", p.ID)
			}
			return fmt.Sprintf("/problems/%d/%s", p.ID, action)
		}
	}
	text := func(k, v string) func(*matrix, target) url.Values {
		return func(*matrix, target) url.Values { return url.Values{k: {v}} }
	}
	return []route{
		{method: "GET", path: "/problems", allowed: pbViews},
		{method: "GET", path: "/problems?tab=leader", allowed: pbViews},
		{method: "GET", path: "/problems/new", allowed: pbRaise},
		{method: "GET", path: "/problems/export.xlsx", allowed: pbViews},
		{method: "POST", path: "/problems", allowed: pbRaise, scoped: true, form: func(m *matrix, tg target) url.Values {
			return url.Values{"title": {m.unique("矩阵登记")}, "category": {"land"}, "source": {"site"}, "unit_id": {id(tg.unit.ID)},
				"deadline_kind": {"days"}, "limit_days": {"10"}}
		}},
		{method: "GET", path: "/problems/{id}", allowed: pbViews, scoped: true, pathFor: at("pending", "")},
		{method: "POST", path: "/problems/{id}/sign", allowed: pbHandle, scoped: true, pathFor: at("pending", "sign")},
		{method: "POST", path: "/problems/{id}/feedback", allowed: pbHandle, scoped: true, pathFor: at("handling", "feedback"),
			form: text("note", "已对接")},
		{method: "POST", path: "/problems/{id}/done", allowed: pbHandle, scoped: true, pathFor: at("handling", "done"),
			form: text("done_note", "已解决")},
		{method: "POST", path: "/problems/{id}/extend", allowed: pbHandle, scoped: true, pathFor: at("handling", "extend"),
			form: func(*matrix, target) url.Values {
				return url.Values{"new_deadline": {"2026-06-30"}, "ext_reason": {"等待批复"}}
			}},
		{method: "POST", path: "/problems/{id}/close", allowed: pbOversee, scoped: true, pathFor: at("done", "close")},
		{method: "POST", path: "/problems/{id}/return", allowed: pbOversee, scoped: true, pathFor: at("done", "return"),
			form: text("reason", "未解决")},
		{method: "POST", path: "/problems/{id}/extend/approve", allowed: pbOversee, scoped: true, pathFor: at("waiting", "extend/approve")},
		{method: "POST", path: "/problems/{id}/extend/refuse", allowed: pbOversee, scoped: true, pathFor: at("waiting", "extend/refuse"),
			form: text("refuse_reason", "时间够用")},
		{method: "GET", path: "/problems/{id}/files/{name}", allowed: pbViews, scoped: true, pathFor: at("file", "files")},
	}
}

var problemLocation = regexp.MustCompile(`^/problems/(\d+)$`)

func problemForm(env *webtest.Env, title string) url.Values {
	return url.Values{"title": {title}, "description": {"县自然资源局要求补充海域使用论证"}, "category": {"approval"},
		"source": {"report"}, "priority": {"urgent"}, "unit_id": {fmt.Sprint(env.Units.Econ.ID)},
		"co_unit_ids": {fmt.Sprint(env.Units.Office.ID)}, "deadline_kind": {"days"}, "limit_days": {"5"}}
}

// create posts the form and returns the new problem's address.
func createProblem(t *testing.T, c *webtest.Client, form url.Values) string {
	t.Helper()
	res := c.PostForm(t, "/problems", form)
	if res.Status != http.StatusSeeOther || !problemLocation.MatchString(res.Location) {
		t.Fatalf("create: %d %q %s", res.Status, res.Location, res.Text())
	}
	return res.Location
}

func wantPage(t *testing.T, res *webtest.Response, status int, texts ...string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %.500s", res.Status, status, res.Text())
	}
	for _, s := range texts {
		if !res.Contains(s) && !strings.Contains(res.Body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func TestProblemPages_AssignSignFeedbackDoneClose(t *testing.T) {
	env := webtest.New(t)
	super := env.Login(t, "supervisor")
	staff := env.Login(t, "staff")

	// The form keeps what was typed when it is refused.
	wantPage(t, super.Get(t, "/problems/new"), http.StatusOK, `name="title"`, "自签收之日起", "按责任单位的分管领导")
	bad := problemForm(env, "")
	bad.Set("limit_days", "0")
	res := super.PostForm(t, "/problems", bad)
	wantPage(t, res, http.StatusUnprocessableEntity, "请用一句话写明问题", "请填写办理时限", "县自然资源局要求补充海域使用论证",
		fmt.Sprintf(`name="co_unit_ids" value="%d" checked`, env.Units.Office.ID), `<option value="urgent" selected>`)
	dated := problemForm(env, "日期选错")
	dated.Set("deadline_kind", "date")
	dated.Set("deadline", "2026-03-01")
	wantPage(t, super.PostForm(t, "/problems", dated), http.StatusUnprocessableEntity, "办结期限不能早于今天", `value="2026-03-01"`,
		`name="deadline_kind" value="date" checked`)

	loc := createProblem(t, super, problemForm(env, "用海审批手续迟迟未批"))
	page := super.Get(t, loc)
	wantPage(t, page, http.StatusOK, "问题已交办，等待“经发办”签收", "用海审批手续迟迟未批", "待签收", "紧急", "交办", "经发办", "党政办",
		"李明", "应于 2026-03-16 前签收", "自签收之日起 5 个工作日", "赵督查")
	// The office sees no unit's forms it would not use: it could sign (acting for the unit), but not close yet.
	if strings.Contains(page.Body, "/close") || strings.Contains(page.Body, "/return") {
		t.Error("the office is offered 销号 before 办结")
	}
	// Staff of another unit cannot see it; the village's staff get a 404.
	if res := env.Login(t, "village").Get(t, loc); res.Status != http.StatusNotFound {
		t.Errorf("village staff: %d", res.Status)
	}
	// A viewer reads it, without any form.
	view := env.Login(t, "viewer").Get(t, loc)
	wantPage(t, view, http.StatusOK, "用海审批手续迟迟未批")
	if strings.Contains(view.Body, `action="`+loc+`/`) {
		t.Error("a viewer is offered an action")
	}
	if res := env.Login(t, "viewer").PostForm(t, loc+"/sign", nil); res.Status != http.StatusForbidden {
		t.Errorf("a viewer signing: %d", res.Status)
	}

	// 经发办 signs: the clock starts, 5 working days from Sunday 15 March.
	wantPage(t, staff.Get(t, loc), http.StatusOK, `action="`+loc+`/sign"`)
	res = staff.PostForm(t, loc+"/sign", nil)
	if res.Status != http.StatusSeeOther || res.Location != loc {
		t.Fatalf("sign: %d %s", res.Status, res.Text())
	}
	wantPage(t, staff.Get(t, loc), http.StatusOK, "已签收，请于 2026-03-20 前办结", "办理中", "2026-03-20", "反馈进展", "申请延期")
	if res := staff.PostForm(t, loc+"/sign", nil); res.Status != http.StatusConflict || !res.Contains("不能签收") {
		t.Errorf("signing twice: %d", res.Status)
	}

	// Feedback with an attachment; a refused one keeps the typed text.
	res = staff.PostFile(t, loc+"/feedback", url.Values{"note": {"已约县局现场踏勘"}}, "files", "x.html", []byte("<html><script>"))
	wantPage(t, res, http.StatusUnprocessableEntity, "格式不支持", "已约县局现场踏勘", "所选附件需重新选择")
	res = staff.PostFile(t, loc+"/feedback", url.Values{"note": {"已约县局现场踏勘"}}, "files", "踏勘记录.pdf", pdfBytes)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("feedback: %d %s", res.Status, res.Text())
	}
	page = staff.Get(t, loc)
	link := regexp.MustCompile(`href="(` + regexp.QuoteMeta(loc) + `/files/[0-9a-f]{32}\.pdf)"`).FindStringSubmatch(page.Body)
	if link == nil {
		t.Fatalf("no attachment link: %s", page.Text())
	}
	wantPage(t, page, http.StatusOK, "进展已反馈", "踏勘记录.pdf", "已约县局现场踏勘", "钱经办（经发办）")
	file := staff.Get(t, link[1])
	if file.Status != http.StatusOK || file.Body != string(pdfBytes) || file.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(file.Header.Get("Content-Disposition"), "attachment; ") ||
		!strings.Contains(file.Header.Get("Content-Disposition"), "filename*=UTF-8''%E8%B8%8F") {
		t.Errorf("download: %d %v", file.Status, file.Header)
	}
	if res := env.Login(t, "other").Get(t, link[1]); res.Status != http.StatusNotFound {
		t.Errorf("another town downloads: %d", res.Status)
	}
	if res := staff.Get(t, loc+"/files/00000000000000000000000000000000.pdf"); res.Status != http.StatusNotFound {
		t.Errorf("a made-up file: %d", res.Status)
	}

	// Done, then the office returns it, then done again and closed.
	if res := staff.PostForm(t, loc+"/done", url.Values{"done_note": {""}}); res.Status != http.StatusUnprocessableEntity || !res.Contains("请写明办结情况") {
		t.Errorf("done without a note: %d", res.Status)
	}
	if res := staff.PostForm(t, loc+"/done", url.Values{"done_note": {"县局已批复"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("done: %d %s", res.Status, res.Text())
	}
	page = super.Get(t, loc)
	wantPage(t, page, http.StatusOK, "待审核销号", `action="`+loc+`/close"`, `action="`+loc+`/return"`)
	if res := staff.PostForm(t, loc+"/close", nil); res.Status != http.StatusForbidden {
		t.Errorf("the unit closing: %d", res.Status)
	}
	res = super.PostForm(t, loc+"/return", url.Values{"reason": {""}})
	wantPage(t, res, http.StatusUnprocessableEntity, "请写明退回的理由")
	res = super.PostForm(t, loc+"/return", url.Values{"reason": {"批复文号未附"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("return: %d", res.Status)
	}
	staff.PostForm(t, loc+"/done", url.Values{"done_note": {"已附批复文号"}})
	if res := super.PostForm(t, loc+"/close", url.Values{"close_note": {"核实无误"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", res.Status)
	}
	page = super.Get(t, loc)
	wantPage(t, page, http.StatusOK, "问题已销号", "已销号", "退回重办", "批复文号未附", "核实无误", "办理过程")
	if strings.Contains(page.Body, `class="card no-print problem-actions"`) {
		t.Error("a closed problem still offers actions")
	}
}

func TestProblemPages_ExtensionAndBadInput(t *testing.T) {
	env := webtest.New(t)
	super := env.Login(t, "supervisor")
	staff := env.Login(t, "staff")
	loc := createProblem(t, super, problemForm(env, "供电增容"))
	staff.PostForm(t, loc+"/sign", nil)

	res := staff.PostForm(t, loc+"/extend", url.Values{"new_deadline": {"2026-03-18"}, "ext_reason": {"供电公司排期"}})
	wantPage(t, res, http.StatusUnprocessableEntity, "申请的期限应晚于现在的办结期限 2026-03-20", `value="供电公司排期"`, `value="2026-03-18"`)
	if res := staff.PostForm(t, loc+"/extend", url.Values{"new_deadline": {"2026-04-10"}, "ext_reason": {"供电公司排期"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("extend: %d %s", res.Status, res.Text())
	}
	wantPage(t, staff.Get(t, loc), http.StatusOK, "延期申请已提交", "延期待批", "延期申请待审批", "2026-04-10")
	if strings.Contains(staff.Get(t, loc).Body, "/extend/approve") {
		t.Error("the unit is offered its own approval")
	}
	res = super.Get(t, loc)
	wantPage(t, res, http.StatusOK, `action="`+loc+`/extend/approve"`, "同意延期至 2026-04-10")
	wantPage(t, super.PostForm(t, loc+"/extend/refuse", url.Values{"refuse_reason": {" "}}), http.StatusUnprocessableEntity, "请写明不同意延期的理由")
	if res := super.PostForm(t, loc+"/extend/approve", url.Values{"approve_note": {"同意"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.Status)
	}
	wantPage(t, super.Get(t, loc), http.StatusOK, "已同意延期，新的办结期限为 2026-04-10")
	wantPage(t, staff.Get(t, loc), http.StatusOK, "办结期限由 2026-03-20 改为 2026-04-10", "延期记录", "已同意")
	if res := super.PostForm(t, loc+"/extend/approve", nil); res.Status != http.StatusConflict {
		t.Errorf("approving again: %d", res.Status)
	}
	for _, path := range []string{"/problems/999999", "/problems/abc", "/problems/999999/sign", "/problems/0/files/x.pdf"} {
		var res *webtest.Response
		if strings.HasSuffix(path, "/sign") {
			res = staff.PostForm(t, path, nil)
		} else {
			res = staff.Get(t, path)
		}
		if res.Status != http.StatusNotFound {
			t.Errorf("%s: %d", path, res.Status)
		}
	}
	if res := env.Login(t, "viewer").Get(t, "/problems/new"); res.Status != http.StatusForbidden {
		t.Errorf("a viewer's form: %d", res.Status)
	}
	other := problemForm(env, "别人的单位")
	other.Set("unit_id", fmt.Sprint(env.Units.Village1.ID))
	if res := staff.PostForm(t, "/problems", other); res.Status != http.StatusForbidden {
		t.Errorf("staff raising for another unit: %d", res.Status)
	}
}

func TestProblemList_TabsFiltersAndExport(t *testing.T) {
	env := webtest.New(t)
	super := env.Login(t, "supervisor")
	econ := createProblem(t, super, problemForm(env, "用海审批"))
	village := problemForm(env, "村道拓宽占地")
	village.Set("unit_id", fmt.Sprint(env.Units.Village1.ID))
	village.Set("category", "land")
	village.Set("priority", "normal")
	createProblem(t, super, village)
	// Tuesday: both are a day late signing (two days on, the sessions have lapsed: sign in again).
	env.Clock.Advance(48 * time.Hour)
	super = env.Login(t, "supervisor")
	list := super.Get(t, "/problems")
	wantPage(t, list, http.StatusOK, "用海审批", "村道拓宽占地", "逾期未签收 1 个工作日", `<span class="problem-count">2</span>`, "导出 Excel", "登记问题")

	staff := env.Login(t, "staff")
	mine := staff.Get(t, "/problems?tab=mine")
	wantPage(t, mine, http.StatusOK, "用海审批")
	if mine.Contains("村道拓宽占地") {
		t.Error("本单位 of 经发办 lists the village's problem")
	}
	staff.PostForm(t, econ+"/sign", nil)
	overdue := super.Get(t, "/problems?tab=overdue")
	if !overdue.Contains("村道拓宽占地") || overdue.Contains("用海审批") {
		t.Errorf("逾期: %s", overdue.Text())
	}
	if res := super.Get(t, "/problems?category=land"); res.Contains("用海审批") || !res.Contains("村道拓宽占地") {
		t.Errorf("category filter: %s", res.Text())
	}
	if res := super.Get(t, "/problems?q=用海"); !res.Contains("用海审批") || res.Contains("村道拓宽占地") {
		t.Errorf("search: %s", res.Text())
	}
	// 按领导: the office sees each leader's count; the leader opens on their own.
	leaders := super.Get(t, "/problems?tab=leader")
	wantPage(t, leaders, http.StatusOK, "李明", "未明确分管领导", "点击领导姓名")
	own := env.Login(t, "leader").Get(t, "/problems?tab=leader")
	if !own.Contains("用海审批") || own.Contains("村道拓宽占地") {
		t.Errorf("the leader's own tab: %s", own.Text())
	}

	// The export holds exactly the filtered rows, and is recorded.
	if !strings.Contains(overdue.Body, `href="/problems/export.xlsx?tab=overdue"`) {
		t.Error("the export link does not carry the tab")
	}
	res := super.Get(t, "/problems/export.xlsx?tab=overdue")
	if res.Status != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), `filename="problems-2026-03-17.xlsx"`) {
		t.Fatalf("export: %d %v", res.Status, res.Header)
	}
	g, err := sheet.Read(strings.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	for _, r := range g.Rows {
		for _, c := range r {
			cells = append(cells, c.Text)
		}
	}
	text := strings.Join(cells, "|")
	if !strings.Contains(text, "村道拓宽占地") || strings.Contains(text, "用海审批") || !strings.Contains(text, "逾期未签收 1 个工作日") {
		t.Errorf("exported: %s", text)
	}
	if res := env.Login(t, "auditor").Get(t, "/audit?action=problem.exported"); !res.Contains("导出问题清单") {
		t.Error("the export is not in the audit trail")
	}
	if res := env.Login(t, "sysadmin").Get(t, "/problems"); res.Status != http.StatusForbidden {
		t.Errorf("an administrator's list: %d", res.Status)
	}
}

func TestProblemNav_AndProjectPage(t *testing.T) {
	env := webtest.New(t)
	staff := env.Login(t, "staff")
	if res := staff.Get(t, "/"); !strings.Contains(res.Body, `href="/problems"`) {
		t.Error("no 问题督办 in the staff's navigation")
	}
	if res := env.Login(t, "sysadmin").Get(t, "/"); strings.Contains(res.Body, `href="/problems"`) {
		t.Error("问题督办 in an administrator's navigation")
	}
	res := staff.PostForm(t, "/projects", projectForm(env, "深海养殖基地"))
	m := projectLocation.FindStringSubmatch(res.Location)
	if m == nil {
		t.Fatalf("project: %d %s", res.Status, res.Text())
	}
	page := staff.Get(t, res.Location)
	wantPage(t, page, http.StatusOK, "堵点、难点", "暂无问题", "/problems/new?project="+m[1])
	form := staff.Get(t, "/problems/new?project="+m[1])
	wantPage(t, form, http.StatusOK, `<option value="`+m[1]+`" selected>`)
	in := problemForm(env, "养殖用海审批")
	in.Set("project_id", m[1])
	loc := createProblem(t, staff, in)
	wantPage(t, staff.Get(t, loc), http.StatusOK, "问题已上报", "上报", "深海养殖基地")
	wantPage(t, staff.Get(t, res.Location), http.StatusOK, "养殖用海审批", "待签收")
	wantPage(t, staff.Get(t, "/problems?project="+m[1]), http.StatusOK, "只看关联项目", "养殖用海审批")
}
