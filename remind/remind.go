// Package remind is the monthly loop's scheduled work (issue 4 §3, §5, §6,
// DESIGN.md §4): reminders to units whose monthly reports are not in (3
// working days before the deadline, on the day, then every working day to
// the unit and its 分管领导), the month closed by itself some days after
// its deadline, and the escalation of problems and 批示 as their deadlines
// near and pass.
//
// Each job runs every minute and does its work once: every reminder is
// guarded by notify.Once with a key naming what it is for and the day, in
// the same transaction as the notice, so a restart or a second server
// sharing the database sends nothing twice.
package remind

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"guatu/apperr"
	"guatu/auth"
	"guatu/db"
	"guatu/instruction"
	"guatu/notify"
	"guatu/org"
	"guatu/problem"
	"guatu/project"
	"guatu/report"
	"guatu/worktime"
)

// StartHour is the local hour from which a day's reminders go out: people
// read them at work, not at midnight.
const StartHour = 8

var zone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

var sys = auth.SystemActor("job")

// day is the local calendar day of now, and whether reminders may go out yet.
func day(now time.Time) (time.Time, bool) {
	local := now.In(zone)
	return project.DayOf(now, zone), local.Hour() >= StartHour
}

// Reports sends the monthly report reminders and closes months that are
// due to close, for each tree of units (a town, or a county) on its own. A
// failure with one unit is reported after the others have had theirs.
func Reports(d *db.DB) func(ctx context.Context, now time.Time) error {
	return func(ctx context.Context, now time.Time) error {
		today, awake := day(now)
		cfg, err := report.LoadConfig(ctx, d)
		if err != nil {
			return err
		}
		cal, err := worktime.Load(ctx, d)
		if err != nil {
			return err
		}
		roots, err := org.Children(ctx, d, 0)
		if err != nil {
			return err
		}
		var errs []error
		cur := report.PeriodOf(today)
		// Last month may still be open; with an early deadline day (1–4),
		// next month's "3 working days ahead" falls within this one.
		for _, p := range []report.Period{cur.Prev(), cur, cur.Next()} {
			deadline := p.Deadline(cfg.DeadlineDay, cal)
			for _, root := range roots {
				closed, err := report.IsClosed(ctx, d, p, root.Path)
				if err != nil {
					return err
				}
				if closed {
					continue
				}
				if today.After(deadline) && !today.Before(cfg.CloseDay(deadline)) {
					errs = append(errs, closeMonth(ctx, d, root, p, today, cfg, cal))
					continue
				}
				kind := report.ReminderOn(today, deadline, cal)
				if kind == report.NoReminder || !awake {
					continue
				}
				errs = append(errs, remindUnits(ctx, d, root, p, deadline, today, kind, cfg, cal))
			}
		}
		return errors.Join(errs...)
	}
}

func closeMonth(ctx context.Context, d *db.DB, root *org.Unit, p report.Period, today time.Time, cfg report.Config, cal worktime.Calendar) error {
	rules, err := project.LoadRules(ctx, d)
	if err != nil {
		return err
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		n, err := report.Close(ctx, tx, sys, root.ID, p, today, rules, cfg, cal, true)
		if apperr.KindOf(err) == apperr.Conflict {
			return nil // another server closed it first
		}
		if err != nil {
			return err
		}
		return notify.Post(ctx, tx, notify.Message{Kind: notify.KindReport, Title: p.Label() + "月报已关账",
			Body: fmt.Sprintf("%s%s月报已到期自动关账，%d 个项目的亮灯已冻结，用于亮灯历史和季度通报。", root.Name, p.Label(), n),
			Link: "/reports?period=" + p.Key(), NoRobots: true, To: []notify.Recipient{notify.ToRoleOver(auth.Supervisor, root.ID)}})
	})
}

// remindUnits reminds every unit of the tree that still owes reports for
// the month, each in its own transaction and once per day.
func remindUnits(ctx context.Context, d *db.DB, root *org.Unit, p report.Period, deadline, today time.Time, kind report.Reminder, cfg report.Config, cal worktime.Calendar) error {
	b, err := report.LoadBoard(ctx, d, sys, root.ID, p, today, cfg, cal)
	if err != nil {
		return err
	}
	var errs []error
	for _, u := range b.Units {
		if u.Owed() == 0 {
			continue
		}
		key := fmt.Sprintf("report-%s:%s:unit-%d:%s", kind, p.Key(), u.UnitID, today.Format(time.DateOnly))
		err := d.InTx(ctx, func(tx *db.Tx) error {
			if first, err := notify.Once(ctx, tx, key); err != nil || !first {
				return err
			}
			sent, err := report.Remind(ctx, tx, sys, b, []int64{u.UnitID}, string(kind))
			if err != nil || len(sent) == 0 {
				return err
			}
			return PostReminder(ctx, tx, p, deadline, kind, sent[0])
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("remind: %s %s: %w", p.Key(), u.UnitName, err))
		}
	}
	return errors.Join(errs...)
}

// maxListRunes bounds the project list in a 催报, well inside a notice's
// notify.MaxBody.
const maxListRunes = 1500

// PostReminder posts a 催报 to a unit's staff (and, once the deadline has
// passed, to its 分管领导), naming the reports it owes. The board's 催报
// button sends the same notice.
func PostReminder(ctx context.Context, tx *db.Tx, p report.Period, deadline time.Time, kind report.Reminder, r report.Reminded) error {
	var title string
	switch kind {
	case report.Ahead:
		title = fmt.Sprintf("%s月报将于 %s 截止", p.Label(), deadline.Format("1月2日"))
	case report.OnTheDay:
		title = fmt.Sprintf("%s月报今天截止", p.Label())
	case report.Overdue:
		title = fmt.Sprintf("%s月报已逾期，请尽快报送", p.Label())
	default:
		title = fmt.Sprintf("督查室催报：%s月报", p.Label())
	}
	// The projects by name, as many as a notice holds; a long list ends with how many more.
	var names []string
	size := 0
	for i, row := range r.Rows {
		line := "· " + row.Project.Name
		if size+utf8.RuneCountInString(line) > maxListRunes {
			names = append(names, fmt.Sprintf("等 %d 个项目", len(r.Rows)-i))
			break
		}
		names = append(names, line)
		size += utf8.RuneCountInString(line) + 1
	}
	body := fmt.Sprintf("%s尚有 %d 份月报未报（截止 %s）：\n%s", r.UnitName, r.Owed, deadline.Format("1月2日"), strings.Join(names, "\n"))
	to := []notify.Recipient{notify.UnitStaff(r.UnitID)}
	if kind == report.Overdue {
		leaders, err := org.LeadersOf(ctx, tx, r.UnitID)
		if err != nil {
			return err
		}
		for _, l := range leaders {
			to = append(to, notify.ToPerson(l.ID))
		}
	}
	return notify.Post(ctx, tx, notify.Message{Kind: notify.KindReport, Title: title, Body: body,
		Link: "/reports?period=" + p.Key() + fmt.Sprintf("&unit=%d", r.UnitID), UnitID: r.UnitID, To: to})
}

// Problems tells the responsible unit when a problem is due soon, and
// escalates an overdue one to the 分管领导 and, after 7 working days, to
// the 主要领导: once for each step (a new deadline starts again).
func Problems(d *db.DB) func(ctx context.Context, now time.Time) error {
	return func(ctx context.Context, now time.Time) error {
		today, awake := day(now)
		if !awake {
			return nil
		}
		cal, err := worktime.Load(ctx, d)
		if err != nil {
			return err
		}
		list, err := problem.Escalations(ctx, d, "", today, cal)
		if err != nil {
			return err
		}
		for _, e := range list {
			p := e.Problem
			key := fmt.Sprintf("problem-%d:%d:%s", p.ID, e.Urgency, e.Due.Format(time.DateOnly))
			err := d.InTx(ctx, func(tx *db.Tx) error {
				if first, err := notify.Once(ctx, tx, key); err != nil || !first {
					return err
				}
				return notify.Post(ctx, tx, problemNotice(p, e))
			})
			if err != nil {
				return fmt.Errorf("remind: problem %d: %w", p.ID, err)
			}
		}
		return nil
	}
}

func problemNotice(p *problem.Problem, e problem.Escalation) notify.Message {
	m := notify.Message{Kind: notify.KindProblem, Link: fmt.Sprintf("/problems/%d", p.ID), UnitID: p.UnitID,
		To: []notify.Recipient{notify.UnitStaff(p.UnitID)}}
	what := "办结"
	if p.State == problem.Pending {
		what = "签收"
	}
	switch e.Urgency {
	case worktime.DueSoon:
		m.Title = fmt.Sprintf("问题将于 %s 到期：%s", e.Due.Format("1月2日"), short(p.Title))
		m.Body = fmt.Sprintf("%s承办的问题“%s”须在 %s 前%s。", p.UnitName, p.Title, e.Due.Format("1月2日"), what)
		m.NoRobots = true
	case worktime.Overdue:
		m.Title = fmt.Sprintf("问题逾期未%s：%s", what, short(p.Title))
		m.Body = fmt.Sprintf("%s承办的问题“%s”已超过时限（%s），已提请分管领导%s督办。", p.UnitName, p.Title, e.Due.Format("1月2日"), p.LeaderName)
	default:
		m.Title = fmt.Sprintf("问题逾期 %d 个工作日：%s", e.OverdueDays, short(p.Title))
		m.Body = fmt.Sprintf("%s承办的问题“%s”逾期已 %d 个工作日，提请主要领导协调，并列入下次调度会议程。", p.UnitName, p.Title, e.OverdueDays)
	}
	if e.Leader && p.LeaderID != 0 {
		m.To = append(m.To, notify.ToPerson(p.LeaderID))
	}
	if e.Chief {
		m.To = append(m.To, notify.Chiefs(p.UnitID), notify.ToRoleOver(auth.Supervisor, p.UnitID))
	}
	return m
}

// Instructions reminds an addressed unit of a 批示 it has not answered, and
// escalates as for problems.
func Instructions(d *db.DB) func(ctx context.Context, now time.Time) error {
	return func(ctx context.Context, now time.Time) error {
		today, awake := day(now)
		if !awake {
			return nil
		}
		cal, err := worktime.Load(ctx, d)
		if err != nil {
			return err
		}
		list, err := instruction.Escalations(ctx, d, today, cal)
		if err != nil {
			return err
		}
		for _, o := range list {
			if o.Urgency == worktime.OnTrack {
				continue
			}
			key := fmt.Sprintf("instruction-%d:unit-%d:%d:%s", o.InstructionID, o.UnitID, o.Urgency, o.Deadline.Format(time.DateOnly))
			err := d.InTx(ctx, func(tx *db.Tx) error {
				if first, err := notify.Once(ctx, tx, key); err != nil || !first {
					return err
				}
				return notify.Post(ctx, tx, instructionNotice(o))
			})
			if err != nil {
				return fmt.Errorf("remind: 批示 %d: %w", o.InstructionID, err)
			}
		}
		return nil
	}
}

func instructionNotice(o instruction.Owing) notify.Message {
	m := notify.Message{Kind: notify.KindInstruction, Link: fmt.Sprintf("/instructions/%d", o.InstructionID), UnitID: o.UnitID,
		To: []notify.Recipient{notify.UnitStaff(o.UnitID)}}
	switch o.Urgency {
	case worktime.DueSoon:
		m.Title = fmt.Sprintf("领导批示须于 %s 前反馈", o.Deadline.Format("1月2日"))
		m.NoRobots = true
	case worktime.Overdue:
		m.Title = "领导批示逾期未反馈，已提请分管领导督办"
	default:
		m.Title = "领导批示逾期未反馈，已提请主要领导督办"
		m.To = append(m.To, notify.Chiefs(o.UnitID))
	}
	m.Body = fmt.Sprintf("%s批示：“%s”\n请%s在 %s 前反馈落实情况。", o.WriterName, short(o.Content), o.UnitName, o.Deadline.Format("1月2日"))
	if o.Urgency >= worktime.Overdue {
		for _, l := range o.Leaders {
			m.To = append(m.To, notify.ToPerson(l.ID))
		}
	}
	return m
}

// short cuts a text for a notice's one-line title.
func short(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) > 30 {
		return string(r[:29]) + "…"
	}
	return string(r)
}
