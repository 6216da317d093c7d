package sheet_test

import (
	"archive/zip"
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"guatu/sheet"
)

var exportCols = []sheet.Col{
	{Title: "项目名称", Width: 30, Kind: sheet.Text},
	{Title: "序号", Kind: sheet.Int},
	{Title: "总投资（万元）", Kind: sheet.Wan},
	{Title: "计划开工", Kind: sheet.Date},
	{Title: "完成率", Kind: sheet.Percent},
	{Title: "用地面积（亩）", Kind: sheet.Number},
}

func TestWrite_RoundTrip(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	rows := [][]any{
		{"东片区污水管网改造", 1, int64(123_456_789), time.Date(2026, 3, 1, 23, 30, 0, 0, shanghai), 27.3, 12.35},
		{"=1+2", int64(-2), int64(0), time.Time{}, 0.0, int64(8)},
		{"+86 123", uint8(3), int64(5), day(2024, 2, 29), 100.0, 0.07},
		{"-5", nil, nil, nil, nil, nil},
		{"@cmd", 4, 7, day(2100, 12, 31), 12.345, 1234567.89},
		{"ＸＸ路（一期）\n第二行", 5},
		{"控制\x01字符\x0b<&>", 6},
	}
	var buf bytes.Buffer
	title := "XX镇重点项目台账（导出于 2026-11-23）"
	if err := sheet.Write(&buf, "项目/台账:2026", exportCols, rows, sheet.WithTitle(title)); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()

	g, err := sheet.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if g.Sheet != "项目_台账_2026" {
		t.Errorf("Sheet = %q, want the name with forbidden characters replaced", g.Sheet)
	}
	if got := g.Cell(0, 5).Text; got != title {
		t.Errorf("title cell E1 = %q, want the merged title", got)
	}
	h, err := sheet.FindHeader(g, []sheet.Column{
		{Key: "name", Aliases: []string{"项目名称"}, Required: true},
		{Key: "seq", Aliases: []string{"序号"}, Required: true},
		{Key: "total", Aliases: []string{"总投资"}, Required: true},
		{Key: "start", Aliases: []string{"计划开工"}, Required: true},
		{Key: "rate", Aliases: []string{"完成率"}, Required: true},
		{Key: "area", Aliases: []string{"用地面积"}, Required: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if h.Row != 1 || h.MoneyUnit("total", "元") != "万元" {
		t.Fatalf("header Row = %d, units %v; want row 1 under the title, 万元", h.Row, h.Units)
	}
	if n := len(g.Rows) - h.Row - 1; n != len(rows) {
		t.Fatalf("read %d data rows, want %d", n, len(rows))
	}

	for i, want := range rows {
		r := h.Row + 1 + i
		name := g.Cell(r, h.Cols["name"])
		wantName := want[0].(string)
		switch i {
		case 5:
			wantName = "XX路（一期）\n第二行" // letters folded, Chinese brackets and the line break kept
		case 6:
			wantName = "控制字符<&>" // control characters XML cannot hold dropped
		}
		if name.IsNum || name.Text != wantName {
			t.Errorf("row %d name = %+v, want text %q", i, name, wantName)
		}
		if sheet.Skip(g.Rows[r]) != "" {
			t.Errorf("row %d skipped as %s", i, sheet.Skip(g.Rows[r]))
		}
		value := func(k int) any {
			if k < len(want) {
				return want[k]
			}
			return nil
		}

		seq := g.Cell(r, h.Cols["seq"])
		switch v := value(1).(type) {
		case nil:
			if seq.Text != "" {
				t.Errorf("row %d seq = %+v, want empty", i, seq)
			}
		default:
			if !seq.IsNum || seq.Num != float64(toInt(v)) {
				t.Errorf("row %d seq = %+v, want the number %v", i, seq, v)
			}
		}

		total := g.Cell(r, h.Cols["total"])
		yuan, ok, err := sheet.ParseAmount(total, h.MoneyUnit("total", "元"))
		switch v := value(2).(type) {
		case nil:
			if ok || err != nil {
				t.Errorf("row %d total = %+v, want blank", i, total)
			}
		default:
			if err != nil || !ok || !total.IsNum || yuan != toInt(v) {
				t.Errorf("row %d total = %+v → %d yuan (%v, %v), want %v yuan", i, total, yuan, ok, err, v)
			}
		}

		start := g.Cell(r, h.Cols["start"])
		d, err := sheet.ParseDate(start)
		switch v := value(3).(type) {
		case nil:
			if start.Text != "" || err != nil {
				t.Errorf("row %d start = %+v, want empty", i, start)
			}
		case time.Time:
			want := time.Time{}
			if !v.IsZero() {
				want = day(v.Year(), v.Month(), v.Day())
			}
			if err != nil || !d.Equal(want) || !v.IsZero() && !start.IsDate {
				t.Errorf("row %d start = %+v → %v (%v), want the date cell %v", i, start, d, err, want)
			}
		}

		rate := g.Cell(r, h.Cols["rate"])
		switch v := value(4).(type) {
		case nil:
			if rate.Text != "" {
				t.Errorf("row %d rate = %+v, want empty", i, rate)
			}
		case float64:
			if !rate.IsNum || math.Abs(rate.Num*100-v) > 1e-9 {
				t.Errorf("row %d rate = %+v, want %v/100", i, rate, v)
			}
		}

		area := g.Cell(r, h.Cols["area"])
		hundredths, ok, err := sheet.ParseNumber(area)
		switch v := value(5).(type) {
		case nil:
			if ok || err != nil {
				t.Errorf("row %d area = %+v, want blank", i, area)
			}
		case float64:
			if err != nil || !ok || !area.IsNum || hundredths != int64(math.Round(v*100)) {
				t.Errorf("row %d area = %+v → %d (%v, %v), want %v", i, area, hundredths, ok, err, v)
			}
		case int64:
			if err != nil || !ok || !area.IsNum || hundredths != v*100 {
				t.Errorf("row %d area = %+v → %d (%v, %v), want %v", i, area, hundredths, ok, err, v)
			}
		}
	}

	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	panes, err := f.GetPanes(g.Sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 2 || panes.TopLeftCell != "A3" {
		t.Errorf("panes = %+v, %v; want frozen under the header row 2", panes, err)
	}
	if w, err := f.GetColWidth(g.Sheet, "A"); err != nil || w != 30 {
		t.Errorf("width of A = %v, %v; want 30", w, err)
	}
	if w, err := f.GetColWidth(g.Sheet, "C"); err != nil || w <= 10 {
		t.Errorf("width of C = %v, %v; want a default wide enough for amounts", w, err)
	}
	st, err := f.GetCellStyle(g.Sheet, "C2")
	must(t, err)
	style, err := f.GetStyle(st)
	must(t, err)
	if style.Font == nil || !style.Font.Bold || style.Fill.Type != "pattern" || len(style.Border) != 4 ||
		style.Alignment == nil || !style.Alignment.WrapText || style.Alignment.Horizontal != "center" {
		t.Errorf("header style = %+v, want bold, filled, bordered, wrapped and centred", style)
	}
	for cell, want := range map[string]string{"C3": "#,##0.00", "D3": "yyyy-mm-dd", "E3": "0.0%"} {
		st, err := f.GetCellStyle(g.Sheet, cell)
		must(t, err)
		style, err := f.GetStyle(st)
		must(t, err)
		got := ""
		if style.CustomNumFmt != nil {
			got = *style.CustomNumFmt
		} else if style.NumFmt == 4 {
			got = "#,##0.00"
		}
		if got != want {
			t.Errorf("%s number format = %q (id %d), want %q", cell, got, style.NumFmt, want)
		}
	}
	if formula, err := f.GetCellFormula(g.Sheet, "A4"); err != nil || formula != "" {
		t.Errorf("A4 formula = %q, %v; want none", formula, err)
	}

	xml := sheetXML(t, data)
	for _, want := range []string{`<autoFilter ref="$A$2:$F$9"`, `<mergeCell ref="A1:F1"`} {
		if !strings.Contains(xml, want) {
			t.Errorf("worksheet XML lacks %s", want)
		}
	}
	if !strings.Contains(xml, `<cols><col min="1" max="1" width="30" customWidth="1"/><col min="2" max="2"`) {
		t.Errorf("worksheet XML lacks the column widths in ascending order")
	}
	if strings.Contains(xml, "<f>") {
		t.Errorf("worksheet XML has a formula: %s", xml)
	}
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int64:
		return n
	case uint8:
		return int64(n)
	}
	panic("unexpected type")
}

func sheetXML(t *testing.T, data []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	must(t, err)
	rc, err := zr.Open("xl/worksheets/sheet1.xml")
	must(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	must(t, err)
	return string(b)
}

func TestWrite_NoTitle(t *testing.T) {
	var buf bytes.Buffer
	if err := sheet.Write(&buf, "", exportCols, nil); err != nil {
		t.Fatal(err)
	}
	g, err := sheet.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if g.Sheet != "Sheet1" || len(g.Rows) != 1 || g.Cell(0, 2).Text != "总投资（万元）" {
		t.Errorf("grid = %+v, want only the header on Sheet1", g)
	}
	xml := sheetXML(t, buf.Bytes())
	if !strings.Contains(xml, `<autoFilter ref="$A$1:$F$2"`) || !strings.Contains(xml, `ySplit="1"`) {
		t.Errorf("worksheet XML lacks the autofilter or the frozen header: %s", xml)
	}
}

func TestWrite_BadValues(t *testing.T) {
	for _, row := range [][]any{
		{1},
		{"a", "2"},
		{"a", 1, 1.5},
		{"a", 1, int64(1), "2026-03-01"},
		{"a", 1, int64(1), nil, 27},
		{"a", 1, int64(1), nil, 27.0, "12.5"},
		{"a", 1, int64(1), nil, 27.0, 12.5, "extra"},
	} {
		if err := sheet.Write(io.Discard, "x", exportCols, [][]any{row}); err == nil {
			t.Errorf("Write(%v) succeeded, want an error", row)
		}
	}
	if err := sheet.Write(io.Discard, "x", nil, nil); err == nil {
		t.Error("Write with no columns succeeded")
	}
}

func BenchmarkWrite_10000Rows(b *testing.B) {
	rows := make([][]any, 10000)
	for i := range rows {
		rows[i] = []any{"第一号项目建设工程（一期）", i + 1, int64(i) * 10_000, day(2026, 3, 1).AddDate(0, 0, i%300), float64(i%100) + 0.5}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := sheet.Write(io.Discard, "项目", exportCols, rows, sheet.WithTitle("XX镇重点项目台账")); err != nil {
			b.Fatal(err)
		}
	}
}
