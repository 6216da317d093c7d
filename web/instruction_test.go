package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"guatu/auth"
	"guatu/db"
	"guatu/instruction"
	"guatu/org"
	"guatu/project"
	"guatu/web/webtest"
)

// The 批示 pages' rows of the permission matrix. Roles are granted on 东岙村;
// each 批示 a row acts on is written by the system to the target's unit, so
// only the supervision office (not the chief) may close it.
func init() { matrixAreas = append(matrixAreas, instrMatrixRoutes) }

var (
	instrViews   = []auth.Role{auth.Chief, auth.Leader, auth.Supervisor, auth.Staff, auth.Viewer}
	instrWriters = []auth.Role{auth.Chief, auth.Leader}
	instrAnswers = []auth.Role{auth.Supervisor, auth.Staff}
	instrClosers = []auth.Role{auth.Supervisor}
)

func instrMatrixRoutes() []route {
	fresh := func(suffix string) func(m *matrix, tg target) string {
		return func(m *matrix, tg target) string {
			return fmt.Sprintf("/instructions/%d%s", freshInstruction(m.env, tg.unit, m.unique("矩阵批示")), suffix)
		}
	}
	return []route{
		{method: "GET", path: "/instructions", allowed: instrViews},
		{method: "GET", path: "/instructions/new", allowed: instrWriters},
		// Written from a project's page: the project must be in view.
		{method: "GET", path: "/instructions/new", allowed: instrWriters, scoped: true, pathFor: func(m *matrix, tg target) string {
			return fmt.Sprintf("/instructions/new?target_type=project&target_id=%d", tg.project.ID)
		}},
		{method: "POST", path: "/instructions", allowed: instrWriters, scoped: true, form: func(m *matrix, tg target) url.Values {
			return url.Values{"content": {m.unique("请抓紧推进")}, "deadline": {"2026-03-31"}, "unit_ids": {fmt.Sprint(tg.unit.ID)}}
		}},
		{method: "GET", path: "/instructions/{id}", allowed: instrViews, scoped: true, pathFor: fresh("")},
		{method: "POST", path: "/instructions/{id}/answer", allowed: instrAnswers, scoped: true, pathFor: fresh("/answer"),
			form: func(m *matrix, tg target) url.Values {
				return url.Values{"unit_id": {fmt.Sprint(tg.unit.ID)}, "content": {"已落实"}}
			}},
		{method: "POST", path: "/instructions/{id}/close", allowed: instrClosers, scoped: true, pathFor: fresh("/close")},
	}
}

// freshInstruction has the system write a 批示 to one unit, due 2026-03-31.
func freshInstruction(env *webtest.Env, unit *org.Unit, content string) int64 {
	var id int64
	ctx := context.Background()
	err := env.DB.InTx(ctx, func(tx *db.Tx) error {
		in, err := instruction.Create(ctx, tx, auth.SystemActor("test"), instruction.Input{Content: content, Deadline: "2026-03-31",
			UnitIDs: []string{fmt.Sprint(unit.ID)}})
		if err == nil {
			id = in.ID
		}
		return err
	})
	if err != nil {
		panic(err) // a builder for the matrix, which has no *testing.T here
	}
	return id
}

func instrProject(t *testing.T, env *webtest.Env) *project.Project {
	var p *project.Project
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		var err error
		p, err = project.Create(ctx, tx, auth.SystemActor("test"), project.Input{Name: "深海养殖基地", CategoryID: "1",
			UnitID: fmt.Sprint(env.Units.Econ.ID), CoUnitIDs: []string{fmt.Sprint(env.Units.Village1.ID)}})
		return err
	})
	return p
}

var instrLocation = regexp.MustCompile(`^/instructions/(\d+)$`)

func TestInstructionPages_WriteAnswerClose(t *testing.T) {
	env := webtest.New(t)
	p := instrProject(t, env)
	chief := env.Login(t, "chief")

	// Written from the project: the form names it and ticks its units.
	res := chief.Get(t, fmt.Sprintf("/instructions/new?target_type=project&target_id=%d", p.ID))
	if res.Status != http.StatusOK || !res.Contains("项目 · "+p.Code+" 深海养殖基地") ||
		!strings.Contains(res.Body, fmt.Sprintf(`name="unit_ids" value="%d" checked`, env.Units.Econ.ID)) ||
		!strings.Contains(res.Body, fmt.Sprintf(`name="unit_ids" value="%d" checked`, env.Units.Village1.ID)) ||
		!strings.Contains(res.Body, `name="deadline" value="2026-03-20"`) { // five working days after Sunday the 15th
		t.Fatalf("new form: %d %s", res.Status, res.Text())
	}
	// A refused form comes back with what was typed.
	form := url.Values{"target_type": {"project"}, "target_id": {fmt.Sprint(p.ID)}, "content": {"请经发办本周内拿出用海手续时间表"},
		"deadline": {"2026-02-30"}, "written_on": {"2026-03-15"}}
	res = chief.PostForm(t, "/instructions", form)
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("请至少选择一个反馈单位") || !res.Contains("日期格式应为") ||
		!strings.Contains(res.Body, ">请经发办本周内拿出用海手续时间表</textarea>") || !strings.Contains(res.Body, `value="2026-02-30"`) ||
		!res.Contains("深海养殖基地") {
		t.Fatalf("invalid form: %d %s", res.Status, res.Text())
	}
	form.Set("deadline", "2026-03-20")
	form["unit_ids"] = []string{fmt.Sprint(env.Units.Econ.ID)}
	form["person_ids"] = []string{fmt.Sprint(env.Leader.ID)}
	res = chief.PostForm(t, "/instructions", form)
	if res.Status != http.StatusSeeOther || res.Location != fmt.Sprintf("/projects/%d#instructions", p.ID) {
		t.Fatalf("create: %d %q %s", res.Status, res.Location, res.Text())
	}
	page := chief.Get(t, fmt.Sprintf("/projects/%d", p.ID))
	for _, want := range []string{"领导批示", "写批示", "王书记", "请经发办本周内拿出用海手续时间表", "反馈期限 2026-03-20", "经发办", "待反馈", "0/1 个单位已反馈"} {
		if !page.Contains(want) {
			t.Errorf("project page lacks %q", want)
		}
	}
	id := regexp.MustCompile(`href="/instructions/(\d+)"`).FindStringSubmatch(page.Body)
	if id == nil {
		t.Fatal("no link to the 批示")
	}
	one := "/instructions/" + id[1]

	// 经发办's clerk finds it under 待我单位反馈 and answers; a blank answer is refused in place.
	staff := env.Login(t, "staff")
	if res := staff.Get(t, "/instructions?box=todo"); !res.Contains("请经发办本周内拿出用海手续时间表") {
		t.Errorf("todo box: %s", res.Text())
	}
	show := staff.Get(t, one)
	if !strings.Contains(show.Body, `action="`+one+`/answer"`) || strings.Contains(show.Body, `action="`+one+`/close"`) ||
		!show.Contains("点名：李明（副镇长）") {
		t.Errorf("staff's page: %s", show.Text())
	}
	res = staff.PostForm(t, one+"/answer", url.Values{"unit_id": {fmt.Sprint(env.Units.Econ.ID)}, "content": {"  "}})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("请填写反馈内容") ||
		!strings.Contains(res.Body, fmt.Sprintf(`<option value="%d" selected>经发办`, env.Units.Econ.ID)) {
		t.Fatalf("blank answer: %d %s", res.Status, res.Text())
	}
	res = staff.PostForm(t, one+"/answer", url.Values{"unit_id": {fmt.Sprint(env.Units.Econ.ID)}, "content": {"已与海洋局对接，3月18日前报送"}})
	if res.Status != http.StatusSeeOther || res.Location != one {
		t.Fatalf("answer: %d %s", res.Status, res.Text())
	}
	show = staff.Get(t, one)
	for _, want := range []string{"反馈已提交", "按时反馈", "已与海洋局对接，3月18日前报送", "钱经办", "1/1 个单位已反馈"} {
		if !show.Contains(want) {
			t.Errorf("after the answer the page lacks %q", want)
		}
	}

	// Readers without a part in it: the viewer reads without forms, another unit's clerk does not find it.
	view := env.Login(t, "viewer").Get(t, one)
	if view.Status != http.StatusOK || strings.Contains(view.Body, `/answer"`) || strings.Contains(view.Body, `/close"`) {
		t.Errorf("viewer: %d", view.Status)
	}
	if res := env.Login(t, "village").Get(t, one); res.Status != http.StatusNotFound {
		t.Errorf("village clerk: %d", res.Status)
	}
	if res := env.Login(t, "other").Get(t, one); res.Status != http.StatusNotFound {
		t.Errorf("other town: %d", res.Status)
	}

	// The writer closes it; then it takes no answers.
	show = chief.Get(t, one)
	if !strings.Contains(show.Body, `action="`+one+`/close"`) || strings.Contains(show.Body, `action="`+one+`/answer"`) {
		t.Errorf("writer's page: %s", show.Text())
	}
	res = chief.PostForm(t, one+"/close", url.Values{"close_note": {strings.Repeat("长", 501)}})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("不超过500字") {
		t.Errorf("long note: %d", res.Status)
	}
	if res := chief.PostForm(t, one+"/close", url.Values{"close_note": {"手续已报批"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("close: %d %s", res.Status, res.Text())
	}
	if show := chief.Get(t, one); !show.Contains("已落实") || !show.Contains("手续已报批") {
		t.Errorf("closed page: %s", show.Text())
	}
	if res := staff.PostForm(t, one+"/answer", url.Values{"unit_id": {fmt.Sprint(env.Units.Econ.ID)}, "content": {"补充"}}); res.Status != http.StatusConflict {
		t.Errorf("answer after close: %d", res.Status)
	}
	if res := chief.Get(t, "/instructions?box=mine"); !res.Contains("请经发办本周内拿出用海手续时间表") || !res.Contains("已落实") {
		t.Errorf("mine: %s", res.Text())
	}
}

func TestInstructionPages_OverdueReachesTheLeaders(t *testing.T) {
	env := webtest.New(t)
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		// A paper 批示 of 2 March, due the 4th, entered late: by Sunday the 15th it is 8 working days overdue.
		_, err := instruction.Create(ctx, tx, env.Actor("chief"), instruction.Input{Content: "老码头片区低效用地处置方案", WrittenOn: "2026-03-02",
			Deadline: "2026-03-04", UnitIDs: []string{fmt.Sprint(env.Units.Econ.ID), fmt.Sprint(env.Units.Village1.ID)}})
		return err
	})
	c := env.Login(t, "supervisor")
	list := c.Get(t, "/instructions?box=overdue")
	if !list.Contains("老码头片区低效用地处置方案") || !list.Contains("经发办 待反馈 · 严重逾期") || !strings.Contains(list.Body, "instr-overdue") {
		t.Fatalf("overdue box: %s", list.Text())
	}
	m := regexp.MustCompile(`href="(/instructions/\d+)"`).FindStringSubmatch(list.Body)
	show := c.Get(t, m[1])
	// 经发办 is 分管 by 李明; 东岙村 has no 分管领导 in this town.
	for _, want := range []string{"严重逾期", "已报分管领导 李明", "已报主要领导", "尚未反馈"} {
		if !show.Contains(want) {
			t.Errorf("page lacks %q: %s", want, show.Text())
		}
	}
	// The office answers for the village from a paper reply: late.
	res := c.PostForm(t, m[1]+"/answer", url.Values{"unit_id": {fmt.Sprint(env.Units.Village1.ID)}, "content": {"村里已完成清表（纸质反馈代录）"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", res.Status, res.Text())
	}
	if show := c.Get(t, m[1]); !show.Contains("逾期反馈") || !show.Contains("赵督查") {
		t.Errorf("after the late answer: %s", show.Text())
	}
	if res := c.Get(t, "/instructions?box=overdue&q=不存在"); !res.Contains("没有符合条件的批示") {
		t.Errorf("empty search: %s", res.Text())
	}
}

func TestInstructionPages_Refusals(t *testing.T) {
	env := webtest.New(t)
	for user, want := range map[string]int{"staff": http.StatusForbidden, "viewer": http.StatusForbidden, "sysadmin": http.StatusForbidden,
		"chief": http.StatusOK, "leader": http.StatusOK} {
		if res := env.Login(t, user).Get(t, "/instructions/new"); res.Status != want {
			t.Errorf("%s: new form %d, want %d", user, res.Status, want)
		}
	}
	chief := env.Login(t, "chief")
	for _, path := range []string{"/instructions/new?target_type=project&target_id=999999", "/instructions/new?target_type=meeting&target_id=1",
		"/instructions/999999", "/instructions/abc"} {
		if res := chief.Get(t, path); res.Status != http.StatusNotFound {
			t.Errorf("%s: %d", path, res.Status)
		}
	}
	// Addressing a unit of another town is refused, not turned into a field message.
	res := chief.PostForm(t, "/instructions", url.Values{"content": {"越权"}, "deadline": {"2026-03-20"},
		"unit_ids": {fmt.Sprint(env.Units.OtherOffice.ID)}})
	if res.Status != http.StatusForbidden {
		t.Errorf("another town's unit: %d", res.Status)
	}
	// The navigation offers 领导批示 to those who read 批示, after 项目台账.
	home := env.Login(t, "viewer").Get(t, "/")
	if i, j := strings.Index(home.Body, `href="/projects"`), strings.Index(home.Body, `href="/instructions"`); i < 0 || j < i {
		t.Errorf("viewer's navigation: %d %d", i, j)
	}
	if home := env.Login(t, "sysadmin").Get(t, "/"); strings.Contains(home.Body, `href="/instructions"`) {
		t.Error("the system administrator is offered 领导批示")
	}
	if res := env.Login(t, "sysadmin").Get(t, "/instructions"); res.Status != http.StatusForbidden {
		t.Errorf("sysadmin list: %d", res.Status)
	}
}

func TestInstructionPages_ListFiltersAndPaging(t *testing.T) {
	env := webtest.New(t)
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		for i := range 33 {
			unit := env.Units.Econ
			if i%3 == 0 {
				unit = env.Units.Village1
			}
			if _, err := instruction.Create(ctx, tx, env.Actor("leader"), instruction.Input{Content: fmt.Sprintf("第%02d号批示", i),
				Deadline: fmt.Sprintf("2026-04-%02d", 1+i%28), UnitIDs: []string{fmt.Sprint(unit.ID)}}); err != nil {
				return err
			}
		}
		return nil
	})
	c := env.Login(t, "chief")
	first := c.Get(t, "/instructions")
	if !first.Contains("第 1 / 2 页，共 33 条") || strings.Count(first.Body, `<tr`) != 31 {
		t.Errorf("first page: %s", first.Text())
	}
	if last := c.Get(t, "/instructions?page=9"); !last.Contains("第 2 / 2 页") || strings.Count(last.Body, `<tr`) != 4 {
		t.Errorf("past the end: %s", last.Text())
	}
	village := c.Get(t, fmt.Sprintf("/instructions?unit=%d", env.Units.Village1.ID))
	if !village.Contains("共 11 条") || village.Contains("经发办 待反馈") {
		t.Errorf("by unit: %s", village.Text())
	}
	if res := c.Get(t, "/instructions?q=第07号"); !res.Contains("第07号批示") || res.Contains("第08号批示") {
		t.Errorf("search: %s", res.Text())
	}
	if res := c.Get(t, "/instructions?status=closed"); !res.Contains("没有符合条件的批示") {
		t.Errorf("closed: %s", res.Text())
	}
	if res := c.Get(t, "/instructions?box=nonsense&status=nonsense&target_type=nonsense"); res.Status != http.StatusOK || !res.Contains("共 33 条") {
		t.Errorf("unknown filter values are ignored: %d %s", res.Status, res.Text())
	}
}
