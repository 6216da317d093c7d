// Package report is 一月一调度's monthly reports: the periods, their
// deadlines counted on the working-day calendar, which projects owe a
// report, whether one came in on time, and when reminders go out
// (issue 4 §2–§3, DESIGN.md §4).
//
// This file holds the rules, pure functions of the facts and "today" with
// table tests; dates are calendar days at midnight UTC, as in package
// project and package worktime.
package report

import (
	"fmt"
	"time"

	"guatu/project"
	"guatu/worktime"
)

// Period is the month a report covers.
type Period struct {
	Year  int
	Month time.Month
}

// PeriodOf is the period that contains day d.
func PeriodOf(d time.Time) Period { return Period{d.Year(), d.Month()} }

// ParsePeriod reads a period key, "2026-03".
func ParsePeriod(s string) (Period, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return Period{}, fmt.Errorf("“%s”不是有效的月份，应为 2026-03 这样的格式", s)
	}
	return Period{t.Year(), t.Month()}, nil
}

// Key is the period as stored and in links, "2026-03".
func (p Period) Key() string { return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month)) }

// Label is the period's Chinese name, "2026年3月".
func (p Period) Label() string { return fmt.Sprintf("%d年%d月", p.Year, int(p.Month)) }

// First is the period's first day.
func (p Period) First() time.Time { return worktime.Date(p.Year, p.Month, 1) }

// Last is the period's last day.
func (p Period) Last() time.Time { return p.First().AddDate(0, 1, -1) }

// Next is the following month.
func (p Period) Next() Period { return PeriodOf(p.First().AddDate(0, 1, 0)) }

// Prev is the month before.
func (p Period) Prev() Period { return PeriodOf(p.First().AddDate(0, -1, 0)) }

// DefaultDeadlineDay is the day of the month reports are due (issue 4 §2).
const DefaultDeadlineDay = 25

// Deadline is the period's deadline: the given day of the month (its last
// day when the month is shorter), moved to the next working day when it
// falls on a day off. A deadline moved past the month's end stays there: the
// units still have their working days to report.
func (p Period) Deadline(day int, cal worktime.Calendar) time.Time {
	d := p.First().AddDate(0, 0, day-1)
	if day < 1 || d.After(p.Last()) {
		d = p.Last()
	}
	return cal.NextWorkday(d)
}

// Owes reports whether a project owes a monthly report: every project of
// the 实施库 from 签约 on, including a stalled one (its report says why it
// stands still); not one that is dropped or still being planned or
// negotiated.
func Owes(tier project.Tier, stage project.Stage) bool {
	if tier != project.Active {
		return false
	}
	switch stage {
	case project.Signed, project.Landed, project.Started, project.Operating, project.Stalled:
		return true
	}
	return false
}

// Standing is where a due report stands on a day.
type Standing string

// The standings of a due report.
const (
	Pending Standing = "pending" // not in yet, deadline not passed
	OnTime  Standing = "on_time" // submitted by the deadline
	Late    Standing = "late"    // submitted after the deadline
	Missing Standing = "missing" // not in, deadline passed
)

// Label is the standing's Chinese name.
func (s Standing) Label() string {
	switch s {
	case Pending:
		return "待报"
	case OnTime:
		return "按时报送"
	case Late:
		return "逾期报送"
	case Missing:
		return "未报"
	}
	return string(s)
}

// StandingOf judges a report: submitted is the day it was first submitted
// (zero if never). A report returned (退回) and resubmitted keeps the day it
// was first submitted: the unit reported on time and the correction is the
// office's exchange with it.
func StandingOf(submitted, deadline, today time.Time) Standing {
	switch {
	case !submitted.IsZero() && submitted.After(deadline):
		return Late
	case !submitted.IsZero():
		return OnTime
	case today.After(deadline):
		return Missing
	}
	return Pending
}

// Reminder is which reminder a day brings for a report not yet in.
type Reminder string

// The reminders of issue 4 §3.
const (
	NoReminder Reminder = ""
	Ahead      Reminder = "ahead"   // 3 working days before the deadline
	OnTheDay   Reminder = "on_day"  // the deadline day
	Overdue    Reminder = "overdue" // every working day after it, to the unit and its 分管领导
)

// ReminderOn says which reminder goes out on today for a report still
// missing. Reminders go out on working days only.
func ReminderOn(today, deadline time.Time, cal worktime.Calendar) Reminder {
	if !cal.IsWorkday(today) {
		return NoReminder
	}
	switch n := cal.WorkdaysBetween(today, deadline); {
	case n == 0 && today.Equal(deadline):
		return OnTheDay
	case n == 3:
		return Ahead
	case today.After(deadline):
		return Overdue
	}
	return NoReminder
}
