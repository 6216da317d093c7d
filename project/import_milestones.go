package project

import (
	"strconv"
	"strings"

	"guatu/sheet"
)

// MilestoneSheet is the name of the second worksheet of the 台账: one row per
// 时间节点, so a town can keep its milestones in the same workbook.
const MilestoneSheet = "时间节点"

// milestoneColumns is the catalog of the milestone sheet's columns.
func milestoneColumns() []xlsxColumn {
	return []xlsxColumn{
		{key: "code", aliases: []string{"项目编号", "编号"}, kind: sheet.Text, width: 11},
		{key: "project", aliases: []string{"项目名称", "项目"}, kind: sheet.Text, width: 30},
		{key: "name", aliases: []string{"节点名称", "节点", "时间节点", "节点内容"}, kind: sheet.Text, width: 16},
		{key: "planned", aliases: []string{"计划日期", "计划完成日期", "计划时间", "计划完成时间"}, kind: sheet.Date, width: 12},
		{key: "actual", aliases: []string{"完成日期", "实际完成日期", "实际日期", "实际完成时间"}, kind: sheet.Date, width: 12},
		{key: "status", aliases: []string{"状态", "节点状态"}, kind: sheet.Text, width: 9, computed: true},
		{key: "unit", aliases: []string{"责任单位", "节点责任单位"}, kind: sheet.Text, width: 14},
		{key: "note", aliases: []string{"备注", "说明"}, kind: sheet.Text, width: 24},
	}
}

// milestoneEntry is one row of the milestone sheet.
type milestoneEntry struct {
	row     int // spreadsheet row number
	name    string
	in      MilestoneInput
	present map[string]bool
}

// milestoneBook is the milestone sheet read and grouped by project.
type milestoneBook struct {
	sheet   string
	h       sheet.Header
	byCode  map[string][]milestoneEntry
	byName  map[string][]milestoneEntry
	used    map[int]bool // rows given to a project
	entries []milestoneEntry
}

// findMilestoneSheet picks, among the workbook's other sheets, the one whose
// header names 节点名称 and the project.
func findMilestoneSheet(grids []*sheet.Grid) (*sheet.Grid, sheet.Header, bool) {
	var wanted []sheet.Column
	for _, c := range milestoneColumns() {
		wanted = append(wanted, sheet.Column{Key: c.key, Aliases: c.aliases, Required: c.key == "name"})
	}
	for _, g := range grids {
		h, err := sheet.FindHeader(g, wanted)
		if err != nil {
			continue
		}
		_, code := h.Cols["code"]
		_, name := h.Cols["project"]
		if code || name {
			return g, h, true
		}
	}
	return nil, sheet.Header{}, false
}

// readMilestones reads the milestone sheet's rows, resolving units; what
// cannot be read is reported against its own sheet, row and column.
func (im *importer) readMilestones(g *sheet.Grid, h sheet.Header, problem func(Problem)) *milestoneBook {
	mb := &milestoneBook{sheet: g.Sheet, h: h, byCode: map[string][]milestoneEntry{}, byName: map[string][]milestoneEntry{}, used: map[int]bool{}}
	cell := func(cells []sheet.Cell, key string) (sheet.Cell, bool) {
		i, ok := h.Cols[key]
		if !ok || i >= len(cells) || sheet.Normalize(cells[i].Text) == "" {
			return sheet.Cell{}, false
		}
		return cells[i], true
	}
	for r := h.Row + 1; r < len(g.Rows); r++ {
		cells := g.Rows[r]
		if sheet.Skip(cells) != "" {
			continue
		}
		e := milestoneEntry{row: r + 1, present: map[string]bool{}}
		bad := func(key, msg string) {
			problem(Problem{Sheet: g.Sheet, Row: r + 1, Column: h.Titles[key], Message: msg})
		}
		if c, ok := cell(cells, "name"); ok {
			e.name = strings.TrimSpace(c.Text)
			e.in.Name = e.name
		} else {
			bad("name", "请填写节点名称")
			continue
		}
		for _, key := range []string{"planned", "actual"} {
			c, ok := cell(cells, key)
			if !ok {
				continue
			}
			t, err := sheet.ParseDate(c)
			if err != nil {
				bad(key, err.Error())
				continue
			}
			e.present[key] = !t.IsZero()
			if key == "planned" {
				e.in.Planned = FormatDate(t)
			} else {
				e.in.Actual = FormatDate(t)
			}
		}
		if c, ok := cell(cells, "unit"); ok {
			if u, msg := im.unit(sheet.Normalize(c.Text)); msg != "" {
				bad("unit", msg)
			} else {
				e.in.UnitID = strconv.FormatInt(u.ID, 10)
				e.present["unit"] = true
			}
		}
		if c, ok := cell(cells, "note"); ok {
			e.in.Note = strings.TrimSpace(c.Text)
			e.present["note"] = true
		}
		if c, ok := cell(cells, "code"); ok {
			code := sheet.Normalize(c.Text)
			mb.byCode[code] = append(mb.byCode[code], e)
		} else if c, ok := cell(cells, "project"); ok {
			name := strings.TrimSpace(c.Text)
			mb.byName[name] = append(mb.byName[name], e)
		} else {
			bad("code", "请填写这个节点所属项目的编号或名称")
			continue
		}
		mb.entries = append(mb.entries, e)
	}
	return mb
}

// take returns the milestone rows of the project with this code or name.
func (mb *milestoneBook) take(code, name string) []milestoneEntry {
	if mb == nil {
		return nil
	}
	var out []milestoneEntry
	if code != "" {
		out = append(out, mb.byCode[code]...)
	}
	out = append(out, mb.byName[name]...)
	for _, e := range out {
		mb.used[e.row] = true
	}
	return out
}

// applyMilestones lays the sheet's milestone rows over a project's list:
// a row naming an existing milestone changes the cells it fills, any other
// is added at the end. Milestones the sheet does not name stay as they are.
// rows[i] is the sheet row of the list's milestone i (0 if not from it).
func applyMilestones(list []MilestoneInput, entries []milestoneEntry) ([]MilestoneInput, []int) {
	rows := make([]int, len(list))
	out := append([]MilestoneInput(nil), list...)
	// Two milestones of one name (开工 of two phases) pair with the sheet's
	// rows of that name in order.
	taken := make([]bool, len(out))
	for _, e := range entries {
		at := -1
		for i, m := range out {
			if i < len(taken) && !taken[i] && strings.TrimSpace(m.Name) == e.name {
				at = i
				taken[i] = true
				break
			}
		}
		if at < 0 {
			out = append(out, e.in)
			rows = append(rows, e.row)
			continue
		}
		m := &out[at]
		if e.present["planned"] {
			m.Planned = e.in.Planned
		}
		if e.present["actual"] {
			m.Actual = e.in.Actual
		}
		if e.present["unit"] {
			m.UnitID = e.in.UnitID
		}
		if e.present["note"] {
			m.Note = e.in.Note
		}
		rows[at] = e.row
	}
	return out, rows
}
