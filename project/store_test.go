package project_test

import (
	"context"
	"fmt"
	"testing"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/org"
	"guatu/project"
)

var sys = auth.SystemActor("test")

type env struct {
	t                        testing.TB
	d                        *db.DB
	town, econ, culture, v1  *org.Unit
	other                    *org.Unit
	leader, otherLeader      *org.Person
	staff, culStaff, chief   auth.Actor
	viewer, leaderA, leaderB auth.Actor
}

func newEnv(t testing.TB) *env {
	e := &env{t: t, d: dbtest.New(t)}
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		if e.town, err = org.CreateRoot(ctx, tx, sys, org.Town, "XX镇"); err != nil {
			return err
		}
		if e.other, err = org.CreateRoot(ctx, tx, sys, org.Town, "YY镇"); err != nil {
			return err
		}
		mk := func(parent *org.Unit, kind org.Kind, name string) *org.Unit {
			u, err2 := org.CreateUnit(ctx, tx, sys, org.UnitInput{ParentID: fmt.Sprint(parent.ID), Kind: string(kind), Name: name})
			if err2 != nil {
				t.Fatal(err2)
			}
			return u
		}
		e.econ = mk(e.town, org.Office, "经发办")
		e.culture = mk(e.town, org.Office, "文旅办")
		e.v1 = mk(e.town, org.Village, "东岙村")
		committee := mk(e.town, org.Committee, "党政班子")
		if e.leader, err = org.CreatePerson(ctx, tx, sys, org.PersonInput{UnitID: fmt.Sprint(committee.ID), Name: "林志强", Position: "副镇长"}); err != nil {
			return err
		}
		e.otherLeader, err = org.CreatePerson(ctx, tx, sys, org.PersonInput{UnitID: fmt.Sprint(committee.ID), Name: "王丽琴", Position: "副镇长"})
		return err
	})
	grant := func(role auth.Role, u *org.Unit, person int64) auth.Actor {
		return auth.Actor{UserID: 100 + int64(len(role)), Username: string(role), Name: role.Label(), PersonID: person,
			Grants: []auth.Grant{{Role: role, UnitID: u.ID, UnitPath: u.Path, UnitName: u.Name}}}
	}
	e.staff = grant(auth.Staff, e.econ, 0)
	e.culStaff = grant(auth.Staff, e.culture, 0)
	e.chief = grant(auth.Chief, e.town, 0)
	e.viewer = grant(auth.Viewer, e.town, 0)
	e.leaderA = grant(auth.Leader, e.town, e.leader.ID)
	e.leaderB = grant(auth.Leader, e.town, e.otherLeader.ID)
	// A leader's grant on the town lets them read everything but edit only their own projects.
	return e
}

func (e *env) tx(fn func(ctx context.Context, tx *db.Tx) error) {
	e.t.Helper()
	if err := e.d.InTx(context.Background(), func(tx *db.Tx) error { return fn(context.Background(), tx) }); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) try(fn func(ctx context.Context, tx *db.Tx) error) error {
	return e.d.InTx(context.Background(), func(tx *db.Tx) error { return fn(context.Background(), tx) })
}

func (e *env) input(name string) project.Input {
	return project.Input{Name: name, CategoryID: "1", Tier: "active", UnitID: fmt.Sprint(e.econ.ID), LeaderID: fmt.Sprint(e.leader.ID),
		CoUnitIDs: []string{fmt.Sprint(e.culture.ID)}, TotalInvest: "12345.6789", PlanYear: "2026", PlanInvest: "3000",
		PlannedStart: "2026-04-01", PlannedOperating: "2027-06-30", LandArea: "85.5",
		Targets: []project.TargetInput{{Name: "年产值", Value: "8000", Unit: "万元"}, {}},
		Milestones: []project.MilestoneInput{
			{Name: "签约", Planned: "2026-01-10", Actual: "2026-01-08"},
			{Name: "施工许可", Planned: "2026-03-01", UnitID: fmt.Sprint(e.econ.ID)},
			{}, // an empty form row is ignored
		}}
}

func (e *env) create(by auth.Actor, in project.Input) (*project.Project, error) {
	var p *project.Project
	err := e.try(func(ctx context.Context, tx *db.Tx) error {
		var err error
		p, err = project.Create(ctx, tx, by, in)
		return err
	})
	return p, err
}

func wantKind(t *testing.T, err error, k apperr.Kind) {
	t.Helper()
	if apperr.KindOf(err) != k {
		t.Fatalf("err = %v (kind %d), want kind %d", err, apperr.KindOf(err), k)
	}
}

func TestCreate_StoresEverythingExactly(t *testing.T) {
	e := newEnv(t)
	p, err := e.create(e.staff, e.input("XX湾蓝色经济产业园"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Code != "2026-001" || p.Stage != project.Planning || p.Tier != project.Active || p.CategoryName != "海洋经济" {
		t.Errorf("code %q stage %s tier %s category %s", p.Code, p.Stage, p.Tier, p.CategoryName)
	}
	if p.TotalInvest != 123456789 || project.Wan(p.TotalInvest) != "12345.68" {
		t.Errorf("total %d (%s 万元), want 123456789 yuan", p.TotalInvest, project.Wan(p.TotalInvest))
	}
	if p.LandAreaCentimu != 8550 || p.LeaderName != "林志强" || p.UnitName != "经发办" {
		t.Errorf("land %d leader %q unit %q", p.LandAreaCentimu, p.LeaderName, p.UnitName)
	}
	if len(p.CoUnits) != 1 || p.CoUnits[0].Name != "文旅办" || len(p.Targets) != 1 || p.Plan(2026).Planned != 30_000_000 {
		t.Errorf("co-units %v targets %v plan %+v", p.CoUnits, p.Targets, p.Plan(2026))
	}
	if len(p.Milestones) != 2 || p.Milestones[1].Name != "施工许可" || p.Milestones[1].UnitName != "经发办" ||
		project.FormatDate(p.Milestones[0].Actual) != "2026-01-08" {
		t.Errorf("milestones %+v", p.Milestones)
	}
	second, err := e.create(e.staff, e.input("水产品精深加工"))
	if err != nil || second.Code != "2026-002" {
		t.Fatalf("second code %v %v", second, err)
	}
	rows, _ := audit.ForObject(context.Background(), e.d, "project", p.ID)
	if len(rows) != 1 || rows[0].Action != audit.ProjectCreated {
		t.Errorf("audit %v", rows)
	}
	// The light follows from the stored facts on 2026-03-15: nothing of this
	// year's 3000 万元 is completed (red), and 施工许可 is 14 days overdue (yellow).
	if l, reasons := project.Judge(p.Facts(project.Day(2026, 3, 15), ""), project.Day(2026, 3, 15), project.DefaultRules()); l != project.Red || len(reasons) != 2 {
		t.Errorf("light %s %v", l, reasons)
	}
}

func TestCreate_ValidationReportsEveryField(t *testing.T) {
	e := newEnv(t)
	in := project.Input{Name: "", CategoryID: "", UnitID: "", TotalInvest: "12,3x", PlannedStart: "2026-05-01", PlannedOperating: "2026-04-01",
		LandArea: "1.234", Milestones: []project.MilestoneInput{{Planned: "2026-02-30"}}}
	_, err := e.create(e.staff, in)
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.Invalid {
		t.Fatalf("err = %v", err)
	}
	for _, k := range []string{"name", "category_id", "unit_id", "total_invest", "planned_operating", "land_area", "milestones.0.name", "milestones.0.planned"} {
		if ae.Fields[k] == "" {
			t.Errorf("no message for %s (got %v)", k, ae.Fields)
		}
	}
	// A code in use is refused beside the field.
	p, err := e.create(e.staff, e.input("甲"))
	if err != nil {
		t.Fatal(err)
	}
	in = e.input("乙")
	in.Code = p.Code
	_, err = e.create(e.staff, in)
	if ae, _ := apperr.As(err); ae == nil || ae.Fields["code"] == "" {
		t.Errorf("duplicate code: %v", err)
	}
}

func TestUpdate_MergesMilestones(t *testing.T) {
	e := newEnv(t)
	p, err := e.create(e.staff, e.input("古厝活化利用示范区"))
	if err != nil {
		t.Fatal(err)
	}
	in := e.input("古厝活化利用示范区")
	in.Milestones = []project.MilestoneInput{
		{ID: fmt.Sprint(p.Milestones[1].ID), Name: "施工许可", Planned: "2026-03-01", Actual: "2026-03-10"}, // kept and reached
		{Name: "开工", Planned: "2026-04-01"}, // new
	} // 签约 removed
	var q *project.Project
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		q, err = project.Update(ctx, tx, e.staff, p.ID, in)
		return err
	})
	if len(q.Milestones) != 2 || q.Milestones[0].ID != p.Milestones[1].ID || project.FormatDate(q.Milestones[0].Actual) != "2026-03-10" || q.Milestones[1].Name != "开工" {
		t.Errorf("milestones after update %+v", q.Milestones)
	}
	if q.Code != p.Code {
		t.Errorf("code changed to %q", q.Code)
	}
}

func TestSetStage_DatedNotedAndReasonRequired(t *testing.T) {
	e := newEnv(t)
	p, _ := e.create(e.staff, e.input("深海养殖"))
	set := func(stage project.Stage, on, note string) error {
		return e.try(func(ctx context.Context, tx *db.Tx) error {
			_, err := project.SetStage(ctx, tx, e.staff, p.ID, stage, on, note)
			return err
		})
	}
	wantKind(t, set(project.Signed, "2026-02-01", "签约仪式"), apperr.Invalid) // before the project entered the library today
	if err := set(project.Signed, "2026-03-15", "签约仪式"); err != nil {
		t.Fatal(err)
	}
	wantKind(t, set(project.Stalled, "2026-03-15", ""), apperr.Invalid)     // 停滞 needs a reason
	wantKind(t, set(project.Landed, "2026-04-01", ""), apperr.Invalid)      // after today (2026-03-15)
	wantKind(t, set(project.Signed, "2026-03-15", "again"), apperr.Invalid) // already there
	if err := set(project.Stalled, "2026-03-15", "资金未到位"); err != nil {
		t.Fatal(err)
	}
	hist, err := project.StageHistory(context.Background(), e.d, p.ID)
	if err != nil || len(hist) != 3 || hist[0].Stage != project.Planning || hist[1].Stage != project.Signed || hist[2].Note != "资金未到位" {
		t.Errorf("history %+v %v", hist, err)
	}
	got, _ := project.Get(context.Background(), e.d, p.ID)
	if got.Stage != project.Stalled || project.FormatDate(got.StageSince) != "2026-03-15" {
		t.Errorf("stage %s since %s", got.Stage, project.FormatDate(got.StageSince))
	}
}

func TestPermissions(t *testing.T) {
	e := newEnv(t)
	p, err := e.create(e.staff, e.input("滨海休闲旅游"))
	if err != nil {
		t.Fatal(err)
	}
	update := func(by auth.Actor) error {
		return e.try(func(ctx context.Context, tx *db.Tx) error {
			_, err := project.Update(ctx, tx, by, p.ID, e.input("滨海休闲旅游"))
			return err
		})
	}
	for _, tc := range []struct {
		name     string
		by       auth.Actor
		view     bool
		editKind apperr.Kind // 0 (Internal) stands for success
	}{
		{"lead unit staff", e.staff, true, 0},
		{"chief", e.chief, true, 0},
		{"its 责任领导", e.leaderA, true, 0},
		{"another leader", e.leaderB, true, apperr.Forbidden},
		{"cooperating unit staff", e.culStaff, true, apperr.Forbidden},
		{"viewer", e.viewer, true, apperr.Forbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := project.CanView(tc.by, p); got != tc.view {
				t.Errorf("CanView = %v", got)
			}
			err := update(tc.by)
			if tc.editKind == 0 && err != nil {
				t.Errorf("update: %v", err)
			}
			if tc.editKind != 0 {
				wantKind(t, err, tc.editKind)
			}
		})
	}
	// Staff of a village see nothing of it: not found, so its existence does not leak.
	village := auth.Actor{UserID: 9, Grants: []auth.Grant{{Role: auth.Staff, UnitID: e.v1.ID, UnitPath: e.v1.Path}}}
	_, err = project.View(context.Background(), e.d, village, p.ID)
	wantKind(t, err, apperr.NotFound)
	wantKind(t, update(village), apperr.NotFound)
	// Staff cannot create a project led by another unit.
	in := e.input("外单位项目")
	in.UnitID = fmt.Sprint(e.culture.ID)
	_, err = e.create(e.staff, in)
	wantKind(t, err, apperr.Forbidden)
	// A leader may create a project they lead, whatever unit leads it.
	if _, err := e.create(e.leaderA, in); err != nil {
		t.Errorf("leader creating their project: %v", err)
	}
}

func TestParseWan(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"", 0, true}, {"0", 0, true}, {"1", 10000, true}, {"1.5", 15000, true}, {"12,345.6789", 123456789, true},
		{" 3000 ", 30000000, true}, {".5", 5000, true}, {"1.23456", 0, false}, {"-1", 0, false}, {"abc", 0, false}, {"1e5", 0, false},
	} {
		got, err := project.ParseWan(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseWan(%q) = %d, %v; want %d ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	for yuan, want := range map[int64]string{0: "0.00", 123456789: "12345.68", 49: "0.00", 50: "0.01", 10000: "1.00"} {
		if got := project.Wan(yuan); got != want {
			t.Errorf("Wan(%d) = %s, want %s", yuan, got, want)
		}
	}
	// The form and the spreadsheet carry amounts to the yuan: reading back what was written changes nothing.
	for yuan, want := range map[int64]string{0: "", 123456789: "12345.6789", 30000000: "3000", 15000: "1.5", 1: "0.0001", 1230: "0.123"} {
		got := project.WanExact(yuan)
		if back, err := project.ParseWan(got); got != want || err != nil || back != yuan {
			t.Errorf("WanExact(%d) = %q (read back %d, %v), want %q", yuan, got, back, err, want)
		}
	}
}

func TestList_ScopeFiltersAndSort(t *testing.T) {
	e := newEnv(t)
	a, _ := e.create(e.staff, e.input("XX湾蓝色经济产业园")) // 经发办 leads, 文旅办 cooperates, 林志强 responsible
	in := e.input("民俗节庆")
	in.UnitID, in.CoUnitIDs, in.LeaderID, in.TotalInvest, in.Tier = fmt.Sprint(e.culture.ID), nil, fmt.Sprint(e.otherLeader.ID), "50000", "rolling"
	in.Flagship = true
	b, err := e.create(e.chief, in)
	if err != nil {
		t.Fatal(err)
	}
	names := func(by auth.Actor, f project.Filter) string {
		list, total, err := project.List(context.Background(), e.d, by, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range list {
			out = append(out, p.Name)
		}
		return fmt.Sprintf("%d:%v", total, out)
	}
	village := auth.Actor{UserID: 9, Grants: []auth.Grant{{Role: auth.Staff, UnitID: e.v1.ID, UnitPath: e.v1.Path}}}
	outsideLeader := auth.Actor{UserID: 10, PersonID: e.leader.ID, Grants: []auth.Grant{{Role: auth.Leader, UnitID: e.v1.ID, UnitPath: e.v1.Path}}}
	for _, tc := range []struct {
		name string
		by   auth.Actor
		f    project.Filter
		want string
	}{
		{"chief sees all, by code", e.chief, project.Filter{}, "2:[XX湾蓝色经济产业园 民俗节庆]"},
		{"lead unit staff", e.staff, project.Filter{}, "1:[XX湾蓝色经济产业园]"},
		{"cooperating unit staff sees both", e.culStaff, project.Filter{}, "2:[XX湾蓝色经济产业园 民俗节庆]"},
		{"a village sees none", village, project.Filter{}, "0:[]"},
		{"a leader granted elsewhere still sees their own", outsideLeader, project.Filter{}, "1:[XX湾蓝色经济产业园]"},
		{"search by name", e.chief, project.Filter{Query: "民俗"}, "1:[民俗节庆]"},
		{"search by code", e.chief, project.Filter{Query: a.Code}, "1:[XX湾蓝色经济产业园]"},
		{"tier", e.chief, project.Filter{Tier: project.Rolling}, "1:[民俗节庆]"},
		{"flagship", e.chief, project.Filter{Flagship: true}, "1:[民俗节庆]"},
		{"leader filter", e.chief, project.Filter{LeaderID: e.leader.ID}, "1:[XX湾蓝色经济产业园]"},
		{"unit filter", e.chief, project.Filter{UnitID: e.culture.ID}, "1:[民俗节庆]"},
		{"largest investment first", e.chief, project.Filter{Sort: "invest"}, "2:[民俗节庆 XX湾蓝色经济产业园]"},
		{"paged", e.chief, project.Filter{Limit: 1, Offset: 1}, "2:[民俗节庆]"},
	} {
		if got := names(tc.by, tc.f); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	list, _, err := project.List(context.Background(), e.d, e.chief, project.Filter{Details: true, Query: b.Code})
	if err != nil || len(list) != 1 || len(list[0].Milestones) != 2 {
		t.Errorf("details: %v %v", list, err)
	}
}

func TestChanges_InPlainWords(t *testing.T) {
	e := newEnv(t)
	p, _ := e.create(e.staff, e.input("闲置厂房技术改造"))
	in := e.input("闲置厂房技术改造")
	in.PlannedStart = "2026-05-15"
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		if _, err := project.Update(ctx, tx, e.staff, p.ID, in); err != nil {
			return err
		}
		_, err := project.SetStage(ctx, tx, e.staff, p.ID, project.Signed, "2026-03-15", "签约仪式")
		return err
	})
	rows, err := audit.ForObject(context.Background(), e.d, "project", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range project.Changes(rows) {
		lines = append(lines, c.Text)
	}
	want := []string{"把 阶段 从 谋划 改为 签约（2026-03-15）：签约仪式", "把 计划开工日期 从 2026-04-01 改为 2026-05-15", "新建项目"}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Errorf("changes:\n%v\nwant\n%v", lines, want)
	}
	cats, err := project.Categories(context.Background(), e.d)
	if err != nil || len(cats) != 8 || cats[0].Name != "海洋经济" {
		t.Errorf("categories %v %v", cats, err)
	}
	tpls, err := project.NodeTemplates(context.Background(), e.d)
	if err != nil || len(tpls) != 3 || tpls[0].Nodes[0] != "签约" || len(tpls[0].Nodes) != 9 {
		t.Errorf("templates %v %v", tpls, err)
	}
}

func TestCreate_AnExistingProjectKeepsItsStageAndDate(t *testing.T) {
	e := newEnv(t)
	in := e.input("已签约项目")
	in.Stage, in.StageSince = "signed", "2025-11-01"
	p, err := e.create(e.staff, in)
	if err != nil {
		t.Fatal(err)
	}
	if p.Stage != project.Signed || project.FormatDate(p.StageSince) != "2025-11-01" {
		t.Errorf("stage %s since %s", p.Stage, project.FormatDate(p.StageSince))
	}
	if s, days, ok := project.StallOf(p.Facts(project.Day(2026, 3, 15), ""), project.Day(2026, 3, 15), project.DefaultRules()); !ok || s != project.SignedNotLanded || days != 134 {
		t.Errorf("stall %s %d %v", s, days, ok)
	}
	in = e.input("未来项目")
	in.Stage, in.StageSince = "signed", "2026-04-01"
	_, err = e.create(e.staff, in)
	wantKind(t, err, apperr.Invalid)
}
