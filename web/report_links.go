package web

import (
	"context"
	"net/http"
	"time"

	"guatu/auth"
	"guatu/db"
	"guatu/meeting"
	"guatu/report"
)

// The monthly report's links to problems and notifications.

// problemFromReport makes a problem line of a submitted report a tracked problem.
func (s *Server) problemFromReport(ctx context.Context, tx *db.Tx, a auth.Actor) func(*report.Report, string) (int64, error) {
	return nil
}

// notifyReminded tells each unit reminded what it still owes.
func (s *Server) notifyReminded(ctx context.Context, tx *db.Tx, a auth.Actor, period report.Period, deadline time.Time, sent []report.Reminded) error {
	return nil
}

// notifyReturned tells the unit its report came back, and why.
func (s *Server) notifyReturned(ctx context.Context, tx *db.Tx, a auth.Actor, r *report.Report) error {
	return nil
}

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

// assignedWork is a 交办 as the 纪要 lists it.
type assignedWork struct {
	ID         int64
	Title      string
	UnitName   string
	LeaderName string
	Due        time.Time
	State      string
}

func (s *Server) agendaProblems(r *http.Request, m *meeting.Meeting) (agendaProblems, error) {
	return agendaProblems{}, nil
}

func (s *Server) assignFromMeeting(ctx context.Context, tx *db.Tx, a auth.Actor) func(meeting.Assignment) (int64, error) {
	return nil
}

func (s *Server) assignedWork(r *http.Request, id int64) (assignedWork, error) {
	return assignedWork{ID: id}, nil
}
