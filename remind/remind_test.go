package remind_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"guatu/account"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/notify"
	"guatu/org"
	"guatu/problem"
	"guatu/project"
	"guatu/remind"
	"guatu/report"
	"guatu/worktime"
)

var sys = auth.SystemActor("test")

type env struct {
	t              *testing.T
	d              *db.DB
	econ           *org.Unit
	staff, leader  auth.Actor
	chief, officer auth.Actor
}

func newEnv(t *testing.T) *env {
	e := &env{t: t, d: dbtest.New(t)}
	ctx := context.Background()
	err := e.d.InTx(ctx, func(tx *db.Tx) error {
		town, err := org.CreateRoot(ctx, tx, sys, org.Town, "XX镇")
		if err != nil {
			return err
		}
		if e.econ, err = org.CreateUnit(ctx, tx, sys, org.UnitInput{ParentID: fmt.Sprint(town.ID), Kind: string(org.Office), Name: "经发办"}); err != nil {
			return err
		}
		lead, err := org.CreatePerson(ctx, tx, sys, org.PersonInput{UnitID: fmt.Sprint(town.ID), Name: "林志强", Position: "副镇长"})
		if err != nil {
			return err
		}
		if _, err := org.SetLeaderUnits(ctx, tx, sys, lead.ID, []int64{e.econ.ID}); err != nil {
			return err
		}
		user := func(name string, role auth.Role, unit *org.Unit, person int64) auth.Actor {
			in := account.Input{Username: name, DisplayName: name, UnitID: fmt.Sprint(unit.ID)}
			if person != 0 {
				in.PersonID = fmt.Sprint(person)
			}
			u, _, err := account.Create(ctx, tx, sys, in)
			if err != nil {
				t.Fatal(err)
			}
			if err := account.Grant(ctx, tx, sys, u.ID, role, unit.ID); err != nil {
				t.Fatal(err)
			}
			return auth.Actor{UserID: u.ID, Username: name, Name: name, Grants: []auth.Grant{{Role: role, UnitID: unit.ID, UnitPath: unit.Path}}}
		}
		e.staff = user("staff", auth.Staff, e.econ, 0)
		e.leader = user("leader", auth.Leader, town, lead.ID)
		e.chief = user("chief", auth.Chief, town, 0)
		e.officer = user("officer", auth.Supervisor, town, 0)
		_, err = project.Create(ctx, tx, sys, project.Input{Name: "冷链中心", CategoryID: "1", Tier: "active", Stage: "started", UnitID: fmt.Sprint(e.econ.ID)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// at is a moment in Shanghai.
func at(m time.Month, d, hour int) time.Time {
	return time.Date(2026, m, d, hour, 0, 0, 0, dbtest.Shanghai)
}

func (e *env) inbox(a auth.Actor) []*notify.Notice {
	list, _, err := notify.Inbox(context.Background(), e.d, a, 1, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

func (e *env) run(job func(context.Context, time.Time) error, now time.Time) {
	e.d.Clock = func() time.Time { return now }
	if err := job(context.Background(), now); err != nil {
		e.t.Fatal(err)
	}
}

func TestReports_RemindOnceAndCloseTheMonth(t *testing.T) {
	e := newEnv(t)
	job := remind.Reports(e.d)

	// 3-25 is a Wednesday: 3-20 (Friday) is 3 working days before. Nothing goes out before 08:00.
	e.run(job, at(3, 20, 7))
	if n := len(e.inbox(e.staff)); n != 0 {
		t.Fatalf("reminders before working hours: %d", n)
	}
	e.run(job, at(3, 20, 9))
	e.run(job, at(3, 20, 10)) // the next minute, or a second server: nothing more
	got := e.inbox(e.staff)
	if len(got) != 1 || got[0].Title != "2026年3月月报将于 3月25日 截止" {
		t.Fatalf("ahead: %+v", got)
	}
	e.run(job, at(3, 23, 9)) // no reminder between
	e.run(job, at(3, 25, 9))
	if got := e.inbox(e.staff); len(got) != 2 || got[0].Title != "2026年3月月报今天截止" {
		t.Fatalf("on the day: %+v", got)
	}
	// After the deadline: every working day, to the unit and its 分管领导.
	e.run(job, at(3, 26, 9))
	e.run(job, at(3, 27, 9))
	if got := e.inbox(e.leader); len(got) != 2 || got[0].Title != "2026年3月月报已逾期，请尽快报送" {
		t.Fatalf("overdue to the leader: %+v", got)
	}
	b, err := report.LoadBoard(context.Background(), e.d, sys, 0, report.Period{Year: 2026, Month: 3}, project.Day(2026, 3, 27), report.DefaultConfig(), mustCal(t, e))
	if err != nil || b.Units[0].Reminders != 4 {
		t.Errorf("reminders counted on the board: %+v %v", b.Units, err)
	}
	// Five days after the deadline the month closes by itself.
	e.run(job, at(3, 30, 1))
	if closed, _ := report.IsClosed(context.Background(), e.d, report.Period{Year: 2026, Month: 3}, e.econ.Path); !closed {
		t.Fatal("the month did not close itself")
	}
	// (February, long past its close day, closed on the first run.)
	if got := e.inbox(e.officer); len(got) != 2 || got[0].Title != "2026年3月月报已关账" || got[1].Title != "2026年2月月报已关账" {
		t.Errorf("the office is told of each close: %d", len(got))
	}
	e.run(job, at(3, 30, 9)) // closed: no more reminders for March
	if got := e.inbox(e.staff); len(got) != 4 {
		t.Errorf("reminders after the close: %d", len(got))
	}
}

func TestProblems_EscalateStepByStep(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.d.Clock = func() time.Time { return at(3, 2, 9) }
	var p *problem.Problem
	err := e.d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		p, err = problem.Create(ctx, tx, e.officer, problem.Input{Title: "电力增容未批复", Category: "utilities", Source: "meeting",
			UnitID: fmt.Sprint(e.econ.ID), DeadlineKind: problem.ByDate, Deadline: "2026-03-13"})
		if err != nil {
			return err
		}
		_, err = problem.Sign(ctx, tx, e.staff, p.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.inbox(e.staff); len(got) != 1 || got[0].Title != "交办：电力增容未批复" {
		t.Fatalf("the unit hears of the 交办: %+v", got)
	}
	job := remind.Problems(e.d)
	e.run(job, at(3, 10, 9)) // 3 working days before 3-13
	e.run(job, at(3, 11, 9))
	e.run(job, at(3, 16, 9)) // overdue: the 分管领导 too
	e.run(job, at(3, 24, 9)) // 7 working days late: the 主要领导 too
	e.run(job, at(3, 25, 9))
	if got := e.inbox(e.staff); len(got) != 4 {
		t.Errorf("the unit: %d notices, want 交办 + due soon + overdue + escalated", len(got))
	}
	if got := e.inbox(e.leader); len(got) != 3 { // 交办 (as 分管领导), overdue, escalated
		t.Errorf("the leader: %d notices", len(got))
	}
	if got := e.inbox(e.chief); len(got) != 1 || got[0].Title != "问题逾期 7 个工作日：电力增容未批复" {
		t.Errorf("the chief: %+v", got)
	}
}

func mustCal(t *testing.T, e *env) worktime.Calendar {
	c, err := worktime.Load(context.Background(), e.d)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A unit owing many reports still gets its 催报: the list is cut to fit a notice.
func TestPostReminder_LongListFits(t *testing.T) {
	e := newEnv(t)
	var rows []report.Row
	for i := range 120 {
		rows = append(rows, report.Row{Project: &project.Project{Name: fmt.Sprintf("第%03d号滨海新区重点产业项目配套基础设施建设工程（一期、二期）", i)}})
	}
	r := report.Reminded{UnitID: e.econ.ID, UnitName: "经发办", Owed: len(rows), Rows: rows}
	err := e.d.InTx(context.Background(), func(tx *db.Tx) error {
		return remind.PostReminder(context.Background(), tx, report.Period{Year: 2026, Month: 3}, project.Day(2026, 3, 25), report.Overdue, r)
	})
	if err != nil {
		t.Fatal(err)
	}
	got := e.inbox(e.staff)
	if len(got) != 1 || !strings.Contains(got[0].Body, "等 ") || !strings.Contains(got[0].Body, "个项目") {
		t.Errorf("long 催报: %+v", got)
	}
}
