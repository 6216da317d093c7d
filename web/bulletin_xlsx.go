package web

import (
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"guatu/bulletin"
	"guatu/report"
)

// The fixed sheet names of a bulletin workbook.
const (
	bxRankingSheet = "综合排名"
	bxNotesSheet   = "说明"
)

// Rows of a bulletin sheet: the title, the 文号/数据截至 line, the header,
// then the table's rows.
const (
	bxTitleRow  = 1
	bxMetaRow   = 2
	bxHeaderRow = 3
)

// writeBulletinXLSX writes the bulletin's tables as a workbook a town office
// can open, read and print: the ranking first as 综合排名, then one sheet per
// list that has rows, in the order the bulletin prints them, and last a 说明
// sheet naming every table and what the bulletin says for an empty one
// ("无红灯项目。"), so a list that was empty is stated rather than missing.
// Figures are written as numbers in their table's number format, text as
// text; nothing is a formula.
func writeBulletinXLSX(w io.Writer, b *bulletin.Bulletin) error {
	f := excelize.NewFile()
	defer f.Close()
	bk, err := newBulletinBook(f, b)
	if err != nil {
		return fmt.Errorf("writeBulletinXLSX %d: %w", b.ID, err)
	}

	type planned struct {
		name    string
		section string
		table   bulletin.Table
	}
	var sheets, index []planned
	taken := map[string]bool{}
	bulletinSheetName(bxRankingSheet, taken)
	bulletinSheetName(bxNotesSheet, taken)
	haveRanking := false
	for _, s := range b.Content.Sections {
		for _, t := range s.Tables {
			p := planned{section: s.Heading, table: t}
			switch {
			case !haveRanking && s.Key == "ranking" && t.Key == "ranking":
				// The ranking keeps its sheet even without rows: it is what
				// the workbook is opened for, and its Empty text says why.
				haveRanking = true
				p.name = bxRankingSheet
				sheets = append([]planned{p}, sheets...)
			case len(t.Rows) > 0:
				p.name = bulletinSheetName(t.Caption, taken)
				sheets = append(sheets, p)
			}
			index = append(index, p)
		}
	}

	notes := bulletin.Table{Key: "notes", Caption: "各表说明", Header: []string{"序号", "所在部分", "表格", "情况"},
		Widths: []float64{2, 7, 14, 18}, Empty: "本通报没有表格。"}
	for i, p := range index {
		n := float64(i + 1)
		state := p.table.Empty
		switch {
		case len(p.table.Rows) > 0:
			state = fmt.Sprintf("%d 行，见工作表“%s”", len(p.table.Rows), p.name)
		case state == "":
			state = "无数据。"
		}
		notes.Rows = append(notes.Rows, []bulletin.Cell{{Text: fmt.Sprint(i + 1), Num: &n, Format: "0"},
			{Text: p.section}, {Text: p.table.Caption}, {Text: state}})
	}
	sheets = append(sheets, planned{name: bxNotesSheet, table: notes})

	for i, p := range sheets {
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), p.name)
		} else {
			_, err = f.NewSheet(p.name)
		}
		if err == nil {
			err = bk.writeSheet(p.name, p.table)
		}
		if err != nil {
			return fmt.Errorf("writeBulletinXLSX %d: sheet %q: %w", b.ID, p.name, err)
		}
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(bk.docProps()); err != nil {
		return fmt.Errorf("writeBulletinXLSX %d: %w", b.ID, err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("writeBulletinXLSX %d: %w", b.ID, err)
	}
	return nil
}

// bulletinBook is a workbook being written: the bulletin, the lines every
// sheet repeats, and the styles made so far.
type bulletinBook struct {
	f                     *excelize.File
	b                     *bulletin.Bulletin
	title, meta           string
	titleStyle, metaStyle int
	headerStyle           int
	cells                 map[bxStyleKey]int
}

type bxStyleKey struct {
	align  string // left or center
	number bool
	format string // the custom number format of a number
}

// bxFont is 宋体, the face a 通报's tables are set in; WPS and Excel both
// have it, and its Chinese characters are two digits wide, which the row
// heights below count on.
const bxFont = "宋体"

func newBulletinBook(f *excelize.File, b *bulletin.Bulletin) (*bulletinBook, error) {
	bk := &bulletinBook{f: f, b: b, cells: map[bxStyleKey]int{}}
	bk.title = bxText(b.Content.Title)
	if bk.title == "" {
		bk.title = bxText(b.Title)
	}
	number := b.Number
	if b.State == bulletin.Draft {
		number = "草稿"
	} else if number == "" {
		number = "—"
	}
	bk.meta = "文号：" + bxText(number) + "　　数据截至：" + bxThrough(b.Content.Figures.Through)

	if err := f.SetDefaultFont(bxFont); err != nil {
		return nil, err
	}
	var err error
	if bk.titleStyle, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Family: bxFont, Size: 16, Bold: true},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	}); err != nil {
		return nil, err
	}
	if bk.metaStyle, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Family: bxFont, Size: 11},
		Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true},
	}); err != nil {
		return nil, err
	}
	if bk.headerStyle, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Family: bxFont, Size: 11, Bold: true},
		Border:    bxBorder,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	}); err != nil {
		return nil, err
	}
	return bk, nil
}

var bxBorder = []excelize.Border{
	{Type: "left", Color: "808080", Style: 1}, {Type: "right", Color: "808080", Style: 1},
	{Type: "top", Color: "808080", Style: 1}, {Type: "bottom", Color: "808080", Style: 1},
}

// cellStyle returns the style of a table cell, making it on first use.
func (bk *bulletinBook) cellStyle(k bxStyleKey) (int, error) {
	if id, ok := bk.cells[k]; ok {
		return id, nil
	}
	s := excelize.Style{
		Font:      &excelize.Font{Family: bxFont, Size: 11},
		Border:    bxBorder,
		Alignment: &excelize.Alignment{Horizontal: k.align, Vertical: "center", WrapText: !k.number},
	}
	switch {
	case k.number && k.format != "":
		format := k.format
		s.CustomNumFmt = &format
	case !k.number:
		s.NumFmt = 49 // "@": a cell the office edits stays text, so "=…" never becomes a formula
	}
	id, err := bk.f.NewStyle(&s)
	if err != nil {
		return 0, err
	}
	bk.cells[k] = id
	return id, nil
}

// writeSheet lays out one table on the named sheet.
func (bk *bulletinBook) writeSheet(name string, t bulletin.Table) error {
	f := bk.f
	ncol := max(len(t.Header), 1)
	for _, r := range t.Rows {
		ncol = max(ncol, len(r))
	}
	widths := make([]float64, ncol)
	numeric := make([]bool, ncol)
	for _, r := range t.Rows {
		for j, c := range r {
			numeric[j] = numeric[j] || bxIsNumber(c)
		}
	}
	total := 0.0
	for j := range widths {
		weight := 5.0
		if j < len(t.Widths) && t.Widths[j] > 0 {
			weight = t.Widths[j]
		}
		widths[j] = bxColWidth(weight)
		total += widths[j]
		if err := f.SetColWidth(name, bxCol(j), bxCol(j), widths[j]); err != nil {
			return err
		}
	}
	last := bxCol(ncol - 1)

	// The title and the 文号 line span the table; their heights are set
	// because Excel does not grow a merged row to fit its text.
	title := bk.title + "\n" + bxText(t.Caption)
	if err := bk.mergedRow(name, bxTitleRow, last, title, bk.titleStyle, total, 16); err != nil {
		return err
	}
	if err := bk.mergedRow(name, bxMetaRow, last, bk.meta, bk.metaStyle, total, 11); err != nil {
		return err
	}

	header := make([]string, ncol)
	for j := range header {
		if j < len(t.Header) {
			header[j] = bxText(t.Header[j])
		}
		if err := f.SetCellStr(name, bxCell(j, bxHeaderRow), header[j]); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(name, bxCell(0, bxHeaderRow), bxCell(ncol-1, bxHeaderRow), bk.headerStyle); err != nil {
		return err
	}
	if err := f.SetRowHeight(name, bxHeaderRow, bxRowHeight(header, widths, 11)); err != nil {
		return err
	}

	texts := make([]string, ncol)
	for i, r := range t.Rows {
		row := bxHeaderRow + 1 + i
		for j := range texts {
			var c bulletin.Cell
			if j < len(r) {
				c = r[j]
			}
			texts[j] = bxText(c.Text)
			k := bxStyleKey{align: "center", number: bxIsNumber(c)}
			if !numeric[j] && widths[j] >= bxColWidth(8) {
				k.align = "left" // names, reasons: long text reads from the left
			}
			ref := bxCell(j, row)
			var err error
			if k.number {
				k.format = c.Format
				err = f.SetCellFloat(name, ref, *c.Num, -1, 64)
			} else {
				err = f.SetCellStr(name, ref, texts[j])
			}
			if err != nil {
				return err
			}
			style, err := bk.cellStyle(k)
			if err != nil {
				return err
			}
			if err := f.SetCellStyle(name, ref, ref, style); err != nil {
				return err
			}
		}
		if err := f.SetRowHeight(name, row, bxRowHeight(texts, widths, 11)); err != nil {
			return err
		}
	}
	if len(t.Rows) == 0 {
		style, err := bk.cellStyle(bxStyleKey{align: "center"})
		if err != nil {
			return err
		}
		empty := bxText(t.Empty)
		if empty == "" {
			empty = "无数据。"
		}
		if err := bk.mergedRow(name, bxHeaderRow+1, last, empty, style, total, 11); err != nil {
			return err
		}
	}

	first := bxCell(0, bxHeaderRow+1)
	if err := f.SetPanes(name, &excelize.Panes{
		Freeze: true, YSplit: bxHeaderRow, TopLeftCell: first, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: first, ActiveCell: first, Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}
	return bk.printSetup(name, total)
}

// mergedRow writes text into a row merged across columns A..last.
func (bk *bulletinBook) mergedRow(name string, row int, last, text string, style int, width, size float64) error {
	f := bk.f
	a, z := bxCell(0, row), fmt.Sprintf("%s%d", last, row)
	if err := f.SetCellStr(name, a, text); err != nil {
		return err
	}
	if z != a {
		if err := f.MergeCell(name, a, z); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(name, a, z, style); err != nil {
		return err
	}
	return f.SetRowHeight(name, row, bxRowHeight([]string{text}, []float64{width}, size))
}

// printSetup makes the sheet print on A4, landscape when the table is
// wider than a portrait page holds, scaled to one page wide, the header
// row repeated on every page and the page number at the foot.
func (bk *bulletinBook) printSetup(name string, width float64) error {
	f := bk.f
	a4, orientation, one, tall := 9, "portrait", 1, 0
	if width > 95 { // about what fits across A4 portrait at 100%
		orientation = "landscape"
	}
	if err := f.SetPageLayout(name, &excelize.PageLayoutOptions{
		Size: &a4, Orientation: &orientation, FitToWidth: &one, FitToHeight: &tall,
	}); err != nil {
		return err
	}
	fit := true
	if err := f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	side, edge, band := 0.5, 0.75, 0.3
	if err := f.SetPageMargins(name, &excelize.PageLayoutMarginsOptions{
		Left: &side, Right: &side, Top: &edge, Bottom: &edge, Header: &band, Footer: &band, Horizontally: &fit,
	}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{OddFooter: "&C第 &P 页，共 &N 页"}); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{
		Name:     "_xlnm.Print_Titles",
		RefersTo: fmt.Sprintf("'%s'!$%d:$%d", strings.ReplaceAll(name, "'", "''"), bxHeaderRow, bxHeaderRow),
		Scope:    name,
	})
}

func (bk *bulletinBook) docProps() *excelize.DocProperties {
	b := bk.b
	p := &excelize.DocProperties{
		Title:         bk.title,
		Subject:       bk.meta,
		Creator:       bxText(b.Issuer),
		ContentStatus: b.State.Label(),
		Language:      "zh-CN",
	}
	if p.Creator == "" {
		p.Creator = bxText(b.UnitName)
	}
	return p
}

// bxThrough writes the month the figures stand at as a 通报 does,
// "2026年9月底"; a value that is not a month is shown as stored.
func bxThrough(s string) string {
	if s == "" {
		return "—"
	}
	p, err := report.ParsePeriod(s)
	if err != nil {
		return bxText(s)
	}
	return p.Label() + "底"
}

func bxIsNumber(c bulletin.Cell) bool {
	return c.Num != nil && !math.IsNaN(*c.Num) && !math.IsInf(*c.Num, 0)
}

// bxColWidth turns a table's relative column weight (the print layout's
// proportions) into an Excel column width in characters.
func bxColWidth(weight float64) float64 {
	return min(max(weight*2.2, 6), 60)
}

// bxRowHeight is the height in points a row needs to show every cell's text
// wrapped in its column at the given font size. Set explicitly because
// Excel fits rows to wrapped text only when editing, and never for merged
// cells.
func bxRowHeight(texts []string, widths []float64, size float64) float64 {
	lines := 1
	for j, s := range texts {
		room := max(widths[j]-1, 1) * 11 / size // width units are digits of the 11-point default font
		n := 0
		for _, line := range strings.Split(s, "\n") {
			n += max(int(math.Ceil(bxTextWidth(line)/room)), 1)
		}
		lines = max(lines, n)
	}
	return math.Ceil(float64(lines)*size*1.35 + 6)
}

// bxTextWidth is a text's width in digits: a Chinese character or a
// full-width sign takes two.
func bxTextWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r >= 0x2E80 {
			w += 2
		} else {
			w += 1.1
		}
	}
	return w
}

// bulletinSheetName makes a worksheet name from a table's caption and
// records it in taken (keyed by lower case, as Excel compares names).
// Excel refuses []:*?/\, an apostrophe at either end, more than 31
// characters (UTF-16 units) and a name already in the workbook, and keeps
// "History" for itself; so those characters become "_", control
// characters go, the name is cut to fit, and a name already taken gets
// "(2)", "(3)", … within the 31.
func bulletinSheetName(caption string, taken map[string]bool) string {
	base := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		if r < ' ' || r == 0x7F {
			return -1
		}
		return r
	}, strings.TrimSpace(caption))
	base = strings.TrimSpace(strings.Trim(base, "'"))
	if base == "" {
		base = "表"
	}
	const maxLen = 31
	for n := 1; ; n++ {
		suffix := ""
		if n > 1 {
			suffix = fmt.Sprintf("(%d)", n)
		}
		name := strings.TrimRight(bxCutUTF16(base, maxLen-len(suffix)), "'") + suffix
		key := strings.ToLower(name)
		if !taken[key] && key != "history" {
			taken[key] = true
			return name
		}
	}
}

// bxCutUTF16 cuts s to at most n UTF-16 units, never inside a character.
func bxCutUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		units += max(utf16.RuneLen(r), 1)
		if units > n {
			return s[:i]
		}
	}
	return s
}

// bxText drops the control characters XML cannot hold (pasted text
// often carries a vertical tab), which excelize would turn into U+FFFD.
func bxText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return -1
		}
		return r
	}, s)
}

func bxCol(j int) string {
	s, _ := excelize.ColumnNumberToName(j + 1)
	return s
}

func bxCell(j, row int) string {
	return fmt.Sprintf("%s%d", bxCol(j), row)
}
