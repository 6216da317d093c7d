package project

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"guatu/sheet"
)

// The spreadsheet columns of the 台账. One catalog serves the export, the
// template and the importer, so whatever Guatu writes it reads back.
// Keys are the project form's field names, so a validation message on a
// field lands on the column it came from.
type xlsxColumn struct {
	key     string
	aliases []string // the first is the title Guatu writes
	kind    sheet.Kind
	width   float64
	note    string // how to fill it, for the template's 填写说明
	get     func(p *Project, year int) any
	// computed columns (the light) are exported for reading; the importer
	// recognises and passes over them, and the template leaves them out.
	computed bool
}

func col(key string, aliases []string, kind sheet.Kind, width float64, note string, get func(*Project, int) any) xlsxColumn {
	return xlsxColumn{key: key, aliases: aliases, kind: kind, width: width, note: note, get: get}
}

func xlsxColumns(year int) []xlsxColumn {
	y := strconv.Itoa(year)
	date := func(t time.Time) any { return t }
	return []xlsxColumn{
		col("code", []string{"项目编号", "编号", "项目代码"}, sheet.Text, 11, "可空：新项目自动编号；填写已有编号则更新该项目",
			func(p *Project, _ int) any { return p.Code }),
		col("name", []string{"项目名称", "名称", "项目"}, sheet.Text, 30, "必填；没有编号时按名称找已有项目",
			func(p *Project, _ int) any { return p.Name }),
		{key: "light", aliases: []string{"灯号", "亮灯"}, kind: sheet.Text, width: 7, computed: true},
		{key: "reasons", aliases: []string{"亮灯原因", "灯号原因"}, kind: sheet.Text, width: 36, computed: true},
		col("category_id", []string{"项目类别", "类别", "分类", "产业类别", "项目类型", "行业类别"}, sheet.Text, 10, "必填，与“项目设置”里的分类名称一致",
			func(p *Project, _ int) any { return p.CategoryName }),
		col("level", []string{"项目级别", "级别", "重点级别", "项目层级"}, sheet.Text, 9, "省重点、市重点、县重点或镇重点；空白为镇重点",
			func(p *Project, _ int) any { return p.Level.Label() }),
		col("tier", []string{"项目库", "库别", "所属库", "入库类别"}, sheet.Text, 9, "储备库、滚动库或实施库；空白为储备库",
			func(p *Project, _ int) any { return p.Tier.Label() }),
		col("stage", []string{"项目阶段", "阶段", "当前阶段", "推进阶段", "进展阶段"}, sheet.Text, 9, "谋划、洽谈、签约、落地、开工、投产（竣工）、停滞或终止",
			func(p *Project, _ int) any { return p.Stage.Label() }),
		col("stage_since", []string{"进入阶段日期", "阶段日期", "阶段时间"}, sheet.Date, 12, "进入当前阶段的日期",
			func(p *Project, _ int) any { return date(p.StageSince) }),
		col("stage_note", []string{"阶段说明", "停滞原因", "终止原因"}, sheet.Text, 16, "改为停滞或终止时必填，写明原因",
			func(p *Project, _ int) any { return "" }),
		col("flagship", []string{"牵引性项目", "牵引性", "是否牵引性"}, sheet.Text, 8, "是或否",
			func(p *Project, _ int) any { return yesNo(p.Flagship) }),
		col("chain_leader", []string{"链主型项目", "链主型", "是否链主型", "链主"}, sheet.Text, 8, "是或否",
			func(p *Project, _ int) any { return yesNo(p.ChainLeader) }),
		col("investor", []string{"投资方", "投资主体", "建设单位", "业主单位", "项目业主"}, sheet.Text, 20, "",
			func(p *Project, _ int) any { return p.Investor }),
		col("investor_contact", []string{"投资方联系人", "联系人", "联系方式", "联系电话"}, sheet.Text, 16, "",
			func(p *Project, _ int) any { return p.InvestorContact }),
		col("location", []string{"项目地点", "建设地点", "地点", "选址"}, sheet.Text, 18, "",
			func(p *Project, _ int) any { return p.Location }),
		col("location_unit_id", []string{"所在村（社区）", "所在村", "所在村居", "村社区", "所在村社区"}, sheet.Text, 10, "村或社区的名称",
			func(p *Project, _ int) any { return p.LocationUnitName }),
		col("land_area", []string{"用地面积（亩）", "用地面积", "占地面积", "用地"}, sheet.Number, 10, "单位亩，最多两位小数",
			func(p *Project, _ int) any { return centimuNumber(p.LandAreaCentimu) }),
		col("total_invest", []string{"总投资（万元）", "总投资", "计划总投资", "项目总投资"}, sheet.Wan, 12, "单位万元；表头写明“亿元”或“元”的按表头换算",
			func(p *Project, _ int) any { return p.TotalInvest }),
		col("plan_invest", []string{y + "年计划投资（万元）", y + "年计划投资", y + "年度计划投资", "年度计划投资", "本年计划投资", "年计划投资"}, sheet.Wan, 13, "导入年度的计划投资，单位万元",
			func(p *Project, year int) any { return p.Plan(year).Planned }),
		col("year_completed", []string{y + "年已完成投资（万元）", y + "年已完成投资", y + "年完成投资", "年度完成投资", "本年完成投资", "本年已完成投资"}, sheet.Wan, 13, "导入年度已完成的投资，单位万元",
			func(p *Project, year int) any { return p.Plan(year).Completed }),
		col("completed_invest", []string{"累计完成投资（万元）", "累计完成投资", "累计投资", "已完成投资", "开工以来累计完成投资"}, sheet.Wan, 13, "开工以来累计，单位万元",
			func(p *Project, _ int) any { return p.CompletedInvest }),
		col("leader_id", []string{"责任领导", "分管领导", "包挂领导", "联系领导", "牵头领导"}, sheet.Text, 9, "班子成员姓名",
			func(p *Project, _ int) any { return p.LeaderName }),
		col("unit_id", []string{"牵头单位", "责任单位", "主责单位", "牵头部门"}, sheet.Text, 12, "必填，单位名称",
			func(p *Project, _ int) any { return p.UnitName }),
		col("co_unit_ids", []string{"配合单位", "协办单位", "配合部门"}, sheet.Text, 16, "多个用顿号分开",
			func(p *Project, _ int) any { return coUnitNames(p) }),
		col("person_in_charge", []string{"责任人", "项目责任人", "具体责任人"}, sheet.Text, 9, "",
			func(p *Project, _ int) any { return p.PersonInCharge }),
		col("planned_start", []string{"计划开工日期", "计划开工", "开工时间", "开工日期", "计划开工时间"}, sheet.Date, 12, "如 2026-03-01、2026/3/1、2026年3月",
			func(p *Project, _ int) any { return date(p.PlannedStart) }),
		col("planned_operating", []string{"计划投产（竣工）日期", "计划投产日期", "计划竣工日期", "计划投产", "计划竣工", "投产时间", "竣工时间", "计划投产时间"}, sheet.Date, 12, "只写年月的按月末计",
			func(p *Project, _ int) any { return date(p.PlannedOperating) }),
		col("targets", []string{"预期目标", "建设目标", "目标", "预期效益"}, sheet.Text, 26, "如：年产值：8000万元；新增就业：120人",
			func(p *Project, _ int) any { return targetsText(p.Targets) }),
		col("description", []string{"项目简介", "建设内容", "建设规模及内容", "主要建设内容", "简介"}, sheet.Text, 40, "",
			func(p *Project, _ int) any { return p.Description }),
	}
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// centimuNumber is a land area for a number cell: exact for two decimals.
func centimuNumber(c int64) any {
	if c == 0 {
		return nil
	}
	if c%100 == 0 {
		return c / 100
	}
	v, _ := strconv.ParseFloat(fmt.Sprintf("%d.%02d", c/100, c%100), 64)
	return v
}

func coUnitNames(p *Project) string {
	names := make([]string, len(p.CoUnits))
	for i, u := range p.CoUnits {
		names[i] = u.Name
	}
	return strings.Join(names, "、")
}

// targetsText writes the expected targets as "名称：数值单位", joined by "；",
// which parseTargets reads back.
func targetsText(ts []Target) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.Name
		if t.Value != "" || t.Unit != "" {
			parts[i] += "：" + t.Value + t.Unit
		}
	}
	return strings.Join(parts, "；")
}

var leadingNumber = regexp.MustCompile(`^[0-9]+(?:\.[0-9]+)?`)

// parseTargets reads targets as towns write them: "年产值：8000万元；新增就业
// 120人", "年产值8000万元、税收500万元".
func parseTargets(s string) []TargetInput {
	var out []TargetInput
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '；' || r == ';' || r == '\n' || r == '、' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, rest, found := strings.Cut(strings.ReplaceAll(part, ":", "："), "：")
		if !found {
			// No separator: the name runs up to the first digit.
			i := strings.IndexAny(part, "0123456789")
			if i <= 0 {
				out = append(out, TargetInput{Name: part})
				continue
			}
			name, rest = part[:i], part[i:]
		}
		name, rest = strings.TrimSpace(name), strings.TrimSpace(rest)
		t := TargetInput{Name: name, Value: rest}
		if n := leadingNumber.FindString(rest); n != "" {
			t.Value, t.Unit = n, strings.TrimSpace(rest[len(n):])
		}
		out = append(out, t)
	}
	return out
}

// stageByLabel reads a stage as towns write it.
func stageByLabel(s string) (Stage, bool) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "已"), "在")
	switch s {
	case "谋划", "策划", "前期谋划":
		return Planning, true
	case "洽谈", "谈", "对接", "洽谈中", "在谈":
		return Negotiating, true
	case "签约":
		return Signed, true
	case "落地", "供地":
		return Landed, true
	case "开工", "建", "施工", "续建", "新开工":
		return Started, true
	case "投产", "竣工", "投产/竣工", "投产（竣工）", "投产(竣工)", "建成", "完工", "运营":
		return Operating, true
	case "停滞", "停工", "暂停":
		return Stalled, true
	case "终止", "取消", "退出":
		return Dropped, true
	}
	for _, st := range Stages {
		if s == string(st) {
			return st, true
		}
	}
	return "", false
}

func tierByLabel(s string) (Tier, bool) {
	switch strings.TrimSuffix(s, "库") {
	case "储备":
		return Reserve, true
	case "滚动":
		return Rolling, true
	case "实施":
		return Active, true
	}
	return "", false
}

func levelByLabel(s string) (Level, bool) {
	s = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, "项目"), "重点"), "级")
	switch s {
	case "省":
		return Province, true
	case "市":
		return City, true
	case "县", "区", "县区":
		return County, true
	case "镇", "乡", "乡镇", "街道":
		return Town, true
	}
	return "", false
}

func flagOf(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "是", "√", "✓", "✔", "y", "yes", "1", "true", "牵引性", "链主型", "链主":
		return true, true
	case "否", "×", "n", "no", "0", "false", "-", "—", "/", "无":
		return false, true
	}
	return false, false
}

// Judged is a project with its light, as the 台账 shows it.
type Judged struct {
	P       *Project
	Light   Light
	Reasons []Reason
}

// WriteXLSX writes the projects as the 台账 workbook: every field, the
// light with its reasons and the planned and completed investment of year on
// the first sheet; every milestone with its status on today on the second.
// The importer reads it back unchanged.
func WriteXLSX(w io.Writer, title string, year int, rows []Judged, today time.Time, rules Rules) error {
	cols := xlsxColumns(year)
	data := make([][]any, 0, len(rows))
	var milestones [][]any
	for _, r := range rows {
		line := make([]any, len(cols))
		for i, c := range cols {
			switch c.key {
			case "light":
				line[i] = r.Light.Label()
			case "reasons":
				texts := make([]string, len(r.Reasons))
				for j, x := range r.Reasons {
					texts[j] = x.Text
				}
				line[i] = strings.Join(texts, "；")
			default:
				line[i] = c.get(r.P, year)
			}
		}
		data = append(data, line)
		for _, m := range r.P.Milestones {
			st, _ := m.Status(today, rules)
			milestones = append(milestones, []any{r.P.Code, r.P.Name, m.Name, m.Planned, m.Actual, st.Label(), m.UnitName, m.Note})
		}
	}
	return sheet.WriteBook(w,
		sheet.Table{Name: "项目台账", Title: title, Cols: sheetCols(cols, true), Rows: data},
		sheet.Table{Name: MilestoneSheet, Title: title + " · 时间节点", Cols: sheetCols(milestoneColumns(), true), Rows: milestones})
}

// WriteTemplate writes an empty import template: the header of every
// column the importer reads, under a title, with the 时间节点 sheet.
func WriteTemplate(w io.Writer, title string, year int) error {
	return sheet.WriteBook(w,
		sheet.Table{Name: "项目", Title: title, Cols: sheetCols(xlsxColumns(year), false)},
		sheet.Table{Name: MilestoneSheet, Title: title + " · 时间节点（可不填）", Cols: sheetCols(milestoneColumns(), false)})
}

func sheetCols(cols []xlsxColumn, computed bool) []sheet.Col {
	var out []sheet.Col
	for _, c := range cols {
		if computed || !c.computed {
			out = append(out, sheet.Col{Title: c.aliases[0], Width: c.width, Kind: c.kind})
		}
	}
	return out
}
