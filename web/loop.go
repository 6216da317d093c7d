package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"guatu/auth"
	"guatu/db"
	"guatu/meeting"
	"guatu/notify"
	"guatu/problem"
	"guatu/remind"
	"guatu/report"
	"guatu/worktime"
)

// The links between the areas of the monthly loop on the pages: the
// meeting's agenda and 纪要 read the problems back, and 催报 and 退回 are
// told to the unit.

// agendaProblems are the problems a dispatch meeting looks at.
type agendaProblems struct {
	New       []problemItem // raised in the meeting's month
	Overdue   []problemItem // open past their deadline
	Escalated []problemItem // overdue by 7 working days or more: the 主要领导's
}

// problemItem is a problem as the agenda shows it.
type problemItem struct {
	ID         int64
	Title      string
	UnitName   string
	LeaderName string
	Due        time.Time
	State      string
	Urgency    string
}

func itemOf(p *problem.Problem, due time.Time, u worktime.Urgency) problemItem {
	it := problemItem{ID: p.ID, Title: p.Title, UnitName: p.UnitName, LeaderName: p.LeaderName, Due: due, State: p.State.Label()}
	if u != worktime.OnTrack {
		it.Urgency = u.Label()
	}
	return it
}

// agendaProblems lists the month's new problems and the overdue ones the
// actor may read, under the meeting's unit.
func (s *Server) agendaProblems(r *http.Request, m *meeting.Meeting) (agendaProblems, error) {
	var ag agendaProblems
	cal, err := worktime.Load(r.Context(), s.db)
	if err != nil {
		return ag, err
	}
	today := s.today()
	all, _, err := problem.List(r.Context(), s.db, actor(r), problem.Filter{})
	if err != nil {
		return ag, err
	}
	for _, p := range all {
		if !strings.HasPrefix(p.UnitPath, m.UnitPath) {
			continue
		}
		u, due := problem.Judge(p, today, cal)
		if report.PeriodOf(p.CreatedAt.In(s.loc)) == m.Period {
			ag.New = append(ag.New, itemOf(p, due, u))
		}
		if u >= worktime.Overdue {
			ag.Overdue = append(ag.Overdue, itemOf(p, due, u))
		}
		if u == worktime.OverdueLong {
			ag.Escalated = append(ag.Escalated, itemOf(p, due, u))
		}
	}
	return ag, nil
}

// assignedWork is a 交办 as the 纪要 lists it.
type assignedWork struct {
	ID         int64
	Title      string
	UnitName   string
	LeaderName string
	Due        time.Time
	State      string
}

func (s *Server) assignedWork(r *http.Request, id int64) (assignedWork, error) {
	p, err := problem.Get(r.Context(), s.db, id)
	if err != nil {
		return assignedWork{}, err
	}
	return assignedWork{ID: p.ID, Title: p.Title, UnitName: p.UnitName, LeaderName: p.LeaderName, Due: p.Deadline, State: p.State.Label()}, nil
}

// notifyReminded tells each unit reminded what it still owes: the same
// notice as the scheduler's, as a 催报 from the office.
func (s *Server) notifyReminded(ctx context.Context, tx *db.Tx, a auth.Actor, period report.Period, deadline time.Time, sent []report.Reminded) error {
	for _, r := range sent {
		if err := remind.PostReminder(ctx, tx, period, deadline, report.NoReminder, r); err != nil {
			return err
		}
	}
	return nil
}

// notifyReturned tells the unit its report came back, and why.
func (s *Server) notifyReturned(ctx context.Context, tx *db.Tx, a auth.Actor, r *report.Report) error {
	return notify.Post(ctx, tx, notify.Message{Kind: notify.KindReport, Title: fmt.Sprintf("月报被退回：%s %s", r.ProjectName, r.Period.Label()),
		Body: "退回原因：" + r.ReturnReason + "\n请修改后重新报送。", Link: fmt.Sprintf("/projects/%d/report?period=%s", r.ProjectID, r.Period.Key()),
		UnitID: r.UnitID, To: []notify.Recipient{notify.UnitStaff(r.UnitID)}, NoRobots: true})
}
