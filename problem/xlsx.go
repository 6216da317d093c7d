package problem

import (
	"io"
	"strconv"
	"strings"
	"time"

	"guatu/sheet"
	"guatu/worktime"
)

// Judged is a problem with where it stands on a day, as the list and the
// export show it.
type Judged struct {
	P           *Problem
	Urgency     worktime.Urgency
	Due         time.Time
	OverdueDays int
}

// JudgeAll judges each problem on today.
func JudgeAll(ps []*Problem, today time.Time, cal worktime.Calendar) []Judged {
	out := make([]Judged, len(ps))
	for i, p := range ps {
		u, due := Judge(p, today, cal)
		out[i] = Judged{P: p, Urgency: u, Due: due, OverdueDays: OverdueDays(due, today, cal)}
	}
	return out
}

// StatusText is the deadline's standing in words: "已逾期 3 个工作日",
// "即将到期", "正常", or "" for a problem no longer open.
func (j Judged) StatusText() string {
	if !j.P.State.Open() {
		return ""
	}
	if j.OverdueDays > 0 {
		what := "已逾期"
		if j.P.State == Pending && j.Due.Equal(j.P.SignBy) {
			what = "逾期未签收"
		}
		return what + " " + strconv.Itoa(j.OverdueDays) + " 个工作日"
	}
	return j.Urgency.Label()
}

// WriteXLSX writes the problems as the 问题清单 workbook: one row each with
// every fact, where its deadline stands on the day of the export, and, for
// a closed one, whether it was finished on time.
func WriteXLSX(w io.Writer, title string, rows []Judged) error {
	cols := []sheet.Col{
		{Title: "编号", Kind: sheet.Int, Width: 7},
		{Title: "问题", Width: 36},
		{Title: "类别", Width: 9},
		{Title: "来源", Width: 9},
		{Title: "紧急程度", Width: 8},
		{Title: "状态", Width: 14},
		{Title: "期限情况", Width: 16},
		{Title: "责任单位", Width: 18},
		{Title: "配合单位", Width: 20},
		{Title: "分管领导", Width: 9},
		{Title: "关联项目", Width: 24},
		{Title: "提出人", Width: 9},
		{Title: "登记日期", Kind: sheet.Date},
		{Title: "办理时限（工作日）", Kind: sheet.Int, Width: 10},
		{Title: "签收日期", Kind: sheet.Date},
		{Title: "办结期限", Kind: sheet.Date},
		{Title: "办结日期", Kind: sheet.Date},
		{Title: "销号日期", Kind: sheet.Date},
		{Title: "按期办结", Width: 8},
		{Title: "问题描述", Width: 40},
	}
	data := make([][]any, len(rows))
	for i, r := range rows {
		p := r.P
		co := make([]string, len(p.CoUnits))
		for j, u := range p.CoUnits {
			co[j] = u.Name
		}
		var limit any
		if p.LimitDays > 0 {
			limit = p.LimitDays
		}
		onTime := ""
		if ok, closed := p.ClosedOnTime(); closed {
			onTime = "否"
			if ok {
				onTime = "是"
			}
		}
		data[i] = []any{p.ID, p.Title, p.Category.Label(), p.Source.Label(), p.Priority.Label(), p.State.Label(), r.StatusText(),
			p.UnitName, strings.Join(co, "、"), p.LeaderName, p.ProjectName, p.RaisedName, DayOf(p.CreatedAt), limit,
			DayOf(p.SignedAt), p.Deadline, DayOf(p.DoneAt), DayOf(p.ClosedAt), onTime, p.Description}
	}
	return sheet.Write(w, "问题清单", cols, data, sheet.WithTitle(title))
}
