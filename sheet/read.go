// Package sheet reads the spreadsheets towns make into clean rows and writes plain, well-formatted exports.
//
// Reading: Read returns the first visible worksheet with data as a Grid in which merged ranges are filled, cell
// text is normalised and dates are recognised from the number format. FindHeader locates the header row(s) and the
// wanted columns, Skip recognises blank, total and note rows, and ParseDate, ParseAmount and ParseNumber read values
// the many ways towns write them. Every error meant for the user is an apperr Invalid error with a Chinese message.
//
// Writing: Write streams one worksheet with a formatted, frozen, filterable header.
package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"guatu/apperr"
)

// MaxFileSize is the largest upload Read accepts, in bytes.
const MaxFileSize = 20 << 20

// maxUnzipSize bounds the uncompressed size of a workbook, so that a small zip bomb cannot exhaust memory.
const maxUnzipSize = 256 << 20

// Cell is one cell as read.
//
// Text is the displayed text, normalised: trimmed, full-width digits and letters folded to half-width, U+3000 and
// other spaces turned into plain spaces and collapsed, blank lines dropped (line breaks between lines are kept).
// Chinese punctuation is left as written; Normalize(Text) folds it too.
//
// For a numeric cell IsNum is true, Num holds the stored number and Text is that number in plain decimal notation
// rounded to 15 significant digits, as Excel shows it ("1234.5", not the cell's display format). IsDate is true
// when the cell's number format is a date or time format; then Num is the Excel serial, Date the calendar day at
// UTC midnight, and Text the date as 2006-01-02 (with " 15:04" when the cell has a time of day, or only 15:04
// for a time without a date).
type Cell struct {
	Text   string
	Num    float64
	IsNum  bool
	IsDate bool
	Date   time.Time
}

// Grid is one worksheet as read. Rows and columns are 0-based (row r is spreadsheet row r+1); rows may be ragged
// and have no trailing empty cells. The value of each merged range has been copied into every cell of the range.
type Grid struct {
	Sheet string
	Rows  [][]Cell
}

// Cell returns the cell at row r, column c, or an empty Cell when the position lies outside the grid.
func (g *Grid) Cell(r, c int) Cell {
	if r < 0 || r >= len(g.Rows) || c < 0 || c >= len(g.Rows[r]) {
		return Cell{}
	}
	return g.Rows[r][c]
}

// Read reads an .xlsx workbook of at most MaxFileSize bytes from r and returns its first visible worksheet that
// has any non-empty cell. Old .xls files, other files and empty workbooks are rejected with apperr Invalid errors
// that tell the user what to do.
func Read(r io.Reader) (*Grid, error) {
	grids, err := ReadBook(r)
	if err != nil {
		return nil, err
	}
	return grids[0], nil
}

// ReadBook reads a workbook as Read does and returns every visible worksheet that has any non-empty cell, in the
// workbook's order (at least one).
func ReadBook(r io.Reader) ([]*Grid, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("sheet.Read: %w", err)
	}
	switch {
	case len(data) == 0:
		return nil, apperr.Invalidf("文件是空的：请选择要导入的 .xlsx 文件")
	case len(data) > MaxFileSize:
		return nil, apperr.Invalidf("文件太大：只能导入 %d MB 以内的 .xlsx 文件，请删去无关的工作表或图片后再上传", MaxFileSize>>20)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		// An OLE2 compound file: an old .xls, a WPS .et, or an .xlsx with an opening password.
		return nil, apperr.Invalidf("只能导入 .xlsx 文件：这是旧版 .xls 文件（或设置了打开密码的文件），" +
			"请在 Excel 或 WPS 中“另存为 .xlsx”（并取消打开密码）后再上传")
	case !bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return nil, notXLSX(nil)
	}

	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue:   true,
		UnzipSizeLimit: maxUnzipSize,
	})
	if err != nil {
		return nil, notXLSX(err)
	}
	defer f.Close()

	p, err := openParts(data)
	if err != nil {
		return nil, notXLSX(err)
	}
	// A sheet that cannot be read (a chart sheet, a damaged part) is passed over if a later one has data.
	var skipped error
	var grids []*Grid
	for _, name := range f.GetSheetList() {
		if visible, err := f.GetSheetVisible(name); err != nil || !visible {
			continue
		}
		meta, err := p.meta(name)
		if err != nil {
			skipped = fmt.Errorf("sheet %q: %w", name, err)
			continue
		}
		if meta.area > maxCells {
			return nil, apperr.Invalidf("工作表“%s”太大：只能导入 %d 万个单元格以内的表格，请删去表格右侧或下方多余的行列后再上传",
				name, maxCells/10000)
		}
		raw, err := f.GetRows(name)
		if err != nil {
			skipped = fmt.Errorf("sheet %q: %w", name, err)
			continue
		}
		if !hasText(raw) {
			continue
		}
		grids = append(grids, readGrid(f, name, raw, meta))
	}
	if len(grids) > 0 {
		return grids, nil
	}
	if skipped != nil {
		return nil, notXLSX(skipped)
	}
	return nil, apperr.Invalidf("文件里没有数据：工作簿中可见的工作表都是空的，请检查是否选错了文件")
}

// notXLSX is the error for a file that cannot be read as a workbook; cause, if any, is kept for the log.
func notXLSX(cause error) error {
	return &apperr.Error{
		Kind: apperr.Invalid,
		Msg:  "只能导入 .xlsx 文件：无法读取这个文件，请在 Excel 或 WPS 中“另存为 .xlsx”后再上传",
		Err:  cause,
	}
}

// hasText reports whether any raw value has a character that cellText keeps.
func hasText(raw [][]string) bool {
	for _, row := range raw {
		for _, v := range row {
			for _, r := range v {
				if !isSpace(r) && foldWide(r) != dropRune {
					return true
				}
			}
		}
	}
	return false
}

// readGrid builds the Grid of one worksheet from its raw values (GetRows with RawCellValue) and the cell types,
// styles and merged ranges scanned from its XML.
func readGrid(f *excelize.File, sheet string, raw [][]string, meta *sheetMeta) *Grid {
	var date1904 bool
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	dateStyle := map[int]bool{}
	isDateStyle := func(idx int) bool {
		d, ok := dateStyle[idx]
		if !ok {
			if st, err := f.GetStyle(idx); err == nil {
				d = isDateNumFmt(st.NumFmt, st.CustomNumFmt)
			}
			dateStyle[idx] = d
		}
		return d
	}

	g := &Grid{Sheet: sheet, Rows: make([][]Cell, len(raw))}
	for r, values := range raw {
		if len(values) == 0 {
			continue
		}
		row := make([]Cell, len(values))
		for c, v := range values {
			if v == "" {
				continue
			}
			m := meta.cell(r, c)
			switch m.typ {
			case typeNumber:
				n, err := strconv.ParseFloat(v, 64)
				if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
					row[c] = Cell{Text: cellText(v)}
					continue
				}
				row[c] = numberCell(n, m.style != 0 && isDateStyle(m.style), date1904)
			case typeDate:
				row[c] = isoDateCell(v, date1904)
			case typeBool:
				row[c] = Cell{Text: "FALSE"}
				if v == "1" {
					row[c].Text = "TRUE"
				}
			default:
				row[c] = Cell{Text: cellText(v)}
			}
		}
		g.Rows[r] = row
	}
	fillMerges(g, meta.merges)
	trim(g)
	return g
}

// numberCell is the Cell for a stored number n; asDate says the cell has a date or time format.
func numberCell(n float64, asDate, date1904 bool) Cell {
	c := Cell{Num: n, IsNum: true, Text: numText(n)}
	if !asDate || n < 0 {
		return c
	}
	t, err := excelize.ExcelDateToTime(n, date1904)
	if err != nil {
		return c
	}
	c.IsDate = true
	c.Date = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case n < 1:
		c.Text = t.Format("15:04")
	case t.Hour() != 0 || t.Minute() != 0:
		c.Text = t.Format("2006-01-02 15:04")
	default:
		c.Text = t.Format("2006-01-02")
	}
	return c
}

// isoDateCell reads a cell of type "d", which stores an ISO 8601 date instead of a serial.
func isoDateCell(v string, date1904 bool) Cell {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02",
		"20060102T150405.999999999", "20060102T150405Z"} {
		t, err := time.Parse(layout, v)
		if err != nil {
			continue
		}
		serial, err := timeToSerial(t, date1904)
		if err != nil {
			break
		}
		return numberCell(serial, true, date1904)
	}
	return Cell{Text: cellText(v)}
}

// timeToSerial is the Excel serial of t's wall-clock time.
func timeToSerial(t time.Time, date1904 bool) (float64, error) {
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	if wall.Before(epoch) {
		return 0, errors.New("date before the epoch")
	}
	return wall.Sub(epoch).Hours() / 24, nil
}

// numText writes n the way Excel shows a General number: at most 15 significant digits, no exponent.
func numText(n float64) string {
	r, err := strconv.ParseFloat(strconv.FormatFloat(n, 'g', 15, 64), 64)
	if err != nil {
		r = n
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// isDateNumFmt reports whether a style's number format shows a date or a time.
func isDateNumFmt(id int, custom *string) bool {
	if custom != nil {
		return isDateFormatCode(*custom)
	}
	switch {
	case id >= 14 && id <= 22, id >= 27 && id <= 36, id >= 45 && id <= 47, id >= 50 && id <= 58:
		return true
	}
	return false
}

// isDateFormatCode reports whether a custom number format code has a date or time part (y, m, d, h or s) outside
// quoted text, [..] sections (colours, locales, elapsed-time brackets excepted) and escaped characters.
func isDateFormatCode(code string) bool {
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			for i++; i < len(code) && code[i] != '"'; i++ {
			}
		case '[':
			j := i + 1
			for j < len(code) && code[j] != ']' {
				j++
			}
			switch code[i+1 : min(j, len(code))] {
			case "h", "hh", "m", "mm", "s", "ss", "H", "HH", "M", "MM", "S", "SS":
				return true
			}
			i = j
		case '\\', '_', '*':
			i++
		case 'y', 'Y', 'm', 'M', 'd', 'D', 'h', 'H', 's', 'S':
			return true
		}
	}
	return false
}

// fillMerges copies the top-left value of each merged range into the other cells of the range. Ranges are clipped
// to the rows present and to the widest row, so that a range reaching to the end of the sheet costs nothing.
func fillMerges(g *Grid, merges []mergeRange) {
	width := 0
	for _, row := range g.Rows {
		width = max(width, len(row))
	}
	for _, m := range merges {
		v := g.Cell(m.r1, m.c1)
		if v.Text == "" {
			continue
		}
		last := min(m.c2, width-1)
		for r := m.r1; r <= min(m.r2, len(g.Rows)-1); r++ {
			if last >= len(g.Rows[r]) {
				g.Rows[r] = append(g.Rows[r], make([]Cell, last+1-len(g.Rows[r]))...)
			}
			for c := m.c1; c <= last; c++ {
				g.Rows[r][c] = v
			}
		}
	}
}

// trim drops trailing empty cells from every row and trailing empty rows from the grid.
func trim(g *Grid) {
	for r, row := range g.Rows {
		n := len(row)
		for n > 0 && row[n-1].Text == "" {
			n--
		}
		g.Rows[r] = row[:n]
	}
	n := len(g.Rows)
	for n > 0 && len(g.Rows[n-1]) == 0 {
		n--
	}
	g.Rows = g.Rows[:n]
}
