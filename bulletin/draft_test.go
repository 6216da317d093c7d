package bulletin

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"guatu/instruction"
	"guatu/problem"
	"guatu/project"
	"guatu/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// aTown is a small town's third quarter, built by hand: three units, seven
// projects with every kind of light and stall, an overdue problem, a late
// 批示, late and missing reports.
func aTown() *source {
	span, _ := NewSpan(QuarterSpan, 2026, 3)
	sep := report.Period{Year: 2026, Month: time.September}
	units := namedUnits{byID: map[int64]unitInfo{
		1: {"XX镇", "/1/"}, 2: {"经发办", "/1/2/"}, 3: {"城建办", "/1/3/"}, 4: {"东岙村", "/1/4/"},
	}, ordered: []int64{1, 2, 3, 4}}
	tp := project.TimeProgress(sep.Last())
	light := func(unit int64, l project.Light, stage project.Stage, planned, done int64, due, met int, standing report.Standing, reasons ...string) report.MonthLight {
		return report.MonthLight{Period: sep, Light: l, Stage: stage, UnitID: unit, PlannedYear: planned, CompletedYear: done,
			TimeProgress: tp, Standing: standing, MilestonesDue: due, MilestonesOnTime: met, Reasons: reasons}
	}
	lights := map[int64]report.MonthLight{
		11: light(2, project.Green, project.Started, 100_000_000, 90_000_000, 2, 2, report.OnTime),
		12: light(2, project.Red, project.Signed, 50_000_000, 5_000_000, 1, 0, report.Late, "签约已 120 天仍未落地（签约未落地）", "年度投资完成 10.0%，落后时序进度（75.1%）65.1 个百分点"),
		13: light(3, project.Yellow, project.Started, 80_000_000, 48_000_000, 1, 0, report.OnTime, "时间节点“主体封顶”计划 2026-09-10 完成，已逾期 20 天"),
		14: light(3, project.Red, project.Landed, 30_000_000, 3_000_000, 0, 0, report.Missing, "落地已 100 天仍未开工（落地未开工）"),
		15: light(3, project.Green, project.Operating, 20_000_000, 20_000_000, 1, 1, report.OnTime),
		16: light(4, project.Yellow, project.Started, 10_000_000, 6_000_000, 0, 0, report.OnTime, "年度投资完成 60.0%，落后时序进度（75.1%）15.1 个百分点"),
		17: light(4, project.Red, project.Started, 40_000_000, 20_000_000, 0, 0, report.Late, "已过计划投产日期 2026-08-31 30 天仍未投产（开工未投产）"),
	}
	projects := map[int64]*project.Project{}
	for id, name := range map[int64]string{11: "海洋科创园", 12: "冷链物流中心", 13: "滨海安置房", 14: "渔港改造", 15: "污水处理厂", 16: "美丽乡村示范带", 17: "民宿集群"} {
		projects[id] = &project.Project{ID: id, Name: name, Code: "XM" + name, LeaderName: "林志强"}
	}
	prev := map[int64]report.MonthLight{}
	for id, l := range lights {
		l.Light = project.Green
		if id == 12 {
			l.Light = project.Red
		}
		prev[id] = l
	}
	facts := []Facts{
		{UnitID: 2, UnitName: "经发办", MilestonesDue: 3, MilestonesOnTime: 2, Planned: 150_000_000, Completed: 95_000_000, TimeProgress: tp, ReportsDue: 6, ReportsOnTime: 4, ProblemsDue: 2, ProblemsOnTime: 2},
		{UnitID: 3, UnitName: "城建办", MilestonesDue: 2, MilestonesOnTime: 1, Planned: 130_000_000, Completed: 71_000_000, TimeProgress: tp, ReportsDue: 9, ReportsOnTime: 7, ProblemsDue: 1, ProblemsOnTime: 0, InstructionsDue: 1},
		{UnitID: 4, UnitName: "东岙村", Planned: 50_000_000, Completed: 26_000_000, TimeProgress: tp, ReportsDue: 6, ReportsOnTime: 5},
	}
	return &source{
		span: span, place: "全镇", recipient: "各村（社区），镇直各部门、各站所", weights: DefaultWeights(),
		prevRanks: map[int64]int{2: 2, 3: 1},
		collected: Collected{Span: span, Closed: span.Months(), Through: sep, Units: facts},
		lights:    lights, prevLights: prev, months: []map[int64]report.MonthLight{lights},
		projects: projects, units: units,
		stalls: map[int64]stallAt{12: {project.SignedNotLanded, 120}, 14: {project.LandedNotStarted, 100}, 17: {project.StartedNotOperating, 30}},
		overdue: []overdueProblem{{p: &problem.Problem{ID: 5, Title: "安置房用电增容未落实", UnitID: 3, UnitName: "城建办",
			Deadline: time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC)}, days: 20}},
		lateInstructions: []instruction.Fact{{InstructionID: 9, Writer: "周建华", Content: "请城建办本月内拿出渔港改造开工计划", UnitID: 3, UnitName: "城建办",
			Deadline: time.Date(2026, 9, 15, 0, 0, 0, 0, time.UTC)}},
		asOf: span.End(),
	}
}

// The prose and tables of a hand-built quarter, against a golden file
// (go test ./bulletin -run Golden -update rewrites it after a deliberate
// change of wording).
func TestCompose_Golden(t *testing.T) {
	c := compose(aTown())
	var b strings.Builder
	b.WriteString(c.Title + "\n" + c.Recipient + "：\n")
	for _, s := range c.Sections {
		b.WriteString(s.Heading + "\n")
		for _, p := range s.Paragraphs {
			b.WriteString("　　" + p + "\n")
		}
		for i, tb := range s.Tables {
			b.WriteString(s.TableHeading(i) + "\n")
			if len(tb.Rows) == 0 {
				b.WriteString("　　" + tb.Empty + "\n")
				continue
			}
			b.WriteString("　　| " + strings.Join(tb.Header, " | ") + " |\n")
			for _, row := range tb.Texts() {
				b.WriteString("　　| " + strings.Join(row, " | ") + " |\n")
			}
		}
	}
	got := b.String()
	path := filepath.Join("testdata", "quarter.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("the bulletin differs from %s; got:\n%s", path, got)
	}
}

// The figures agree with the sources they were counted from.
func TestCompose_Figures(t *testing.T) {
	c := compose(aTown())
	f := c.Figures
	if f.Projects != 7 || f.Started != 5 || f.StartRate != 71.4 || f.Lights != (LightCount{Green: 2, Yellow: 2, Red: 3}) {
		t.Errorf("counts: %+v", f)
	}
	if f.PrevLights == nil || f.PrevLights.Red != 1 || f.PrevThrough != "2026-06" {
		t.Errorf("previous lights: %+v %s", f.PrevLights, f.PrevThrough)
	}
	if f.Planned != 330_000_000 || f.Completed != 192_000_000 {
		t.Errorf("investment: %d of %d", f.Completed, f.Planned)
	}
	// Ranked by score; the previous bulletin's ranks give the change.
	if len(f.Ranking) != 3 || f.Ranking[0].UnitName != "经发办" || f.Ranking[0].Change() != "↑1" ||
		f.Ranking[1].Change() != "新" || f.Ranking[2].Change() != "↓2" {
		t.Errorf("ranking: %+v", f.Ranking)
	}
	// The 红榜: green, ahead of 时序进度 and every milestone met.
	ahead := c.Sections[2].Tables[0]
	if len(ahead.Rows) != 2 || ahead.Rows[0][1].Text != "污水处理厂" || ahead.Rows[1][1].Text != "海洋科创园" {
		t.Errorf("红榜: %v", ahead.Texts())
	}
}
