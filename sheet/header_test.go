package sheet_test

import (
	"reflect"
	"testing"

	"guatu/sheet"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"  a  b  ", "a b"},
		{"０１２３４５６７８９", "0123456789"},
		{"ＡＢＣｘｙｚ", "ABCxyz"},
		{"总投资（万元）", "总投资(万元)"},
		{"１，２３４．５６", "1,234.56"},
		{"\u3000项目\u3000名称\u3000", "项目 名称"},
		{"a\u00a0b", "a b"},
		{"总投资\n（亿元）", "总投资 (亿元)"},
		{"a\r\n\r\n\tb", "a b"},
		{"零\u200b宽\ufeff", "零宽"},
		{"￥１２", "¥12"},
		{"＝SUM(A1)", "=SUM(A1)"},
		{"中文，不变。", "中文,不变。"},
	} {
		if got := sheet.Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func cells(texts ...string) []sheet.Cell {
	row := make([]sheet.Cell, len(texts))
	for i, s := range texts {
		row[i] = sheet.Cell{Text: s}
	}
	return row
}

func TestSkip(t *testing.T) {
	for _, tc := range []struct {
		name string
		row  []sheet.Cell
		want string
	}{
		{"record", cells("1", "道路改造", "住建办", "1200"), ""},
		{"record starting with a note word elsewhere", cells("3", "注塑产业园", "经发办", "500"), ""},
		{"record whose name starts with 注, many cells", cells("注塑产业园", "经发办", "500"), ""},
		{"nil", nil, "空行"},
		{"all empty", cells("", "", ""), "空行"},
		{"total", cells("", "合计", "", "12000"), "合计行"},
		{"total with spaces", cells("合 计", "", "", "12000"), "合计行"},
		{"total with ideographic space", cells("合\u3000\u3000计", "12000"), "合计行"},
		{"grand total", cells("总计", "12000"), "合计行"},
		{"subtotal", cells("", "小计", "3"), "合计行"},
		{"total with count", cells("合计（12个）", "", "12000"), "合计行"},
		{"note", cells("注：金额单位为万元"), "说明行"},
		{"note merged across the row", cells("注：1.", "注：1.", "注：1.", "注：1."), "说明行"},
		{"remark", cells("", "备注：其他"), "说明行"},
		{"explanation", cells("说明：…"), "说明行"},
		{"filled by and checked by", cells("填报人：张三", "", "审核人：李四"), "说明行"},
		{"a project whose name begins with 注", cells("注塑件生产线", "1200"), ""},
		{"numbered note", cells("注1：以上为计划数"), "说明行"},
		{"made by", cells("制表：王五", "2026-03-01"), "说明行"},
		{"contact", cells("联系人：赵六", "电话：123"), "说明行"},
		{"note words but a full row", cells("注", "道路", "住建办", "1200"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sheet.Skip(tc.row); got != tc.want {
				t.Errorf("Skip = %q, want %q", got, tc.want)
			}
		})
	}
}

var projectCols = []sheet.Column{
	{Key: "seq", Aliases: []string{"序号"}},
	{Key: "name", Aliases: []string{"项目名称", "名称", "项目"}, Required: true},
	{Key: "unit", Aliases: []string{"责任单位", "牵头单位"}, Required: true},
	{Key: "total", Aliases: []string{"总投资"}, Required: true},
	{Key: "year", Aliases: []string{"年度计划投资", "年度投资"}},
	{Key: "start", Aliases: []string{"计划开工", "开工时间"}},
	{Key: "finish", Aliases: []string{"时间节点/计划投产", "计划投产"}},
	{Key: "area", Aliases: []string{"用地面积"}},
}

func grid(rows ...[]string) *sheet.Grid {
	g := &sheet.Grid{Sheet: "Sheet1"}
	for _, r := range rows {
		g.Rows = append(g.Rows, cells(r...))
	}
	return g
}

func TestFindHeader_OneRow(t *testing.T) {
	g := grid(
		[]string{"XX镇2026年重点项目表", "XX镇2026年重点项目表", "XX镇2026年重点项目表"},
		[]string{"", "", "", "", "单位：万元"},
		[]string{"序 号", "项目\n名称", "牵头单位", "总投资\n（亿元）", "年度计划投资(万元)", "ＰＭ", "用地面积【亩】"},
		[]string{"1", "道路", "住建办", "1.2", "3000"},
	)
	h, err := sheet.FindHeader(g, projectCols)
	if err != nil {
		t.Fatal(err)
	}
	want := sheet.Header{
		Row:    2,
		Cols:   map[string]int{"seq": 0, "name": 1, "unit": 2, "total": 3, "year": 4, "area": 6},
		Units:  map[string]string{"total": "亿元", "year": "万元", "area": "亩"},
		Titles: map[string]string{"seq": "序 号", "name": "项目名称", "unit": "牵头单位", "total": "总投资（亿元）", "year": "年度计划投资(万元)", "area": "用地面积【亩】"},
		Unit:   "万元",
	}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("FindHeader =\n%+v\nwant\n%+v", h, want)
	}
	if got := h.MoneyUnit("total", "元"); got != "亿元" {
		t.Errorf("MoneyUnit(total) = %q, want the header's 亿元", got)
	}
	if got := h.MoneyUnit("year", "元"); got != "万元" {
		t.Errorf("MoneyUnit(year) = %q, want 万元", got)
	}
	if got := h.MoneyUnit("name", "元"); got != "万元" {
		t.Errorf("MoneyUnit(name) = %q, want the sheet's 万元", got)
	}
	h.Unit = ""
	if got := h.MoneyUnit("area", "元"); got != "元" {
		t.Errorf("MoneyUnit(area) = %q, want the default for a unit that is not money", got)
	}
}

func TestFindHeader_TwoRows(t *testing.T) {
	// As read from a sheet with A2:A3, B2:B3, C2:C3 merged vertically and D2:E2 (时间节点) merged across.
	g := grid(
		[]string{"填报单位：元宝村"},
		[]string{"序号", "项目名称", "责任单位", "时间节点", "时间节点", "总投资(万元)"},
		[]string{"序号", "项目名称", "责任单位", "计划开工", "计划投产", ""},
		[]string{"1", "道路", "住建办", "2026.3", "2026.10", "100"},
	)
	h, err := sheet.FindHeader(g, projectCols)
	if err != nil {
		t.Fatal(err)
	}
	want := sheet.Header{
		Row:    2,
		Cols:   map[string]int{"seq": 0, "name": 1, "unit": 2, "start": 3, "finish": 4, "total": 5},
		Units:  map[string]string{"total": "万元"},
		Titles: map[string]string{"seq": "序号", "name": "项目名称", "unit": "责任单位", "start": "计划开工", "finish": "时间节点/计划投产", "total": "总投资(万元)"},
	}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("FindHeader =\n%+v\nwant\n%+v", h, want)
	}
}

func TestFindHeader_GroupTextAlone(t *testing.T) {
	g := grid(
		[]string{"项目名称", "责任单位", "总投资", "用地面积"},
		[]string{"项目名称", "责任单位", "总投资", "合计"},
	)
	h, err := sheet.FindHeader(g, projectCols)
	if err != nil {
		t.Fatal(err)
	}
	if h.Row != 1 || h.Cols["area"] != 3 || h.Titles["area"] != "用地面积" {
		t.Errorf("Row = %d, Cols = %v, Titles = %v; want the second row, area in column 3 titled 用地面积", h.Row, h.Cols, h.Titles)
	}
}

func TestFindHeader_MergedDown(t *testing.T) {
	g := grid(
		[]string{"项目名称", "责任单位", "总投资"},
		[]string{"项目名称", "责任单位", "总投资"},
		[]string{"道路", "住建办", "100"},
		[]string{"项目名称", "责任单位", "总投资"}, // a header repeated for printing, further down
	)
	h, err := sheet.FindHeader(g, projectCols)
	if err != nil {
		t.Fatal(err)
	}
	if h.Row != 1 {
		t.Errorf("Row = %d, want 1 (the second row of a header merged down)", h.Row)
	}
}

func TestFindHeader_Missing(t *testing.T) {
	g := grid(
		[]string{"序号", "项目名称", "总投资"},
		[]string{"1", "道路", "100"},
	)
	_, err := sheet.FindHeader(g, projectCols)
	wantInvalid(t, err, "没有找到", "“责任单位”或“牵头单位”")

	_, err = sheet.FindHeader(grid([]string{"a", "b"}, []string{"1", "2"}), projectCols)
	wantInvalid(t, err, "没有找到表头")

	_, err = sheet.FindHeader(&sheet.Grid{}, projectCols)
	wantInvalid(t, err, "没有找到表头")
}

func TestFindHeader_Beyond20Rows(t *testing.T) {
	var rows [][]string
	for range 20 {
		rows = append(rows, []string{"说明"})
	}
	rows = append(rows, []string{"项目名称", "责任单位", "总投资"})
	_, err := sheet.FindHeader(grid(rows...), projectCols)
	wantInvalid(t, err, "前 20 行")
}
