package project_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"guatu/auth"
	"guatu/db"
	"guatu/org"
	"guatu/project"
	"guatu/sheet"
)

// messyWorkbook is a project list as a town keeps it: a merged title, a
// two-row header with a merged group, 亿元 and 万元, a 牵头单位 merged down
// three rows, dates in several forms, full-width digits, a 合计 row, a blank
// row and a note.
func messyWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := "Sheet1"
	set := func(cell string, v any) {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	merge := func(a, b string) {
		if err := f.MergeCell(sh, a, b); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "XX镇2026年重点项目计划表")
	merge("A1", "J1")
	for col, v := range map[string]string{"A": "序号", "B": "项目名称", "C": "类别", "D": "总投资\n（亿元）", "E": "2026年计划投资(万元)",
		"F": "牵头单位", "G": "责任领导", "H": "时间节点", "J": "项目阶段"} {
		set(col+"2", v)
	}
	merge("H2", "I2")
	for _, c := range []string{"A", "B", "C", "D", "E", "F", "G", "J"} {
		merge(c+"2", c+"3") // one-row titles span both header rows
	}
	set("H3", "计划开工")
	set("I3", "计划投产")
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{1, "XX湾蓝色经济产业园", "海洋经济", 5.2, "８０００", "经发办", "林志强", 46082, "2027年12月", "开工"}, // 46082 = 2026-03-01
		{2, "深海养殖平台", "海洋经济", "0.35", "1,200.5", nil, "", "2026/4/15", "2026.12", "签约"},
		{3, "水产品精深加工", "先进制造", 1, "", nil, "林志强", "2026年6月", "", "洽谈"},
	}
	for i, r := range rows {
		for j, v := range r {
			if v == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(j+1, i+4)
			set(cell, v)
		}
	}
	if err := f.SetCellStyle(sh, "H4", "H4", dateStyle); err != nil {
		t.Fatal(err)
	}
	merge("F4", "F6") // 经发办 leads all three
	set("B7", "合计")
	set("D7", 6.55)
	// row 8 blank
	set("A9", "注：投资单位见表头。")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (e *env) importFile(by auth.Actor, data []byte, dry bool) *project.ImportReport {
	e.t.Helper()
	g, err := sheet.ReadBook(bytes.NewReader(data))
	if err != nil {
		e.t.Fatal(err)
	}
	rep, err := project.Import(context.Background(), e.d, by, g, project.ImportOptions{FileName: "项目表.xlsx", Year: 2026, DryRun: dry})
	if err != nil {
		e.t.Fatal(err)
	}
	return rep
}

// withLeads makes 林志强 a leader in charge of 经发办, as the importer finds
// 责任领导 among the people in charge of units.
func (e *env) withLeads() {
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		_, err := org.SetLeaderUnits(ctx, tx, sys, e.leader.ID, []int64{e.econ.ID})
		return err
	})
}

func (e *env) all() []*project.Project {
	e.t.Helper()
	list, _, err := project.List(context.Background(), e.d, sys, project.Filter{Details: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

func TestImport_MessyWorkbook(t *testing.T) {
	e := newEnv(t)
	e.withLeads()
	data := messyWorkbook(t)

	dry := e.importFile(e.staff, data, true)
	if !dry.OK() || dry.Created != 3 || dry.Committed {
		t.Fatalf("dry run: ok=%v created=%d committed=%v problems=%v", dry.OK(), dry.Created, dry.Committed, dry.Problems)
	}
	if n := len(e.all()); n != 0 {
		t.Fatalf("a dry run stored %d projects", n)
	}
	if dry.HeaderRow != 3 || len(dry.Skipped) != 2 {
		t.Errorf("header row %d, skipped %+v; want row 3 and the 合计 and note rows", dry.HeaderRow, dry.Skipped)
	}
	if !strings.Contains(strings.Join(dry.Ignored, ","), "序号") {
		t.Errorf("ignored columns %v should name 序号", dry.Ignored)
	}

	rep := e.importFile(e.staff, data, false)
	if !rep.Committed || rep.Created != 3 {
		t.Fatalf("commit: %+v", rep)
	}
	got := map[string]*project.Project{}
	for _, p := range e.all() {
		got[p.Name] = p
	}
	park := got["XX湾蓝色经济产业园"]
	if park == nil {
		t.Fatalf("imported: %v", got)
	}
	if park.TotalInvest != 520_000_000 || park.Plan(2026).Planned != 80_000_000 || park.UnitID != e.econ.ID || park.LeaderID != e.leader.ID ||
		project.FormatDate(park.PlannedStart) != "2026-03-01" || project.FormatDate(park.PlannedOperating) != "2027-12-31" ||
		park.Stage != project.Started || park.CategoryName != "海洋经济" {
		t.Errorf("park = %+v", park)
	}
	farm := got["深海养殖平台"]
	if farm.TotalInvest != 35_000_000 || farm.Plan(2026).Planned != 12_005_000 || farm.UnitID != e.econ.ID || farm.LeaderID != 0 ||
		project.FormatDate(farm.PlannedStart) != "2026-04-15" || project.FormatDate(farm.PlannedOperating) != "2026-12-31" || farm.Stage != project.Signed {
		t.Errorf("farm = %+v", farm)
	}
	if plant := got["水产品精深加工"]; project.FormatDate(plant.PlannedStart) != "2026-06-01" || plant.UnitID != e.econ.ID {
		t.Errorf("plant = %+v", plant)
	}

	// The same file again finds the same projects by name and changes nothing.
	again := e.importFile(e.staff, data, false)
	if again.Created != 0 || again.Unchanged != 3 || len(e.all()) != 3 {
		t.Errorf("second import: created %d unchanged %d, %d projects", again.Created, again.Unchanged, len(e.all()))
	}
}

func TestImport_AllOrNothingWithEveryProblemNamed(t *testing.T) {
	e := newEnv(t)
	e.withLeads()
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{
		{"项目名称", "项目类别", "牵头单位", "总投资（万元）", "计划开工日期", "责任领导", "项目阶段"},
		{"好项目", "海洋经济", "经发办", "100", "2026-03-01", "林志强", "谋划"},
		{"坏日期", "海洋经济", "经发办", "100", "2026-02-30", "", ""},
		{"坏类别", "不存在的类别", "没有的单位", "abc", "", "张三", "快完了"},
		{"别人的项目", "文化旅游", "文旅办", "100", "", "", ""},
		{"好项目", "海洋经济", "经发办", "", "", "", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	rep := e.importFile(e.staff, buf.Bytes(), false)
	if rep.OK() || rep.Committed {
		t.Fatal("a file with problems was committed")
	}
	if n := len(e.all()); n != 0 {
		t.Fatalf("%d projects stored from a refused file", n)
	}
	want := []string{
		"3|计划开工日期|“2026-02-30”不是有效日期",
		"4|项目类别|没有名为“不存在的类别”的项目类别",
		"4|牵头单位|本镇没有名为“没有的单位”的单位",
		"4|总投资（万元）|“abc”不是金额",
		"4|责任领导|班子成员中没有“张三”",
		"4|项目阶段|“快完了”不是项目阶段",
		"5||文旅办", // the clerk of 经发办 may not create a project led by 文旅办
		"6|项目名称|与第 2 行的项目名称相同",
	}
	var got []string
	for _, p := range rep.Problems {
		got = append(got, fmt.Sprintf("%d|%s|%s", p.Row, p.Column, p.Message))
	}
	for _, w := range want {
		parts := strings.SplitN(w, "|", 3)
		found := false
		for _, g := range got {
			gp := strings.SplitN(g, "|", 3)
			if gp[0] == parts[0] && (parts[1] == "" || gp[1] == parts[1]) && strings.Contains(gp[2], parts[2]) {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem %q among:\n%s", w, strings.Join(got, "\n"))
		}
	}
	if rep.Failed != 4 || rep.Created != 1 {
		t.Errorf("failed %d created %d; want 4 and 1 (the good row is checked, then rolled back)", rep.Failed, rep.Created)
	}
}

func TestExport_ReimportsUnchanged(t *testing.T) {
	e := newEnv(t)
	e.withLeads()
	in := e.input("XX古厝活化利用示范区（一期）")
	// What a spreadsheet does not keep exactly: full-width letters typed with a Chinese keyboard, Windows line
	// ends and blank lines from the form's textarea, doubled spaces, targets that are not a number and a unit,
	// and two milestones of one name.
	in.Code = "ＧＣ－０１"
	in.Targets = []project.TargetInput{{Name: "年接待游客", Value: "20", Unit: "万人次"}, {Name: "获评", Value: "省级示范"},
		{Name: "年产值", Value: "约8000", Unit: "万元"}, {Name: "就业、税收"}}
	in.LocationUnitID = fmt.Sprint(e.v1.ID)
	in.Flagship = true
	in.TotalInvest = "12345.6789"
	in.InvestorContact = "王  工 １３９００００００００"
	in.Description = "修缮古厝 36 栋\r\n\r\n建设游客中心"
	in.Milestones = append(in.Milestones, project.MilestoneInput{Name: "开工", Planned: "2026-04-01"}, project.MilestoneInput{Name: "开工", Planned: "2026-09-01"})
	p, err := e.create(e.staff, in)
	if err != nil {
		t.Fatal(err)
	}
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		if _, err := project.SetStage(ctx, tx, e.staff, p.ID, project.Negotiating, "2026-03-15", ""); err != nil {
			return err
		}
		return project.SetYearCompleted(ctx, tx, e.staff, p.ID, 2026, 1_234_567)
	})
	if _, err := e.create(e.staff, e.input("闲置厂房技术改造")); err != nil {
		t.Fatal(err)
	}
	var rows []project.Judged
	for _, p := range e.all() {
		rows = append(rows, project.Judged{P: p, Light: project.Green})
	}
	var buf bytes.Buffer
	if err := project.WriteXLSX(&buf, "XX镇重点项目台账", 2026, rows, project.Day(2026, 3, 15), project.DefaultRules()); err != nil {
		t.Fatal(err)
	}
	rep := e.importFile(e.staff, buf.Bytes(), true)
	if !rep.OK() || rep.Unchanged != 2 || rep.Updated+rep.Created != 0 {
		for _, r := range rep.Rows {
			t.Logf("row %d %s: %s %v", r.Row, r.Name, r.Outcome, r.Changes)
		}
		t.Fatalf("re-import of the export: ok=%v unchanged=%d updated=%d created=%d problems=%v ignored=%v",
			rep.OK(), rep.Unchanged, rep.Updated, rep.Created, rep.Problems, rep.Ignored)
	}
	if len(rep.Ignored) != 0 {
		t.Errorf("export columns the importer does not know: %v", rep.Ignored)
	}
	// Committed, nothing is written: every stored value reads back as it was.
	before := map[int64]project.Input{}
	for _, p := range e.all() {
		before[p.ID] = project.InputOf(p, 2026)
	}
	if rep := e.importFile(e.staff, buf.Bytes(), false); !rep.Committed || rep.Unchanged != 2 {
		t.Fatalf("commit: %+v", rep)
	}
	for _, p := range e.all() {
		if after := project.InputOf(p, 2026); !reflect.DeepEqual(after, before[p.ID]) {
			t.Errorf("re-importing the export changed %s:\nbefore %+v\nafter  %+v", p.Name, before[p.ID], after)
		}
	}
	// The template has the same header, without the computed columns.
	buf.Reset()
	if err := project.WriteTemplate(&buf, "XX镇重点项目导入模板", 2026); err != nil {
		t.Fatal(err)
	}
	g, err := sheet.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, c := range g.Rows[len(g.Rows)-1] {
		titles = append(titles, c.Text)
	}
	if strings.Contains(strings.Join(titles, ","), "灯号") || !strings.Contains(strings.Join(titles, ","), "项目名称") {
		t.Errorf("template header: %v", titles)
	}
}

func TestImport_UpdatesByCodeAndMovesTheStage(t *testing.T) {
	e := newEnv(t)
	e.withLeads()
	p, err := e.create(e.staff, e.input("滨海休闲旅游"))
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range [][]any{
		{"项目编号", "项目名称", "项目类别", "牵头单位", "总投资（万元）", "项目阶段", "进入阶段日期", "2026年已完成投资（万元）", "项目简介", "2026年计划投资"},
		{p.Code, "滨海休闲旅游（一期）", "文化旅游", "经发办", "-", "洽谈", "2026-03-15", "150.25", "新的简介", "1"},
	} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	rep := e.importFile(e.staff, buf.Bytes(), false)
	if !rep.Committed || rep.Updated != 1 {
		t.Fatalf("import: %+v", rep)
	}
	got, err := project.Get(context.Background(), e.d, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "滨海休闲旅游（一期）" || got.CategoryName != "文化旅游" || got.Stage != project.Negotiating ||
		project.FormatDate(got.StageSince) != "2026-03-15" || got.Plan(2026).Completed != 1_502_500 {
		t.Errorf("updated = %+v", got)
	}
	// "-" is a blank: the total investment stays; columns not in the sheet stay too.
	if got.TotalInvest != p.TotalInvest || len(got.Milestones) != len(p.Milestones) || got.LeaderID != p.LeaderID {
		t.Errorf("fields not in the sheet changed: %+v", got)
	}
	if got.Description != "新的简介" || got.Plan(2026).Planned != 10_000 {
		t.Errorf("description %q, plan %d", got.Description, got.Plan(2026).Planned)
	}
	if changes := strings.Join(rep.Rows[0].Changes, ","); !strings.Contains(changes, "项目简介") || !strings.Contains(changes, "2026年计划投资") {
		t.Errorf("changes = %s", changes)
	}
	// Only the description changes: the row is "updated", never "unchanged" while something is written.
	f2 := excelize.NewFile()
	defer f2.Close()
	for i, r := range [][]any{{"项目编号", "项目名称", "项目简介"}, {p.Code, "", "再改一次简介"}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f2.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	buf.Reset()
	if err := f2.Write(&buf); err != nil {
		t.Fatal(err)
	}
	// The name column must be there; a blank name keeps the stored one.
	if rep := e.importFile(e.staff, buf.Bytes(), true); rep.Updated != 1 || rep.Unchanged != 0 {
		t.Errorf("description-only change: updated %d unchanged %d problems %v", rep.Updated, rep.Unchanged, rep.Problems)
	}
	if len(rep.Rows) != 1 || !strings.Contains(strings.Join(rep.Rows[0].Changes, ","), "项目名称") {
		t.Errorf("changes: %+v", rep.Rows)
	}
}

func TestImport_TheMilestoneSheet(t *testing.T) {
	e := newEnv(t)
	e.withLeads()
	p, err := e.create(e.staff, e.input("深海养殖平台"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []project.Judged
	for _, x := range e.all() {
		rows = append(rows, project.Judged{P: x})
	}
	var buf bytes.Buffer
	if err := project.WriteXLSX(&buf, "台账", 2026, rows, project.Day(2026, 3, 15), project.DefaultRules()); err != nil {
		t.Fatal(err)
	}
	// The town fills in 施工许可's completion date and adds a node, in the 时间节点 sheet.
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Row 1 title, row 2 header, rows 3–4 the two milestones (签约, 施工许可).
	if v, _ := f.GetCellValue(project.MilestoneSheet, "C4"); v != "施工许可" {
		t.Fatalf("C4 = %q", v)
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetCellValue(project.MilestoneSheet, "E4", "2026/3/10"))
	must(f.SetSheetRow(project.MilestoneSheet, "A5", &[]any{p.Code, p.Name, "竣工验收", "2027年6月", "", "", "经发办", "分两期"}))
	var edited bytes.Buffer
	must(f.Write(&edited))

	rep := e.importFile(e.staff, edited.Bytes(), false)
	if !rep.Committed || rep.Updated != 1 || rep.Milestones != project.MilestoneSheet {
		t.Fatalf("import: %+v", rep)
	}
	got, err := project.Get(context.Background(), e.d, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Milestones) != 3 || project.FormatDate(got.Milestones[1].Actual) != "2026-03-10" ||
		got.Milestones[2].Name != "竣工验收" || project.FormatDate(got.Milestones[2].Planned) != "2027-06-01" ||
		got.Milestones[2].UnitID != e.econ.ID || got.Milestones[2].Note != "分两期" {
		t.Errorf("milestones = %+v", got.Milestones)
	}
	if got.Milestones[0].ID != p.Milestones[0].ID || got.Milestones[1].ID != p.Milestones[1].ID {
		t.Error("existing milestones were replaced rather than updated")
	}

	// A bad date and a node of a project the file does not list are named on the 时间节点 sheet.
	must(f.SetCellValue(project.MilestoneSheet, "D5", "2027-02-30"))
	must(f.SetSheetRow(project.MilestoneSheet, "A6", &[]any{"2026-999", "不存在的项目", "开工", "2026-05-01"}))
	edited.Reset()
	must(f.Write(&edited))
	rep = e.importFile(e.staff, edited.Bytes(), true)
	var got2 []string
	for _, p := range rep.Problems {
		got2 = append(got2, fmt.Sprintf("%s|%d|%s|%s", p.Sheet, p.Row, p.Column, p.Message))
	}
	joined := strings.Join(got2, "\n")
	for _, want := range []string{"时间节点|5|计划日期|“2027-02-30”不是有效日期", "时间节点|6|项目编号|项目表里没有这个节点所属的项目"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no problem %q among:\n%s", want, joined)
		}
	}
}
