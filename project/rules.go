// Package project is the project library and the battle map's rules:
// stages, milestones (时间节点), the red/yellow/green light with its reasons,
// the stall patterns and investment against time progress (DESIGN.md §4).
//
// The rules here are pure functions of the facts and "today", so they are
// table-tested without a database; the thresholds come from Rules, which the
// supervision office keeps in settings.
package project

import (
	"fmt"
	"time"
)

// Stage is where a project stands in its life.
type Stage string

// The stages in order of progress; Stalled and Dropped are off the line and need a reason.
const (
	Planning    Stage = "planning"    // 谋划
	Negotiating Stage = "negotiating" // 洽谈
	Signed      Stage = "signed"      // 签约
	Landed      Stage = "landed"      // 落地
	Started     Stage = "started"     // 开工
	Operating   Stage = "operating"   // 投产/竣工
	Stalled     Stage = "stalled"     // 停滞
	Dropped     Stage = "dropped"     // 终止
)

// Stages lists every stage in display order.
var Stages = []Stage{Planning, Negotiating, Signed, Landed, Started, Operating, Stalled, Dropped}

// Label is the stage's Chinese name.
func (s Stage) Label() string {
	switch s {
	case Planning:
		return "谋划"
	case Negotiating:
		return "洽谈"
	case Signed:
		return "签约"
	case Landed:
		return "落地"
	case Started:
		return "开工"
	case Operating:
		return "投产/竣工"
	case Stalled:
		return "停滞"
	case Dropped:
		return "终止"
	}
	return string(s)
}

// Rules are the thresholds of DESIGN.md §4, kept in settings.
type Rules struct {
	DueSoonDays     int     // a milestone this close is "due soon" (default 7)
	RedOverdueDays  int     // a milestone overdue longer than this makes the project red (30)
	StallDays       int     // 签约未落地 / 落地未开工 after this many days (90)
	RedInvestGap    float64 // completed investment behind time progress by more than this many points: red (20)
	YellowInvestGap float64 // … by more than this: yellow (10)
}

// DefaultRules are the defaults DESIGN.md §4 gives.
func DefaultRules() Rules {
	return Rules{DueSoonDays: 7, RedOverdueDays: 30, StallDays: 90, RedInvestGap: 20, YellowInvestGap: 10}
}

// Day is a calendar date at midnight UTC: dates in Guatu are days, not
// instants, so arithmetic on them never meets a time zone or a DST change.
func Day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// DayOf is the calendar date of t in loc.
func DayOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return Day(y, m, d)
}

// daysBetween counts whole days from a to b (negative when b is earlier).
func daysBetween(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

// MilestoneStatus is where a milestone stands against today.
type MilestoneStatus string

// The milestone statuses (DESIGN.md §4).
const (
	Done     MilestoneStatus = "done"      // reached on or before its planned date
	DoneLate MilestoneStatus = "done_late" // reached after its planned date
	Pending  MilestoneStatus = "pending"   // not yet due
	DueSoon  MilestoneStatus = "due_soon"  // due within DueSoonDays
	Overdue  MilestoneStatus = "overdue"   // past its planned date and not reached
)

// Label is the status's Chinese name.
func (s MilestoneStatus) Label() string {
	switch s {
	case Done:
		return "已完成"
	case DoneLate:
		return "逾期完成"
	case Pending:
		return "未到期"
	case DueSoon:
		return "即将到期"
	case Overdue:
		return "已逾期"
	}
	return string(s)
}

// Milestone is one 时间节点 of a project.
type Milestone struct {
	Name    string
	Planned time.Time // zero when not planned yet
	Actual  time.Time // zero until reached
}

// Status is the milestone's status on today, and how many days it is overdue
// (0 unless Overdue).
func (m Milestone) Status(today time.Time, r Rules) (MilestoneStatus, int) {
	switch {
	case !m.Actual.IsZero() && !m.Planned.IsZero() && m.Actual.After(m.Planned):
		return DoneLate, 0
	case !m.Actual.IsZero():
		return Done, 0
	case m.Planned.IsZero():
		return Pending, 0
	case today.After(m.Planned):
		return Overdue, daysBetween(m.Planned, today)
	case daysBetween(today, m.Planned) <= r.DueSoonDays:
		return DueSoon, 0
	}
	return Pending, 0
}

// TimeProgress is 时序进度: the share of the year elapsed on day d, in
// percent (day of year ÷ days in the year; 31 December is 100).
func TimeProgress(d time.Time) float64 {
	y := d.Year()
	days := daysBetween(Day(y, 1, 1), Day(y+1, 1, 1))
	return float64(d.YearDay()) * 100 / float64(days)
}

// Completion is completed investment as a percentage of the annual plan;
// ok is false when there is no plan to measure against.
func Completion(completed, annualPlan int64) (pct float64, ok bool) {
	if annualPlan <= 0 {
		return 0, false
	}
	return float64(completed) * 100 / float64(annualPlan), true
}

// Light is the project's status light.
type Light string

// The lights, in order of concern.
const (
	Green  Light = "green"
	Yellow Light = "yellow"
	Red    Light = "red"
)

// Label is the light's Chinese name.
func (l Light) Label() string {
	switch l {
	case Green:
		return "绿灯"
	case Yellow:
		return "黄灯"
	case Red:
		return "红灯"
	}
	return string(l)
}

// Reason is one cause of a light, written for the person reading the map.
type Reason struct {
	Light Light
	Text  string
}

// Stall names a stall pattern.
type Stall string

// The stall patterns the speeches name: 签约未落地、落地未开工、开工未投产.
const (
	SignedNotLanded     Stall = "signed_not_landed"
	LandedNotStarted    Stall = "landed_not_started"
	StartedNotOperating Stall = "started_not_operating"
)

// Label is the pattern's Chinese name.
func (s Stall) Label() string {
	switch s {
	case SignedNotLanded:
		return "签约未落地"
	case LandedNotStarted:
		return "落地未开工"
	case StartedNotOperating:
		return "开工未投产"
	}
	return string(s)
}

// Facts are what the light is judged on.
type Facts struct {
	Stage            Stage
	StageSince       time.Time // the day the project entered its current stage
	PlannedOperating time.Time // planned 投产/竣工 date, zero if none
	Milestones       []Milestone
	AnnualPlan       int64 // this year's planned investment, yuan
	CompletedYear    int64 // investment completed this year, yuan
	// ReportMissing names the month (e.g. 2026年3月) whose report is missing
	// after its deadline: the latest month already due; "" when it is in.
	ReportMissing string
}

// StallOf reports the stall pattern that holds on today, if any (DESIGN.md §4):
// signed more than StallDays ago and not landed; landed more than StallDays
// ago and not started; started and past the planned operating date.
func StallOf(f Facts, today time.Time, r Rules) (Stall, int, bool) {
	switch f.Stage {
	case Signed:
		if n := daysBetween(f.StageSince, today); !f.StageSince.IsZero() && n > r.StallDays {
			return SignedNotLanded, n, true
		}
	case Landed:
		if n := daysBetween(f.StageSince, today); !f.StageSince.IsZero() && n > r.StallDays {
			return LandedNotStarted, n, true
		}
	case Started:
		if !f.PlannedOperating.IsZero() && today.After(f.PlannedOperating) {
			return StartedNotOperating, daysBetween(f.PlannedOperating, today), true
		}
	}
	return "", 0, false
}

// Judge gives the project's light on today with every reason spelled out,
// red reasons first (DESIGN.md §4): red if a milestone is overdue by more
// than RedOverdueDays, a stall pattern holds, the project is stalled, or
// completed investment is behind time progress by more than RedInvestGap
// points; yellow if any milestone is overdue, the gap is more than
// YellowInvestGap, or this month's report is missing after the deadline;
// else green. Finished and dropped projects are green with no reasons.
func Judge(f Facts, today time.Time, r Rules) (Light, []Reason) {
	if f.Stage == Operating || f.Stage == Dropped {
		return Green, nil
	}
	var red, yellow []Reason
	for _, m := range f.Milestones {
		st, late := m.Status(today, r)
		if st != Overdue {
			continue
		}
		text := fmt.Sprintf("时间节点“%s”计划 %s 完成，已逾期 %d 天", m.Name, m.Planned.Format("2006-01-02"), late)
		if late > r.RedOverdueDays {
			red = append(red, Reason{Red, text})
		} else {
			yellow = append(yellow, Reason{Yellow, text})
		}
	}
	if f.Stage == Stalled {
		red = append(red, Reason{Red, "项目处于停滞状态"})
	}
	if s, days, ok := StallOf(f, today, r); ok {
		var text string
		switch s {
		case SignedNotLanded:
			text = fmt.Sprintf("签约已 %d 天仍未落地（%s）", days, s.Label())
		case LandedNotStarted:
			text = fmt.Sprintf("落地已 %d 天仍未开工（%s）", days, s.Label())
		case StartedNotOperating:
			text = fmt.Sprintf("已过计划投产日期 %s %d 天仍未投产（%s）", f.PlannedOperating.Format("2006-01-02"), days, s.Label())
		}
		red = append(red, Reason{Red, text})
	}
	if pct, ok := Completion(f.CompletedYear, f.AnnualPlan); ok {
		tp := TimeProgress(today)
		gap := tp - pct
		text := fmt.Sprintf("年度投资完成 %.1f%%，落后时序进度（%.1f%%）%.1f 个百分点", pct, tp, gap)
		switch {
		case gap > r.RedInvestGap:
			red = append(red, Reason{Red, text})
		case gap > r.YellowInvestGap:
			yellow = append(yellow, Reason{Yellow, text})
		}
	}
	if f.ReportMissing != "" {
		yellow = append(yellow, Reason{Yellow, f.ReportMissing + "月报逾期未报"})
	}
	reasons := append(red, yellow...)
	switch {
	case len(red) > 0:
		return Red, reasons
	case len(yellow) > 0:
		return Yellow, reasons
	}
	return Green, nil
}
