package bulletin

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"guatu/apperr"
	"guatu/auth"
	"guatu/db"
	"guatu/instruction"
	"guatu/org"
	"guatu/problem"
	"guatu/project"
	"guatu/report"
)

// aheadLimit caps the 红榜: a bulletin praises the few who lead, not half
// the town.
const aheadLimit = 10

// source is everything a draft is written from, gathered from the frozen
// months and the records; compose turns it into the bulletin without
// touching the database, so the prose and tables are tested as pure code.
type source struct {
	span      Span
	place     string // 全镇
	recipient string
	collected Collected
	weights   Weights
	prevRanks map[int64]int
	// The frozen months: at Through, at the month before the span (nil when
	// not closed), and every closed month of the span.
	lights     map[int64]report.MonthLight
	prevLights map[int64]report.MonthLight
	months     []map[int64]report.MonthLight
	projects   map[int64]*project.Project
	units      namedUnits
	// stall patterns holding at Through's last day, per project.
	stalls map[int64]stallAt
	// problems overdue at the span's end (or today, if earlier).
	overdue []overdueProblem
	// 批示 answered late or not at all by their deadline in the span.
	lateInstructions []instruction.Fact
	asOf             time.Time
}

type stallAt struct {
	stall project.Stall
	days  int
}

type overdueProblem struct {
	p    *problem.Problem
	days int
}

// Generate writes the draft of a bulletin over span for the unit under
// (a town, or a county): it gathers the span's frozen months and the
// records of problems and 批示 and composes the content. It reads only;
// storing the draft is Create's job.
func Generate(ctx context.Context, q db.Querier, under int64, span Span, today time.Time, w Weights, prevRanks map[int64]int) (Content, error) {
	src, err := gather(ctx, q, under, span, today)
	if err != nil {
		return Content{}, err
	}
	src.weights, src.prevRanks = w, prevRanks
	return compose(src), nil
}

func gather(ctx context.Context, q db.Querier, under int64, span Span, today time.Time) (*source, error) {
	root, err := org.GetUnit(ctx, q, under)
	if err != nil {
		return nil, err
	}
	c, err := Collect(ctx, q, under, span, today)
	if err != nil {
		return nil, err
	}
	if len(c.Closed) == 0 {
		return nil, apperr.Invalidf("%s还没有关账的月份：通报只用关账后冻结的数据，请先在“报送情况”中关账（至少关到%s）",
			span.Label(), span.First.Label())
	}
	src := &source{span: span, collected: c, place: placeOf(root), recipient: recipientOf(root), asOf: span.End()}
	if today.Before(src.asOf) {
		src.asOf = today
	}
	if src.units, err = unitNames(ctx, q, root.Path); err != nil {
		return nil, err
	}
	inTree := func(m map[int64]report.MonthLight) map[int64]report.MonthLight {
		out := map[int64]report.MonthLight{}
		for id, l := range m {
			if _, ok := src.units.byID[l.UnitID]; ok {
				out[id] = l
			}
		}
		return out
	}
	for _, m := range c.Closed {
		l, err := report.MonthLights(ctx, q, m)
		if err != nil {
			return nil, err
		}
		src.months = append(src.months, inTree(l))
	}
	src.lights = src.months[len(src.months)-1]
	before := span.First.Prev()
	if closed, err := report.IsClosed(ctx, q, before, root.Path); err != nil {
		return nil, err
	} else if closed {
		l, err := report.MonthLights(ctx, q, before)
		if err != nil {
			return nil, err
		}
		src.prevLights = inTree(l)
	}

	list, _, err := project.List(ctx, q, auth.SystemActor("bulletin"), project.Filter{UnitID: under})
	if err != nil {
		return nil, err
	}
	src.projects = map[int64]*project.Project{}
	for _, p := range list {
		src.projects[p.ID] = p
	}
	// Stall patterns at the last closed day, from the stage history.
	end := c.Through.Last()
	stages, err := project.StagesOn(ctx, q, end)
	if err != nil {
		return nil, err
	}
	rules := project.DefaultRules()
	if r, err := project.LoadRules(ctx, q); err == nil {
		rules = r
	}
	src.stalls = map[int64]stallAt{}
	for id := range src.lights {
		p, move := src.projects[id], stages[id]
		if p == nil {
			continue
		}
		f := project.Facts{Stage: move.Stage, StageSince: move.On, PlannedOperating: p.PlannedOperating}
		if s, days, ok := project.StallOf(f, end, rules); ok {
			src.stalls[id] = stallAt{s, days}
		}
	}

	// Problems overdue at asOf: not done by then, their deadline passed.
	open, err := problem.Open(ctx, q, root.Path)
	if err != nil {
		return nil, err
	}
	later, err := problem.ClosedBetween(ctx, q, root.Path, src.asOf.AddDate(0, 0, 1), today.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	for _, p := range append(open, later...) {
		if p.Deadline.IsZero() || !src.asOf.After(p.Deadline) {
			continue
		}
		if !p.DoneAt.IsZero() && !problem.DayOf(p.DoneAt).After(src.asOf) {
			continue
		}
		src.overdue = append(src.overdue, overdueProblem{p, int(src.asOf.Sub(p.Deadline).Hours() / 24)})
	}

	facts, err := instruction.Facts(ctx, q, span.Start(), span.End())
	if err != nil {
		return nil, err
	}
	for _, f := range facts {
		if _, ok := src.units.byID[f.UnitID]; !ok {
			continue
		}
		if counted, onTime := f.Judge(today); counted && !onTime {
			src.lateInstructions = append(src.lateInstructions, f)
		}
	}
	return src, nil
}

// placeOf is how the prose names the whole: 全镇 for a town, 全县 for a
// county, else the unit's name.
func placeOf(u *org.Unit) string {
	for _, suffix := range []string{"镇", "乡", "街道", "县", "区", "市"} {
		if strings.HasSuffix(u.Name, suffix) {
			return "全" + string([]rune(suffix)[0])
		}
	}
	return u.Name
}

// recipientOf is the 主送 a 通报 of the unit goes to.
func recipientOf(u *org.Unit) string {
	switch {
	case strings.HasSuffix(u.Name, "镇"), strings.HasSuffix(u.Name, "乡"):
		return "各村（社区），镇直各部门、各站所"
	case strings.HasSuffix(u.Name, "街道"):
		return "各社区，街道各部门"
	case strings.HasSuffix(u.Name, "县"), strings.HasSuffix(u.Name, "区"):
		return "各乡镇（街道），县直各部门"
	}
	return "各有关单位"
}

var sectionNumbers = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// compose writes the bulletin from its sources: the figures, the ranking,
// the lists and the prose around them.
func compose(src *source) Content {
	span := src.span
	c := Content{
		Title:     fmt.Sprintf("关于%s重点项目推进情况的通报", span.Label()),
		Recipient: src.recipient,
	}
	f := src.figures()
	c.Figures = f
	through := report.Period{}
	if t, err := report.ParsePeriod(f.Through); err == nil {
		through = t
	}
	asAt := fmt.Sprintf("截至%d月底", int(through.Month))

	// A list with nothing in it is said in the section's prose ("无逾期未
	// 办结问题"), so it gets no table and no heading of its own.
	add := func(key, heading string, paras []string, tables ...Table) {
		n := sectionNumbers[len(c.Sections)]
		sec := Section{Key: key, Heading: n + "、" + heading, Paragraphs: paras}
		for _, t := range tables {
			if len(t.Rows) > 0 {
				sec.Tables = append(sec.Tables, t)
			}
		}
		c.Sections = append(c.Sections, sec)
	}

	// 一、总体情况
	overview := []string{OverviewSentence(span, Overview{Place: f.Place, Projects: f.Projects, Completed: f.Completed,
		Planned: f.Planned, TimeProgress: f.TimeProgress})}
	overview = append(overview, stageSentence(f), lightSentence(asAt, f))
	if !f.Complete {
		overview = append(overview, fmt.Sprintf("（%s尚有月份未关账，本通报数据%s。）", span.Label(), asAt))
	}
	add("overview", "总体情况", overview)

	// 二、综合考评
	add("ranking", "各单位综合考评情况", []string{
		RankingSentence(span, f.Ranking),
		weightsSentence(f.Weights),
	}, src.rankingTable(f))

	// 三、红榜
	ahead := src.ahead()
	aheadPara := fmt.Sprintf("%s，以下%d个项目投资完成快于时序进度、时间节点按期完成，予以通报表扬：%s。", asAt, len(ahead.Rows), names(ahead, 1))
	if len(ahead.Rows) == 0 {
		aheadPara = asAt + "，暂无投资完成快于时序进度且节点全部按期完成的项目。"
	}
	add("ahead", "红榜项目", []string{aheadPara}, ahead)

	// 四、红黄灯
	red, yellow := src.lightTable(project.Red), src.lightTable(project.Yellow)
	lightsPara := fmt.Sprintf("%s，亮红灯项目%d个、亮黄灯项目%d个。", asAt, len(red.Rows), len(yellow.Rows))
	if len(red.Rows) > 0 {
		lightsPara += "红灯项目是：" + names(red, 1) + "，" + "责任单位和责任领导要逐项分析原因、制定整改措施，限期销号。"
	}
	add("lights", "红黄灯项目", []string{lightsPara}, red, yellow)

	// 五、三未
	stallTables := src.stallTables()
	n := [3]int{}
	for i, t := range stallTables {
		n[i] = len(t.Rows)
	}
	stallPara := fmt.Sprintf("%s，签约未落地项目%d个、落地未开工项目%d个、开工未投产项目%d个。", asAt, n[0], n[1], n[2])
	if n[0]+n[1]+n[2] == 0 {
		stallPara = asAt + "，无签约未落地、落地未开工、开工未投产项目。"
	} else {
		stallPara += "各责任单位要倒排工期、挂图作战，推动项目早落地、早开工、早投产。"
	}
	add("stalls", "“三未”项目", []string{stallPara}, stallTables...)

	// 六、问题、月报、批示
	probs, reports, instr := src.overdueTable(), src.lateReportTable(), src.lateInstructionTable()
	add("overdue", "问题销号、月报报送和批示反馈", []string{
		overdueSentence(src, probs),
		lateReportSentence(src, reports),
		lateInstructionSentence(src, instr),
	}, probs, reports, instr)

	// 七、下步要求
	add("demands", "下步工作要求", demands(f.Ranking, red))
	return c
}

func (src *source) figures() Figures {
	c := src.collected
	f := Figures{Span: src.span.Key(), Through: c.Through.Key(), Complete: c.Complete(), Place: src.place, Weights: src.weights}
	stages := map[project.Stage]int{}
	for _, l := range src.lights {
		f.Projects++
		stages[l.Stage]++
		f.Planned += l.PlannedYear
		f.Completed += l.CompletedYear
		f.TimeProgress = l.TimeProgress
		countLight(&f.Lights, l.Light)
	}
	if f.TimeProgress == 0 {
		f.TimeProgress = project.TimeProgress(c.Through.Last())
	}
	for _, s := range project.Stages {
		if n := stages[s]; n > 0 {
			f.ByStage = append(f.ByStage, StageCount{Stage: string(s), Label: s.Label(), N: n})
		}
	}
	f.Started = stages[project.Started] + stages[project.Operating]
	if f.Projects > 0 {
		f.StartRate = round1(float64(f.Started) * 100 / float64(f.Projects))
	}
	if src.prevLights != nil {
		var prev LightCount
		for _, l := range src.prevLights {
			countLight(&prev, l.Light)
		}
		f.PrevLights, f.PrevThrough = &prev, src.span.First.Prev().Key()
	}
	f.Ranking = Rank(src.weights, c.Units, src.prevRanks)
	return f
}

func countLight(c *LightCount, l project.Light) {
	switch l {
	case project.Green:
		c.Green++
	case project.Yellow:
		c.Yellow++
	case project.Red:
		c.Red++
	}
}

func stageSentence(f Figures) string {
	var parts []string
	for _, s := range f.ByStage {
		parts = append(parts, fmt.Sprintf("%s%d个", s.Label, s.N))
	}
	if len(parts) == 0 {
		return "本期无纳入调度的实施库项目。"
	}
	return fmt.Sprintf("从推进阶段看，%s；已开工（含投产）%d个，开工率%.1f%%。", strings.Join(parts, "、"), f.Started, f.StartRate)
}

func lightSentence(asAt string, f Figures) string {
	s := fmt.Sprintf("%s，绿灯项目%d个、黄灯项目%d个、红灯项目%d个", asAt, f.Lights.Green, f.Lights.Yellow, f.Lights.Red)
	if p := f.PrevLights; p != nil {
		s += "，与上期末相比" + change("红灯", f.Lights.Red-p.Red) + "、" + change("黄灯", f.Lights.Yellow-p.Yellow)
	}
	return s + "。"
}

func change(what string, d int) string {
	switch {
	case d > 0:
		return fmt.Sprintf("%s增加%d个", what, d)
	case d < 0:
		return fmt.Sprintf("%s减少%d个", what, -d)
	}
	return what + "持平"
}

func weightsSentence(w Weights) string {
	var parts []string
	for _, p := range Parts {
		if w[p] > 0 {
			parts = append(parts, fmt.Sprintf("%s%s%%", p.Label(), trimFloat(w[p]*100/w.total())))
		}
	}
	return "综合得分按" + strings.Join(parts, "、") + "加权计算，某项无考评事项的单位按其余各项折算。"
}

func (w Weights) total() float64 {
	var t float64
	for _, v := range w {
		t += max(v, 0)
	}
	if t == 0 {
		return 1
	}
	return t
}

func trimFloat(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", v), "0"), ".")
}

// names lists the texts of a column of a table, at most five, for prose.
func names(t Table, col int) string {
	var out []string
	for i, r := range t.Rows {
		if i == 5 {
			return strings.Join(out, "、") + fmt.Sprintf("等%d个项目", len(t.Rows))
		}
		out = append(out, r[col].Text)
	}
	return strings.Join(out, "、")
}

func (src *source) rankingTable(f Figures) Table {
	t := Table{Key: "ranking", Caption: src.span.Label() + "各单位综合考评排名",
		Header: []string{"排名", "单位", "节点按期率(%)", "投资进度(%)", "月报按时率(%)", "问题销号率(%)", "批示反馈率(%)", "综合得分", "名次变化"},
		Widths: []float64{3, 9, 5, 5, 5, 5, 5, 4, 4}}
	for _, s := range f.Ranking {
		if !s.Scored {
			continue // nothing to measure this span: not ranked, and not listed as if it were
		}
		row := []Cell{count(s.Rank), text(s.UnitName)}
		for _, r := range s.Rates {
			row = append(row, decimal(r.Percent, r.Has))
		}
		row = append(row, decimal(s.Score, s.Scored), text(s.Change()))
		t.Rows = append(t.Rows, row)
	}
	t.Empty = "本期无可考评单位。"
	return t
}

// projectRow starts a list row: 序号, the project, its lead unit and 责任领导.
func (src *source) projectRow(i int, id int64, l report.MonthLight) []Cell {
	name, leader := fmt.Sprintf("项目%d", id), ""
	unit := src.units.byID[l.UnitID].name
	if p := src.projects[id]; p != nil {
		name, leader = p.Name, p.LeaderName
	}
	return []Cell{count(i), text(name), text(unit), text(leader)}
}

// sortedLights orders projects for a list: by unit in tree order, then name.
func (src *source) sortedLights(keep func(id int64, l report.MonthLight) bool) []int64 {
	order := map[int64]int{}
	for i, id := range src.units.ordered {
		order[id] = i
	}
	var ids []int64
	for id, l := range src.lights {
		if keep(id, l) {
			ids = append(ids, id)
		}
	}
	name := func(id int64) string {
		if p := src.projects[id]; p != nil {
			return p.Code + p.Name
		}
		return ""
	}
	slices.SortFunc(ids, func(a, b int64) int {
		if c := cmp.Compare(order[src.lights[a].UnitID], order[src.lights[b].UnitID]); c != 0 {
			return c
		}
		return cmp.Or(strings.Compare(name(a), name(b)), cmp.Compare(a, b))
	})
	return ids
}

// ahead is the 红榜: green at Through, investment at or ahead of 时序进度,
// and every milestone due in the span met on time; those furthest ahead
// first.
func (src *source) ahead() Table {
	t := Table{Key: "ahead", Caption: "红榜项目", Header: []string{"序号", "项目名称", "责任单位", "责任领导", "年度完成率(%)", "领先时序(百分点)", "节点按期"},
		Widths: []float64{2, 12, 6, 4, 4, 4, 3}, Empty: "暂无红榜项目。"}
	due, met := map[int64]int{}, map[int64]int{}
	for _, m := range src.months {
		for id, l := range m {
			due[id] += l.MilestonesDue
			met[id] += l.MilestonesOnTime
		}
	}
	type cand struct {
		id   int64
		lead float64
	}
	var list []cand
	for id, l := range src.lights {
		pct, ok := project.Completion(l.CompletedYear, l.PlannedYear)
		if l.Light != project.Green || !ok || pct < l.TimeProgress || met[id] < due[id] {
			continue
		}
		list = append(list, cand{id, pct - l.TimeProgress})
	}
	slices.SortFunc(list, func(a, b cand) int {
		return cmp.Or(cmp.Compare(b.lead, a.lead), cmp.Compare(a.id, b.id))
	})
	for i, c := range list {
		if i == aheadLimit {
			break
		}
		l := src.lights[c.id]
		pct, _ := project.Completion(l.CompletedYear, l.PlannedYear)
		row := append(src.projectRow(i+1, c.id, l), decimal(pct, true), decimal(c.lead, true),
			text(fmt.Sprintf("%d/%d", met[c.id], due[c.id])))
		t.Rows = append(t.Rows, row)
	}
	return t
}

func (src *source) lightTable(light project.Light) Table {
	t := Table{Key: string(light), Caption: light.Label() + "项目", Header: []string{"序号", "项目名称", "责任单位", "责任领导", "主要原因"},
		Widths: []float64{2, 10, 6, 4, 14}, Empty: "无" + light.Label() + "项目。"}
	ids := src.sortedLights(func(_ int64, l report.MonthLight) bool { return l.Light == light })
	for i, id := range ids {
		l := src.lights[id]
		t.Rows = append(t.Rows, append(src.projectRow(i+1, id, l), text(strings.Join(l.Reasons, "；"))))
	}
	return t
}

func (src *source) stallTables() []Table {
	var out []Table
	for _, s := range []project.Stall{project.SignedNotLanded, project.LandedNotStarted, project.StartedNotOperating} {
		t := Table{Key: string(s), Caption: s.Label() + "项目", Header: []string{"序号", "项目名称", "责任单位", "责任领导", "阶段", "持续天数"},
			Widths: []float64{2, 12, 6, 4, 3, 3}, Empty: "无" + s.Label() + "项目。"}
		if s == project.StartedNotOperating {
			t.Header[5] = "超过计划投产(天)"
		}
		ids := src.sortedLights(func(id int64, _ report.MonthLight) bool { return src.stalls[id].stall == s })
		for i, id := range ids {
			l := src.lights[id]
			t.Rows = append(t.Rows, append(src.projectRow(i+1, id, l), text(l.Stage.Label()), count(src.stalls[id].days)))
		}
		out = append(out, t)
	}
	return out
}

func (src *source) overdueTable() Table {
	t := Table{Key: "overdue_problems", Caption: "逾期未办结问题", Header: []string{"序号", "问题", "责任单位", "办结时限", "逾期天数"},
		Widths: []float64{2, 14, 6, 4, 3}, Empty: "无逾期未办结问题。"}
	order := map[int64]int{}
	for i, id := range src.units.ordered {
		order[id] = i
	}
	list := slices.Clone(src.overdue)
	slices.SortFunc(list, func(a, b overdueProblem) int {
		return cmp.Or(cmp.Compare(order[a.p.UnitID], order[b.p.UnitID]), cmp.Compare(b.days, a.days), cmp.Compare(a.p.ID, b.p.ID))
	})
	for i, o := range list {
		t.Rows = append(t.Rows, []Cell{count(i + 1), text(o.p.Title), text(o.p.UnitName), text(project.FormatDate(o.p.Deadline)), count(o.days)})
	}
	return t
}

func (src *source) lateReportTable() Table {
	t := Table{Key: "late_reports", Caption: "月报迟报、漏报情况", Header: []string{"序号", "单位", "应报", "迟报", "漏报", "按时率(%)"},
		Widths: []float64{2, 10, 3, 3, 3, 4}, Empty: "各单位月报均按时报送。"}
	late, missing := map[int64]int{}, map[int64]int{} // by unit, counted in one pass
	for _, m := range src.months {
		for _, l := range m {
			switch l.Standing {
			case report.Late:
				late[l.UnitID]++
			case report.Missing:
				missing[l.UnitID]++
			}
		}
	}
	i := 0
	for _, f := range src.collected.Units {
		late, missing := late[f.UnitID], missing[f.UnitID]
		if late+missing == 0 {
			continue
		}
		i++
		r := ratio(f.ReportsOnTime, f.ReportsDue)
		t.Rows = append(t.Rows, []Cell{count(i), text(f.UnitName), count(f.ReportsDue), count(late), count(missing), decimal(r.Percent, r.Has)})
	}
	return t
}

func (src *source) lateInstructionTable() Table {
	t := Table{Key: "late_instructions", Caption: "批示反馈超时情况", Header: []string{"序号", "批示内容", "批示人", "承办单位", "反馈时限", "反馈情况"},
		Widths: []float64{2, 14, 3, 6, 4, 5}, Empty: "各单位均按时反馈批示。"}
	for i, f := range src.lateInstructions {
		state := "逾期未反馈"
		if !f.AnsweredAt.IsZero() {
			state = problem.DayOf(f.AnsweredAt).Format("1月2日") + "反馈（超时）"
		}
		t.Rows = append(t.Rows, []Cell{count(i + 1), text(excerpt(f.Content, 40)), text(f.Writer), text(f.UnitName),
			text(project.FormatDate(f.Deadline)), text(state)})
	}
	return t
}

func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// unitsOf names the distinct values of a column, in order, at most five.
func unitsOf(t Table, col int) string {
	var out []string
	for _, r := range t.Rows {
		if !slices.Contains(out, r[col].Text) {
			out = append(out, r[col].Text)
		}
	}
	if len(out) > 5 {
		return strings.Join(out[:5], "、") + fmt.Sprintf("等%d个单位", len(out))
	}
	return strings.Join(out, "、")
}

func overdueSentence(src *source, t Table) string {
	asOf := fmt.Sprintf("截至%d月%d日", int(src.asOf.Month()), src.asOf.Day())
	if len(t.Rows) == 0 {
		return asOf + "，交办问题均在时限内办理，无逾期未办结问题。"
	}
	return fmt.Sprintf("%s，逾期未办结问题%d个，涉及%s，请相关单位抓紧办结销号。", asOf, len(t.Rows), unitsOf(t, 2))
}

func lateReportSentence(src *source, t Table) string {
	if len(t.Rows) == 0 {
		return src.span.Short() + "各单位月报均按时报送。"
	}
	return fmt.Sprintf("%s月报存在迟报、漏报的单位%d个：%s。", src.span.Short(), len(t.Rows), unitsOf(t, 1))
}

func lateInstructionSentence(src *source, t Table) string {
	if len(t.Rows) == 0 {
		return src.span.Short() + "领导批示均按时反馈。"
	}
	return fmt.Sprintf("%s领导批示超时未反馈%d件次，涉及%s。", src.span.Short(), len(t.Rows), unitsOf(t, 3))
}

// demands are the closing requirements: standard wording a 通报 ends with,
// naming the units behind where the figures name them.
func demands(ranking []Score, red Table) []string {
	out := []string{
		"各责任单位要对照本通报，逐项梳理进度滞后的项目和逾期问题，主要负责人亲自过问，明确整改措施和完成时限。",
	}
	var last []string
	for _, s := range ranking {
		if s.Scored {
			last = append(last, s.UnitName)
		}
	}
	if n := len(last); n > 6 {
		out = append(out, fmt.Sprintf("排名后三位的%s要在下月调度会上作表态发言，说明原因和赶超措施。", strings.Join(last[n-3:], "、")))
	}
	if len(red.Rows) > 0 {
		out = append(out, "红灯项目责任领导要靠前指挥，每周调度一次，督查室跟踪督办，直至转为绿灯。")
	}
	out = append(out, "各单位要严格落实一月一调度、一季一通报制度，按时、如实报送月报，确保数据真实准确。")
	return out
}
