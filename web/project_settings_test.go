package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guatu/project"
	"guatu/web/webtest"
)

func TestProjectSettings_RulesRecolourTheProjects(t *testing.T) {
	env := webtest.New(t)
	staff := env.Login(t, "staff")
	form := projectForm(env, "滨海休闲旅游项目")
	// One milestone 20 days overdue on 2026-03-15 and no investment plan: yellow under the default 30-day limit.
	form.Set("plan_invest", "")
	form.Set("milestones.1.planned", "2026-02-23")
	if res := staff.PostForm(t, "/projects", form); res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.Status, res.Text())
	}
	if res := staff.Get(t, "/projects"); !res.Contains("黄灯") || res.Contains("红灯") {
		t.Fatalf("before: %s", res.Text())
	}
	// The clerk may not open the settings; the supervision office may.
	if res := staff.Get(t, "/settings/projects"); res.Status != http.StatusForbidden {
		t.Errorf("staff opened the settings: %d", res.Status)
	}
	sup := env.Login(t, "supervisor")
	page := sup.Get(t, "/settings/projects")
	if page.Status != http.StatusOK || !page.Contains("节点逾期亮红灯") || !strings.Contains(page.Body, `value="海洋经济"`) || !strings.Contains(page.Body, `value="产业项目"`) {
		t.Fatalf("settings page: %d %s", page.Status, page.Text())
	}
	rules := url.Values{}
	for k, v := range project.DefaultRules().Form() {
		rules.Set(k, v)
	}
	// A refused form keeps what was typed and says why.
	rules.Set("red_overdue_days", "14")
	rules.Set("red_invest_gap", "3")
	res := sup.PostForm(t, "/settings/projects/rules", rules)
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("亮红灯的差距须大于亮黄灯的差距") || !strings.Contains(res.Body, `value="14"`) {
		t.Fatalf("refused rules: %d %s", res.Status, res.Text())
	}
	rules.Set("red_invest_gap", "20")
	if res := sup.PostForm(t, "/settings/projects/rules", rules); res.Status != http.StatusSeeOther {
		t.Fatalf("save rules: %d %s", res.Status, res.Text())
	}
	if res := staff.Get(t, "/projects"); !res.Contains("红灯") {
		t.Errorf("after lowering the red limit to 14 days the project is not red: %s", res.Text())
	}

	// Categories and templates.
	if res := sup.PostForm(t, "/settings/projects/categories", url.Values{"name": {"海洋经济"}}); res.Status != http.StatusUnprocessableEntity || !res.Contains("已有名为“海洋经济”的分类") {
		t.Errorf("duplicate category: %d %s", res.Status, res.Text())
	}
	if res := sup.PostForm(t, "/settings/projects/categories", url.Values{"name": {"数字经济"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("add category: %d %s", res.Status, res.Text())
	}
	if res := staff.Get(t, "/projects/new"); !res.Contains("数字经济") {
		t.Error("the new category is not offered on the project form")
	}
	res = sup.PostForm(t, "/settings/projects/templates", url.Values{"name": {"招商项目"}, "nodes": {"签约\n签约"}})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("重复") || !strings.Contains(res.Body, `value="招商项目"`) {
		t.Errorf("bad template: %d %s", res.Status, res.Text())
	}
	if res := sup.PostForm(t, "/settings/projects/templates", url.Values{"name": {"招商项目"}, "nodes": {"签约\n供地\n开工"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("add template: %d %s", res.Status, res.Text())
	}
	if res := staff.Get(t, "/projects/new"); !res.Contains("招商项目") {
		t.Error("the new template is not offered on the project form")
	}
}
