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
	"guatu/org"
	"guatu/web/webtest"
)

func orgUnitPath(u *org.Unit) string { return fmt.Sprintf("/org/units/%d", u.ID) }

func orgID(x int64) string { return fmt.Sprint(x) }

// follow fetches the page a 303 points to (where the flash is shown).
func orgFollow(t *testing.T, c *webtest.Client, res *webtest.Response) *webtest.Response {
	t.Helper()
	if res.Status != http.StatusSeeOther {
		t.Fatalf("status = %d, want 303; %s", res.Status, res.Text())
	}
	return c.Get(t, res.Location)
}

func orgAddPerson(t *testing.T, env *webtest.Env, unit *org.Unit, name, phone, position string) *org.Person {
	t.Helper()
	var p *org.Person
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		var err error
		p, err = org.CreatePerson(ctx, tx, auth.SystemActor("test"),
			org.PersonInput{UnitID: orgID(unit.ID), Name: name, Phone: phone, Position: position})
		return err
	})
	return p
}

func orgGetUnit(t *testing.T, env *webtest.Env, unitID int64) *org.Unit {
	t.Helper()
	u, err := org.GetUnit(context.Background(), env.DB, unitID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestOrgTree_ShowsUnitsInScopeWithoutButtonsForReaders(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "chief")
	res := c.Get(t, "/org")
	if res.Status != http.StatusOK {
		t.Fatalf("GET /org = %d", res.Status)
	}
	for _, want := range []string{"组织机构", "XX镇", "党政班子", "党政办", "经发办", "东岙村", "东岙村一组", "西岙村", "村", "在用"} {
		if !res.Contains(want) {
			t.Errorf("tree lacks %q", want)
		}
	}
	if res.Contains("YY镇") {
		t.Error("the chief of XX镇 sees the other town")
	}
	if strings.Contains(res.Body, "/edit") || strings.Contains(res.Body, "/order") || res.Contains("新建单位") {
		t.Error("a reader is offered management buttons")
	}
	// Children are indented one level deeper than their parent.
	if !regexp.MustCompile(`tree-name depth-1"><a href="`+orgUnitPath(env.Units.Village1)).MatchString(res.Body) ||
		!regexp.MustCompile(`tree-name depth-2"><a href="`+orgUnitPath(env.Units.Group1)).MatchString(res.Body) {
		t.Errorf("depth classes missing: %s", res.Body)
	}
}

func TestOrgTree_SysadminGetsRowButtons(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "sysadmin")
	res := c.Get(t, "/org")
	if res.Status != http.StatusOK {
		t.Fatalf("GET /org = %d", res.Status)
	}
	for _, want := range []string{
		`href="` + orgUnitPath(env.Units.Econ) + `/edit"`,
		`action="` + orgUnitPath(env.Units.Econ) + `/order"`,
		`action="` + orgUnitPath(env.Units.Econ) + `/disable"`,
		`href="/org/units/new"`,
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("tree lacks %s", want)
		}
	}
	// The root cannot be disabled or reordered: no such buttons.
	if strings.Contains(res.Body, orgUnitPath(env.Units.Town)+"/disable") || strings.Contains(res.Body, orgUnitPath(env.Units.Town)+"/order") {
		t.Error("root has disable or order buttons")
	}
}

func TestOrgTree_SearchKindAndDisabledFilters(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "viewer")

	res := c.Get(t, "/org?q="+url.QueryEscape("一组"))
	if !res.Contains("东岙村一组") || !res.Contains("XX镇") {
		t.Errorf("search lacks the match or its ancestors: %s", res.Text())
	}
	if res.Contains("西岙村") || res.Contains("经发办") {
		t.Errorf("search shows units that do not match: %s", res.Text())
	}
	if !strings.Contains(res.Body, `value="一组"`) {
		t.Error("search box does not keep the query")
	}

	res = c.Get(t, "/org?kind=village")
	if !res.Contains("东岙村") || !res.Contains("西岙村") || res.Contains("经发办") || res.Contains("东岙村一组") {
		t.Errorf("kind filter: %s", res.Text())
	}

	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		_, err := org.SetUnitDisabled(ctx, tx, auth.SystemActor("test"), env.Units.Village2.ID, true)
		return err
	})
	if res = c.Get(t, "/org"); res.Contains("西岙村") {
		t.Error("disabled unit shown without ?disabled=1")
	}
	if res = c.Get(t, "/org?disabled=1"); !res.Contains("西岙村") || !res.Contains("已停用") {
		t.Errorf("?disabled=1 lacks the disabled unit: %s", res.Text())
	}
}

func TestUnitCreate_SysadminCreatesAndSeesIt(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "sysadmin")

	res := c.Get(t, "/org/units/new?parent="+orgID(env.Units.Town.ID))
	if res.Status != http.StatusOK {
		t.Fatalf("GET new = %d", res.Status)
	}
	if !strings.Contains(res.Body, `<option value="`+orgID(env.Units.Town.ID)+`" selected>`) {
		t.Error("?parent= is not preselected")
	}

	res = c.PostForm(t, "/org/units", url.Values{"parent_id": {orgID(env.Units.Town.ID)}, "kind": {"office"},
		"name": {"文旅办"}, "phone": {"0631-1234567"}, "note": {"文化旅游"}})
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/org/units/") {
		t.Fatalf("create = %d %q: %s", res.Status, res.Location, res.Text())
	}
	page := c.Get(t, res.Location)
	for _, want := range []string{"已新建单位“文旅办”", "文旅办", "部门（办）", "0631-1234567", "文化旅游", "XX镇"} {
		if !page.Contains(want) {
			t.Errorf("unit page lacks %q", want)
		}
	}
	if !c.Get(t, "/org").Contains("文旅办") {
		t.Error("new unit not in the tree")
	}
}

func TestUnitCreate_EmptyNameIs422AndKeepsInput(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "sysadmin")
	res := c.PostForm(t, "/org/units", url.Values{"parent_id": {orgID(env.Units.Village1.ID)}, "kind": {"group"},
		"name": {"  "}, "phone": {"0631-7654321"}, "note": {"新设村民小组"}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status = %d, want 422", res.Status)
	}
	if !res.Contains("请填写单位名称") {
		t.Errorf("no field message: %s", res.Text())
	}
	for _, want := range []string{`value="0631-7654321"`, `新设村民小组</textarea>`,
		`<option value="group" selected>`, `<option value="` + orgID(env.Units.Village1.ID) + `" selected>`, `field has-error`} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("form lost %s", want)
		}
	}
	if c.Get(t, "/org").Contains("新设村民小组") {
		t.Error("something was saved")
	}

	res = c.PostForm(t, "/org/units", url.Values{"parent_id": {orgID(env.Units.Town.ID)}, "kind": {"office"}, "name": {"经发办"}})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("同一上级下已有同名单位") {
		t.Errorf("duplicate name: %d %s", res.Status, res.Text())
	}
}

func TestUnitUpdate_SavesAndReportsErrors(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "sysadmin")
	path := orgUnitPath(env.Units.Econ)
	res := c.Get(t, path+"/edit")
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `value="经发办"`) {
		t.Fatalf("edit form = %d %s", res.Status, res.Text())
	}
	res = c.PostForm(t, path, url.Values{"kind": {"office"}, "name": {"经济发展办"}, "phone": {"abc"}})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("电话号码只能包含数字") || !strings.Contains(res.Body, `value="经济发展办"`) {
		t.Fatalf("bad phone = %d %s", res.Status, res.Text())
	}
	res = c.PostForm(t, path, url.Values{"kind": {"office"}, "name": {"经济发展办"}, "phone": {"13800001111"}})
	if page := orgFollow(t, c, res); !page.Contains("经济发展办") || !page.Contains("13800001111") {
		t.Errorf("after update: %s", page.Text())
	}
}

func TestUnitMove_UnderOwnChildIsRefused(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "sysadmin")
	res := c.PostForm(t, orgUnitPath(env.Units.Village1)+"/move", url.Values{"parent_id": {orgID(env.Units.Group1.ID)}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status = %d, want 422", res.Status)
	}
	if !res.Contains("不能移到自己或自己的下级单位之下") {
		t.Errorf("no message: %s", res.Text())
	}
	if got := orgGetUnit(t, env, env.Units.Village1.ID); got.ParentID != env.Units.Town.ID {
		t.Errorf("unit moved anyway: parent %d", got.ParentID)
	}

	// A proper move goes through and the breadcrumb follows.
	res = c.PostForm(t, orgUnitPath(env.Units.Group1)+"/move", url.Values{"parent_id": {orgID(env.Units.Village2.ID)}})
	page := orgFollow(t, c, res)
	if !regexp.MustCompile(`XX镇</a> › <a href="` + orgUnitPath(env.Units.Village2) + `">西岙村`).MatchString(page.Body) {
		t.Errorf("breadcrumb after move: %s", page.Text())
	}
}

func TestUnitDisable_WithEnabledChildrenIsRefused(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "sysadmin")
	res := c.PostForm(t, orgUnitPath(env.Units.Village1)+"/disable", nil)
	if res.Status != http.StatusSeeOther || res.Location != orgUnitPath(env.Units.Village1) {
		t.Fatalf("disable = %d %q", res.Status, res.Location)
	}
	page := c.Get(t, res.Location)
	if !page.Contains("还有 1 个在用的下级单位") || !strings.Contains(page.Body, "flash-error") {
		t.Errorf("no refusal shown: %s", page.Text())
	}
	if orgGetUnit(t, env, env.Units.Village1.ID).Disabled {
		t.Fatal("unit disabled despite its children")
	}

	// Child first, then the village; the tree button returns to the tree.
	page = orgFollow(t, c, c.PostForm(t, orgUnitPath(env.Units.Group1)+"/disable", url.Values{"back": {"/org?disabled=1"}}))
	if !page.Contains("已停用“东岙村一组”") {
		t.Errorf("after disabling the child: %s", page.Text())
	}
	orgFollow(t, c, c.PostForm(t, orgUnitPath(env.Units.Village1)+"/disable", nil))
	if !orgGetUnit(t, env, env.Units.Village1.ID).Disabled {
		t.Fatal("village not disabled")
	}
	// Enabling the child under a disabled parent is refused the same way.
	page = orgFollow(t, c, c.PostForm(t, orgUnitPath(env.Units.Group1)+"/enable", nil))
	if !page.Contains("请先启用上级单位") {
		t.Errorf("enable under disabled parent: %s", page.Text())
	}
	// A back address off the site is ignored.
	res = c.PostForm(t, orgUnitPath(env.Units.Village1)+"/enable", url.Values{"back": {"//evil.example/"}})
	if res.Status != http.StatusSeeOther || strings.Contains(res.Location, "evil") {
		t.Errorf("enable redirected to %q", res.Location)
	}
}

func TestUnitOrder_MovesAmongSiblings(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "sysadmin")
	before := c.Get(t, "/org").Body
	if strings.Index(before, "东岙村") > strings.Index(before, "西岙村") {
		t.Fatal("seed order unexpected")
	}
	res := c.PostForm(t, orgUnitPath(env.Units.Village2)+"/order", url.Values{"dir": {"up"}, "back": {"/org"}})
	if res.Status != http.StatusSeeOther || res.Location != "/org" {
		t.Fatalf("order = %d %q", res.Status, res.Location)
	}
	after := c.Get(t, "/org").Body
	if strings.Index(after, ">西岙村<") > strings.Index(after, ">东岙村<") {
		t.Error("西岙村 did not move above 东岙村")
	}
	if res := c.PostForm(t, orgUnitPath(env.Units.Village2)+"/order", url.Values{"dir": {"sideways"}}); res.Status != http.StatusSeeOther {
		t.Errorf("bad direction = %d, want a flash on redirect", res.Status)
	}
}

func TestUnitDelete_UnreferencedGoesReferencedRefused(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "sysadmin")
	// 经发办 is the unit of an account: it can only be disabled.
	page := orgFollow(t, c, c.PostForm(t, orgUnitPath(env.Units.Econ)+"/delete", nil))
	if !page.Contains("不能删除") || !page.Contains("经发办") {
		t.Errorf("delete of a referenced unit: %s", page.Text())
	}
	res := c.PostForm(t, orgUnitPath(env.Units.Village2)+"/delete", nil)
	if res.Status != http.StatusSeeOther || res.Location != orgUnitPath(env.Units.Town) {
		t.Fatalf("delete = %d %q", res.Status, res.Location)
	}
	if c.Get(t, orgUnitPath(env.Units.Village2)).Status != http.StatusNotFound {
		t.Error("deleted unit still has a page")
	}
}

func TestUnitShow_ChildrenPeopleAndLeaders(t *testing.T) {
	env := webtest.New(t)
	orgAddPerson(t, env, env.Units.Village1, "陈村长", "13900000002", "村委会主任")
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		_, err := org.SetLeaderUnits(ctx, tx, auth.SystemActor("test"), env.Leader.ID, []int64{env.Units.Village1.ID})
		return err
	})
	c := env.Login(t, "village")
	res := c.Get(t, orgUnitPath(env.Units.Group1))
	if res.Status != http.StatusOK {
		t.Fatalf("GET = %d", res.Status)
	}
	// 分管 of the village covers its group.
	for _, want := range []string{"东岙村一组", "东岙村", "分管领导", "李明", "副镇长"} {
		if !res.Contains(want) {
			t.Errorf("group page lacks %q", want)
		}
	}
	res = c.Get(t, orgUnitPath(env.Units.Village1))
	for _, want := range []string{"下级单位（1）", "东岙村一组", "本单位人员（1）", "陈村长", "村委会主任"} {
		if !res.Contains(want) {
			t.Errorf("village page lacks %q", want)
		}
	}
	if strings.Contains(res.Body, "/move") || strings.Contains(res.Body, "/edit") {
		t.Error("staff is offered management forms")
	}
}

func TestPeopleList_SearchAndUnitFilter(t *testing.T) {
	env := webtest.New(t)
	orgAddPerson(t, env, env.Units.Econ, "张三丰", "13700000003", "经发办主任")
	orgAddPerson(t, env, env.Units.Group1, "王小组", "13600000004", "组长")
	c := env.Login(t, "chief")

	res := c.Get(t, "/org/people?q="+url.QueryEscape("张三"))
	if res.Status != http.StatusOK || !res.Contains("张三丰") || res.Contains("李明") || res.Contains("王小组") {
		t.Errorf("search by name: %d %s", res.Status, res.Text())
	}
	if res := c.Get(t, "/org/people?q=13600000004"); !res.Contains("王小组") || res.Contains("张三丰") {
		t.Errorf("search by phone: %s", res.Text())
	}
	if res := c.Get(t, "/org/people?q="+url.QueryEscape("副镇长")); !res.Contains("李明") || res.Contains("张三丰") {
		t.Errorf("search by position: %s", res.Text())
	}
	res = c.Get(t, "/org/people?unit="+orgID(env.Units.Village1.ID))
	if !res.Contains("王小组") || res.Contains("张三丰") || res.Contains("李明") {
		t.Errorf("unit subtree filter: %s", res.Text())
	}
	// A unit outside the actor's scope is ignored, not used.
	res = c.Get(t, "/org/people?unit="+orgID(env.Units.OtherTown.ID))
	if res.Status != http.StatusOK || !res.Contains("张三丰") {
		t.Errorf("out-of-scope unit filter: %d %s", res.Status, res.Text())
	}
}

func TestPeopleList_Pages(t *testing.T) {
	env := webtest.New(t)
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		for i := range 55 {
			if _, err := org.CreatePerson(ctx, tx, auth.SystemActor("test"), org.PersonInput{
				UnitID: orgID(env.Units.Office.ID), Name: fmt.Sprintf("办事员%02d", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	c := env.Login(t, "viewer")
	res := c.Get(t, "/org/people?q="+url.QueryEscape("办事员"))
	if !res.Contains("第 1 / 2 页，共 55 条") || !res.Contains("办事员49") || res.Contains("办事员50") {
		t.Fatalf("page 1: %s", res.Text())
	}
	next := regexp.MustCompile(`href="([^"]*page=2[^"]*)">下一页`).FindStringSubmatch(res.Body)
	if next == nil {
		t.Fatal("no link to page 2")
	}
	res = c.Get(t, strings.ReplaceAll(next[1], "&amp;", "&"))
	if !res.Contains("第 2 / 2 页") || !res.Contains("办事员54") || res.Contains("办事员49") {
		t.Errorf("page 2: %s", res.Text())
	}
	if res := c.Get(t, "/org/people?page=9&q="+url.QueryEscape("办事员")); !res.Contains("第 2 / 2 页") {
		t.Errorf("past the end: %s", res.Text())
	}
}

func TestPersonCreateAndEdit(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "sysadmin")
	res := c.Get(t, "/org/people/new?unit="+orgID(env.Units.Econ.ID))
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `<option value="`+orgID(env.Units.Econ.ID)+`" selected>`) {
		t.Fatalf("new form = %d, unit not preselected", res.Status)
	}
	res = c.PostForm(t, "/org/people", url.Values{"unit_id": {orgID(env.Units.Econ.ID)}, "name": {""}, "position": {"科员"}, "phone": {"12"}})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("请填写姓名") || !res.Contains("电话号码位数不对") ||
		!strings.Contains(res.Body, `value="科员"`) {
		t.Fatalf("invalid person = %d %s", res.Status, res.Text())
	}
	res = c.PostForm(t, "/org/people", url.Values{"unit_id": {orgID(env.Units.Econ.ID)}, "name": {"刘一"}, "position": {"科员"}, "phone": {"13500000005"}})
	page := orgFollow(t, c, res)
	for _, want := range []string{"已新增人员“刘一”", "刘一", "经发办", "科员", "13500000005"} {
		if !page.Contains(want) {
			t.Errorf("person page lacks %q", want)
		}
	}
	res = c.PostForm(t, res.Location, url.Values{"unit_id": {orgID(env.Units.Office.ID)}, "name": {"刘一"}, "position": {"副主任"}})
	page = orgFollow(t, c, res)
	if !page.Contains("党政办") || !page.Contains("副主任") {
		t.Errorf("after edit: %s", page.Text())
	}
}

func TestPersonLeads_SetAndShownOnPersonPage(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "sysadmin")
	path := fmt.Sprintf("/org/people/%d", env.Leader.ID)
	res := c.Get(t, path)
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `name="unit_id" value="`+orgID(env.Units.Econ.ID)+`" checked`) {
		t.Fatalf("person page = %d, current 分管 not checked", res.Status)
	}
	res = c.PostForm(t, path+"/leads", url.Values{"unit_id": {orgID(env.Units.Village1.ID), orgID(env.Units.Village2.ID)}})
	if res.Status != http.StatusSeeOther || res.Location != path {
		t.Fatalf("leads = %d %q", res.Status, res.Location)
	}
	page := c.Get(t, path)
	chips := regexp.MustCompile(`(?s)<ul class="chips lead-units">.*?</ul>`).FindString(page.Body)
	if !strings.Contains(chips, "东岙村") || !strings.Contains(chips, "西岙村") || strings.Contains(chips, "经发办") {
		t.Errorf("分管 list = %q", chips)
	}
	if !page.Contains("已保存“李明”的分管单位") {
		t.Error("no flash")
	}
	// The people list shows it too.
	if !c.Get(t, "/org/people").Contains("东岙村、西岙村") {
		t.Error("people list lacks the 分管 units")
	}
	// A leader's page shows no form to readers.
	if strings.Contains(env.Login(t, "chief").Get(t, path).Body, "/leads") {
		t.Error("chief is offered the 分管 form")
	}
	// A malformed id is a message, not a 500.
	page = orgFollow(t, c, c.PostForm(t, path+"/leads", url.Values{"unit_id": {"x"}}))
	if !page.Contains("分管单位选择有误") {
		t.Errorf("malformed id: %s", page.Text())
	}
}

func TestPersonDisableAndDelete(t *testing.T) {
	env := webtest.New(t)
	p := orgAddPerson(t, env, env.Units.Econ, "赵临时", "", "")
	c := env.Login(t, "sysadmin")
	path := fmt.Sprintf("/org/people/%d", p.ID)
	if page := orgFollow(t, c, c.PostForm(t, path+"/disable", nil)); !page.Contains("已停用“赵临时”") {
		t.Errorf("disable: %s", page.Text())
	}
	if c.Get(t, "/org/people").Contains("赵临时") || !c.Get(t, "/org/people?disabled=1").Contains("赵临时") {
		t.Error("disabled person filter")
	}
	orgFollow(t, c, c.PostForm(t, path+"/enable", nil))
	// The leader still has 分管 units: refused with the reason.
	if page := orgFollow(t, c, c.PostForm(t, fmt.Sprintf("/org/people/%d/delete", env.Leader.ID), nil)); !page.Contains("还有分管单位") {
		t.Errorf("delete leader: %s", page.Text())
	}
	res := c.PostForm(t, path+"/delete", nil)
	if res.Status != http.StatusSeeOther || res.Location != orgUnitPath(env.Units.Econ) {
		t.Fatalf("delete = %d %q", res.Status, res.Location)
	}
	if c.Get(t, path).Status != http.StatusNotFound {
		t.Error("deleted person still has a page")
	}
}

func TestOrgWrites_StaffIsForbidden(t *testing.T) {
	env := webtest.New(t)
	colleague := orgAddPerson(t, env, env.Units.Econ, "同事甲", "", "")
	c := env.Login(t, "staff")
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"/org/units", url.Values{"parent_id": {orgID(env.Units.Econ.ID)}, "kind": {"group"}, "name": {"新科室"}}},
		{"/org/people", url.Values{"unit_id": {orgID(env.Units.Econ.ID)}, "name": {"新人"}}},
		{orgUnitPath(env.Units.Econ), url.Values{"kind": {"office"}, "name": {"改名"}}},
		{orgUnitPath(env.Units.Econ) + "/disable", nil},
		{fmt.Sprintf("/org/people/%d", colleague.ID), url.Values{"unit_id": {orgID(env.Units.Econ.ID)}, "name": {"改名"}}},
		{fmt.Sprintf("/org/people/%d/leads", colleague.ID), url.Values{"unit_id": {orgID(env.Units.Econ.ID)}}},
		{fmt.Sprintf("/org/people/%d/delete", colleague.ID), nil},
	} {
		if res := c.PostForm(t, tc.path, tc.form); res.Status != http.StatusForbidden {
			t.Errorf("POST %s = %d, want 403", tc.path, res.Status)
		}
	}
	for _, p := range []string{"/org/units/new", orgUnitPath(env.Units.Econ) + "/edit", "/org/people/new"} {
		if res := c.Get(t, p); res.Status != http.StatusForbidden {
			t.Errorf("GET %s = %d, want 403", p, res.Status)
		}
	}
	if c.Get(t, "/org").Contains("新建单位") {
		t.Error("staff is offered 新建单位")
	}
}

func TestOrgScope_VillageStaffSeesOnlyTheirSubtree(t *testing.T) {
	env := webtest.New(t)
	outsider := orgAddPerson(t, env, env.Units.Village2, "外村人", "", "")
	c := env.Login(t, "village")
	if res := c.Get(t, orgUnitPath(env.Units.Village1)); res.Status != http.StatusOK {
		t.Errorf("own unit = %d", res.Status)
	}
	for _, p := range []string{orgUnitPath(env.Units.Village2), orgUnitPath(env.Units.Econ), orgUnitPath(env.Units.OtherTown),
		fmt.Sprintf("/org/people/%d", outsider.ID), fmt.Sprintf("/org/people/%d", env.Leader.ID), "/org/units/999999"} {
		if res := c.Get(t, p); res.Status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, res.Status)
		}
	}
	// Writes on an invisible unit are 404 as well, not 403: existence does not leak.
	if res := c.PostForm(t, orgUnitPath(env.Units.Village2)+"/disable", nil); res.Status != http.StatusNotFound {
		t.Errorf("POST disable outside scope = %d, want 404", res.Status)
	}
	res := c.Get(t, "/org")
	if res.Contains("西岙村") || res.Contains("经发办") || !res.Contains("东岙村一组") {
		t.Errorf("tree outside scope: %s", res.Text())
	}
	if c.Get(t, "/org/people").Contains("外村人") {
		t.Error("people list outside scope")
	}
}

func TestOrgScope_VillageSysadminManagesOnlyTheVillage(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "vadmin")
	res := c.Get(t, "/org/units/new")
	if res.Status != http.StatusOK || strings.Contains(res.Body, `<option value="`+orgID(env.Units.Town.ID)+`"`) {
		t.Fatalf("new form = %d or offers the town", res.Status)
	}
	if res := c.PostForm(t, "/org/units", url.Values{"parent_id": {orgID(env.Units.Town.ID)}, "kind": {"village"}, "name": {"北岙村"}}); res.Status != http.StatusNotFound && res.Status != http.StatusForbidden {
		t.Errorf("create under the town = %d, want 403/404", res.Status)
	}
	orgFollow(t, c, c.PostForm(t, "/org/units", url.Values{"parent_id": {orgID(env.Units.Village1.ID)}, "kind": {"group"}, "name": {"东岙村二组"}}))
	// Moving out of the village would need the town: refused.
	if res := c.PostForm(t, orgUnitPath(env.Units.Group1)+"/move", url.Values{"parent_id": {orgID(env.Units.Town.ID)}}); res.Status != http.StatusForbidden {
		t.Errorf("move out of scope = %d, want 403", res.Status)
	}
}
