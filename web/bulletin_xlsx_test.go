package web

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"guatu/bulletin"
)

// longCaption is longer than the 31 characters Excel allows a sheet name.
const longCaption = "签约超过六个月仍未落地、落地超过三个月仍未开工项目及责任单位推进情况一览表"

func testBulletin() *bulletin.Bulletin {
	num := func(v float64, format string) bulletin.Cell {
		return bulletin.Cell{Text: strconv.FormatFloat(v, 'f', -1, 64), Num: &v, Format: format}
	}
	txt := func(s string) bulletin.Cell { return bulletin.Cell{Text: s} }
	return &bulletin.Bulletin{
		ID:       7,
		UnitName: "青山镇",
		State:    bulletin.Draft,
		Title:    "关于2026年第三季度重点项目推进情况的通报",
		Content: bulletin.Content{
			Title:     "关于2026年第三季度重点项目推进情况的通报",
			Recipient: "各村（社区），镇直各部门、各站所",
			Figures:   bulletin.Figures{Span: "2026-Q3", Through: "2026-09", Complete: true, Place: "全镇"},
			Sections: []bulletin.Section{
				{Key: "overview", Heading: "一、总体情况", Paragraphs: []string{"截至9月底，全镇实施库项目18个。"}},
				{Key: "ranking", Heading: "二、综合考评排名", Paragraphs: []string{"东村、镇经发办位列前两名。"},
					Tables: []bulletin.Table{{
						Key: "ranking", Caption: "2026年第三季度各单位综合考评排名",
						Header: []string{"排名", "单位", "节点按期率(%)", "投资进度(%)", "月报按时率(%)", "问题销号率(%)", "批示反馈率(%)", "综合得分", "名次变化"},
						Widths: []float64{3, 9, 5, 5, 5, 5, 5, 4, 4},
						Rows: [][]bulletin.Cell{
							{num(1, "0"), txt("东村"), num(95.5, "0.0"), num(88.2, "0.0"), num(100, "0.0"), num(80, "0.0"), num(100, "0.0"), num(92.3, "0.0"), txt("↑2")},
							{num(2, "0"), txt("镇经济发展办公室"), num(90, "0.0"), num(76.4, "0.0"), num(100, "0.0"), txt("—"), num(100, "0.0"), num(88.7, "0.0"), txt("—")},
							{txt("—"), txt("西村"), txt("—"), txt("—"), txt("—"), txt("—"), txt("—"), txt("—"), txt("新参评")},
						},
						Empty: "本期无可考评单位。",
					}}},
				{Key: "lights", Heading: "三、亮灯情况", Tables: []bulletin.Table{
					{Key: "red", Caption: "红灯项目", Header: []string{"序号", "项目名称", "责任单位", "责任领导", "主要原因"},
						Widths: []float64{2, 10, 6, 4, 14},
						Rows: [][]bulletin.Cell{
							{num(1, "0"), txt("东片区污水管网改造"), txt("东村"), txt("张三"), txt("年度投资完成率低于时序进度20个百分点以上；“开工”节点逾期45天")},
							{num(2, "0"), txt("农产品冷链物流中心"), txt("镇经济发展办公室"), txt("李四"), txt("连续两个月未报送月报")},
						},
						Empty: "无红灯项目。"},
					{Key: "yellow", Caption: "黄灯项目", Header: []string{"序号", "项目名称", "责任单位", "责任领导", "主要原因"},
						Widths: []float64{2, 10, 6, 4, 14}, Empty: "无黄灯项目。"},
				}},
				{Key: "stalls", Heading: "四、停滞项目", Tables: []bulletin.Table{
					{Key: "signed_not_landed", Caption: longCaption, Header: []string{"序号", "项目名称", "责任单位", "责任领导", "阶段", "持续天数"},
						Widths: []float64{2, 12, 6, 4, 3, 3},
						Rows:   [][]bulletin.Cell{{num(1, "0"), txt("光伏组件扩产项目"), txt("西村"), txt("王五"), txt("签约"), num(213, "0")}},
						Empty:  "无签约未落地项目。"},
				}},
			},
		},
	}
}

func openBulletinXLSX(t *testing.T, b *bulletin.Bulletin) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := writeBulletinXLSX(&buf, b); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func cellText(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestWriteBulletinXLSX_Sheets(t *testing.T) {
	b := testBulletin()
	f := openBulletinXLSX(t, b)

	cut := string([]rune(longCaption)[:31])
	want := []string{"综合排名", "红灯项目", cut, "说明"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("sheets = %q, want %q", got, want)
	}
	// The long caption is cut to a name Excel accepts, and stays whole in the title.
	if n := len(utf16.Encode([]rune(cut))); n > 31 {
		t.Errorf("sheet name %q is %d units long", cut, n)
	}
	if got := cellText(t, f, cut, "A1"); !strings.Contains(got, longCaption) {
		t.Errorf("title of the long-caption sheet = %q, want the whole caption", got)
	}

	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if props.Title != b.Content.Title {
		t.Errorf("document title = %q, want %q", props.Title, b.Content.Title)
	}
}

func TestWriteBulletinXLSX_RankingSheet(t *testing.T) {
	b := testBulletin()
	f := openBulletinXLSX(t, b)
	const s = "综合排名"

	title := cellText(t, f, s, "A1")
	if !strings.Contains(title, b.Content.Title) || !strings.Contains(title, "2026年第三季度各单位综合考评排名") {
		t.Errorf("title = %q, want the bulletin title and the caption", title)
	}
	merged, err := f.GetMergeCells(s)
	if err != nil {
		t.Fatal(err)
	}
	var ranges []string
	for _, m := range merged {
		ranges = append(ranges, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	if want := []string{"A1:I1", "A2:I2"}; !slices.Equal(ranges, want) {
		t.Errorf("merged ranges = %q, want %q", ranges, want)
	}
	if got, want := cellText(t, f, s, "A2"), "文号：草稿　　数据截至：2026年9月底"; got != want {
		t.Errorf("A2 = %q, want %q", got, want)
	}

	rows, err := f.GetRows(s)
	if err != nil {
		t.Fatal(err)
	}
	header := b.Content.Sections[1].Tables[0].Header
	if !slices.Equal(rows[2], header) {
		t.Errorf("header row = %q, want %q", rows[2], header)
	}
	if len(rows) != 3+3 {
		t.Errorf("%d rows, want title, 文号 line, header and 3 rows", len(rows))
	}

	for _, c := range []struct {
		ref, raw, format string
	}{
		{"A4", "1", "0"},
		{"C4", "95.5", "0.0"},
		{"H5", "88.7", "0.0"},
	} {
		typ, err := f.GetCellType(s, c.ref)
		if err != nil {
			t.Fatal(err)
		}
		if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("%s has type %v, want a number", c.ref, typ)
		}
		if got := cellText(t, f, s, c.ref); got != c.raw {
			t.Errorf("%s = %q, want %q", c.ref, got, c.raw)
		}
		id, err := f.GetCellStyle(s, c.ref)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		if st.CustomNumFmt == nil || *st.CustomNumFmt != c.format {
			t.Errorf("%s number format = %v (built-in %d), want %q", c.ref, st.CustomNumFmt, st.NumFmt, c.format)
		}
	}
	// "—" (no figure) stays text, not a zero.
	for _, ref := range []string{"F5", "A6"} {
		typ, err := f.GetCellType(s, ref)
		if err != nil {
			t.Fatal(err)
		}
		if typ != excelize.CellTypeSharedString || cellText(t, f, s, ref) != "—" {
			t.Errorf("%s = %q of type %v, want the text —", ref, cellText(t, f, s, ref), typ)
		}
	}
	if formula, err := f.GetCellFormula(s, "H4"); err != nil || formula != "" {
		t.Errorf("H4 formula = %q, %v; want none", formula, err)
	}

	panes, err := f.GetPanes(s)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 3 || panes.XSplit != 0 || panes.TopLeftCell != "A4" {
		t.Errorf("panes = %+v, want frozen below row 3", panes)
	}
	layout, err := f.GetPageLayout(s)
	if err != nil {
		t.Fatal(err)
	}
	if *layout.Orientation != "landscape" || *layout.FitToWidth != 1 || *layout.FitToHeight != 0 {
		t.Errorf("page layout = %s, fit %d×%d; want landscape, one page wide",
			*layout.Orientation, *layout.FitToWidth, *layout.FitToHeight)
	}
	if w, err := f.GetColWidth(s, "B"); err != nil || w != 9*2.2 {
		t.Errorf("width of B = %v, %v; want %v", w, err, 9*2.2)
	}
}

func TestWriteBulletinXLSX_EmptyListsAreStated(t *testing.T) {
	f := openBulletinXLSX(t, testBulletin())
	rows, err := f.GetRows("说明")
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, r := range rows[3:] {
		notes = append(notes, strings.Join(r, "|"))
	}
	want := []string{
		"1|二、综合考评排名|2026年第三季度各单位综合考评排名|3 行，见工作表“综合排名”",
		"2|三、亮灯情况|红灯项目|2 行，见工作表“红灯项目”",
		"3|三、亮灯情况|黄灯项目|无黄灯项目。",
		"4|四、停滞项目|" + longCaption + "|1 行，见工作表“" + string([]rune(longCaption)[:31]) + "”",
	}
	if !slices.Equal(notes, want) {
		t.Errorf("说明 rows:\n%s\nwant:\n%s", strings.Join(notes, "\n"), strings.Join(want, "\n"))
	}
}

func TestWriteBulletinXLSX_IssuedWithEmptyRanking(t *testing.T) {
	b := testBulletin()
	b.State, b.Number = bulletin.Issued, "青督通〔2026〕3号"
	b.Content.Sections[1].Tables[0].Rows = nil
	f := openBulletinXLSX(t, b)

	if got, want := cellText(t, f, "综合排名", "A2"), "文号：青督通〔2026〕3号　　数据截至：2026年9月底"; got != want {
		t.Errorf("A2 = %q, want %q", got, want)
	}
	// The ranking keeps its sheet and says why it is empty.
	if got := cellText(t, f, "综合排名", "A4"); got != "本期无可考评单位。" {
		t.Errorf("A4 = %q, want the ranking's empty text", got)
	}
}

func TestBulletinXLSX_SheetName(t *testing.T) {
	long := strings.Repeat("重点项目", 10) // 40 characters
	for _, tc := range []struct {
		name    string
		caption string
		taken   []string
		want    string
	}{
		{"a plain caption is kept", "红灯项目", nil, "红灯项目"},
		{"forbidden characters become underscores", `a/b:c*d?e[f]g\h`, nil, "a_b_c_d_e_f_g_h"},
		{"apostrophes at the ends are dropped", "'批示'反馈'", nil, "批示'反馈"},
		{"control characters are dropped", "逾期\t问题\n", nil, "逾期问题"},
		{"an empty caption gets a name", "  ", nil, "表"},
		{"a long caption is cut to 31 characters", long, nil, long[:len("重")*31]},
		{"a taken name gets a number", "说明", []string{"说明"}, "说明(2)"},
		{"names are compared ignoring case", "sheet", []string{"Sheet", "sheet(2)"}, "sheet(3)"},
		{"a long taken name is cut to leave room for the number", long, []string{long[:len("重")*31]}, long[:len("重")*28] + "(2)"},
		{"History is Excel's own", "History", nil, "History(2)"},
		{"characters outside the BMP count twice", strings.Repeat("𠀀", 20), nil, strings.Repeat("𠀀", 15)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			taken := map[string]bool{}
			for _, n := range tc.taken {
				taken[strings.ToLower(n)] = true
			}
			got := bulletinSheetName(tc.caption, taken)
			if got != tc.want {
				t.Errorf("bulletinSheetName(%q) = %q, want %q", tc.caption, got, tc.want)
			}
			if !taken[strings.ToLower(got)] {
				t.Errorf("%q was not recorded as taken", got)
			}
			f := excelize.NewFile()
			defer f.Close()
			if _, err := f.NewSheet(got); err != nil {
				t.Errorf("excelize refuses %q: %v", got, err)
			}
		})
	}
}
