package sheet

import (
	"reflect"
	"testing"
	"time"
)

func TestScanSheetXML(t *testing.T) {
	// Prefixed names, rows and cells without r, single quotes, a '>' in an attribute value, a one-cell merge.
	xml := `<?xml version="1.0"?><x:worksheet xmlns:x="main"><x:cols><x:col min="1" max="2"/></x:cols>
<x:sheetData>
<x:row r="2" spans="1:3"><x:c r="B2" s="3" t="s"><x:v>0</x:v></x:c><x:c s='5'><x:v>46082</x:v></x:c></x:row>
<x:row note="a>b"><x:c t="inlineStr"><x:is><x:t>&lt;c r="Z9" s="9"&gt;</x:t></x:is></x:c><x:c r="D3" t="b"><x:v>1</x:v></x:c></x:row>
<x:row r="5"><x:c r="A5" t="d"><x:v>2026-03-01</x:v></x:c></x:row>
</x:sheetData><x:mergeCells count="3"><x:mergeCell ref="A5:C6"/><x:mergeCell ref="E7"/><x:mergeCell ref="bad"/></x:mergeCells></x:worksheet>`
	m := scanSheetXML([]byte(xml))
	want := &sheetMeta{
		cells: [][]cellMeta{
			nil,
			{{}, {style: 3, typ: typeOther}, {style: 5, typ: typeNumber}},
			{{typ: typeOther}, {}, {}, {typ: typeBool}},
			nil,
			{{typ: typeDate}},
		},
		merges: []mergeRange{{4, 0, 5, 2}, {6, 4, 6, 4}},
		area:   3 + 4 + 1,
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("scanSheetXML =\n%+v\nwant\n%+v", m, want)
	}
}

func TestParseRef(t *testing.T) {
	for ref, want := range map[string][2]int{
		"A1": {1, 1}, "b2": {2, 2}, "AB12": {28, 12}, "$C$3": {3, 3}, "XFD1048576": {16384, 1048576},
		"C": {3, 0}, "": {0, 0}, "A1B": {0, 0}, "XFE1": {0, 0}, "A1048577": {0, 0}, "1A": {0, 0},
	} {
		c, r := parseRef([]byte(ref))
		if [2]int{c, r} != want {
			t.Errorf("parseRef(%q) = %d, %d; want %v", ref, c, r, want)
		}
	}
}

func TestIsDateFormatCode(t *testing.T) {
	for code, want := range map[string]bool{
		"yyyy-mm-dd": true, `yyyy"年"m"月"d"日"`: true, "[$-F800]dddd, mmmm dd, yyyy": true, "h:mm": true,
		"[h]:mm:ss": true, "m/d/yy h:mm AM/PM": true, "YYYY/MM/DD": true,
		"General": false, "0.00": false, "#,##0.00": false, `#,##0.00 "万元"`: false, "0.0%": false, "@": false,
		"[Red]0.00": false, "0.00E+00": false, `0.00_);[Red]\(0.00\)`: false, `"dd"0`: false, "[DBNum1]0": false,
	} {
		if got := isDateFormatCode(code); got != want {
			t.Errorf("isDateFormatCode(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestIsoDateCell(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for v, want := range map[string]Cell{
		"2026-03-01":           {Text: "2026-03-01", Num: 46082, IsNum: true, IsDate: true, Date: day},
		"2026-03-01T00:00:00Z": {Text: "2026-03-01", Num: 46082, IsNum: true, IsDate: true, Date: day},
		"2026-03-01T12:00:00":  {Text: "2026-03-01 12:00", Num: 46082.5, IsNum: true, IsDate: true, Date: day},
		"20260301T120000Z":     {Text: "2026-03-01 12:00", Num: 46082.5, IsNum: true, IsDate: true, Date: day},
		"1800-01-01":           {Text: "1800-01-01"},
		"soon":                 {Text: "soon"},
	} {
		if got := isoDateCell(v, false); got != want {
			t.Errorf("isoDateCell(%q) = %+v, want %+v", v, got, want)
		}
	}
	if got := isoDateCell("2026-03-01", true); got.Num != 46082-1462 || !got.Date.Equal(day) {
		t.Errorf("isoDateCell in the 1904 system = %+v, want serial %d", got, 46082-1462)
	}
}

func FuzzScanSheetXML(f *testing.F) {
	f.Add([]byte(`<row r="1"><c r="A1" s="1" t="s"><v>0</v></c></row><mergeCell ref="A1:B2"/>`))
	f.Add([]byte(`<c r="XFD1048576" s="2"/><c/><row><c s='3'`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m := scanSheetXML(b)
		if m.area < 0 {
			t.Fatal("negative area")
		}
	})
}
