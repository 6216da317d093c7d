package demo

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"guatu/auth"
	"guatu/db"
	"guatu/meeting"
	"guatu/org"
	"guatu/project"
	"guatu/report"
	"guatu/worktime"
)

// The demo's 一月一调度 up to today: a report per month for every project
// that owes one (a few late, one returned and corrected, one returned and
// waiting, one missing), each past month closed with its lights frozen, and
// a dispatch meeting per month with its attendance and decisions.

var progressLines = map[project.Stage][]string{
	project.Signed:    {"完成项目备案，正在编制可研报告", "用地预审材料已报送县自然资源局", "与投资方对接设计方案，完成方案初稿"},
	project.Landed:    {"完成场地平整和临时设施搭建", "施工图设计完成审查", "施工许可材料已报送，正在办理"},
	project.Started:   {"主体结构施工稳步推进", "完成桩基施工，开始承台浇筑", "钢结构安装完成约六成", "设备基础施工完成，进入设备采购", "室外配套管网同步施工"},
	project.Operating: {"生产线稳定运行，产能逐月提升", "完成竣工验收备案"},
	project.Stalled:   {"投资方资金未到位，现场停工", "与投资方协商后续方案"},
}

var planLines = []string{"加快主体施工，确保节点按期完成", "推进设备采购和安装调试", "完善配套设施，准备专项验收", "协调解决用电接入问题", "组织开展安全生产检查"}

var problemLines = []string{"电力增容手续办理进度慢，影响设备调试", "项目用地涉及少量林地，需协调县林业局", "施工用水不足，需协调临时供水"}

// seedReports writes the year's monthly reports, month closes and meetings.
// people maps a person's name to their id (the leaders attend meetings).
func seedReports(ctx context.Context, tx *db.Tx, sys auth.Actor, town *org.Unit, people map[string]int64) error {
	today := project.DayOf(tx.Now(), shanghai)
	cal, err := worktime.Load(ctx, tx)
	if err != nil {
		return err
	}
	cfg := report.DefaultConfig()
	rules := project.DefaultRules()
	projects, _, err := project.List(ctx, tx, sys, project.Filter{Tier: project.Active, Details: true})
	if err != nil {
		return err
	}
	current := report.PeriodOf(today)
	first := report.Period{Year: today.Year(), Month: time.January}
	// What each project owes: its months (from the month it reached its
	// stage, or January) and the year's investment, which its reports add
	// month by month.
	type owing struct {
		p      *project.Project
		start  report.Period
		months int
		done   int64
	}
	var owed []owing
	for _, p := range projects {
		if !report.Owes(p.Tier, p.Stage) {
			continue
		}
		o := owing{p: p, start: first, done: p.Plan(today.Year()).Completed}
		if s := report.PeriodOf(p.StageSince); s.After(o.start) {
			o.start = s
		}
		for m := o.start; !m.After(current); m = m.Next() {
			o.months++
		}
		if err := project.SetYearCompleted(ctx, tx, sys, p.ID, today.Year(), 0); err != nil {
			return err
		}
		owed = append(owed, o)
	}
	// Month by month, as the year went: the reports, then the close that
	// froze the month's lights with the figures of that time.
	for m := first; !m.After(current); m = m.Next() {
		deadline := m.Deadline(cfg.DeadlineDay, cal)
		for i, o := range owed {
			if o.start.After(m) {
				continue
			}
			n := int(m.Month - o.start.Month)
			on := deadline.AddDate(0, 0, -2) // most report a couple of days ahead
			switch {
			case m == current && i%3 != 0:
				continue // this month: a third have reported so far, the rest are still due
			case m == current:
				on = today
			case (i+n)%7 == 3:
				on = cal.AddWorkdays(deadline, 2) // late
			case m == current.Prev() && o.p.Stage == project.Stalled:
				continue // missing: the stalled project did not report last month
			}
			amount := o.done / int64(o.months)
			if n == o.months-1 {
				amount = o.done - amount*int64(o.months-1)
			}
			lines := progressLines[o.p.Stage]
			in := report.Input{MonthInvest: project.WanExact(amount), Progress: lines[(i+n)%len(lines)], NextPlan: planLines[(i+n)%len(planLines)]}
			if (i+n)%9 == 4 {
				in.Problems = problemLines[(i+n)%len(problemLines)]
			}
			r, err := report.Save(ctx, tx, sys, o.p.ID, m, in, true, on)
			if err != nil {
				return fmt.Errorf("demo: report %s %s: %w", o.p.Name, m.Label(), err)
			}
			// One report corrected after a return, one waiting for its correction.
			if i%11 == 5 && (m == current.Prev() || m == current.Prev().Prev()) {
				if _, err := report.Return(ctx, tx, sys, r.ID, "本月完成投资与财务支付凭证不一致，请核实后重新报送"); err != nil {
					return err
				}
				if m == current.Prev().Prev() {
					in.Progress += "（已按财务凭证核实）"
					if _, err := report.Save(ctx, tx, sys, o.p.ID, m, in, true, cal.AddWorkdays(deadline, 1)); err != nil {
						return err
					}
				}
			}
		}
		if day := cfg.CloseDay(deadline); m != current && day.Before(today) {
			if _, err := report.Close(ctx, tx, sys, town.ID, m, day, rules, cfg, cal, true); err != nil {
				return fmt.Errorf("demo: close %s: %w", m.Label(), err)
			}
		}
	}
	return seedMeetings(ctx, tx, sys, town, people, first, current, cal, cfg)
}

// seedMeetings holds a dispatch meeting a few days after each past month's
// deadline, with the leaders attending and a decision on a red project.
func seedMeetings(ctx context.Context, tx *db.Tx, sys auth.Actor, town *org.Unit, people map[string]int64, first, current report.Period,
	cal worktime.Calendar, cfg report.Config) error {
	today := project.DayOf(tx.Now(), shanghai)
	for m := first; m != current; m = m.Next() {
		held := cal.AddWorkdays(m.Deadline(cfg.DeadlineDay, cal), 2)
		if !held.Before(today) {
			break
		}
		mt, err := meeting.Create(ctx, tx, sys, meeting.Input{Period: m.Key(), HeldOn: held.Format(time.DateOnly), Place: "镇政府三楼会议室",
			Host: "周建华", Recorder: "李静怡", UnitID: strconv.FormatInt(town.ID, 10),
			Summary: "会议要求，各责任单位要对照时间节点倒排工期，红灯项目责任领导要一线调度、限期整改；月报要按时、如实报送。"})
		if err != nil {
			return fmt.Errorf("demo: meeting %s: %w", m.Label(), err)
		}
		var attendance []meeting.AttendeeInput
		for _, name := range []string{"周建华", "陈海明", "林志强", "王丽琴", "郑国平", "黄伟东", "张文斌"} {
			st := string(meeting.Present)
			note := ""
			if name == "郑国平" && int(m.Month)%4 == 0 {
				st, note = string(meeting.Leave), "县里开会"
			}
			attendance = append(attendance, meeting.AttendeeInput{PersonID: strconv.FormatInt(people[name], 10), Name: name, Status: st, Note: note})
		}
		if err := meeting.SetAttendance(ctx, tx, sys, mt.ID, attendance); err != nil {
			return err
		}
		lights, err := report.MonthLights(ctx, tx, m)
		if err != nil {
			return err
		}
		var red []int64
		for id, l := range lights {
			if l.Light == project.Red {
				red = append(red, id)
			}
		}
		slices.Sort(red)
		for _, id := range red[:min(len(red), 2)] {
			p, err := project.Get(ctx, tx, id)
			if err != nil {
				return err
			}
			in := meeting.DecisionInput{ItemType: "project", ItemID: strconv.FormatInt(id, 10),
				ItemName: p.Name, Text: "责任领导牵头，" + p.UnitName + "倒排工期，下月调度会专题汇报进展"}
			// The latest meeting's decisions are assigned work still open today (交办).
			if m.Next() == current {
				in.Assign, in.Title, in.UnitID = true, p.Name+"倒排工期、加快推进", strconv.FormatInt(p.UnitID, 10)
				in.Due = cal.AddWorkdays(today, 10).Format(time.DateOnly)
			}
			if _, err := meeting.AddDecision(ctx, tx, sys, mt.ID, in); err != nil {
				return err
			}
		}
	}
	return nil
}
