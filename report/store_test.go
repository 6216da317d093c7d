package report_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"guatu/apperr"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/org"
	"guatu/problem"
	"guatu/project"
	"guatu/report"
	"guatu/worktime"
)

var sys = auth.SystemActor("test")

type env struct {
	t                  *testing.T
	d                  *db.DB
	town, econ, v1     *org.Unit
	staff, v1Staff     auth.Actor
	supervisor, viewer auth.Actor
	cal                worktime.Calendar
}

func actorOn(role auth.Role, u *org.Unit, id int64) auth.Actor {
	return auth.Actor{UserID: id, Username: string(role), Name: role.Label() + u.Name,
		Grants: []auth.Grant{{Role: role, UnitID: u.ID, UnitPath: u.Path, UnitName: u.Name}}}
}

func newEnv(t *testing.T) *env {
	e := &env{t: t, d: dbtest.New(t)}
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		if e.town, err = org.CreateRoot(ctx, tx, sys, org.Town, "XX镇"); err != nil {
			return err
		}
		if e.econ, err = org.CreateUnit(ctx, tx, sys, org.UnitInput{ParentID: fmt.Sprint(e.town.ID), Kind: string(org.Office), Name: "经发办"}); err != nil {
			return err
		}
		e.v1, err = org.CreateUnit(ctx, tx, sys, org.UnitInput{ParentID: fmt.Sprint(e.town.ID), Kind: string(org.Village), Name: "东岙村"})
		return err
	})
	e.staff = actorOn(auth.Staff, e.econ, 11)
	e.v1Staff = actorOn(auth.Staff, e.v1, 12)
	e.supervisor = actorOn(auth.Supervisor, e.town, 13)
	e.viewer = actorOn(auth.Viewer, e.town, 14)
	e.cal = worktime.New(nil)
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

// project makes a started 实施库 project of 经发办 with a 2026 plan of
// 1200 万元 and two milestones.
func (e *env) project(name string) *project.Project {
	var p *project.Project
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		p, err = project.Create(ctx, tx, sys, project.Input{Name: name, CategoryID: "1", Tier: "active", Stage: "started", StageSince: "2026-01-10",
			UnitID: fmt.Sprint(e.econ.ID), TotalInvest: "5000", CompletedInvest: "300", PlanYear: "2026", PlanInvest: "1200",
			Milestones: []project.MilestoneInput{{Name: "主体封顶", Planned: "2026-03-20"}, {Name: "竣工验收", Planned: "2026-09-30"}}})
		return err
	})
	return p
}

func (e *env) get(id int64) *project.Project {
	p, err := project.Get(context.Background(), e.d, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// problems are the project's tracked problems, oldest first.
func (e *env) problems(projectID int64) []*problem.Problem {
	list, _, err := problem.List(context.Background(), e.d, sys, problem.Filter{ProjectID: projectID})
	if err != nil {
		e.t.Fatal(err)
	}
	slices.SortFunc(list, func(a, b *problem.Problem) int { return int(a.ID - b.ID) })
	return list
}

var march = report.Period{Year: 2026, Month: time.March}

func day(m time.Month, d int) time.Time { return worktime.Date(2026, m, d) }

func TestSave_SubmitReturnResubmit(t *testing.T) {
	e := newEnv(t)
	p := e.project("港区冷链物流中心")
	topped := p.Milestones[0].ID
	ctx := context.Background()

	// A draft needs nothing filled in and changes nothing in the project.
	var r *report.Report
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		r, err = report.Save(ctx, tx, e.staff, p.ID, march, report.Input{MonthInvest: "150"}, false, day(3, 20))
		return err
	})
	if r.Status != report.Draft || e.get(p.ID).CompletedInvest != 3_000_000 {
		t.Fatalf("draft: status %s, project completed %d", r.Status, e.get(p.ID).CompletedInvest)
	}

	// Submitting needs 形象进度 and next month's plan; nothing is kept when refused.
	err := e.try(func(ctx context.Context, tx *db.Tx) error {
		_, err := report.Save(ctx, tx, e.staff, p.ID, march, report.Input{MonthInvest: "150", Reached: map[int64]string{topped: "2026-04-02"}}, true, day(3, 20))
		return err
	})
	fields := apperr.FieldsOf(err)
	if fields["progress"] == "" || fields["next_plan"] == "" || fields[fmt.Sprintf("reached_%d", topped)] == "" {
		t.Fatalf("incomplete submission: %v", err)
	}

	// The submission adds the month's investment and reaches the milestone;
	// each new problem line becomes a tracked problem of the unit.
	in := report.Input{MonthInvest: "150", Progress: "主体结构封顶", NextPlan: "内部装修", Reached: map[int64]string{topped: "2026-03-18"},
		Problems: "电力增容审批未批复\n\n施工用水不足"}
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		r, err = report.Save(ctx, tx, e.staff, p.ID, march, in, true, day(3, 20))
		return err
	})
	got := e.get(p.ID)
	if r.Status != report.Submitted || r.Version != 1 || !r.FirstSubmittedOn.Equal(day(3, 20)) {
		t.Fatalf("submitted: %+v", r)
	}
	if got.CompletedInvest != 4_500_000 || got.Plan(2026).Completed != 1_500_000 {
		t.Errorf("investment after submission: total %d, year %d", got.CompletedInvest, got.Plan(2026).Completed)
	}
	if !got.Milestones[0].Actual.Equal(day(3, 18)) {
		t.Errorf("milestone reached on %v", got.Milestones[0].Actual)
	}
	tracked := e.problems(p.ID)
	if len(tracked) != 2 || tracked[1].Title != "施工用水不足" || tracked[1].Category != problem.Utilities || tracked[0].Category != problem.Approval ||
		tracked[0].UnitID != e.econ.ID || tracked[0].Source != problem.FromReport || tracked[0].SourceID != r.ID || r.Problems[0].ProblemID != tracked[0].ID {
		t.Errorf("problems tracked: %+v", tracked)
	}

	// Locked: the unit cannot change a submitted report.
	err = e.try(func(ctx context.Context, tx *db.Tx) error {
		_, err := report.Save(ctx, tx, e.staff, p.ID, march, in, true, day(3, 21))
		return err
	})
	if apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("change after submission: %v", err)
	}

	// Only the supervision office returns, and only with a reason.
	if err := e.try(func(ctx context.Context, tx *db.Tx) error {
		_, err := report.Return(ctx, tx, e.staff, r.ID, "数字不对")
		return err
	}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("staff returning: %v", err)
	}
	if err := e.try(func(ctx context.Context, tx *db.Tx) error {
		_, err := report.Return(ctx, tx, e.supervisor, r.ID, "  ")
		return err
	}); apperr.FieldsOf(err)["reason"] == "" {
		t.Errorf("return without reason: %v", err)
	}
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		_, err := report.Return(ctx, tx, e.supervisor, r.ID, "本月投资与财务数据不符，请核实")
		return err
	})

	// Corrected: less investment, the milestone not reached after all.
	// Only the difference comes off, and the milestone's day is taken back;
	// the problems already tracked are not handed over again.
	in.MonthInvest, in.Reached = "100", nil
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		r, err = report.Save(ctx, tx, e.staff, p.ID, march, in, true, day(3, 27))
		return err
	})
	got = e.get(p.ID)
	if got.CompletedInvest != 4_000_000 || got.Plan(2026).Completed != 1_000_000 || !got.Milestones[0].Actual.IsZero() {
		t.Errorf("after correction: total %d, year %d, milestone %v", got.CompletedInvest, got.Plan(2026).Completed, got.Milestones[0].Actual)
	}
	if r.Version != 2 || !r.FirstSubmittedOn.Equal(day(3, 20)) || len(e.problems(p.ID)) != 2 {
		t.Errorf("resubmission: version %d, first in %v, problems tracked %d", r.Version, r.FirstSubmittedOn, len(e.problems(p.ID)))
	}
	// Returned again, the corrected report may tick the milestone it took back.
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		_, err := report.Return(ctx, tx, e.supervisor, r.ID, "节点其实已完成")
		return err
	})
	in.Reached = map[int64]string{topped: "2026-03-19"}
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		r, err = report.Save(ctx, tx, e.staff, p.ID, march, in, true, day(3, 28))
		return err
	})
	if got := e.get(p.ID); !got.Milestones[0].Actual.Equal(day(3, 19)) || r.Version != 3 {
		t.Errorf("ticked again: milestone %v, version %d", got.Milestones[0].Actual, r.Version)
	}
	// A draft that unticks it (the day stays until a submission takes it
	// back) still lets it be ticked again.
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		_, err := report.Return(ctx, tx, e.supervisor, r.ID, "再核实")
		return err
	})
	draft := in
	draft.Reached = nil
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		_, err := report.Save(ctx, tx, e.staff, p.ID, march, draft, false, day(3, 29))
		return err
	})
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		r, err = report.Save(ctx, tx, e.staff, p.ID, march, in, true, day(3, 29))
		return err
	})
	if got := e.get(p.ID); !got.Milestones[0].Actual.Equal(day(3, 19)) || r.Version != 4 {
		t.Errorf("after a draft that unticked it: milestone %v, version %d", got.Milestones[0].Actual, r.Version)
	}
	versions, err := report.Versions(ctx, e.d, r.ID)
	if err != nil || len(versions) != 4 || versions[3].ReturnReason == "" || versions[3].Content.MonthInvest != 1_500_000 || versions[2].Content.MonthInvest != 1_000_000 {
		t.Errorf("versions: %+v %v", versions, err)
	}
}

func TestSave_WhoMayReport(t *testing.T) {
	e := newEnv(t)
	p := e.project("海洋牧场")
	for _, c := range []struct {
		name string
		by   auth.Actor
		want apperr.Kind
	}{
		{"the lead unit's staff", e.staff, 0},
		{"the supervision office", e.supervisor, 0},
		{"a viewer", e.viewer, apperr.Forbidden},
		{"another unit's staff cannot even see it", e.v1Staff, apperr.NotFound},
	} {
		err := e.try(func(ctx context.Context, tx *db.Tx) error {
			_, err := report.Save(ctx, tx, c.by, p.ID, march, report.Input{}, false, day(3, 10))
			return err
		})
		if apperr.KindOf(err) != c.want {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// A project still being negotiated owes no report; a future month cannot be reported.
	var planning *project.Project
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		planning, err = project.Create(ctx, tx, sys, project.Input{Name: "洽谈中", CategoryID: "1", Tier: "active", Stage: "negotiating", UnitID: fmt.Sprint(e.econ.ID)})
		return err
	})
	for _, c := range []struct {
		id     int64
		period report.Period
	}{{planning.ID, march}, {p.ID, march.Next()}} {
		err := e.try(func(ctx context.Context, tx *db.Tx) error {
			_, err := report.Save(ctx, tx, e.staff, c.id, c.period, report.Input{}, false, day(3, 10))
			return err
		})
		if apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("project %d, %s: %v", c.id, c.period.Label(), err)
		}
	}
}

func TestBoard_RemindAndClose(t *testing.T) {
	e := newEnv(t)
	onTime, late, missing := e.project("按时项目"), e.project("迟报项目"), e.project("未报项目")
	submit := func(p *project.Project, on time.Time) {
		e.tx(func(ctx context.Context, tx *db.Tx) error {
			_, err := report.Save(ctx, tx, e.staff, p.ID, march, report.Input{MonthInvest: "10", Progress: "推进", NextPlan: "继续"}, true, on)
			return err
		})
	}
	submit(onTime, day(3, 25))
	submit(late, day(3, 27))
	cfg := report.DefaultConfig()
	ctx := context.Background()
	b, err := report.LoadBoard(ctx, e.d, e.supervisor, 0, march, day(3, 30), cfg, e.cal)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Units) != 1 || b.Total.Due != 3 || b.Total.OnTime != 1 || b.Total.Late != 1 || b.Total.Missing != 1 {
		t.Fatalf("board: %+v", b.Total)
	}
	standing := map[int64]report.Standing{}
	for _, r := range b.Rows {
		standing[r.Project.ID] = r.Standing
	}
	if standing[onTime.ID] != report.OnTime || standing[late.ID] != report.Late || standing[missing.ID] != report.Missing {
		t.Errorf("standings: %v", standing)
	}

	// 催报 reaches the unit with what it still owes and is counted.
	var sent []report.Reminded
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		sent, err = report.Remind(ctx, tx, e.supervisor, b, nil, report.ManualReminder)
		return err
	})
	if len(sent) != 1 || sent[0].Owed != 1 || sent[0].Rows[0].Project.ID != missing.ID {
		t.Fatalf("reminded: %+v", sent)
	}
	if err := e.try(func(ctx context.Context, tx *db.Tx) error {
		_, err := report.Remind(ctx, tx, e.staff, b, nil, report.ManualReminder)
		return err
	}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("staff sending 催报: %v", err)
	}
	b, _ = report.LoadBoard(ctx, e.d, e.supervisor, 0, march, day(3, 30), cfg, e.cal)
	if b.Units[0].Reminders != 1 {
		t.Errorf("reminders counted: %d", b.Units[0].Reminders)
	}

	// The light knows the missing report once the deadline has passed.
	due, err := report.LoadDue(ctx, e.d, day(3, 30), cfg, e.cal)
	if err != nil || due.Missing(missing) != "2026年3月" || due.Missing(onTime) != "" {
		t.Errorf("due: %q %q %v", due.Missing(missing), due.Missing(onTime), err)
	}
	if before, _ := report.LoadDue(ctx, e.d, day(3, 25), cfg, e.cal); before.Period != march.Prev() {
		t.Errorf("on the deadline day the month due is %s", before.Period.Label())
	}

	// Closing freezes each light; closing twice or before the deadline is refused.
	if err := e.try(func(ctx context.Context, tx *db.Tx) error {
		_, err := report.Close(ctx, tx, e.supervisor, e.town.ID, march, day(3, 25), project.DefaultRules(), cfg, e.cal, false)
		return err
	}); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("closing on the deadline day: %v", err)
	}
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		n, err := report.Close(ctx, tx, e.supervisor, e.town.ID, march, day(3, 31), project.DefaultRules(), cfg, e.cal, false)
		if n != 3 {
			t.Errorf("froze %d projects", n)
		}
		return err
	})
	if err := e.try(func(ctx context.Context, tx *db.Tx) error {
		_, err := report.Close(ctx, tx, e.supervisor, e.town.ID, march, day(3, 31), project.DefaultRules(), cfg, e.cal, false)
		return err
	}); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("closing twice: %v", err)
	}
	hist, err := report.LightHistory(ctx, e.d, missing.ID)
	if err != nil || len(hist) != 1 || hist[0].Standing != report.Missing || hist[0].Light == project.Green {
		t.Fatalf("history of the missing project: %+v %v", hist, err)
	}
	found := false
	for _, r := range hist[0].Reasons {
		found = found || r == "2026年3月月报逾期未报"
	}
	if !found {
		t.Errorf("frozen reasons %q lack the missing report", hist[0].Reasons)
	}
	// The month stays as frozen when the project catches up.
	submit(missing, day(4, 2))
	if again, _ := report.LightHistory(ctx, e.d, missing.ID); again[0].Standing != report.Missing {
		t.Errorf("frozen month changed after a late report: %+v", again[0])
	}
}

// A month is closed for a unit's subtree, by the office over it, and each
// project keeps the first freeze it got; another town's office cannot
// close this one.
func TestClose_ByUnitAndWithMonthEndFacts(t *testing.T) {
	e := newEnv(t)
	p := e.project("冷库")
	cfg, rules := report.DefaultConfig(), project.DefaultRules()
	var other *org.Unit
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		other, err = org.CreateRoot(ctx, tx, sys, org.Town, "YY镇")
		return err
	})
	stranger := actorOn(auth.Supervisor, other, 21)
	if err := e.try(func(ctx context.Context, tx *db.Tx) error {
		_, err := report.Close(ctx, tx, stranger, e.town.ID, march, day(4, 20), rules, cfg, e.cal, false)
		return err
	}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("another town's office closing: %v", err)
	}

	// March: 100 万 reported; April: 200 万 more and the first milestone reached on 4-10.
	topped := p.Milestones[0].ID
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		if _, err := report.Save(ctx, tx, e.staff, p.ID, march, report.Input{MonthInvest: "100", Progress: "施工", NextPlan: "封顶"}, true, day(3, 24)); err != nil {
			return err
		}
		_, err := report.Save(ctx, tx, e.staff, p.ID, march.Next(), report.Input{MonthInvest: "200", Progress: "封顶", NextPlan: "装修",
			Reached: map[int64]string{topped: "2026-04-10"}}, true, day(4, 20))
		return err
	})
	// March closed late, on 4-21: it is frozen as it stood at its end.
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		n, err := report.Close(ctx, tx, e.supervisor, e.town.ID, march, day(4, 21), rules, cfg, e.cal, false)
		if n != 1 {
			t.Errorf("froze %d", n)
		}
		return err
	})
	lights, err := report.MonthLights(context.Background(), e.d, march)
	if err != nil {
		t.Fatal(err)
	}
	m := lights[p.ID]
	if m.CompletedYear != 1_000_000 || m.Completed != 3_000_000+1_000_000 {
		t.Errorf("March froze year %d, total %d: April's report counted", m.CompletedYear, m.Completed)
	}
	overdue := false
	for _, r := range m.Reasons {
		overdue = overdue || strings.Contains(r, "主体封顶")
	}
	if !overdue || m.MilestonesDue != 1 || m.MilestonesOnTime != 0 {
		t.Errorf("the milestone planned 3-20 and reached 4-10 was overdue at March's end: %q, %d due, %d on time", m.Reasons, m.MilestonesDue, m.MilestonesOnTime)
	}
	if closed, _ := report.IsClosed(context.Background(), e.d, march, e.v1.Path); !closed {
		t.Error("the town's close does not cover its village")
	}
	if closed, _ := report.IsClosed(context.Background(), e.d, march, other.Path); closed {
		t.Error("the town's close covers another town")
	}
}
