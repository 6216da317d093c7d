package main

import (
	"log/slog"

	"guatu/db"
	"guatu/notify"
	"guatu/remind"
	"guatu/schedule"
)

// scheduledJobs is every job the server runs each minute. Each area's
// reminders are added before the robot outbox, so that what a reminder
// posts in a tick leaves in the same tick; every reminder guards itself
// with notify.Once, so several servers sharing a PostgreSQL database may
// all run this list.
func scheduledJobs(d *db.DB, robots *notify.Sender, log *slog.Logger) *schedule.Scheduler {
	s := schedule.New(log)
	s.Add("report-reminders", remind.Reports(d))
	s.Add("problem-escalations", remind.Problems(d))
	s.Add("instruction-escalations", remind.Instructions(d))
	s.Add("robot-outbox", (&notify.Worker{DB: d, Sender: robots, Log: log}).RunOnce)
	return s
}
