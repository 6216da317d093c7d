package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"guatu/web/webtest"
)

func projectForm(env *webtest.Env, name string) url.Values {
	return url.Values{
		"name": {name}, "category_id": {"1"}, "tier": {"active"}, "level": {"town"},
		"unit_id": {fmt.Sprint(env.Units.Econ.ID)}, "leader_id": {fmt.Sprint(env.Leader.ID)},
		"co_unit_ids": {fmt.Sprint(env.Units.Office.ID)}, "total_invest": {"52000"}, "plan_year": {"2026"}, "plan_invest": {"8000"},
		"planned_start": {"2026-04-01"}, "planned_operating": {"2027-12-31"},
		"milestones.0.id": {""}, "milestones.0.name": {"签约"}, "milestones.0.planned": {"2026-01-10"}, "milestones.0.actual": {"2026-01-09"},
		"milestones.1.id": {""}, "milestones.1.name": {"供地"}, "milestones.1.planned": {"2026-01-20"},
		"milestones.2.id": {""}, "milestones.2.name": {""},
		"targets.0.name": {"年产值"}, "targets.0.value": {"8000"}, "targets.0.unit": {"万元"},
	}
}

var projectLocation = regexp.MustCompile(`^/projects/(\d+)$`)

func TestProjectPages_CreateShowEditStage(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "staff")
	res := c.Get(t, "/projects/new")
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `name="milestones.0.name"`) {
		t.Fatalf("new form: %d", res.Status)
	}
	// The clerk of 经发办 can name cooperating units anywhere in the town, not only their own.
	if !strings.Contains(res.Body, `name="co_unit_ids" value="`+fmt.Sprint(env.Units.Office.ID)+`"`) {
		t.Error("the form offers no cooperating unit outside the clerk's own unit")
	}
	// A template fills the milestones.
	if res := c.Get(t, "/projects/new?template=1"); !strings.Contains(res.Body, `value="施工许可"`) {
		t.Error("the node template did not fill the milestones")
	}
	// Mistakes come back beside their fields with everything typed kept.
	bad := projectForm(env, "")
	bad.Set("planned_operating", "2026-01-01")
	bad.Set("milestones.1.planned", "2026-02-30")
	res = c.PostForm(t, "/projects", bad)
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("请填写项目名称") || !res.Contains("不能早于计划开工日期") ||
		!res.Contains("日期格式应为") || !strings.Contains(res.Body, `value="供地"`) || !strings.Contains(res.Body, `value="52000"`) {
		t.Fatalf("invalid form: %d %s", res.Status, res.Text())
	}
	res = c.PostForm(t, "/projects", projectForm(env, "XX湾蓝色经济产业园"))
	m := projectLocation.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %d %q %s", res.Status, res.Location, res.Text())
	}
	page := c.Get(t, res.Location)
	// 2026-03-15: 供地 is 54 days overdue (red); nothing of the 8000 万元 is done yet (red).
	for _, want := range []string{"XX湾蓝色经济产业园", "2026-001", "红灯", "时间节点“供地”计划 2026-01-20 完成，已逾期 54 天", "已完成",
		"已逾期 54 天", "52000.00", "年产值：8000 万元", "党政办", "李明", "新建项目", "谋划"} {
		if !page.Contains(want) {
			t.Errorf("project page lacks %q", want)
		}
	}
	// Edit: the form comes back filled; change a date and reach 供地.
	edit := c.Get(t, res.Location+"/edit")
	if !strings.Contains(edit.Body, `value="52000"`) || !strings.Contains(edit.Body, `value="供地"`) {
		t.Fatalf("edit form not filled: %s", edit.Text())
	}
	ids := regexp.MustCompile(`name="milestones\.(\d)\.id" value="(\d+)"`).FindAllStringSubmatch(edit.Body, -1)
	if len(ids) != 2 {
		t.Fatalf("milestone ids in the edit form: %v", ids)
	}
	form := projectForm(env, "XX湾蓝色经济产业园")
	form.Set("milestones.0.id", ids[0][2])
	form.Set("milestones.1.id", ids[1][2])
	form.Set("milestones.1.actual", "2026-03-01")
	form.Set("planned_start", "2026-05-15")
	if res := c.PostForm(t, res.Location, form); res.Status != http.StatusSeeOther {
		t.Fatalf("update: %d %s", res.Status, res.Text())
	}
	page = c.Get(t, "/projects/"+m[1])
	for _, want := range []string{"逾期完成", "把 计划开工日期 从 2026-04-01 改为 2026-05-15", "钱经办"} {
		if !page.Contains(want) {
			t.Errorf("after the edit the page lacks %q", want)
		}
	}
	// Stage: 停滞 without a reason is refused beside the field; with one it is recorded.
	res = c.PostForm(t, "/projects/"+m[1]+"/stage", url.Values{"stage": {"stalled"}, "on_date": {"2026-03-15"}})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("须写明原因") {
		t.Fatalf("stalled without reason: %d", res.Status)
	}
	res = c.PostForm(t, "/projects/"+m[1]+"/stage", url.Values{"stage": {"signed"}, "on_date": {"2026-03-15"}, "note": {"签约仪式"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("stage: %d %s", res.Status, res.Text())
	}
	if page := c.Get(t, "/projects/"+m[1]); !page.Contains("把 阶段 从 谋划 改为 签约（2026-03-15）：签约仪式") {
		t.Errorf("stage change not in the history: %s", page.Text())
	}
	// The 台账 lists it with its light and finds it by name.
	list := c.Get(t, "/projects?q=蓝色")
	if !list.Contains("XX湾蓝色经济产业园") || !list.Contains("红灯") {
		t.Errorf("台账: %s", list.Text())
	}
	if list := c.Get(t, "/projects?q=不存在的项目"); !list.Contains("没有符合条件的项目") {
		t.Errorf("empty search: %s", list.Text())
	}
	// Another unit's clerk reads nothing of it; the leader in charge may edit it.
	if res := env.Login(t, "village").Get(t, "/projects/"+m[1]); res.Status != http.StatusNotFound {
		t.Errorf("village clerk: %d", res.Status)
	}
	if res := env.Login(t, "leader").Get(t, "/projects/"+m[1]+"/edit"); res.Status != http.StatusOK {
		t.Errorf("its 责任领导 cannot open the edit form: %d", res.Status)
	}
	if res := env.Login(t, "viewer").Get(t, "/projects/"+m[1]+"/edit"); res.Status != http.StatusForbidden {
		t.Errorf("viewer edit form: %d", res.Status)
	}
}

func TestBattleMap_ShowsTheYearsActiveProjects(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "staff")
	red := projectForm(env, "水产品精深加工") // 供地 overdue and nothing invested: red
	if res := c.PostForm(t, "/projects", red); res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.Status, res.Text())
	}
	green := url.Values{"name": {"滨海休闲旅游"}, "category_id": {"2"}, "tier": {"active"}, "unit_id": {fmt.Sprint(env.Units.Econ.ID)},
		"planned_start": {"2026-06-01"}, "planned_operating": {"2026-12-31"},
		"milestones.0.name": {"开工"}, "milestones.0.planned": {"2026-06-01"}}
	if res := c.PostForm(t, "/projects", green); res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.Status, res.Text())
	}
	reserve := url.Values{"name": {"远期储备项目"}, "category_id": {"1"}, "tier": {"reserve"}, "unit_id": {fmt.Sprint(env.Units.Econ.ID)}}
	c.PostForm(t, "/projects", reserve)

	res := c.Get(t, "/battlemap?year=2026")
	if res.Status != http.StatusOK {
		t.Fatalf("battle map: %d", res.Status)
	}
	for _, want := range []string{"XX镇2026年重点项目挂图作战图", "水产品精深加工", "滨海休闲旅游", "责任领导：李明", "责任领导：未定", "时序进度"} {
		if !res.Contains(want) && !strings.Contains(res.Body, want) {
			t.Errorf("battle map lacks %q", want)
		}
	}
	if strings.Contains(res.Body, "远期储备项目") {
		t.Error("a 储备库 project is on the battle map")
	}
	if !strings.Contains(res.Body, `<svg xmlns="http://www.w3.org/2000/svg"`) || strings.Count(res.Body, `<a href="/projects/`) < 2 {
		t.Error("no chart with links to the projects")
	}
	// The light filter keeps only the red one.
	res = c.Get(t, "/battlemap?year=2026&light=red")
	if !strings.Contains(res.Body, "水产品精深加工") || strings.Contains(res.Body, "滨海休闲旅游") {
		t.Errorf("red filter: %s", res.Text())
	}
	// Grouped by lead unit.
	if res := c.Get(t, "/battlemap?year=2026&group=unit"); !strings.Contains(res.Body, "牵头单位：经发办") {
		t.Error("no unit grouping")
	}
	// The poster is the same map as a downloadable SVG.
	poster := c.Get(t, "/battlemap.svg?year=2026")
	if poster.Status != http.StatusOK || poster.Header.Get("Content-Type") != "image/svg+xml; charset=utf-8" ||
		!strings.Contains(poster.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(poster.Body, "水产品精深加工") {
		t.Errorf("poster: %d %v", poster.Status, poster.Header)
	}
	// Administrators have no battle map.
	if res := env.Login(t, "sysadmin").Get(t, "/battlemap"); res.Status != http.StatusForbidden {
		t.Errorf("sysadmin: %d", res.Status)
	}
}
