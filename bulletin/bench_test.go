package bulletin_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"guatu/auth"
	"guatu/bulletin"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/docx"
	"guatu/instruction"
	"guatu/org"
	"guatu/problem"
	"guatu/project"
	"guatu/report"
	"guatu/worktime"
)

// The 一季一通报 at town and county scale. The data are built through the
// domain functions, day by day with the database clock on that day, as a
// year of work leaves them: projects entering the library in January or
// mid-year and changing stage, monthly reports in on time, late or not at
// all with the milestones they report reached, each month closed after
// its deadline, and in the third quarter problems and 批示 answered on
// time, late or not at all. Run with
//
//	go test ./bulletin/ -run '^$' -bench Bulletin -benchtime 5x

// benchToday is the day the bulletins are drafted: September is closed.
var benchToday = project.Day(2026, 10, 10)

// BenchmarkBulletin_TownQuarter drafts a town's 2026-Q3 bulletin from its
// frozen months and writes it as a Word file: 200 实施库 projects led by
// 16 of the town's 21 units, January to September reported and closed.
func BenchmarkBulletin_TownQuarter(b *testing.B) {
	a := buildArea(b, 0, func(int) int { return 200 }, time.January)
	ctx := context.Background()
	q3, _ := bulletin.ParseSpan("2026-Q3")
	w, err := bulletin.LoadWeights(ctx, a.d)
	if err != nil {
		b.Fatal(err)
	}
	checkDraft(b, a, q3, w)
	issuer := a.root.Name + "督查室"
	var size byteCount
	for b.Loop() {
		c, err := bulletin.Generate(ctx, a.d, a.root.ID, q3, benchToday, w, nil)
		if err != nil {
			b.Fatal(err)
		}
		size = 0
		if err := docx.Write(&size, (&bulletin.Bulletin{Content: c, State: bulletin.Draft}).Document(issuer)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size), "docx-bytes")
	b.ReportMetric(float64(a.projects), "projects")
}

// BenchmarkBulletin_County drafts a county's 2026-Q3 bulletin: 30 towns of
// 21 units and 40–60 projects each, July to September reported and closed
// for the whole county (the first half-year's investment and milestones
// were recorded when the projects were entered in July).
func BenchmarkBulletin_County(b *testing.B) {
	a := buildArea(b, 30, countyProjects, time.July)
	ctx := context.Background()
	q3, _ := bulletin.ParseSpan("2026-Q3")
	w, err := bulletin.LoadWeights(ctx, a.d)
	if err != nil {
		b.Fatal(err)
	}
	checkDraft(b, a, q3, w)
	var ranked int
	for b.Loop() {
		c, err := bulletin.Generate(ctx, a.d, a.root.ID, q3, benchToday, w, nil)
		if err != nil {
			b.Fatal(err)
		}
		ranked = len(c.Figures.Ranking)
	}
	b.ReportMetric(float64(a.projects), "projects")
	b.ReportMetric(float64(ranked), "ranked-units")
}

// countyProjects gives the county's towns 40 to 60 projects each.
func countyProjects(town int) int { return 40 + town*17%21 }

// The benchmarks' data are checked by a test too, at a small scale, so a
// change of the rules cannot leave them timing a bulletin with empty lists.
func TestBenchArea_FillsEveryList(t *testing.T) {
	a := buildArea(t, 0, func(int) int { return 40 }, time.January)
	q3, _ := bulletin.ParseSpan("2026-Q3")
	checkDraft(t, a, q3, bulletin.DefaultWeights())
}

// checkDraft fails unless the area's draft covers a closed quarter and
// has rows in every list of a bulletin.
func checkDraft(tb testing.TB, a benchArea, span bulletin.Span, w bulletin.Weights) {
	tb.Helper()
	c, err := bulletin.Generate(context.Background(), a.d, a.root.ID, span, benchToday, w, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if f := c.Figures; !f.Complete || f.Projects != a.projects || f.Lights.Green == 0 || f.Lights.Yellow == 0 || f.Lights.Red == 0 {
		tb.Fatalf("%d projects: complete %v, %d in the figures, lights %+v", a.projects, f.Complete, f.Projects, f.Lights)
	}
	for _, s := range c.Sections {
		for _, t := range s.Tables {
			if len(t.Rows) == 0 {
				tb.Errorf("%s: table %q is empty", s.Heading, t.Caption)
			}
		}
	}
}

// byteCount is a writer that keeps only the number of bytes written.
type byteCount int64

func (n *byteCount) Write(p []byte) (int, error) { *n += byteCount(len(p)); return len(p), nil }

// benchArea is a built area: the database and the unit the bulletin is for.
type benchArea struct {
	d        *db.DB
	root     *org.Unit
	projects int
}

// buildArea builds a town (towns == 0) or a county of towns, each with 21
// units and projectsOf(town) 实施库 projects, reported and closed from the
// month from to September 2026. Months before from are not closed: their
// investment and milestones are recorded when the projects are entered.
func buildArea(tb testing.TB, towns int, projectsOf func(town int) int, from time.Month) benchArea {
	tb.Helper()
	d := dbtest.New(tb)
	clock := dbtest.NewClock(dbtest.Now)
	d.Clock = clock.Now
	ctx := context.Background()
	sys := auth.SystemActor("bench")
	start := project.Day(2026, from, 5) // the projects are entered
	a := benchArea{d: d}
	var places []benchTown
	clock.Set(clockAt(start))
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if towns == 0 {
			a.root, err = org.CreateRoot(ctx, tx, sys, org.Town, "青山镇")
			if err != nil {
				return err
			}
			t, err := seedUnits(ctx, tx, sys, a.root)
			places = append(places, t)
			return err
		}
		if a.root, err = org.CreateRoot(ctx, tx, sys, org.County, "青山县"); err != nil {
			return err
		}
		for i := range towns {
			u, err := org.CreateUnit(ctx, tx, sys, org.UnitInput{ParentID: id(a.root.ID), Kind: string(org.Town), Name: townNames[i] + "镇"})
			if err != nil {
				return err
			}
			t, err := seedUnits(ctx, tx, sys, u)
			if err != nil {
				return err
			}
			places = append(places, t)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	cal, err := worktime.Load(ctx, d)
	if err != nil {
		tb.Fatal(err)
	}
	plan := newTimeline()
	first := report.Period{Year: 2026, Month: from}
	for i, t := range places {
		n := projectsOf(i)
		a.projects += n
		for j := range n {
			planProject(plan, sys, cal, t, j, first, start)
		}
		planProblems(plan, sys, t)
		planInstructions(plan, sys, t)
	}
	cfg, rules := report.DefaultConfig(), project.DefaultRules()
	for m := first; m.Month <= time.September; m = m.Next() {
		day := cfg.CloseDay(m.Deadline(cfg.DeadlineDay, cal))
		plan.atEnd(day, func(ctx context.Context, tx *db.Tx) error {
			_, err := report.Close(ctx, tx, sys, a.root.ID, m, day, rules, cfg, cal, true)
			return err
		})
	}
	plan.run(tb, d, clock)
	clock.Set(clockAt(benchToday))
	return a
}

// benchTown is a town's units: index 0 is the 党政班子, whose people are
// the leaders; projects are led by units 1–16, and every unit may be given
// a problem or a 批示.
type benchTown struct {
	town    *org.Unit
	units   []*org.Unit
	leaders []*org.Person
}

var townUnits = []struct {
	kind org.Kind
	name string
}{
	{org.Committee, "党政班子"}, {org.Office, "党政办"}, {org.Office, "经济发展办"}, {org.Office, "城乡建设办"}, {org.Office, "农业农村办"},
	{org.Office, "社会事务办"}, {org.Office, "文化旅游办"}, {org.Office, "应急管理办"}, {org.Station, "自然资源所"}, {org.Station, "财政所"},
	{org.Station, "综治中心"}, {org.Station, "农业综合服务中心"}, {org.Community, "城南社区"}, {org.Community, "城北社区"},
	{org.Village, "东村"}, {org.Village, "西村"}, {org.Village, "南村"}, {org.Village, "北村"}, {org.Village, "前村"},
	{org.Village, "后村"}, {org.Village, "中村"},
}

var townNames = []string{"城关", "东湖", "西岭", "南山", "北港", "青石", "白沙", "红岩", "金溪", "银湖", "桃源", "梅林",
	"松岗", "竹园", "柳塘", "杏坛", "花桥", "石门", "龙潭", "凤凰", "云山", "雾溪", "清水", "黄土", "平安", "长乐", "永丰", "新塘", "高桥", "双河"}

func seedUnits(ctx context.Context, tx *db.Tx, sys auth.Actor, town *org.Unit) (benchTown, error) {
	t := benchTown{town: town}
	for _, spec := range townUnits {
		u, err := org.CreateUnit(ctx, tx, sys, org.UnitInput{ParentID: id(town.ID), Kind: string(spec.kind), Name: spec.name})
		if err != nil {
			return t, err
		}
		t.units = append(t.units, u)
	}
	for i, name := range []string{"周建华", "陈海明", "林志强", "王丽琴", "黄伟东"} {
		p, err := org.CreatePerson(ctx, tx, sys, org.PersonInput{UnitID: id(t.units[0].ID), Name: name, Position: "党委委员、副镇长"})
		if err != nil {
			return t, err
		}
		// Each leader is in charge of a few units (分管), so an overdue
		// problem has someone to reach.
		var led []int64
		for j := 1 + i; j < len(t.units); j += 5 {
			led = append(led, t.units[j].ID)
		}
		if _, err := org.SetLeaderUnits(ctx, tx, sys, p.ID, led); err != nil {
			return t, err
		}
		t.leaders = append(t.leaders, p)
	}
	return t, nil
}

// A benchmark project's profile follows from its number j in its town:
//
//	j%20   0     签约 in November 2025 (签约未落地 by September)
//	       1–2   签约 in July 2026, entering the library then
//	       3     签约 in October 2025, 落地 in March (落地未开工)
//	       4–5   落地 in December 2025, 开工 in May
//	       6–16  开工 in 2025; a few were to operate by June (开工未投产)
//	       17–18 投产
//	       19    开工, 停滞 since April
//
// Its investment keeps pace with time or falls behind (j%10), a few of its
// milestones are reached late or not at all, and some monthly reports are
// late or missing.
type benchProject struct {
	in      project.Input
	since   time.Time // entered the library
	entrant bool      // in July
	moves   []stageMove
	pace    float64
	plan    int64                // this year's plan, yuan
	reach   map[string]time.Time // milestone → the day a report will say it was reached
	p       *project.Project
}

type stageMove struct {
	stage project.Stage
	on    time.Time
	note  string
}

var paces = []float64{1.15, 1.1, 1.05, 1.05, 1.0, 1.0, 1.0, 0.95, 0.8, 0.5}

var milestoneNames = []string{"前期手续", "开工", "主体施工", "主体完工", "设备安装", "竣工验收"}

var reportLines = []string{"主体结构施工稳步推进", "完成桩基施工，开始承台浇筑", "钢结构安装完成约六成", "设备基础施工完成，进入设备采购", "室外配套管网同步施工"}

var problemLines = []string{"电力增容手续办理进度慢，影响设备调试", "项目用地涉及少量林地，需协调县林业局", "施工用水不足，需协调临时供水"}

func planProject(plan *timeline, sys auth.Actor, cal worktime.Calendar, t benchTown, j int, first report.Period, start time.Time) {
	d := project.Day
	bp := &benchProject{since: start, pace: paces[j%10], plan: int64(800+j%9*400) * 10000, reach: map[string]time.Time{}}
	unit := t.units[1+j%16]
	in := project.Input{Code: fmt.Sprintf("%s-%03d", strconv.FormatInt(t.town.ID, 36), j+1), Name: fmt.Sprintf("%s%s项目%03d", t.town.Name, unit.Name, j+1),
		CategoryID: strconv.Itoa(1 + j%8), Tier: string(project.Active), Level: string(project.Town), UnitID: id(unit.ID),
		LeaderID: id(t.leaders[j%len(t.leaders)].ID), TotalInvest: strconv.FormatInt(bp.plan/10000*3, 10), PlanYear: "2026",
		PlanInvest: strconv.FormatInt(bp.plan/10000, 10), PlannedStart: "2026-03-01", PlannedOperating: "2027-06-30"}
	switch k := j % 20; {
	case k == 0:
		in.Stage, in.StageSince = string(project.Signed), "2025-11-15"
	case k <= 2:
		bp.since, bp.entrant = d(2026, 7, 10), true
		in.Stage, in.StageSince = string(project.Signed), "2026-07-10"
	case k == 3:
		in.Stage, in.StageSince = string(project.Signed), "2025-10-20"
		bp.moves = []stageMove{{project.Landed, d(2026, 3, 2), ""}}
	case k <= 5:
		in.Stage, in.StageSince = string(project.Landed), "2025-12-01"
		bp.moves = []stageMove{{project.Started, d(2026, 5, 12), ""}}
	case k <= 16:
		in.Stage, in.StageSince = string(project.Started), fmt.Sprintf("2025-%02d-10", 3+j%6)
		if j%16 == 6 {
			in.PlannedOperating = "2026-06-30"
		}
	case k <= 18:
		in.Stage, in.StageSince = string(project.Operating), "2025-12-20"
	default:
		in.Stage, in.StageSince = string(project.Started), "2025-06-10"
		bp.moves = []stageMove{{project.Stalled, d(2026, 4, 1), "投资方资金未到位，现场停工"}}
	}
	// Milestones in the months after the project entered: reached on time,
	// 20 days late, or (one project in eleven, from the third on) not at all.
	for n, name := range milestoneNames {
		planned := d(2026, time.Month(2+2*n), 15)
		if planned.Before(bp.since) {
			continue
		}
		reach := planned.AddDate(0, 0, -3)
		switch {
		case j%20 >= 17:
		case j%11 == 5 && n >= 2:
			reach = time.Time{}
		case (j+n)%7 == 3:
			reach = planned.AddDate(0, 0, 20)
		}
		m := project.MilestoneInput{Name: name, Planned: project.FormatDate(planned), UnitID: in.UnitID}
		switch {
		case reach.IsZero():
		case reach.Before(start):
			m.Actual = project.FormatDate(reach) // recorded with the project
		default:
			bp.reach[name] = reach
		}
		in.Milestones = append(in.Milestones, m)
	}
	bp.in = in

	plan.on(bp.since, func(ctx context.Context, tx *db.Tx) (err error) {
		if bp.p, err = project.Create(ctx, tx, sys, bp.in); err != nil {
			return fmt.Errorf("project %s: %w", bp.in.Name, err)
		}
		// The investment of the months before the first closed one.
		if months := int64(first.Month - 1); months > 0 && !bp.entrant {
			return project.SetYearCompleted(ctx, tx, sys, bp.p.ID, 2026, bp.monthly()*months)
		}
		return nil
	})
	for _, mv := range bp.moves {
		plan.on(laterOf(mv.on, bp.since), func(ctx context.Context, tx *db.Tx) error {
			_, err := project.SetStage(ctx, tx, sys, bp.p.ID, mv.stage, project.FormatDate(mv.on), mv.note)
			return err
		})
	}

	cfg := report.DefaultConfig()
	for m := first; m.Month <= time.September; m = m.Next() {
		if bp.since.After(m.Last()) {
			continue // not in the library yet
		}
		stalled := j%20 == 19 && m.Month >= time.April
		if (j+int(m.Month))%13 == 5 || stalled && m.Month%2 == 0 {
			continue // missing
		}
		deadline := m.Deadline(cfg.DeadlineDay, cal)
		on := deadline.AddDate(0, 0, -2)
		if (j+int(m.Month))%9 == 3 {
			on = cal.AddWorkdays(deadline, 2) // late
		}
		line := reportLines[(j+int(m.Month))%len(reportLines)]
		if stalled {
			line = "投资方资金未到位，现场停工"
		}
		plan.on(on, func(ctx context.Context, tx *db.Tx) error {
			in := report.Input{MonthInvest: project.WanExact(bp.monthly()), Progress: line, NextPlan: "加快施工进度，确保节点按期完成", Reached: map[int64]string{}}
			for _, ms := range bp.p.Milestones {
				if r, ok := bp.reach[ms.Name]; ok && !r.After(m.Last()) && !r.After(on) {
					in.Reached[ms.ID] = project.FormatDate(r)
					delete(bp.reach, ms.Name)
				}
			}
			if (j+int(m.Month))%29 == 11 {
				in.Problems = problemLines[j%len(problemLines)]
			}
			if stalled {
				in.MonthInvest = "0"
			}
			_, err := report.Save(ctx, tx, sys, bp.p.ID, m, in, true, on)
			if err != nil {
				return fmt.Errorf("report %s %s: %w", bp.in.Name, m.Key(), err)
			}
			return nil
		})
	}
}

// monthly is a month's investment at the project's pace, yuan. A project
// entering in July keeps pace with its year's plan over the three months
// to September.
func (bp *benchProject) monthly() int64 {
	months := 12.0
	if bp.entrant {
		months = 4
	}
	return int64(float64(bp.plan)*bp.pace/months/100) * 100
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// planProblems gives each town twelve problems assigned on 6 July with
// deadlines from 20 July to 14 September: a quarter done and closed in
// time, a quarter closed late, the rest still open.
func planProblems(plan *timeline, sys auth.Actor, t benchTown) {
	assigned := project.Day(2026, 7, 6)
	for k := range 12 {
		deadline := project.Day(2026, 7, 20).AddDate(0, 0, 5*k)
		unit := t.units[1+(k*7)%20]
		var p *problem.Problem
		plan.on(assigned, func(ctx context.Context, tx *db.Tx) (err error) {
			p, err = problem.Create(ctx, tx, sys, problem.Input{Title: fmt.Sprintf("%s第%d项交办问题：用地报批材料未齐", unit.Name, k+1),
				Category: string(problem.Categories[k%len(problem.Categories)]), Source: string(problem.FromMeeting), Priority: string(problem.Normal),
				UnitID: id(unit.ID), DeadlineKind: problem.ByDate, Deadline: project.FormatDate(deadline)})
			return err
		})
		plan.on(assigned.AddDate(0, 0, 1), func(ctx context.Context, tx *db.Tx) error {
			_, err := problem.Sign(ctx, tx, sys, p.ID)
			return err
		})
		var done time.Time
		switch k % 4 {
		case 0:
			done = deadline.AddDate(0, 0, -2)
		case 1:
			done = deadline.AddDate(0, 0, 5)
		default:
			continue
		}
		plan.on(done, func(ctx context.Context, tx *db.Tx) error {
			_, err := problem.Finish(ctx, tx, sys, p.ID, "已办结，相关材料已归档。", nil)
			return err
		})
		plan.on(done.AddDate(0, 0, 1), func(ctx context.Context, tx *db.Tx) error {
			_, err := problem.Close(ctx, tx, sys, p.ID, "经核实，予以销号。")
			return err
		})
	}
}

// planInstructions gives each town six 批示 written in the quarter, ten
// days to answer: a third answered in time, a third late, a third not.
func planInstructions(plan *timeline, sys auth.Actor, t benchTown) {
	writer := sys
	writer.Name = "周建华"
	for k := range 6 {
		written := project.Day(2026, 7, 3).AddDate(0, 0, 12*k)
		deadline := written.AddDate(0, 0, 10)
		units := []*org.Unit{t.units[1+(k*3)%20]}
		if k%2 == 0 {
			units = append(units, t.units[1+(k*3+5)%20])
		}
		var in *instruction.Instruction
		plan.on(written, func(ctx context.Context, tx *db.Tx) (err error) {
			input := instruction.Input{TargetType: string(instruction.None), Content: fmt.Sprintf("请%s对照年度目标倒排工期，第%d次督办，按期反馈落实情况。", units[0].Name, k+1),
				WrittenOn: project.FormatDate(written), Deadline: project.FormatDate(deadline)}
			for _, u := range units {
				input.UnitIDs = append(input.UnitIDs, id(u.ID))
			}
			in, err = instruction.Create(ctx, tx, writer, input)
			return err
		})
		var answered time.Time
		switch k % 3 {
		case 0:
			answered = written.AddDate(0, 0, 5)
		case 1:
			answered = deadline.AddDate(0, 0, 4)
		default:
			continue
		}
		plan.on(answered, func(ctx context.Context, tx *db.Tx) error {
			for _, u := range units {
				if _, err := instruction.Answer(ctx, tx, sys, in.ID, instruction.AnswerInput{UnitID: id(u.ID), Content: "已按批示要求落实，倒排工期表附后。"}); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// timeline is what happens on each day. run goes through the days in
// order, each in one transaction with the database clock at 09:00 of that
// day; a day's atEnd steps (the month closes) run after its other steps.
type timeline struct {
	steps, last map[time.Time][]step
}

type step func(ctx context.Context, tx *db.Tx) error

func newTimeline() *timeline { return &timeline{map[time.Time][]step{}, map[time.Time][]step{}} }

func (t *timeline) on(day time.Time, s step)    { t.steps[day] = append(t.steps[day], s) }
func (t *timeline) atEnd(day time.Time, s step) { t.last[day] = append(t.last[day], s) }

func clockAt(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, dbtest.Shanghai)
}

func (t *timeline) run(tb testing.TB, d *db.DB, clock *dbtest.Clock) {
	tb.Helper()
	ctx := context.Background()
	days := slices.SortedFunc(maps.Keys(t.steps), time.Time.Compare)
	for day := range t.last {
		if !slices.ContainsFunc(days, day.Equal) {
			days = append(days, day)
		}
	}
	slices.SortFunc(days, time.Time.Compare)
	for _, day := range days {
		clock.Set(clockAt(day))
		err := d.InTx(ctx, func(tx *db.Tx) error {
			for _, s := range append(t.steps[day], t.last[day]...) {
				if err := s(ctx, tx); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatalf("%s: %v", day.Format(time.DateOnly), err)
		}
	}
}
