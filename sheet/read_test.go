package sheet_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"guatu/sheet"
)

// must fails the test on a non-nil error; it keeps the workbook-building code readable.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func workbookBytes(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	must(t, f.Write(&buf))
	must(t, f.Close())
	return buf.Bytes()
}

// messyWorkbook is a project list as a town might make it: an empty first sheet, a hidden sheet, then the list
// with a merged title, a unit note, a two-row header with merged cells, a vertically merged 责任单位, dates in
// several forms, full-width characters, a total row, a blank row and note rows.
func messyWorkbook(t testing.TB) []byte {
	f := excelize.NewFile()
	must(t, f.SetSheetName("Sheet1", "空白"))
	_, err := f.NewSheet("隐藏")
	must(t, err)
	must(t, f.SetCellValue("隐藏", "A1", "旧数据"))
	s := "重点项目"
	idx, err := f.NewSheet(s)
	must(t, err)
	f.SetActiveSheet(idx)
	must(t, f.SetSheetVisible("隐藏", false))

	set := func(cell string, v any) { must(t, f.SetCellValue(s, cell, v)) }
	merge := func(a, b string) { must(t, f.MergeCell(s, a, b)) }
	style := func(cell string, st excelize.Style) {
		id, err := f.NewStyle(&st)
		must(t, err)
		must(t, f.SetCellStyle(s, cell, cell, id))
	}
	cnDate := `yyyy"年"m"月"d"日"`

	set("A1", "XX镇2026年重点项目表")
	merge("A1", "H1")
	set("A2", "填报单位：XX镇经发办")
	set("G2", "单位：万元")
	for _, h := range []struct{ cell, text, to string }{
		{"A3", "序号", "A4"}, {"B3", "项目名称", "B4"}, {"C3", "责任单位", "C4"}, {"D3", "总投资\n（亿元）", "D4"},
		{"E3", "年度计划投资(万元)", "E4"}, {"F3", "时间节点", "G3"}, {"H3", "用地面积（亩）", "H4"},
	} {
		set(h.cell, h.text)
		merge(h.cell, h.to)
	}
	set("F4", "计划开工")
	set("G4", "计划投产")

	set("A5", 1)
	set("B5", "东片区污水管网改造")
	set("C5", "住建办")
	merge("C5", "C7")
	set("D5", 1.2)
	style("D5", excelize.Style{NumFmt: 4})
	set("E5", "3,000")
	set("F5", 46082) // 2026-03-01
	style("F5", excelize.Style{NumFmt: 14})
	set("G5", "2026年10月")
	set("H5", "12.35")

	set("A6", 2)
	set("B6", "ＸＸ路（一期）提升")
	set("D6", "０．３５")
	set("E6", 1200.5)
	set("F6", "2026.3.15")
	set("G6", "2026.12")
	set("H6", 8)

	set("A7", 3)
	set("B7", "\u3000文化中心\u3000")
	set("D7", "1.5亿")
	set("E7", "800万元")
	set("F7", "20260401")
	set("G7", 46356) // 2026-11-30
	style("G7", excelize.Style{CustomNumFmt: &cnDate})

	set("B8", "合  计")
	must(t, f.SetCellFormula(s, "D8", "SUM(D5:D7)"))

	set("A10", 4)
	set("B10", "乡村振兴示范点")
	set("C10", "农业农村办")
	set("D10", 0.8)
	set("F10", "2026/5/1")
	set("G10", "２０２６－９")
	set("H10", "—")

	set("A11", "注：1.总投资单位为亿元；2.年度计划投资单位为万元。")
	merge("A11", "H11")
	set("A12", "填报人：张三")
	set("E12", "审核人：李四")
	return workbookBytes(t, f)
}

// record is what the project importer would take from a row.
type record struct {
	Row           int
	Name, Unit    string
	Total, Year   int64
	HasYear       bool
	Start, Finish time.Time
	Area          int64
	HasArea       bool
}

func TestRead_MessyWorkbook(t *testing.T) {
	checkMessy(t, messyWorkbook(t))
}

// TestRead_SavedByLibreOffice reads the workbook of messyWorkbook as LibreOffice Calc saves it (made with
// `soffice --headless --convert-to xlsx`), whose XML differs from excelize's: shared strings, explicit empty cells,
// other style tables.
func TestRead_SavedByLibreOffice(t *testing.T) {
	data, err := os.ReadFile("testdata/messy-libreoffice.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	checkMessy(t, data)
}

// checkMessy checks that data, the workbook of messyWorkbook as saved by some program, reads as expected.
func checkMessy(t *testing.T, data []byte) {
	t.Helper()
	g, err := sheet.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if g.Sheet != "重点项目" {
		t.Errorf("Sheet = %q, want the first visible sheet with data", g.Sheet)
	}
	for _, c := range []struct {
		r, c int
		want string
	}{{0, 0, "XX镇2026年重点项目表"}, {0, 7, "XX镇2026年重点项目表"}, {3, 0, "序号"}, {2, 6, "时间节点"},
		{5, 2, "住建办"}, {6, 2, "住建办"}, {5, 1, "XX路（一期）提升"}, {2, 3, "总投资\n（亿元）"}} {
		if got := g.Cell(c.r, c.c).Text; got != c.want {
			t.Errorf("cell (%d,%d) = %q, want %q", c.r, c.c, got, c.want)
		}
	}
	if c := g.Cell(4, 5); !c.IsDate || !c.Date.Equal(day(2026, 3, 1)) || c.Text != "2026-03-01" || c.Num != 46082 {
		t.Errorf("F5 = %+v, want the date cell 2026-03-01", c)
	}
	if c := g.Cell(6, 6); !c.IsDate || !c.Date.Equal(day(2026, 11, 30)) {
		t.Errorf("G7 = %+v, want a date from the custom format", c)
	}
	if c := g.Cell(4, 3); !c.IsNum || c.IsDate || c.Num != 1.2 || c.Text != "1.2" {
		t.Errorf("D5 = %+v, want the number 1.2 (its #,##0.00 format is not a date)", c)
	}
	if c := g.Cell(4, 0); !c.IsNum || c.Num != 1 {
		t.Errorf("A5 = %+v, want the number 1", c)
	}

	h, err := sheet.FindHeader(g, projectCols)
	if err != nil {
		t.Fatal(err)
	}
	if h.Row != 3 {
		t.Errorf("header Row = %d, want 3", h.Row)
	}
	wantUnits := map[string]string{"total": "亿元", "year": "万元", "area": "亩"}
	if !reflect.DeepEqual(h.Units, wantUnits) || h.Unit != "万元" {
		t.Errorf("Units = %v, Unit = %q; want %v and 万元", h.Units, h.Unit, wantUnits)
	}
	if h.Titles["total"] != "总投资（亿元）" || h.Titles["finish"] != "时间节点/计划投产" {
		t.Errorf("Titles = %v", h.Titles)
	}

	var got []record
	skipped := map[int]string{}
	for r := h.Row + 1; r < len(g.Rows); r++ {
		if why := sheet.Skip(g.Rows[r]); why != "" {
			skipped[r+1] = why
			continue
		}
		cell := func(key string) sheet.Cell { return g.Cell(r, h.Cols[key]) }
		rec := record{Row: r + 1, Name: cell("name").Text, Unit: cell("unit").Text}
		var errs []error
		var err error
		rec.Total, _, err = sheet.ParseAmount(cell("total"), h.MoneyUnit("total", "万元"))
		errs = append(errs, err)
		rec.Year, rec.HasYear, err = sheet.ParseAmount(cell("year"), h.MoneyUnit("year", "万元"))
		errs = append(errs, err)
		rec.Start, err = sheet.ParseDate(cell("start"))
		errs = append(errs, err)
		rec.Finish, err = sheet.ParseDateEnd(cell("finish"))
		errs = append(errs, err)
		rec.Area, rec.HasArea, err = sheet.ParseNumber(cell("area"))
		errs = append(errs, err)
		for _, err := range errs {
			if err != nil {
				t.Errorf("row %d: %v", r+1, err)
			}
		}
		got = append(got, rec)
	}
	want := []record{
		{Row: 5, Name: "东片区污水管网改造", Unit: "住建办", Total: 120_000_000, Year: 30_000_000, HasYear: true,
			Start: day(2026, 3, 1), Finish: day(2026, 10, 31), Area: 1235, HasArea: true},
		{Row: 6, Name: "XX路（一期）提升", Unit: "住建办", Total: 35_000_000, Year: 12_005_000, HasYear: true,
			Start: day(2026, 3, 15), Finish: day(2026, 12, 31), Area: 800, HasArea: true},
		{Row: 7, Name: "文化中心", Unit: "住建办", Total: 150_000_000, Year: 8_000_000, HasYear: true,
			Start: day(2026, 4, 1), Finish: day(2026, 11, 30)},
		{Row: 10, Name: "乡村振兴示范点", Unit: "农业农村办", Total: 80_000_000,
			Start: day(2026, 5, 1), Finish: day(2026, 9, 30)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records:\n%+v\nwant\n%+v", got, want)
	}
	wantSkipped := map[int]string{8: "合计行", 9: "空行", 11: "说明行", 12: "说明行"}
	if !reflect.DeepEqual(skipped, wantSkipped) {
		t.Errorf("skipped rows = %v, want %v", skipped, wantSkipped)
	}
}

func TestRead_TextDigitsStayText(t *testing.T) {
	f := excelize.NewFile()
	must(t, f.SetCellStr("Sheet1", "A1", "0012"))
	must(t, f.SetCellStr("Sheet1", "B1", "46082"))
	must(t, f.SetCellValue("Sheet1", "C1", 12))
	must(t, f.SetCellValue("Sheet1", "D1", 0.1+0.2))
	must(t, f.SetCellValue("Sheet1", "E1", true))
	must(t, f.SetCellStr("Sheet1", "F1", " 行一 \r\n\r\n  行二\u3000"))
	must(t, f.SetCellValue("Sheet1", "G1", 46082.5))
	id, err := f.NewStyle(&excelize.Style{NumFmt: 22})
	must(t, err)
	must(t, f.SetCellStyle("Sheet1", "G1", "G1", id))
	g, err := sheet.Read(bytes.NewReader(workbookBytes(t, f)))
	if err != nil {
		t.Fatal(err)
	}
	want := []sheet.Cell{
		{Text: "0012"},
		{Text: "46082"},
		{Text: "12", Num: 12, IsNum: true},
		{Text: "0.3", Num: 0.1 + 0.2, IsNum: true},
		{Text: "TRUE"},
		{Text: "行一\n行二"},
		{Text: "2026-03-01 12:00", Num: 46082.5, IsNum: true, IsDate: true, Date: day(2026, 3, 1)},
	}
	if !reflect.DeepEqual(g.Rows[0], want) {
		t.Errorf("row = %+v\nwant  %+v", g.Rows[0], want)
	}
}

func TestRead_SheetPartNotInOrder(t *testing.T) {
	f := excelize.NewFile()
	must(t, f.SetCellStr("Sheet1", "A1", "46082"))
	_, err := f.NewSheet("数据")
	must(t, err)
	must(t, f.SetCellValue("数据", "A1", 46082))
	id, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(t, err)
	must(t, f.SetCellStyle("数据", "A1", "A1", id))
	must(t, f.MoveSheet("数据", "Sheet1")) // now first, though its part is xl/worksheets/sheet2.xml
	g, err := sheet.Read(bytes.NewReader(workbookBytes(t, f)))
	if err != nil {
		t.Fatal(err)
	}
	if c := g.Cell(0, 0); g.Sheet != "数据" || !c.IsDate || !c.Date.Equal(day(2026, 3, 1)) {
		t.Errorf("sheet %q A1 = %+v, want the date cell of 数据", g.Sheet, c)
	}
}

func TestRead_Rejects(t *testing.T) {
	xls := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...)
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	var otherZip bytes.Buffer
	zw := zip.NewWriter(&otherZip)
	w, err := zw.Create("readme.txt")
	must(t, err)
	fmt.Fprint(w, "not a workbook")
	must(t, zw.Close())
	truncated := messyWorkbook(t)[:2000]

	empty := excelize.NewFile()
	_, err = empty.NewSheet("第二页")
	must(t, err)

	for _, tc := range []struct {
		name string
		data io.Reader
		msg  []string
	}{
		{"xls", bytes.NewReader(xls), []string{"只能导入 .xlsx 文件", "另存为 .xlsx"}},
		{"random bytes", bytes.NewReader(random), []string{"只能导入 .xlsx 文件", "另存为 .xlsx"}},
		{"zip that is not a workbook", &otherZip, []string{"只能导入 .xlsx 文件"}},
		{"truncated workbook", bytes.NewReader(truncated), []string{"只能导入 .xlsx 文件"}},
		{"nothing", bytes.NewReader(nil), []string{"文件是空的"}},
		{"empty workbook", bytes.NewReader(workbookBytes(t, empty)), []string{"没有数据"}},
		{"too big", io.LimitReader(zeros{}, sheet.MaxFileSize+1), []string{"文件太大", "20 MB"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := sheet.Read(tc.data)
			if g != nil {
				t.Errorf("Read returned a grid for %s", tc.name)
			}
			wantInvalid(t, err, tc.msg...)
		})
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// bigWorkbook is a list of n projects with three-row merged 责任单位 cells, a 建设内容 merged across two columns
// on every row, date cells, text dates and amounts.
func bigWorkbook(b testing.TB, n int) []byte {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	must(b, err)
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(b, err)
	must(b, sw.SetRow("A1", []any{"XX镇重点项目表"}))
	must(b, sw.SetRow("A2", []any{"序号", "项目名称", "责任单位", "总投资（万元）", "年度计划投资（万元）", "计划开工", "计划投产", "建设内容", "", "备注"}))
	for i := range n {
		row := i + 3
		cell, _ := excelize.CoordinatesToCellName(1, row)
		must(b, sw.SetRow(cell, []any{i + 1, fmt.Sprintf("第%d号项目建设工程", i+1), "住房和城乡建设办公室",
			fmt.Sprintf("%d,%03d.5", i%90+1, i%1000), float64(i%500) + 0.25,
			excelize.Cell{StyleID: dateStyle, Value: 46082 + i%300}, fmt.Sprintf("2026年%d月", i%12+1), "新建道路 1.2 公里及配套管网", "", "按计划推进"}))
	}
	must(b, sw.MergeCell("A1", "J1"))
	must(b, sw.MergeCell("H2", "I2"))
	for row := 3; row < n+3; row++ {
		if row%3 == 0 && row+2 < n+3 {
			must(b, sw.MergeCell(fmt.Sprintf("C%d", row), fmt.Sprintf("C%d", row+2)))
		}
		must(b, sw.MergeCell(fmt.Sprintf("H%d", row), fmt.Sprintf("I%d", row)))
	}
	must(b, sw.Flush())
	return workbookBytes(b, f)
}

func TestRead_Big(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 3,000-row workbook")
	}
	g, err := sheet.Read(bytes.NewReader(bigWorkbook(t, 3000)))
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Rows) != 3002 {
		t.Fatalf("rows = %d, want 3002", len(g.Rows))
	}
	last := g.Rows[3001]
	if last[2].Text != "住房和城乡建设办公室" || !last[5].IsDate || last[3].Text != "30,999.5" || last[8].Text != last[7].Text {
		t.Errorf("last row = %+v", last)
	}
}

func BenchmarkRead_10000Rows(b *testing.B) {
	data := bigWorkbook(b, 10000)
	cols := []sheet.Column{
		{Key: "name", Aliases: []string{"项目名称"}, Required: true},
		{Key: "unit", Aliases: []string{"责任单位"}},
		{Key: "total", Aliases: []string{"总投资"}},
		{Key: "start", Aliases: []string{"计划开工"}},
		{Key: "finish", Aliases: []string{"计划投产"}},
	}
	b.ReportAllocs()
	for b.Loop() {
		g, err := sheet.Read(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		h, err := sheet.FindHeader(g, cols)
		if err != nil {
			b.Fatal(err)
		}
		for r := h.Row + 1; r < len(g.Rows); r++ {
			row := g.Rows[r]
			if sheet.Skip(row) != "" {
				b.Fatalf("row %d skipped", r)
			}
			if _, _, err := sheet.ParseAmount(g.Cell(r, h.Cols["total"]), h.MoneyUnit("total", "万元")); err != nil {
				b.Fatal(err)
			}
			if _, err := sheet.ParseDate(g.Cell(r, h.Cols["start"])); err != nil {
				b.Fatal(err)
			}
			if _, err := sheet.ParseDateEnd(g.Cell(r, h.Cols["finish"])); err != nil {
				b.Fatal(err)
			}
		}
	}
}
