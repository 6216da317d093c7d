package problem_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/org"
	"guatu/problem"
	"guatu/project"
	"guatu/worktime"
)

var sys = auth.SystemActor("test")

// env is a town with 经发办 (分管 by 林志强), 文旅办, 东岙村 and its 一组,
// and another town, with an actor per role.
type env struct {
	t                          testing.TB
	d                          *db.DB
	clock                      *dbtest.Clock
	town, econ, culture, v1    *org.Unit
	group, other               *org.Unit
	leader                     *org.Person
	super, staff, culStaff     auth.Actor
	village, viewer, chief     auth.Actor
	leaderA, otherSuper, admin auth.Actor
	project                    *project.Project
}

func newEnv(t testing.TB) *env {
	e := &env{t: t, d: dbtest.New(t), clock: dbtest.NewClock(dbtest.Now)}
	e.d.Clock = e.clock.Now
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		if e.town, err = org.CreateRoot(ctx, tx, sys, org.Town, "XX镇"); err != nil {
			return err
		}
		if e.other, err = org.CreateRoot(ctx, tx, sys, org.Town, "YY镇"); err != nil {
			return err
		}
		mk := func(parent *org.Unit, kind org.Kind, name string) *org.Unit {
			u, err := org.CreateUnit(ctx, tx, sys, org.UnitInput{ParentID: fmt.Sprint(parent.ID), Kind: string(kind), Name: name})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		e.econ = mk(e.town, org.Office, "经发办")
		e.culture = mk(e.town, org.Office, "文旅办")
		e.v1 = mk(e.town, org.Village, "东岙村")
		e.group = mk(e.v1, org.Group, "一组")
		committee := mk(e.town, org.Committee, "党政班子")
		if e.leader, err = org.CreatePerson(ctx, tx, sys, org.PersonInput{UnitID: fmt.Sprint(committee.ID), Name: "林志强", Position: "副镇长"}); err != nil {
			return err
		}
		if _, err = org.SetLeaderUnits(ctx, tx, sys, e.leader.ID, []int64{e.econ.ID}); err != nil {
			return err
		}
		e.project, err = project.Create(ctx, tx, sys, project.Input{Name: "深海养殖基地", CategoryID: "1", UnitID: fmt.Sprint(e.econ.ID)})
		return err
	})
	id := int64(100)
	grant := func(role auth.Role, u *org.Unit, person int64) auth.Actor {
		id++
		return auth.Actor{UserID: id, Username: string(role), Name: role.Label() + fmt.Sprint(id), UnitID: u.ID, UnitName: u.Name,
			PersonID: person, Grants: []auth.Grant{{Role: role, UnitID: u.ID, UnitPath: u.Path, UnitName: u.Name}}}
	}
	e.super = grant(auth.Supervisor, e.town, 0)
	e.staff = grant(auth.Staff, e.econ, 0)
	e.culStaff = grant(auth.Staff, e.culture, 0)
	e.village = grant(auth.Staff, e.v1, 0)
	e.viewer = grant(auth.Viewer, e.town, 0)
	e.chief = grant(auth.Chief, e.town, 0)
	e.leaderA = grant(auth.Leader, e.town, e.leader.ID)
	e.otherSuper = grant(auth.Supervisor, e.other, 0)
	e.admin = grant(auth.SysAdmin, e.town, 0)
	return e
}

func (e *env) tx(fn func(ctx context.Context, tx *db.Tx) error) {
	e.t.Helper()
	if err := e.try(fn); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) try(fn func(ctx context.Context, tx *db.Tx) error) error {
	return e.d.InTx(context.Background(), func(tx *db.Tx) error { return fn(context.Background(), tx) })
}

// at sets the clock to 09:00 Shanghai time on day m/d of 2026.
func (e *env) at(m time.Month, d int) {
	e.clock.Set(time.Date(2026, m, d, 9, 0, 0, 0, dbtest.Shanghai))
}

func (e *env) create(by auth.Actor, in problem.Input) *problem.Problem {
	e.t.Helper()
	var p *problem.Problem
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		p, err = problem.Create(ctx, tx, by, in)
		return err
	})
	return p
}

func (e *env) input(title string, u *org.Unit) problem.Input {
	return problem.Input{Title: title, Category: string(problem.Land), Source: string(problem.FromSite), UnitID: fmt.Sprint(u.ID), LimitDays: "10"}
}

// do runs one workflow step and returns the problem after it, or the error.
func (e *env) do(fn func(ctx context.Context, tx *db.Tx) (*problem.Problem, error)) (*problem.Problem, error) {
	var p *problem.Problem
	err := e.try(func(ctx context.Context, tx *db.Tx) error {
		var err error
		p, err = fn(ctx, tx)
		return err
	})
	return p, err
}

func (e *env) must(fn func(ctx context.Context, tx *db.Tx) (*problem.Problem, error)) *problem.Problem {
	e.t.Helper()
	p, err := e.do(fn)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func kindOf(t *testing.T, err error, want apperr.Kind, what string) {
	t.Helper()
	if apperr.KindOf(err) != want {
		t.Errorf("%s: %v (kind %d), want kind %d", what, err, apperr.KindOf(err), want)
	}
}

func field(err error, k string) string {
	e, ok := apperr.As(err)
	if !ok {
		return ""
	}
	return e.Fields[k]
}

func ymd(t time.Time) string { return project.FormatDate(t) }

func TestCreate_AssignedByTheOfficeRaisedByOthers(t *testing.T) {
	e := newEnv(t)
	// Sunday 2026-03-15: the unit has until Monday to sign.
	in := e.input("用海审批手续迟迟未批", e.econ)
	in.ProjectID, in.CoUnitIDs, in.SourceType, in.SourceID = fmt.Sprint(e.project.ID), []string{fmt.Sprint(e.culture.ID)}, "meeting_decision", 7
	p := e.create(e.super, in)
	if !p.Assigned || p.State != problem.Pending || ymd(p.SignBy) != "2026-03-16" || !p.Deadline.IsZero() || p.LimitDays != 10 {
		t.Errorf("assigned problem: %+v", p)
	}
	// No leader was named: the one in charge of 经发办 is.
	if p.LeaderID != e.leader.ID || p.LeaderName != "林志强" || p.ProjectName != "深海养殖基地" || len(p.CoUnits) != 1 ||
		p.SourceType != "meeting_decision" || p.SourceID != 7 || p.RaisedBy != e.super.UserID {
		t.Errorf("references: %+v", p)
	}
	hist, err := problem.History(context.Background(), e.d, p.ID)
	if err != nil || len(hist) != 1 || hist[0].Kind != problem.AssignedEvent || hist[0].Kind.Label() != "交办" {
		t.Errorf("history %+v %v", hist, err)
	}
	rows, _ := audit.ForObject(context.Background(), e.d, "problem", p.ID)
	if len(rows) != 1 || rows[0].Action != audit.ProblemCreated {
		t.Errorf("audit %+v", rows)
	}

	// Staff report for their own unit; a village's 分管 leader does not exist, so none is set.
	r := e.create(e.village, e.input("村道拓宽需占用基本农田", e.group))
	if r.Assigned || r.LeaderID != 0 || r.RaisedName != e.village.Name {
		t.Errorf("raised problem: %+v", r)
	}
	// A fixed deadline and a chosen leader.
	in = e.input("征迁补偿资金缺口", e.econ)
	in.LimitDays, in.Deadline, in.LeaderID, in.Priority = "", "2026-03-31", fmt.Sprint(e.leader.ID), string(problem.Critical)
	f := e.create(e.leaderA, in)
	if ymd(f.Deadline) != "2026-03-31" || f.LimitDays != 0 || f.Priority != problem.Critical || f.Assigned {
		t.Errorf("fixed deadline: %+v", f)
	}

	ctx := context.Background()
	create := func(by auth.Actor, in problem.Input) error {
		return e.try(func(ctx context.Context, tx *db.Tx) error { _, err := problem.Create(ctx, tx, by, in); return err })
	}
	kindOf(t, create(e.staff, e.input("别人的问题", e.culture)), apperr.Forbidden, "staff for another unit")
	kindOf(t, create(e.otherSuper, e.input("外镇", e.econ)), apperr.Forbidden, "another town's office")
	kindOf(t, create(e.viewer, e.input("查看", e.econ)), apperr.Forbidden, "viewer")
	kindOf(t, create(e.admin, e.input("管理员", e.econ)), apperr.Forbidden, "administrator")
	past := e.input("过期", e.econ)
	past.LimitDays, past.Deadline = "", "2026-03-14"
	if err := create(e.super, past); field(err, "deadline") != "办结期限不能早于今天" {
		t.Errorf("a deadline in the past: %v", err)
	}
	bad := e.input("", e.econ)
	bad.CoUnitIDs, bad.LeaderID = []string{"99999"}, "99999"
	err = create(e.super, bad)
	if field(err, "title") == "" {
		t.Errorf("no title: %v", err)
	}
	bad.Title = "引用不存在"
	err = create(e.super, bad)
	if field(err, "co_unit_ids") == "" || field(err, "leader_id") == "" {
		t.Errorf("missing references: %v", err)
	}
	// A project the actor cannot see is as good as missing.
	var hidden *project.Project
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		hidden, err = project.Create(ctx, tx, sys, project.Input{Name: "外镇项目", CategoryID: "1", UnitID: fmt.Sprint(e.other.ID)})
		return err
	})
	in = e.input("看不到的项目", e.econ)
	in.ProjectID = fmt.Sprint(hidden.ID)
	if err := create(e.staff, in); field(err, "project_id") != "关联项目不存在" {
		t.Errorf("hidden project: %v", err)
	}
	if _, err := problem.View(ctx, e.d, e.culStaff, p.ID); err != nil {
		t.Errorf("the cooperating unit cannot read it: %v", err)
	}
	if _, err := problem.View(ctx, e.d, e.otherSuper, p.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("another town reads it: %v", err)
	}
}

func TestFlow_SignFeedbackDoneClose(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.create(e.super, e.input("供电增容未落实", e.econ))
	e.at(3, 17) // Tuesday: signed a day late
	u, due := problem.Judge(p, worktime.Date(2026, 3, 17), worktime.New(nil))
	if u != worktime.Overdue || ymd(due) != "2026-03-16" {
		t.Errorf("unsigned on Tuesday: %s %s", u.Label(), ymd(due))
	}
	p = e.must(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Sign(ctx, tx, e.staff, p.ID)
	})
	// The clock starts at 签收: 10 working days from Tuesday 17 March.
	if p.State != problem.Handling || ymd(p.Deadline) != "2026-03-31" || p.SignedAt.IsZero() {
		t.Fatalf("signed: %+v", p)
	}
	_, err := e.do(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Sign(ctx, tx, e.staff, p.ID)
	})
	kindOf(t, err, apperr.Conflict, "signing twice")

	e.at(3, 20)
	pdf := []byte("%PDF-1.4 供电公司回函")
	_, err = e.do(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Feedback(ctx, tx, e.staff, p.ID, "  ", nil)
	})
	if field(err, "note") == "" {
		t.Errorf("empty feedback: %v", err)
	}
	_, err = e.do(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Feedback(ctx, tx, e.staff, p.ID, "已对接", []problem.Upload{{Name: "x.html", Data: []byte("<html>")}})
	})
	if !strings.Contains(field(err, "files"), "格式不支持") {
		t.Errorf("a web page attached: %v", err)
	}
	e.must(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Feedback(ctx, tx, e.staff, p.ID, "已与供电公司对接，方案报审中", []problem.Upload{{Name: "回函.pdf", Data: pdf}})
	})
	// A cooperating unit may not report on a problem it does not share.
	_, err = e.do(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Feedback(ctx, tx, e.culStaff, p.ID, "文旅办", nil)
	})
	kindOf(t, err, apperr.NotFound, "feedback from outside")
	_, err = e.do(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Feedback(ctx, tx, e.viewer, p.ID, "查看", nil)
	})
	kindOf(t, err, apperr.Forbidden, "feedback from a viewer")
	_, err = e.do(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Close(ctx, tx, e.super, p.ID, "")
	})
	kindOf(t, err, apperr.Conflict, "closing before 办结")

	e.at(3, 27)
	_, err = e.do(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Finish(ctx, tx, e.staff, p.ID, "", nil)
	})
	if field(err, "done_note") == "" {
		t.Errorf("done without saying how: %v", err)
	}
	p = e.must(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Finish(ctx, tx, e.staff, p.ID, "增容完成并送电", nil)
	})
	if p.State != problem.Done || p.DoneAt.IsZero() {
		t.Fatalf("done: %+v", p)
	}
	_, err = e.do(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Close(ctx, tx, e.staff, p.ID, "")
	})
	kindOf(t, err, apperr.Forbidden, "the unit closing its own problem")
	e.at(4, 2) // 销号 after the deadline; the 办结 on 27 March counts
	p = e.must(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Close(ctx, tx, e.super, p.ID, "经核实已送电")
	})
	if on, closed := p.ClosedOnTime(); !on || !closed || p.State != problem.Closed {
		t.Errorf("closed on time %v %v: %+v", on, closed, p)
	}

	hist, err := problem.History(ctx, e.d, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, h := range hist {
		kinds = append(kinds, string(h.Kind))
	}
	if strings.Join(kinds, " ") != "assigned sign feedback done close" {
		t.Errorf("history %v", kinds)
	}
	if ymd(hist[1].DeadlineTo) != "2026-03-31" || len(hist[2].Files) != 1 || hist[4].Note != "经核实已送电" || hist[2].ByName != e.staff.Name {
		t.Errorf("history details %+v", hist)
	}
	f := hist[2].Files[0]
	if f.OrigName != "回函.pdf" || f.ContentType != "application/pdf" || f.Size != int64(len(pdf)) || !strings.HasSuffix(f.Name, ".pdf") {
		t.Errorf("file %+v", f)
	}
	got, data, err := problem.OpenFile(ctx, e.d, e.viewer, p.ID, f.Name)
	if err != nil || string(data) != string(pdf) || got.ID != f.ID {
		t.Errorf("open file: %v %q", err, data)
	}
	if _, _, err := problem.OpenFile(ctx, e.d, e.otherSuper, p.ID, f.Name); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("another town downloads it: %v", err)
	}
	if _, _, err := problem.OpenFile(ctx, e.d, e.viewer, p.ID, "nothing.pdf"); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("a made-up name: %v", err)
	}
	rows, _ := audit.ForObject(ctx, e.d, "problem", p.ID)
	var acts []string
	for _, r := range rows {
		acts = append(acts, string(r.Action))
	}
	if strings.Join(acts, " ") != "problem.created problem.signed problem.feedback problem.done problem.closed" {
		t.Errorf("audit %v", acts)
	}
}

func TestFlow_ReturnAndExtensions(t *testing.T) {
	e := newEnv(t)
	in := e.input("土地报批材料不全", e.econ)
	in.CoUnitIDs = []string{fmt.Sprint(e.culture.ID)}
	p := e.create(e.super, in)
	p = e.must(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Sign(ctx, tx, e.staff, p.ID)
	})
	if ymd(p.Deadline) != "2026-03-27" { // signed on Sunday: ten working days from Monday on
		t.Fatalf("deadline %s", ymd(p.Deadline))
	}
	// The cooperating unit reports its part.
	e.must(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Feedback(ctx, tx, e.culStaff, p.ID, "文旅办已出具意见", nil)
	})
	_, err := e.do(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Finish(ctx, tx, e.culStaff, p.ID, "文旅办说办完了", nil)
	})
	kindOf(t, err, apperr.Forbidden, "a cooperating unit finishing")

	ext := func(by auth.Actor, date, reason string) error {
		_, err := e.do(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
			return problem.RequestExtension(ctx, tx, by, p.ID, problem.ExtensionInput{NewDeadline: date, Reason: reason})
		})
		return err
	}
	if err := ext(e.staff, "2026-03-20", ""); field(err, "new_deadline") == "" || field(err, "ext_reason") == "" {
		t.Errorf("an earlier date, no reason: %v", err)
	}
	if err := ext(e.staff, "2026-04-17", "县自然资源局要求补充勘测"); err != nil {
		t.Fatal(err)
	}
	kindOf(t, ext(e.staff, "2026-04-30", "再延"), apperr.Conflict, "a second request while one waits")
	decide := func(by auth.Actor, approve bool, note string) (*problem.Problem, error) {
		return e.do(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
			if approve {
				return problem.ApproveExtension(ctx, tx, by, p.ID, note)
			}
			return problem.RefuseExtension(ctx, tx, by, p.ID, note)
		})
	}
	_, err = decide(e.staff, true, "")
	kindOf(t, err, apperr.Forbidden, "the unit approving its own request")
	if _, err := decide(e.super, false, ""); field(err, "refuse_reason") == "" {
		t.Errorf("a refusal without a reason: %v", err)
	}
	p, err = decide(e.super, true, "同意")
	if err != nil || ymd(p.Deadline) != "2026-04-17" || p.ExtensionPending {
		t.Fatalf("approved: %v %+v", err, p)
	}
	_, err = decide(e.super, true, "")
	kindOf(t, err, apperr.Conflict, "approving with nothing waiting")
	if err := ext(e.staff, "2026-04-30", "勘测单位排期"); err != nil {
		t.Fatal(err)
	}
	if p, err = decide(e.super, false, "时间已很宽裕，请加快进度"); err != nil || ymd(p.Deadline) != "2026-04-17" {
		t.Fatalf("refused: %v %+v", err, p)
	}
	// 办结 with a request waiting withdraws it; 退回 sends it back against the same deadline.
	if err := ext(e.staff, "2026-05-08", "再次申请"); err != nil {
		t.Fatal(err)
	}
	p = e.must(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Finish(ctx, tx, e.staff, p.ID, "材料已补齐并报县局", nil)
	})
	if p.ExtensionPending || p.State != problem.Done {
		t.Errorf("done with a request waiting: %+v", p)
	}
	if _, err := e.do(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Return(ctx, tx, e.super, p.ID, " ")
	}); field(err, "reason") == "" {
		t.Errorf("return without a reason: %v", err)
	}
	p = e.must(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Return(ctx, tx, e.super, p.ID, "县局批复尚未下达，不能视为办结")
	})
	if p.State != problem.Handling || !p.DoneAt.IsZero() || ymd(p.Deadline) != "2026-04-17" {
		t.Errorf("returned: %+v", p)
	}
	exts, err := problem.Extensions(context.Background(), e.d, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range exts {
		got = append(got, fmt.Sprintf("%s→%s %s", ymd(x.From), ymd(x.To), x.Status))
	}
	want := "2026-03-27→2026-04-17 approved|2026-04-17→2026-04-30 refused|2026-04-17→2026-05-08 withdrawn"
	if strings.Join(got, "|") != want {
		t.Errorf("extensions\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
	hist, _ := problem.History(context.Background(), e.d, p.ID)
	var kinds []string
	for _, h := range hist {
		kinds = append(kinds, string(h.Kind))
	}
	if strings.Join(kinds, " ") != "assigned sign feedback extend extend_approve extend extend_refuse extend done return" {
		t.Errorf("history %v", kinds)
	}
}

func TestList_ViewTabsAndFilters(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	co := e.input("景区道路用地", e.econ)
	co.CoUnitIDs, co.Category, co.ProjectID = []string{fmt.Sprint(e.culture.ID)}, string(problem.Planning), fmt.Sprint(e.project.ID)
	a := e.create(e.super, co)
	b := e.create(e.super, e.input("村道拓宽", e.v1))
	fixed := e.input("资金缺口", e.culture)
	fixed.LimitDays, fixed.Deadline, fixed.Category, fixed.Priority = "", "2026-03-20", string(problem.Funding), string(problem.Urgent)
	c := e.create(e.super, fixed)
	e.must(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Sign(ctx, tx, e.culStaff, c.ID)
	})
	ids := func(ps []*problem.Problem) string {
		var out []string
		for _, p := range ps {
			out = append(out, fmt.Sprint(p.ID))
		}
		return strings.Join(out, ",")
	}
	list := func(by auth.Actor, f problem.Filter) string {
		t.Helper()
		ps, _, err := problem.List(ctx, e.d, by, f)
		if err != nil {
			t.Fatal(err)
		}
		return ids(ps)
	}
	want := func(ps ...*problem.Problem) string { return ids(ps) }
	// Most pressing first: c is due on the 20th, a and b wait for signing by the 16th.
	if got := list(e.viewer, problem.Filter{}); got != want(b, a, c) {
		t.Errorf("all: %s", got)
	}
	if got := list(e.culStaff, problem.Filter{}); got != want(a, c) {
		t.Errorf("文旅办 sees its own and the one it cooperates on: %s", got)
	}
	if got := list(e.village, problem.Filter{}); got != want(b) {
		t.Errorf("the village: %s", got)
	}
	if got := list(e.otherSuper, problem.Filter{}); got != "" {
		t.Errorf("another town: %s", got)
	}
	if _, _, err := problem.List(ctx, e.d, e.admin, problem.Filter{}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("an administrator lists problems: %v", err)
	}
	if got := list(e.culStaff, problem.Filter{Mine: true}); got != want(a, c) {
		t.Errorf("本单位 of 文旅办: %s", got)
	}
	if got := list(e.super, problem.Filter{Mine: true}); got != want(b, a, c) {
		t.Errorf("本单位 of the town's office: %s", got)
	}
	if got := list(e.viewer, problem.Filter{LeaderID: e.leader.ID}); got != want(a) {
		t.Errorf("by leader: %s", got)
	}
	for _, tc := range []struct {
		name string
		f    problem.Filter
		want string
	}{
		{"state", problem.Filter{State: problem.Handling}, want(c)},
		{"open", problem.Filter{Open: true}, want(b, a, c)},
		{"category", problem.Filter{Category: problem.Funding}, want(c)},
		{"priority", problem.Filter{Priority: problem.Urgent}, want(c)},
		{"unit subtree", problem.Filter{UnitID: e.town.ID}, want(b, a, c)},
		{"unit", problem.Filter{UnitID: e.v1.ID}, want(b)},
		{"project", problem.Filter{ProjectID: e.project.ID}, want(a)},
		{"search", problem.Filter{Query: "道路"}, want(a)},
		{"search escapes", problem.Filter{Query: "%"}, ""},
		{"nothing overdue on Monday", problem.Filter{OverdueOn: worktime.Date(2026, 3, 16)}, ""},
		{"unsigned on Tuesday", problem.Filter{OverdueOn: worktime.Date(2026, 3, 17)}, want(b, a)},
		{"and c after its deadline", problem.Filter{OverdueOn: worktime.Date(2026, 3, 21)}, want(b, a, c)},
	} {
		if got := list(e.viewer, tc.f); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	ps, total, err := problem.List(ctx, e.d, e.viewer, problem.Filter{Limit: 2, Offset: 2})
	if err != nil || total != 3 || ids(ps) != want(c) {
		t.Errorf("page 2: %s of %d, %v", ids(ps), total, err)
	}
	// The leader sees the problems they are 分管 of even outside their grant.
	narrow := auth.Actor{UserID: 999, PersonID: e.leader.ID, Grants: []auth.Grant{{Role: auth.Leader, UnitPath: e.v1.Path}}}
	if got := list(narrow, problem.Filter{}); got != want(b, a) {
		t.Errorf("a leader with a narrow grant: %s", got)
	}
}

func TestEscalationsAndAgenda(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cal, err := worktime.Load(ctx, e.d)
	if err != nil {
		t.Fatal(err)
	}
	econ := e.create(e.super, e.input("经发办的问题", e.econ))
	village := e.create(e.super, e.input("村里的问题", e.v1))
	quick := e.input("快到期", e.culture)
	quick.LimitDays, quick.Deadline = "", "2026-03-18"
	soon := e.create(e.super, quick)
	e.must(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Sign(ctx, tx, e.staff, econ.ID)
	})
	e.must(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Sign(ctx, tx, e.culStaff, soon.ID)
	})
	done := e.create(e.super, e.input("已办结的", e.econ))
	e.must(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Sign(ctx, tx, e.staff, done.ID)
	})
	e.must(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Finish(ctx, tx, e.staff, done.ID, "办完", nil)
	})
	got := func(day time.Time, under string) string {
		t.Helper()
		es, err := problem.Escalations(ctx, e.d, under, day, cal)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range es {
			out = append(out, fmt.Sprintf("%s:%s:%d:%v%v%v%v:%d", x.Problem.Title, x.Urgency.Label(), x.OverdueDays,
				b(x.Unit), b(x.Leader), b(x.Chief), b(x.Agenda), x.Problem.LeaderID))
		}
		return strings.Join(out, " | ")
	}
	l := e.leader.ID
	// Monday 16 March: the village has until today to sign; 快到期 is due on Wednesday.
	if s := got(worktime.Date(2026, 3, 16), ""); s != "快到期:即将到期:0:1000:0" {
		t.Errorf("Monday: %s", s)
	}
	// Tuesday: the village is late signing, with nobody in charge of it: the chief hears at once.
	if s := got(worktime.Date(2026, 3, 17), ""); s != "村里的问题:已逾期:1:1010:0 | 快到期:即将到期:0:1000:0" {
		t.Errorf("Tuesday: %s", s)
	}
	// Wednesday 25 March: the village is 7 working days late (the agenda), 快到期 5, and
	// 经发办's, signed on the 15th, runs to the 27th: due soon, with its 分管领导 named for later.
	want := fmt.Sprintf("村里的问题:严重逾期:7:1011:0 | 快到期:已逾期:5:1010:0 | 经发办的问题:即将到期:0:1000:%d", l)
	if s := got(worktime.Date(2026, 3, 25), ""); s != want {
		t.Errorf("25 March:\n got %s\nwant %s", s, want)
	}
	if s := got(worktime.Date(2026, 3, 25), e.v1.Path); s != "村里的问题:严重逾期:7:1011:0" {
		t.Errorf("under the village: %s", s)
	}
	agenda, err := problem.Agenda(ctx, e.d, e.town.Path, worktime.Date(2026, 3, 25), cal)
	if err != nil || len(agenda) != 1 || agenda[0].Problem.ID != village.ID {
		t.Errorf("agenda %+v %v", agenda, err)
	}
	open, err := problem.Open(ctx, e.d, e.town.Path)
	if err != nil || len(open) != 3 {
		t.Errorf("open: %d %v", len(open), err)
	}
	if open, _ := problem.Open(ctx, e.d, e.other.Path); len(open) != 0 {
		t.Errorf("another town's open problems: %d", len(open))
	}
}

func b(x bool) int {
	if x {
		return 1
	}
	return 0
}

func TestClosedBetweenAndBackdate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	in := e.input("已解决的堵点", e.econ)
	in.LimitDays = "3"
	p := e.create(e.super, in)
	kindOf(t, e.try(func(ctx context.Context, tx *db.Tx) error { return problem.Backdate(ctx, tx, e.super, p.ID, 5) }),
		apperr.Forbidden, "backdating as a person")
	e.tx(func(ctx context.Context, tx *db.Tx) error { return problem.Backdate(ctx, tx, sys, p.ID, 20) })
	e.must(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Sign(ctx, tx, e.staff, p.ID)
	})
	e.tx(func(ctx context.Context, tx *db.Tx) error { return problem.Backdate(ctx, tx, sys, p.ID, 14) })
	p, err := problem.Get(ctx, e.d, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Assigned on Monday 9 February, signed on Sunday 1 March: 3 working days from then is 4 March.
	if ymd(problem.DayOf(p.CreatedAt)) != "2026-02-09" || ymd(p.SignBy) != "2026-02-10" || ymd(problem.DayOf(p.SignedAt)) != "2026-03-01" ||
		ymd(p.Deadline) != "2026-03-04" {
		t.Errorf("backdated: created %s sign by %s signed %s deadline %s", ymd(problem.DayOf(p.CreatedAt)), ymd(p.SignBy),
			ymd(problem.DayOf(p.SignedAt)), ymd(p.Deadline))
	}
	hist, _ := problem.History(ctx, e.d, p.ID)
	if ymd(problem.DayOf(hist[1].At)) != "2026-03-01" || ymd(hist[1].DeadlineTo) != "2026-03-04" {
		t.Errorf("history backdated: %+v", hist)
	}
	e.must(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Finish(ctx, tx, e.staff, p.ID, "办完", nil)
	})
	e.must(func(ctx context.Context, tx *db.Tx) (*problem.Problem, error) {
		return problem.Close(ctx, tx, e.super, p.ID, "")
	})
	closed, err := problem.ClosedBetween(ctx, e.d, e.town.Path, worktime.Date(2026, 3, 1), worktime.Date(2026, 3, 15))
	if err != nil || len(closed) != 1 {
		t.Fatalf("closed in March: %d %v", len(closed), err)
	}
	if on, ok := closed[0].ClosedOnTime(); on || !ok {
		t.Errorf("done on 15 March against 4 March counted on time")
	}
	if closed, _ := problem.ClosedBetween(ctx, e.d, "", worktime.Date(2026, 3, 16), worktime.Date(2026, 3, 31)); len(closed) != 0 {
		t.Errorf("closed after the 15th: %d", len(closed))
	}
}
