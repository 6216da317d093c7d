package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"guatu/auth"
	"guatu/db"
	"guatu/org"
	"guatu/photo"
	"guatu/problem"
	"guatu/project"
	"guatu/report"
	"guatu/web/webtest"
)

func init() { matrixAreas = append(matrixAreas, reportMatrixRoutes) }

var (
	rptViews   = []auth.Role{auth.Chief, auth.Leader, auth.Supervisor, auth.Staff, auth.Viewer}
	rptSubmits = []auth.Role{auth.Supervisor, auth.Staff}
	rptReviews = []auth.Role{auth.Supervisor}
)

// reportProject makes a started 实施库 project led by unit.
func reportProject(t testing.TB, env *webtest.Env, unit *org.Unit, name string) *project.Project {
	var p *project.Project
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		var err error
		p, err = project.Create(ctx, tx, auth.SystemActor("test"), project.Input{Name: name, CategoryID: "1", Tier: "active", Stage: "started",
			StageSince: "2026-01-05", UnitID: fmt.Sprint(unit.ID), PlanYear: "2026", PlanInvest: "1200",
			Milestones: []project.MilestoneInput{{Name: "主体封顶", Planned: "2026-03-20"}, {Name: "竣工验收", Planned: "2026-10-30"}}})
		return err
	})
	return p
}

// submittedReport makes a project in unit with a submitted March report
// holding one photo.
func submittedReport(t testing.TB, env *webtest.Env, unit *org.Unit, name string) (*report.Report, string) {
	p := reportProject(t, env, unit, name)
	ph := photo.NewName()
	var r *report.Report
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		var err error
		r, err = report.Save(ctx, tx, auth.SystemActor("test"), p.ID, report.Period{Year: 2026, Month: 3},
			report.Input{MonthInvest: "100", Progress: "推进中", NextPlan: "继续",
				Uploads: []report.Upload{{Name: ph, JPEG: []byte("jpeg"), Thumb: []byte("thumb"), Width: 4, Height: 3}}},
			true, project.Day(2026, 3, 15))
		return err
	})
	return r, ph
}

func reportMatrixRoutes() []route {
	fresh := func(suffix string) func(m *matrix, tg target) string {
		return func(m *matrix, tg target) string {
			r, ph := submittedReport(m.t, m.env, tg.unit, m.unique("月报项目"))
			return strings.NewReplacer("{id}", fmt.Sprint(r.ID), "{name}", ph).Replace(suffix)
		}
	}
	return []route{
		{method: "GET", path: "/reports", allowed: rptViews},
		{method: "POST", path: "/reports/remind", allowed: rptReviews},
		{method: "POST", path: "/reports/close", allowed: rptReviews},
		// The deadline day holds for every unit: only an office over a whole
		// tree sets it, and the matrix grants roles on a village.
		{method: "POST", path: "/reports/settings", allowed: nil, form: func(*matrix, target) url.Values {
			return url.Values{"deadline_day": {"25"}, "close_after_days": {"5"}}
		}},
		{method: "GET", path: "/projects/{project}/report", allowed: rptSubmits, scoped: true},
		{method: "POST", path: "/projects/{project}/report", allowed: rptSubmits, scoped: true, form: func(*matrix, target) url.Values {
			return url.Values{"action": {"draft"}}
		}},
		{method: "GET", path: "/reports/{id}", allowed: rptViews, scoped: true, pathFor: fresh("/reports/{id}")},
		{method: "POST", path: "/reports/{id}/return", allowed: rptReviews, scoped: true, pathFor: fresh("/reports/{id}/return"),
			form: func(*matrix, target) url.Values { return url.Values{"reason": {"请补充照片"}} }},
		{method: "GET", path: "/reports/{id}/photos/{name}", allowed: rptViews, scoped: true, pathFor: fresh("/reports/{id}/photos/{name}")},
	}
}

// testJPEG is a small real photo.
func testJPEG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := 0; x < 64; x++ {
		for y := 0; y < 48; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), 120, uint8(y * 5), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var reportLink = regexp.MustCompile(`/reports/(\d+)`)

func TestReport_FillSubmitReturnResubmit(t *testing.T) {
	env := webtest.New(t)
	p := reportProject(t, env, env.Units.Econ, "港区冷链物流中心")
	staff := env.Login(t, "staff")
	form := fmt.Sprintf("/projects/%d/report?period=2026-03", p.ID)

	// The form lists the milestone due this month first.
	res := staff.Get(t, form)
	if res.Status != http.StatusOK || !res.Contains("本月到期") || !res.Contains("主体封顶") {
		t.Fatalf("form: %d %.400s", res.Status, res.Text())
	}

	// An incomplete submission keeps what was typed and names what is missing.
	typed := url.Values{"action": {"submit"}, "month_invest": {"150.5"}, "problems": {"电力增容未批复"}}
	res = staff.PostForm(t, form, typed)
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("请填写本月形象进度") || !strings.Contains(res.Body, `value="150.5"`) || !res.Contains("电力增容未批复") {
		t.Fatalf("incomplete: %d %.600s", res.Status, res.Text())
	}

	// With a photo, an incomplete submission still keeps the photo, as a draft.
	res = staff.PostFile(t, form, typed, "photos", "现场.jpg", testJPEG(t))
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("照片已随草稿保存") || !strings.Contains(res.Body, "?thumb=1") {
		t.Fatalf("incomplete with photo: %d %.600s", res.Status, res.Text())
	}
	// A file that is no photo is refused by its content, in Chinese.
	if res := staff.PostFile(t, form, url.Values{"action": {"draft"}}, "photos", "伪装.jpg", []byte("%PDF-1.4 not a photo")); res.Status != http.StatusUnprocessableEntity || !res.Contains("第 1 张照片") {
		t.Errorf("not a photo: %d %.400s", res.Status, res.Text())
	}

	milestones, _ := project.Get(context.Background(), env.DB, p.ID)
	topped := milestones.Milestones[0].ID
	complete := url.Values{"action": {"submit"}, "month_invest": {"150.5"}, "progress": {"主体结构封顶"}, "next_plan": {"内部装修"},
		"reached": {fmt.Sprint(topped)}, fmt.Sprintf("reached_%d", topped): {"2026-03-12"}}
	res = staff.PostForm(t, form, complete)
	if res.Status != http.StatusSeeOther || !reportLink.MatchString(res.Location) {
		t.Fatalf("submit: %d %s %.400s", res.Status, res.Location, res.Text())
	}
	show := res.Location
	got, _ := project.Get(context.Background(), env.DB, p.ID)
	if got.CompletedInvest != 1_505_000 || !got.Milestones[0].Actual.Equal(project.Day(2026, 3, 12)) {
		t.Errorf("project after report: %d %v", got.CompletedInvest, got.Milestones[0].Actual)
	}
	// The form of a submitted report leads to the report.
	if res := staff.Get(t, form); res.Status != http.StatusSeeOther || res.Location != show {
		t.Errorf("form after submission: %d %s", res.Status, res.Location)
	}

	// The photo is served to readers, re-encoded; not to another town.
	page := staff.Get(t, show)
	photoURL := regexp.MustCompile(`/reports/\d+/photos/[0-9a-f]+`).FindString(page.Body)
	if photoURL == "" {
		t.Fatalf("no photo on the report: %.600s", page.Text())
	}
	if img := env.Login(t, "viewer").Get(t, photoURL); img.Status != http.StatusOK || img.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("photo for a viewer: %d", img.Status)
	}
	if img := env.Login(t, "other").Get(t, photoURL); img.Status != http.StatusNotFound {
		t.Errorf("photo for another town: %d", img.Status)
	}

	// The board shows it in on time; the supervisor returns it with a reason.
	sup := env.Login(t, "supervisor")
	board := sup.Get(t, "/reports?period=2026-03")
	if !board.Contains("经发办") || !board.Contains("按时报送") {
		t.Errorf("board: %.800s", board.Text())
	}
	if res := sup.PostForm(t, show+"/return", url.Values{"reason": {""}}); res.Status != http.StatusUnprocessableEntity || !res.Contains("请写明退回的原因") {
		t.Errorf("return without reason: %d", res.Status)
	}
	if res := sup.PostForm(t, show+"/return", url.Values{"reason": {"投资数与财务支付不符"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("return: %d %.300s", res.Status, res.Text())
	}

	// The unit sees why, corrects and resubmits; both versions stay visible.
	res = staff.Get(t, form)
	if res.Status != http.StatusOK || !res.Contains("投资数与财务支付不符") || !strings.Contains(res.Body, `value="150.5"`) {
		t.Fatalf("returned form: %d %.400s", res.Status, res.Text())
	}
	complete.Set("month_invest", "120")
	if res := staff.PostForm(t, form, complete); res.Status != http.StatusSeeOther {
		t.Fatalf("resubmit: %d %.400s", res.Status, res.Text())
	}
	page = sup.Get(t, show)
	if !page.Contains("第 2 次报送") || !page.Contains("第 1 次报送") || !page.Contains("投资数与财务支付不符") {
		t.Errorf("versions: %.800s", page.Text())
	}
	got, _ = project.Get(context.Background(), env.DB, p.ID)
	if got.CompletedInvest != 1_200_000 {
		t.Errorf("after correction the project holds %d yuan", got.CompletedInvest)
	}
}

func TestReport_BoardRemindAndClose(t *testing.T) {
	env := webtest.New(t)
	p := reportProject(t, env, env.Units.Econ, "未报项目")
	sup := env.Login(t, "supervisor")
	// Before the deadline the month cannot be closed.
	if res := sup.PostForm(t, "/reports/close", url.Values{"period": {"2026-03"}}); res.Status != http.StatusSeeOther || !sup.Get(t, res.Location).Contains("截止以后才能关账") {
		t.Errorf("early close: %d", res.Status)
	}
	env.Clock.Set(project.Day(2026, 3, 27).Add(2 * 3600e9))
	sup = env.Login(t, "supervisor") // the session ended while the clock moved
	board := sup.Get(t, "/reports?period=2026-03")
	if !board.Contains("逾期未报") || !board.Contains("一键催报") {
		t.Fatalf("board after the deadline: %.800s", board.Text())
	}
	res := sup.PostForm(t, "/reports/remind", url.Values{"period": {"2026-03"}})
	if res.Status != http.StatusSeeOther || !sup.Get(t, res.Location).Contains("已向 1 个单位催报") {
		t.Fatalf("remind: %d", res.Status)
	}
	if !sup.Get(t, "/reports?period=2026-03").Contains("1 次") {
		t.Error("the 催报 is not counted on the board")
	}
	// The light of the project shows the missing report.
	if !sup.Get(t, fmt.Sprintf("/projects/%d", p.ID)).Contains("2026年3月月报逾期未报") {
		t.Error("the light does not name the missing report after the deadline")
	}
	res = sup.PostForm(t, "/reports/close", url.Values{"period": {"2026-03"}})
	if res.Status != http.StatusSeeOther || !sup.Get(t, res.Location).Contains("已关账") {
		t.Fatalf("close: %d", res.Status)
	}
	// The battle map shows the frozen month under the project's row.
	if m := sup.Get(t, "/battlemap"); !strings.Contains(m.Body, "3月：红灯") {
		t.Errorf("frozen month not on the battle map")
	}
	// The project page shows the frozen month.
	if page := sup.Get(t, fmt.Sprintf("/projects/%d", p.ID)); !strings.Contains(page.Body, `title="2026年3月：红灯`) || !strings.Contains(page.Body, `<span class="small">3月</span>`) {
		t.Errorf("frozen month not on the project page: %.300s", page.Text())
	}
	// Bad settings keep what was typed.
	res = sup.PostForm(t, "/reports/settings", url.Values{"deadline_day": {"40"}, "close_after_days": {"3"}})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("报送截止日应为") || !strings.Contains(res.Body, `value="40"`) {
		t.Errorf("bad settings: %d", res.Status)
	}
}

// An edit form opened before a report came in cannot write the report's
// investment and milestone back to what they were: it is shown again with
// the new figures and everything else as typed.
func TestReport_StaleProjectFormKeepsTheReportsFigures(t *testing.T) {
	env := webtest.New(t)
	p := reportProject(t, env, env.Units.Econ, "冷链中心")
	staff := env.Login(t, "staff")
	edit := staff.Get(t, fmt.Sprintf("/projects/%d/edit", p.ID))
	version := regexp.MustCompile(`name="version" value="([^"]+)"`).FindStringSubmatch(edit.Body)
	if version == nil {
		t.Fatalf("no version in the edit form")
	}
	topped := p.Milestones[0].ID
	env.Clock.Advance(time.Minute) // the report comes in while the form is open
	if res := staff.PostForm(t, fmt.Sprintf("/projects/%d/report?period=2026-03", p.ID), url.Values{"action": {"submit"}, "month_invest": {"80"},
		"progress": {"封顶"}, "next_plan": {"装修"}, "reached": {fmt.Sprint(topped)}, fmt.Sprintf("reached_%d", topped): {"2026-03-14"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("report: %d", res.Status)
	}
	form := url.Values{"version": {version[1]}, "name": {"冷链中心（一期）"}, "category_id": {"1"}, "tier": {"active"}, "level": {"town"},
		"unit_id": {fmt.Sprint(env.Units.Econ.ID)}, "completed_invest": {"0"}, "plan_year": {"2026"}, "plan_invest": {"1200"},
		"milestones.0.id": {fmt.Sprint(topped)}, "milestones.0.name": {"主体封顶"}, "milestones.0.planned": {"2026-03-20"}, "milestones.0.actual": {""},
		"milestones.1.id": {fmt.Sprint(p.Milestones[1].ID)}, "milestones.1.name": {"竣工验收"}, "milestones.1.planned": {"2026-10-30"}}
	res := staff.PostForm(t, fmt.Sprintf("/projects/%d", p.ID), form)
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("项目已被修改") || !strings.Contains(res.Body, `value="冷链中心（一期）"`) ||
		!strings.Contains(res.Body, `value="80"`) || !strings.Contains(res.Body, `value="2026-03-14"`) {
		t.Fatalf("stale form: %d %.500s", res.Status, res.Text())
	}
	got, _ := project.Get(context.Background(), env.DB, p.ID)
	if got.Name != "冷链中心" || got.CompletedInvest != 800_000 || !got.Milestones[0].Actual.Equal(project.Day(2026, 3, 14)) {
		t.Errorf("the stale form wrote: %+v", got)
	}
	// Saved again from the refreshed form, the rename goes through and the report's figures stay.
	fresh := regexp.MustCompile(`name="version" value="([^"]+)"`).FindStringSubmatch(res.Body)
	form.Set("version", fresh[1])
	form.Set("completed_invest", "80")
	form.Set("milestones.0.actual", "2026-03-14")
	if res := staff.PostForm(t, fmt.Sprintf("/projects/%d", p.ID), form); res.Status != http.StatusSeeOther {
		t.Fatalf("saved again: %d %.300s", res.Status, res.Text())
	}
	got, _ = project.Get(context.Background(), env.DB, p.ID)
	if got.Name != "冷链中心（一期）" || got.CompletedInvest != 800_000 || !got.Milestones[0].Actual.Equal(project.Day(2026, 3, 14)) {
		t.Errorf("after the second save: %+v", got)
	}
}

// The 工作台 lists what each person has to do, with the numbers the pages behind the links show.
func TestHome_Todos(t *testing.T) {
	env := webtest.New(t)
	reportProject(t, env, env.Units.Econ, "冷链中心")
	reportProject(t, env, env.Units.Econ, "海洋牧场")
	staff := env.Login(t, "staff")
	if home := staff.Get(t, "/"); !home.Contains("2 2026年3月月报待填报（3月25日截止）") {
		t.Errorf("staff's 待办: %.600s", home.Text())
	}
	// A 交办 to 经发办 waits for its 签收.
	sup := env.Login(t, "supervisor")
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		_, err := problem.Create(ctx, tx, env.Actor("supervisor"), problem.Input{Title: "供电增容", Category: "utilities", Source: "meeting",
			UnitID: fmt.Sprint(env.Units.Econ.ID), DeadlineKind: problem.ByDate, Deadline: "2026-03-31"})
		return err
	})
	if home := staff.Get(t, "/"); !home.Contains("1 交办给本单位、待签收的问题") {
		t.Errorf("staff's 待办 after a 交办: %.600s", home.Text())
	}
	// After the deadline the office sees who has not reported; a viewer has nothing to do.
	env.Clock.Set(project.Day(2026, 3, 26).Add(2 * time.Hour))
	sup = env.Login(t, "supervisor")
	if home := sup.Get(t, "/"); !home.Contains("2 2026年3月月报逾期未报") {
		t.Errorf("office's 待办: %.600s", home.Text())
	}
	if home := env.Login(t, "viewer").Get(t, "/"); !home.Contains("眼下没有待办") {
		t.Errorf("viewer's 待办: %.600s", home.Text())
	}
}
