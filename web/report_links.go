package web

import (
	"context"
	"time"

	"guatu/auth"
	"guatu/db"
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
