package sheet

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Kind is how the values of an exported column are written and formatted.
type Kind int

// The column kinds and the Go values each takes. A nil value writes an empty cell in any column.
const (
	Text    Kind = iota // string, written as text (never as a formula) in a text-formatted cell; control characters dropped
	Int                 // int, int8 … int64, uint … uint64
	Wan                 // int64 (or int) yuan, written as a number of 万元 formatted #,##0.00
	Date                // time.Time, written as a date cell of its calendar day formatted yyyy-mm-dd; zero time → empty
	Percent             // float64 points (27.3 means 27.3%), written as 0.273 formatted 0.0%; NaN → empty
	Number              // any integer type or float64 (亩, counts), written as a number in General format; NaN → empty
)

// Col is one exported column. Width is in Excel character units; 0 picks a width for the Kind.
type Col struct {
	Title string
	Width float64
	Kind  Kind
}

// Option changes how Write lays out the worksheet.
type Option func(*writeConfig)

type writeConfig struct {
	title string
}

// WithTitle puts a bold title row, merged across all columns, above the header
// (e.g. "XX镇重点项目台账（导出于 2026-11-23）"). FindHeader finds the header under it.
func WithTitle(title string) Option {
	return func(c *writeConfig) { c.title = title }
}

// Table is one worksheet to write: its name (characters Excel forbids become "_", cut to 31 characters), an
// optional title row above the header, the columns and the rows.
type Table struct {
	Name  string
	Title string
	Cols  []Col
	Rows  [][]any
}

// Write writes a workbook of one worksheet named sheetName to w: an optional title row, a bold, filled, bordered,
// wrapped and centred header row frozen at the top with an autofilter, then rows, each a []any whose values match
// the columns' kinds. It streams the rows, so large exports are cheap. A value of the wrong type, or a row longer
// than cols, is an error.
func Write(w io.Writer, sheetName string, cols []Col, rows [][]any, opts ...Option) error {
	var cfg writeConfig
	for _, o := range opts {
		o(&cfg)
	}
	return WriteBook(w, Table{Name: sheetName, Title: cfg.title, Cols: cols, Rows: rows})
}

// WriteBook writes a workbook with one worksheet per table, in order, each laid out as Write lays out its one.
func WriteBook(w io.Writer, tables ...Table) error {
	if len(tables) == 0 {
		return fmt.Errorf("sheet.WriteBook: no tables")
	}
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return fmt.Errorf("sheet.Write: %w", err)
	}
	for i, t := range tables {
		name := sheetTitle(t.Name)
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return fmt.Errorf("sheet.Write: %w", err)
		}
		if err := writeTable(f, st, name, t); err != nil {
			return err
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("sheet.Write: %w", err)
	}
	return nil
}

func writeTable(f *excelize.File, st styles, name string, t Table) error {
	cols, rows := t.Cols, t.Rows
	if len(cols) == 0 {
		return fmt.Errorf("sheet.Write: no columns")
	}
	headerRow := 1
	if t.Title != "" {
		headerRow = 2
	}
	lastCol, _ := excelize.ColumnNumberToName(len(cols))
	lastRow := headerRow + max(len(rows), 1)
	// The stream writer copies the worksheet's autofilter when it flushes, so it is set on the sheet beforehand.
	if err := f.AutoFilter(name, fmt.Sprintf("A%d:%s%d", headerRow, lastCol, lastRow), nil); err != nil {
		return fmt.Errorf("sheet.Write: %w", err)
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("sheet.Write: %w", err)
	}
	first := fmt.Sprintf("A%d", headerRow+1)
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: headerRow, TopLeftCell: first, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: first, ActiveCell: first, Pane: "bottomLeft"}},
	}); err != nil {
		return fmt.Errorf("sheet.Write: %w", err)
	}
	// SetColWidth puts each new <col> before those already set, and Excel wants them in ascending order.
	for i := len(cols) - 1; i >= 0; i-- {
		width := cols[i].Width
		if width <= 0 {
			width = defaultWidth[cols[i].Kind]
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return fmt.Errorf("sheet.Write: %w", err)
		}
	}

	if t.Title != "" {
		if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: t.Title}},
			excelize.RowOpts{Height: 28}); err != nil {
			return fmt.Errorf("sheet.Write: %w", err)
		}
		if len(cols) > 1 {
			if err := sw.MergeCell("A1", lastCol+"1"); err != nil {
				return fmt.Errorf("sheet.Write: %w", err)
			}
		}
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = excelize.Cell{StyleID: st.header, Value: c.Title}
	}
	if err := sw.SetRow(fmt.Sprintf("A%d", headerRow), header); err != nil {
		return fmt.Errorf("sheet.Write: %w", err)
	}

	values := make([]any, len(cols))
	for r, row := range rows {
		if len(row) > len(cols) {
			return fmt.Errorf("sheet.Write: row %d has %d values for %d columns", r, len(row), len(cols))
		}
		for i, c := range cols {
			var v any
			if i < len(row) {
				v = row[i]
			}
			cell, err := st.cell(c.Kind, v)
			if err != nil {
				return fmt.Errorf("sheet.Write: row %d column %q: %w", r, c.Title, err)
			}
			values[i] = cell
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", headerRow+1+r), values); err != nil {
			return fmt.Errorf("sheet.Write: row %d: %w", r, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("sheet.Write: %w", err)
	}
	return nil
}

var defaultWidth = map[Kind]float64{Text: 20, Int: 10, Wan: 14, Date: 12, Percent: 10, Number: 10}

// styles holds the style ids Write uses.
type styles struct {
	title, header                             int
	text, integer, wan, date, percent, number int
}

func newStyles(f *excelize.File) (styles, error) {
	var st styles
	border := []excelize.Border{
		{Type: "left", Color: "808080", Style: 1}, {Type: "right", Color: "808080", Style: 1},
		{Type: "top", Color: "808080", Style: 1}, {Type: "bottom", Color: "808080", Style: 1},
	}
	middle := &excelize.Alignment{Vertical: "center"}
	dateFmt, percentFmt := "yyyy-mm-dd", "0.0%"
	for _, s := range []struct {
		id    *int
		style excelize.Style
	}{
		{&st.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&st.header, excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		// Number format 49 is "@" (text): Excel keeps an edited "=…" in such a cell as text, too.
		{&st.text, excelize.Style{NumFmt: 49, Alignment: middle}},
		{&st.integer, excelize.Style{NumFmt: 1, Alignment: middle}},
		{&st.wan, excelize.Style{NumFmt: 4, Alignment: middle}},
		{&st.date, excelize.Style{CustomNumFmt: &dateFmt, Alignment: middle}},
		{&st.percent, excelize.Style{CustomNumFmt: &percentFmt, Alignment: middle}},
		{&st.number, excelize.Style{Alignment: middle}},
	} {
		id, err := f.NewStyle(&s.style)
		if err != nil {
			return st, err
		}
		*s.id = id
	}
	return st, nil
}

// cell converts one value for a column of kind k.
func (st styles) cell(k Kind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case Text:
		if s, ok := v.(string); ok {
			return excelize.Cell{StyleID: st.text, Value: strings.Map(xmlChar, s)}, nil
		}
	case Int:
		switch v.(type) {
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			return excelize.Cell{StyleID: st.integer, Value: v}, nil
		}
	case Wan:
		var yuan int64
		switch n := v.(type) {
		case int64:
			yuan = n
		case int:
			yuan = int64(n)
		default:
			return nil, fmt.Errorf("%T for a Wan column, want int64 yuan", v)
		}
		return excelize.Cell{StyleID: st.wan, Value: float64(yuan) / 1e4}, nil
	case Date:
		if t, ok := v.(time.Time); ok {
			if t.IsZero() {
				return nil, nil
			}
			day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			return excelize.Cell{StyleID: st.date, Value: day}, nil
		}
	case Percent:
		if p, ok := v.(float64); ok {
			if math.IsNaN(p) || math.IsInf(p, 0) {
				return nil, nil
			}
			return excelize.Cell{StyleID: st.percent, Value: p / 100}, nil
		}
	case Number:
		switch n := v.(type) {
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			return excelize.Cell{StyleID: st.number, Value: v}, nil
		case float64:
			if math.IsNaN(n) || math.IsInf(n, 0) {
				return nil, nil
			}
			return excelize.Cell{StyleID: st.number, Value: n}, nil
		}
	default:
		return nil, fmt.Errorf("unknown kind %d", k)
	}
	return nil, fmt.Errorf("%T for a %s column", v, kindNames[k])
}

// xmlChar drops the control characters XML cannot hold (pasted text often has a vertical tab), which excelize
// would otherwise turn into U+FFFD.
func xmlChar(r rune) rune {
	if r < ' ' && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
		return -1
	}
	return r
}

var kindNames = map[Kind]string{Text: "Text", Int: "Int", Wan: "Wan", Date: "Date", Percent: "Percent", Number: "Number"}

// sheetTitle makes s a valid worksheet name: no []:*?/\ characters, no leading or trailing apostrophe, at most 31
// characters, "Sheet1" if nothing is left.
func sheetTitle(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) || r < ' ' {
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
	s = strings.Trim(s, "'")
	if utf8.RuneCountInString(s) > 31 {
		s = string([]rune(s)[:31])
	}
	if s == "" {
		return "Sheet1"
	}
	return s
}
