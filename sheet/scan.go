package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// The cell types of the worksheet XML "t" attribute that readGrid tells apart.
const (
	typeNumber byte = iota // no t, or t="n"
	typeBool
	typeDate // t="d": an ISO 8601 date instead of a serial
	typeOther
)

// cellMeta is what readGrid needs to know about a cell besides its value.
type cellMeta struct {
	style int
	typ   byte
}

// sheetMeta holds the style and type of every cell of a worksheet, [row][column] 0-based, and its merged ranges.
// area is the number of cells GetRows will return for the sheet (each row as wide as its last cell).
//
// excelize exposes these only through its parsed worksheet (GetCellStyle, GetCellType, GetMergeCells,
// UnmergeCell), whose merge handling is quadratic in the number of merged ranges: 20,000 merges (two per row on
// 10,000 rows) take about 2 s per call. One pass over the raw XML gives the same facts in linear time.
type sheetMeta struct {
	cells  [][]cellMeta
	merges []mergeRange
	area   int
}

// mergeRange is a merged range, 0-based and inclusive.
type mergeRange struct{ r1, c1, r2, c2 int }

func (m *sheetMeta) cell(r, c int) cellMeta {
	if r < len(m.cells) && c < len(m.cells[r]) {
		return m.cells[r][c]
	}
	return cellMeta{}
}

// parts gives access to the parts of an .xlsx zip and the part path of each worksheet.
type parts struct {
	files  map[string]*zip.File
	sheets map[string]string // worksheet name → part path
}

// openParts indexes the zip data and resolves the worksheet parts through the workbook's relationships.
func openParts(data []byte) (*parts, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	p := &parts{files: make(map[string]*zip.File, len(zr.File)), sheets: map[string]string{}}
	for _, f := range zr.File {
		p.files[strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/"))] = f
	}

	workbook := "xl/workbook.xml"
	if rels, err := p.rels("_rels/.rels"); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				workbook = resolvePart("", r.Target)
			}
		}
	}
	wbXML, err := p.read(workbook)
	if err != nil {
		return nil, err
	}
	var wb struct {
		Sheets []struct {
			Name  string     `xml:"name,attr"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(wbXML, &wb); err != nil {
		return nil, fmt.Errorf("%s: %w", workbook, err)
	}
	dir, base := path.Split(workbook)
	rels, err := p.rels(dir + "_rels/" + base + ".rels")
	if err != nil {
		return nil, err
	}
	targets := map[string]string{}
	for _, r := range rels {
		targets[r.ID] = resolvePart(dir, r.Target)
	}
	for _, s := range wb.Sheets {
		for _, a := range s.Attrs {
			if a.Name.Local == "id" && a.Name.Space != "" && targets[a.Value] != "" {
				p.sheets[s.Name] = targets[a.Value]
			}
		}
	}
	return p, nil
}

func (p *parts) read(name string) ([]byte, error) {
	f, ok := p.files[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("missing part %s", name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxUnzipSize+1))
	if err == nil && len(b) > maxUnzipSize {
		err = fmt.Errorf("part %s is larger than %d bytes", name, maxUnzipSize)
	}
	return b, err
}

func (p *parts) rels(name string) ([]relationship, error) {
	b, err := p.read(name)
	if err != nil {
		return nil, err
	}
	var rels struct {
		List []relationship `xml:"Relationship"`
	}
	if err := xml.Unmarshal(b, &rels); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rels.List, nil
}

// meta scans the named worksheet.
func (p *parts) meta(sheet string) (*sheetMeta, error) {
	name, ok := p.sheets[sheet]
	if !ok {
		return nil, fmt.Errorf("no part for sheet %q", sheet)
	}
	b, err := p.read(name)
	if err != nil {
		return nil, err
	}
	return scanSheetXML(b), nil
}

type relationship struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

// resolvePart turns a relationship target into a zip path: absolute targets start at the package root, others
// are relative to the folder of the part that holds the relationship.
func resolvePart(dir, target string) string {
	target = strings.ReplaceAll(target, `\`, "/")
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return path.Clean(dir + target)
}

// scanSheetXML reads the row, c and mergeCell start tags of a worksheet. It looks at tags only, which is safe
// because "<" inside text and attribute values is always escaped in XML; namespace prefixes are ignored. Rows and
// cells without an r attribute follow the previous one, as excelize numbers them.
func scanSheetXML(b []byte) *sheetMeta {
	m := &sheetMeta{}
	row, col := 0, 0 // 1-based, of the current row and last cell
	width := 0       // of the current row
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			break
		}
		i += j + 1
		k := i
		for k < len(b) && !isNameEnd(b[k]) {
			k++
		}
		name := b[i:k]
		if c := bytes.LastIndexByte(name, ':'); c >= 0 {
			name = name[c+1:]
		}
		switch string(name) {
		case "row":
			r := 0
			i = attrs(b, k, func(n, v []byte) {
				if string(n) == "r" {
					r, _ = strconv.Atoi(string(v))
				}
			})
			if r > 0 {
				row = r
			} else {
				row++
			}
			col, width = 0, 0
		case "c":
			meta := cellMeta{}
			var ref []byte
			i = attrs(b, k, func(n, v []byte) {
				switch string(n) {
				case "r":
					ref = v
				case "s":
					meta.style, _ = strconv.Atoi(string(v))
				case "t":
					meta.typ = cellType(v)
				}
			})
			if c, r := parseRef(ref); c > 0 {
				col = c
				if r > 0 {
					row = r
				}
			} else {
				col++
			}
			if col > width {
				m.area += col - width
				width = col
			}
			if m.area <= maxCells {
				m.set(row-1, col-1, meta)
			}
		case "mergeCell":
			i = attrs(b, k, func(n, v []byte) {
				if string(n) != "ref" {
					return
				}
				from, to, _ := bytes.Cut(v, []byte{':'})
				if len(to) == 0 {
					to = from
				}
				c1, r1 := parseRef(from)
				c2, r2 := parseRef(to)
				if c1 > 0 && r1 > 0 && c2 > 0 && r2 > 0 {
					m.merges = append(m.merges, mergeRange{min(r1, r2) - 1, min(c1, c2) - 1, max(r1, r2) - 1, max(c1, c2) - 1})
				}
			})
		default:
			i = k
		}
	}
	return m
}

// maxCells is the most cells Read accepts in a worksheet (counting each row as wide as its last cell): ten times
// a large project list, and small enough that the grid fits comfortably in memory.
const maxCells = 4 << 20

func (m *sheetMeta) set(r, c int, meta cellMeta) {
	if r < 0 || c < 0 || meta == (cellMeta{}) {
		return
	}
	if r >= len(m.cells) {
		m.cells = append(m.cells, make([][]cellMeta, r+1-len(m.cells))...)
	}
	if c >= len(m.cells[r]) {
		m.cells[r] = append(m.cells[r], make([]cellMeta, c+1-len(m.cells[r]))...)
	}
	m.cells[r][c] = meta
}

func cellType(t []byte) byte {
	switch string(t) {
	case "", "n":
		return typeNumber
	case "b":
		return typeBool
	case "d":
		return typeDate
	}
	return typeOther
}

func isNameEnd(c byte) bool {
	return c == ' ' || c == '>' || c == '/' || c == '\t' || c == '\n' || c == '\r'
}

// attrs calls fn for each attribute of the tag whose name ends at i and returns the index after the tag.
func attrs(b []byte, i int, fn func(name, value []byte)) int {
	for i < len(b) {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r' || b[i] == '/') {
			i++
		}
		if i >= len(b) {
			return len(b)
		}
		if b[i] == '>' {
			return i + 1
		}
		eq := bytes.IndexByte(b[i:], '=')
		if eq < 0 {
			return len(b)
		}
		name := bytes.TrimSpace(b[i : i+eq])
		i += eq + 1
		for i < len(b) && b[i] != '"' && b[i] != '\'' {
			i++
		}
		if i >= len(b) {
			return i
		}
		q := b[i]
		end := bytes.IndexByte(b[i+1:], q)
		if end < 0 {
			return len(b)
		}
		fn(name, b[i+1:i+1+end])
		i += end + 2
	}
	return i
}

// parseRef reads a cell reference such as "AB12" (or "$AB$12") into 1-based column and row; 0 means absent.
func parseRef(ref []byte) (col, row int) {
	i := 0
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20
		if ref[i] == '$' {
			continue
		}
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		if col > 1<<14 {
			return 0, 0
		}
	}
	for ; i < len(ref); i++ {
		if ref[i] == '$' {
			continue
		}
		if ref[i] < '0' || ref[i] > '9' {
			return 0, 0
		}
		row = row*10 + int(ref[i]-'0')
		if row > 1<<20 {
			return 0, 0
		}
	}
	return col, row
}
