package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"guatu/account"
	"guatu/auth"
	"guatu/db"
	"guatu/org"
	"guatu/project"
	"guatu/web/webtest"
)

// The permission matrix: every route × every role × a target in the
// actor's own unit, a child unit, a sibling unit and another town. Each role
// is granted on 东岙村 (Village1): its child is 东岙村一组, its sibling 西岙村,
// and YY镇党政办 is in another tree.
//
// The expectations are written out by hand below (who may do what inside
// their scope), not derived from the policy table, so a wrong policy fails here.

type placement int

const (
	own placement = iota
	child
	sibling
	other
)

func (p placement) String() string { return [...]string{"own", "child", "sibling", "other"}[p] }

// target is what a request acts on, in one placement.
type target struct {
	unit    *org.Unit
	person  *org.Person
	user    *account.User
	project *project.Project
}

type matrix struct {
	t       *testing.T
	env     *webtest.Env
	clients map[auth.Role]*webtest.Client
	targets map[placement]target
	seq     int
}

var everyRole = auth.Roles

func newMatrix(t *testing.T) *matrix {
	env := webtest.New(t)
	m := &matrix{t: t, env: env, clients: map[auth.Role]*webtest.Client{}, targets: map[placement]target{}}
	u := env.Units
	sys := auth.SystemActor("test")
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		for _, role := range everyRole {
			usr, _, err := account.Create(ctx, tx, sys, account.Input{Username: "m_" + string(role), DisplayName: "矩阵" + role.Label(), UnitID: fmt.Sprint(u.Village1.ID)})
			if err != nil {
				return err
			}
			if err := account.Grant(ctx, tx, sys, usr.ID, role, u.Village1.ID); err != nil {
				return err
			}
			if err := account.SetPassword(ctx, tx, sys, usr.ID, webtest.Password, false); err != nil {
				return err
			}
		}
		for p, unit := range map[placement]*org.Unit{own: u.Village1, child: u.Group1, sibling: u.Village2, other: u.OtherOffice} {
			person, err := org.CreatePerson(ctx, tx, sys, org.PersonInput{UnitID: fmt.Sprint(unit.ID), Name: "对象" + p.String(), Phone: "13900000000"})
			if err != nil {
				return err
			}
			usr, _, err := account.Create(ctx, tx, sys, account.Input{Username: "t_" + p.String(), DisplayName: "对象" + p.String(), UnitID: fmt.Sprint(unit.ID)})
			if err != nil {
				return err
			}
			if err := account.Grant(ctx, tx, sys, usr.ID, auth.Viewer, unit.ID); err != nil {
				return err
			}
			if err := account.SetPassword(ctx, tx, sys, usr.ID, webtest.Password, false); err != nil {
				return err
			}
			prj, err := project.Create(ctx, tx, sys, project.Input{Name: "对象项目" + p.String(), CategoryID: "1", UnitID: fmt.Sprint(unit.ID)})
			if err != nil {
				return err
			}
			m.targets[p] = target{unit: unit, person: person, user: usr, project: prj}
		}
		return nil
	})
	for _, role := range everyRole {
		m.clients[role] = env.Login(t, "m_"+string(role))
	}
	return m
}

// freshTemplate makes a node template for one request to act on.
func (m *matrix) freshTemplate(t *testing.T) int64 {
	var id int64
	m.env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		tpl, err := project.SaveNodeTemplate(ctx, tx, auth.SystemActor("test"), 0, m.unique("模板"), "签约\n开工")
		id = tpl.ID
		return err
	})
	return id
}

// route is one row of the matrix.
type route struct {
	method string
	path   string // {unit}, {person}, {user} stand for the target's ids
	form   func(m *matrix, tg target) url.Values
	// allowed lists the roles that may use the route on a target in their
	// own unit or below; scoped routes are denied for sibling and other targets.
	allowed []auth.Role
	scoped  bool
	// onlyChild marks routes that make sense only below the grant (moving a
	// unit needs the right over its old and new parent).
	onlyChild bool
	// pathFor, when set, builds the request path for a target (creating
	// whatever record the route acts on); path is then the registered pattern.
	pathFor func(m *matrix, tg target) string
}

// matrixAreas adds the routes of later areas (reports, problems, …); each
// area's test file appends its function in an init, so the areas' rows live
// beside their tests.
var matrixAreas []func() []route

var (
	allRoles  = everyRole
	sysOnly   = []auth.Role{auth.SysAdmin}
	secOnly   = []auth.Role{auth.SecAdmin}
	audOnly   = []auth.Role{auth.Auditor}
	acctViews = []auth.Role{auth.SysAdmin, auth.SecAdmin, auth.Auditor}
	prjViews  = []auth.Role{auth.Chief, auth.Leader, auth.Supervisor, auth.Staff, auth.Viewer}
	prjEdits  = []auth.Role{auth.Chief, auth.Supervisor, auth.Staff}
	prjRules  = []auth.Role{auth.Chief, auth.Supervisor}
	// A leader may start a project (they lead it), so may import; the rows are then checked one by one.
	prjCreates = []auth.Role{auth.Chief, auth.Leader, auth.Supervisor, auth.Staff}
)

func (m *matrix) unique(prefix string) string {
	m.seq++
	return fmt.Sprintf("%s%d", prefix, m.seq)
}

func routesUnderTest() []route {
	id := func(x int64) string { return fmt.Sprint(x) }
	rows := []route{
		{method: "GET", path: "/", allowed: allRoles},
		{method: "GET", path: "/org", allowed: allRoles},
		{method: "GET", path: "/org/people", allowed: allRoles},
		{method: "GET", path: "/org/units/new", allowed: sysOnly},
		{method: "GET", path: "/org/people/new", allowed: sysOnly},
		{method: "GET", path: "/me", allowed: allRoles},
		{method: "GET", path: "/me/password", allowed: allRoles},
		{method: "GET", path: "/me/totp", allowed: allRoles},
		{method: "GET", path: "/admin/users", allowed: acctViews},
		{method: "GET", path: "/admin/users/new", allowed: sysOnly},
		{method: "GET", path: "/admin/security", allowed: secOnly},
		{method: "GET", path: "/admin/holidays", allowed: sysOnly},
		{method: "POST", path: "/admin/holidays", allowed: sysOnly, form: func(*matrix, target) url.Values {
			return url.Values{"date": {"2027-10-01"}, "kind": {"off"}, "name": {"国庆节"}}
		}},
		{method: "POST", path: "/admin/holidays/delete", allowed: sysOnly, form: func(*matrix, target) url.Values {
			return url.Values{"date": {"2026-10-01"}}
		}},
		{method: "GET", path: "/audit", allowed: audOnly},
		{method: "GET", path: "/audit/export.csv", allowed: audOnly},
		{method: "POST", path: "/admin/security", allowed: secOnly, form: func(m *matrix, _ target) url.Values {
			v := url.Values{}
			for k, x := range account.DefaultSecurity().Form() {
				v.Set(k, x)
			}
			v.Set("require_admin_totp", "")
			return v
		}},
		{method: "POST", path: "/me/password", allowed: allRoles, form: func(*matrix, target) url.Values {
			return url.Values{"current": {"wrong"}, "password": {"x"}, "confirm": {"x"}}
		}},
		{method: "POST", path: "/me/totp/begin", allowed: allRoles},
		{method: "POST", path: "/me/totp/confirm", allowed: allRoles, form: func(*matrix, target) url.Values { return url.Values{"code": {"000000"}} }},
		{method: "POST", path: "/me/totp/disable", allowed: allRoles, form: func(*matrix, target) url.Values { return url.Values{"password": {"wrong"}} }},
		{method: "POST", path: "/me/sessions/revoke", allowed: allRoles, form: func(*matrix, target) url.Values { return url.Values{"session": {"nothing"}} }},
		// Personal API tokens: every role sees the page; the three administrators may hold none.
		{method: "GET", path: "/me/tokens", allowed: allRoles},
		{method: "POST", path: "/me/tokens", allowed: prjViews, form: func(m *matrix, _ target) url.Values {
			return url.Values{"name": {m.unique("对接")}, "days": {"30"}, "password": {webtest.Password}}
		}},
		{method: "POST", path: "/me/tokens/revoke", allowed: allRoles, form: func(*matrix, target) url.Values { return url.Values{"token": {"0"}} }},

		// Projects. A leader edits only the projects they are 责任领导 of,
		// which none of these are; project/store_test.go covers that rule.
		{method: "GET", path: "/projects", allowed: prjViews},
		{method: "GET", path: "/battlemap", allowed: prjViews},
		{method: "GET", path: "/battlemap.svg", allowed: prjViews},
		{method: "GET", path: "/projects/new", allowed: prjCreates},
		{method: "GET", path: "/projects/export.xlsx", allowed: prjViews},
		{method: "GET", path: "/projects/import", allowed: prjCreates},
		{method: "GET", path: "/projects/import/template.xlsx", allowed: prjCreates},
		{method: "POST", path: "/projects/import", allowed: prjCreates},         // no file: refused after the check
		{method: "POST", path: "/projects/import/confirm", allowed: prjCreates}, // no checked file: likewise
		{method: "GET", path: "/projects/{project}", allowed: prjViews, scoped: true},
		{method: "GET", path: "/projects/{project}/edit", allowed: prjEdits, scoped: true},
		{method: "POST", path: "/projects", allowed: prjEdits, scoped: true, form: func(m *matrix, tg target) url.Values {
			return url.Values{"name": {m.unique("新项目")}, "category_id": {"1"}, "unit_id": {id(tg.unit.ID)}}
		}},
		{method: "POST", path: "/projects/{project}", allowed: prjEdits, scoped: true, form: func(m *matrix, tg target) url.Values {
			return url.Values{"name": {tg.project.Name}, "category_id": {"1"}, "unit_id": {id(tg.unit.ID)}}
		}},
		{method: "POST", path: "/projects/{project}/stage", allowed: prjEdits, scoped: true, form: func(m *matrix, tg target) url.Values {
			return url.Values{"stage": {"negotiating"}, "on_date": {"2026-03-15"}}
		}},

		// Project settings are the town's, not a unit's: only the role counts.
		{method: "GET", path: "/settings/projects", allowed: prjRules},
		{method: "POST", path: "/settings/projects/rules", allowed: prjRules, form: func(*matrix, target) url.Values {
			v := url.Values{}
			for k, x := range project.DefaultRules().Form() {
				v.Set(k, x)
			}
			return v
		}},
		{method: "POST", path: "/settings/projects/categories", allowed: prjRules, form: func(m *matrix, _ target) url.Values { return url.Values{"name": {m.unique("分类")}} }},
		{method: "POST", path: "/settings/projects/categories/1", allowed: prjRules, form: func(*matrix, target) url.Values { return url.Values{"name": {"海洋经济"}} }},
		{method: "POST", path: "/settings/projects/categories/1/move", allowed: prjRules, form: func(*matrix, target) url.Values { return url.Values{"dir": {"down"}} }},
		{method: "POST", path: "/settings/projects/templates", allowed: prjRules, form: func(m *matrix, _ target) url.Values {
			return url.Values{"name": {m.unique("模板")}, "nodes": {"签约\n开工"}}
		}},
		{method: "POST", path: "/settings/projects/templates/{template}", allowed: prjRules, form: func(m *matrix, _ target) url.Values {
			return url.Values{"name": {m.unique("模板")}, "nodes": {"签约\n开工\n投产"}}
		}},
		{method: "POST", path: "/settings/projects/templates/{template}/move", allowed: prjRules, form: func(*matrix, target) url.Values { return url.Values{"dir": {"up"}} }},
		{method: "POST", path: "/settings/projects/templates/{template}/delete", allowed: prjRules},

		// Units.
		{method: "GET", path: "/org/units/{unit}", allowed: allRoles, scoped: true},
		{method: "GET", path: "/org/units/{unit}/edit", allowed: sysOnly, scoped: true},
		{method: "POST", path: "/org/units", allowed: sysOnly, scoped: true, form: func(m *matrix, tg target) url.Values {
			return url.Values{"parent_id": {id(tg.unit.ID)}, "kind": {"group"}, "name": {m.unique("新组")}}
		}},
		{method: "POST", path: "/org/units/{unit}", allowed: sysOnly, scoped: true, form: func(m *matrix, tg target) url.Values {
			return url.Values{"kind": {string(tg.unit.Kind)}, "name": {tg.unit.Name}, "phone": {"0631-1234567"}}
		}},
		{method: "POST", path: "/org/units/{unit}/move", allowed: sysOnly, scoped: true, onlyChild: true, form: func(m *matrix, tg target) url.Values {
			return url.Values{"parent_id": {id(tg.unit.ParentID)}}
		}},
		{method: "POST", path: "/org/units/{unit}/order", allowed: sysOnly, scoped: true, form: func(*matrix, target) url.Values { return url.Values{"dir": {"up"}} }},
		{method: "POST", path: "/org/units/{unit}/disable", allowed: sysOnly, scoped: true},
		{method: "POST", path: "/org/units/{unit}/enable", allowed: sysOnly, scoped: true},
		{method: "POST", path: "/org/units/{unit}/delete", allowed: sysOnly, scoped: true},

		// People.
		{method: "GET", path: "/org/people/{person}", allowed: allRoles, scoped: true},
		{method: "GET", path: "/org/people/{person}/edit", allowed: sysOnly, scoped: true},
		{method: "POST", path: "/org/people", allowed: sysOnly, scoped: true, form: func(m *matrix, tg target) url.Values {
			return url.Values{"unit_id": {id(tg.unit.ID)}, "name": {m.unique("新人")}}
		}},
		{method: "POST", path: "/org/people/{person}", allowed: sysOnly, scoped: true, form: func(m *matrix, tg target) url.Values {
			return url.Values{"unit_id": {id(tg.unit.ID)}, "name": {tg.person.Name}, "phone": {"13900000000"}}
		}},
		{method: "POST", path: "/org/people/{person}/leads", allowed: sysOnly, scoped: true, form: func(m *matrix, tg target) url.Values {
			return url.Values{"unit_id": {id(tg.unit.ID)}}
		}},
		{method: "POST", path: "/org/people/{person}/disable", allowed: sysOnly, scoped: true},
		{method: "POST", path: "/org/people/{person}/enable", allowed: sysOnly, scoped: true},

		// Accounts.
		{method: "GET", path: "/admin/users/{user}", allowed: acctViews, scoped: true},
		{method: "GET", path: "/admin/users/{user}/edit", allowed: sysOnly, scoped: true},
		{method: "POST", path: "/admin/sessions/revoke", allowed: secOnly, scoped: true, form: func(m *matrix, tg target) url.Values {
			sessions, _ := account.Sessions(context.Background(), m.env.DB, tg.user.ID)
			h := "none"
			if len(sessions) > 0 {
				h = sessions[0].IDHash
			}
			return url.Values{"session": {h}, "user_id": {id(tg.user.ID)}}
		}},
		{method: "POST", path: "/admin/users", allowed: sysOnly, scoped: true, form: func(m *matrix, tg target) url.Values {
			return url.Values{"username": {m.unique("newuser")}, "display_name": {"新账号"}, "unit_id": {id(tg.unit.ID)}}
		}},
		{method: "POST", path: "/admin/users/{user}", allowed: sysOnly, scoped: true, form: func(m *matrix, tg target) url.Values {
			return url.Values{"display_name": {tg.user.DisplayName}, "unit_id": {id(tg.unit.ID)}}
		}},
		{method: "POST", path: "/admin/users/{user}/reset", allowed: sysOnly, scoped: true},
		{method: "POST", path: "/admin/users/{user}/totp-reset", allowed: sysOnly, scoped: true},
		{method: "POST", path: "/admin/users/{user}/unlock", allowed: []auth.Role{auth.SysAdmin, auth.SecAdmin}, scoped: true},
		{method: "POST", path: "/admin/users/{user}/disable", allowed: sysOnly, scoped: true},
		{method: "POST", path: "/admin/users/{user}/enable", allowed: sysOnly, scoped: true},
		{method: "POST", path: "/admin/users/{user}/grants", allowed: secOnly, scoped: true, form: func(m *matrix, tg target) url.Values {
			return url.Values{"role": {"supervisor"}, "unit_id": {id(tg.unit.ID)}}
		}},
		{method: "POST", path: "/admin/users/{user}/revoke", allowed: secOnly, scoped: true, form: func(m *matrix, tg target) url.Values {
			return url.Values{"role": {"viewer"}, "unit_id": {id(tg.unit.ID)}}
		}},
		{method: "POST", path: "/org/people/{person}/delete", allowed: sysOnly, scoped: true},
		{method: "POST", path: "/logout", allowed: allRoles},
	}
	for _, area := range matrixAreas {
		rows = append(rows, area()...)
	}
	return rows
}

// outcome sorts a response into allowed (the request got past the
// permission check, even if the input was then refused) or denied.
func outcome(t *testing.T, rt route, res *webtest.Response) (allowed bool) {
	t.Helper()
	switch {
	case rt.path == "/logout":
		return res.Status == http.StatusSeeOther && res.Location == "/login"
	case res.Status == http.StatusForbidden || res.Status == http.StatusNotFound:
		return false
	case res.Status == http.StatusSeeOther && strings.HasPrefix(res.Location, "/login"):
		t.Errorf("signed-in request sent to sign-in: %q", res.Location)
		return false
	case res.Status == http.StatusOK || res.Status == http.StatusSeeOther || res.Status == http.StatusUnprocessableEntity || res.Status == http.StatusConflict:
		return true
	}
	t.Errorf("unexpected status %d: %.300s", res.Status, res.Text())
	return false
}

func TestPermissionMatrix(t *testing.T) {
	m := newMatrix(t)
	// Every target user signs in once so that ending a session has something to end.
	for _, p := range []placement{own, child, sibling, other} {
		m.env.Login(t, "t_"+p.String())
	}
	covered := map[string]bool{}
	for _, rt := range routesUnderTest() {
		covered[rt.method+" "+rt.path] = true
		places := []placement{own}
		if rt.scoped {
			places = []placement{own, child, sibling, other}
		}
		for _, p := range places {
			tg := m.targets[p]
			path := strings.NewReplacer("{unit}", fmt.Sprint(tg.unit.ID), "{person}", fmt.Sprint(tg.person.ID), "{user}", fmt.Sprint(tg.user.ID),
				"{project}", fmt.Sprint(tg.project.ID)).Replace(rt.path)

			for _, role := range everyRole {
				path := path
				if rt.pathFor != nil {
					path = rt.pathFor(m, tg)
				}
				if strings.Contains(path, "{template}") {
					path = strings.Replace(path, "{template}", fmt.Sprint(m.freshTemplate(t)), 1) // each delete needs its own
				}
				want := slices.Contains(rt.allowed, role)
				if rt.scoped && (p == sibling || p == other) {
					want = false
				}
				if rt.onlyChild && p != child {
					want = false
				}
				c := m.clients[role]
				if rt.path == "/logout" {
					c = m.env.Login(t, "m_"+string(role))
				}
				var res *webtest.Response
				if rt.method == "GET" {
					res = c.Get(t, path)
				} else {
					var form url.Values
					if rt.form != nil {
						form = rt.form(m, tg)
					}
					res = c.PostForm(t, path, form)
				}
				if got := outcome(t, rt, res); got != want {
					t.Errorf("%s %s as %s on %s target: allowed = %v, want %v (status %d %s)", rt.method, rt.path, role, p, got, want, res.Status, res.Location)
				}
			}
		}
	}
	// The matrix must name every private route the server has.
	for _, r := range m.env.Server.PrivateRoutes() {
		if !covered[r] && !covered[normalise(r)] {
			t.Errorf("route %s is not in the permission matrix", r)
		}
	}
}

// normalise maps a registered pattern to the matrix's spelling of it.
func normalise(pattern string) string {
	method, path, _ := strings.Cut(pattern, " ")
	if path == "/{$}" {
		path = "/"
	}
	switch {
	case strings.HasPrefix(path, "/org/units/{id}"):
		path = strings.Replace(path, "{id}", "{unit}", 1)
	case strings.HasPrefix(path, "/org/people/{id}"):
		path = strings.Replace(path, "{id}", "{person}", 1)
	case strings.HasPrefix(path, "/settings/projects/categories/{id}"):
		path = strings.Replace(path, "{id}", "1", 1)
	case strings.HasPrefix(path, "/settings/projects/templates/{id}"):
		path = strings.Replace(path, "{id}", "{template}", 1)
	case strings.HasPrefix(path, "/projects/{id}"):
		path = strings.Replace(path, "{id}", "{project}", 1)
	case strings.HasPrefix(path, "/admin/users/{id}"):
		path = strings.Replace(path, "{id}", "{user}", 1)
	}
	return method + " " + path
}
