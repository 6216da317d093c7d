package sheet_test

import (
	"strings"
	"testing"
	"time"

	"guatu/apperr"
	"guatu/sheet"
)

func text(s string) sheet.Cell { return sheet.Cell{Text: s} }

func num(n float64) sheet.Cell { return sheet.Cell{Num: n, IsNum: true} }

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// wantInvalid fails unless err is an apperr Invalid error whose message contains every part.
func wantInvalid(t *testing.T, err error, parts ...string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Invalid {
		t.Fatalf("err = %v, want an apperr Invalid error", err)
	}
	for _, p := range parts {
		if !strings.Contains(e.Msg, p) {
			t.Errorf("message %q does not contain %q", e.Msg, p)
		}
	}
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cell      sheet.Cell
		want, end time.Time // end is ParseDateEnd's answer; zero means the same as want
	}{
		{"empty", text(""), time.Time{}, time.Time{}},
		{"spaces only", text(" \u3000 "), time.Time{}, time.Time{}},
		{"iso", text("2026-03-01"), day(2026, 3, 1), time.Time{}},
		{"slashes", text("2026/3/1"), day(2026, 3, 1), time.Time{}},
		{"dots", text("2026.3.1"), day(2026, 3, 1), time.Time{}},
		{"dots padded", text("2026.03.01"), day(2026, 3, 1), time.Time{}},
		{"chinese", text("2026年3月1日"), day(2026, 3, 1), time.Time{}},
		{"chinese 号", text("2026年3月1号"), day(2026, 3, 1), time.Time{}},
		{"chinese without 日", text("2026年12月31"), day(2026, 12, 31), time.Time{}},
		{"compact", text("20260301"), day(2026, 3, 1), time.Time{}},
		{"with time", text("2026-03-01 00:00:00"), day(2026, 3, 1), time.Time{}},
		{"iso datetime", text("2026-03-01T08:30:00+08:00"), day(2026, 3, 1), time.Time{}},
		{"chinese with time", text("2026年3月1日 8:30"), day(2026, 3, 1), time.Time{}},
		{"full-width digits", text("２０２６年３月１日"), day(2026, 3, 1), time.Time{}},
		{"full-width dots", text("２０２６．３．１"), day(2026, 3, 1), time.Time{}},
		{"ideographic spaces", text("\u30002026 年 3 月 1 日\u3000"), day(2026, 3, 1), time.Time{}},
		{"leap day", text("2024-02-29"), day(2024, 2, 29), time.Time{}},
		{"month chinese", text("2026年3月"), day(2026, 3, 1), day(2026, 3, 31)},
		{"month 份", text("2026年3月份"), day(2026, 3, 1), day(2026, 3, 31)},
		{"month dot", text("2026.3"), day(2026, 3, 1), day(2026, 3, 31)},
		{"month dot 10", text("2026.10"), day(2026, 10, 1), day(2026, 10, 31)},
		{"month dash", text("2026-3"), day(2026, 3, 1), day(2026, 3, 31)},
		{"month slash padded", text("2026/03"), day(2026, 3, 1), day(2026, 3, 31)},
		{"february end", text("2024年2月"), day(2024, 2, 1), day(2024, 2, 29)},
		{"december end", text("2026.12"), day(2026, 12, 1), day(2026, 12, 31)},
		{"month end", text("2026年6月底"), day(2026, 6, 30), day(2026, 6, 30)},
		{"month 末", text("2026年6月末"), day(2026, 6, 30), day(2026, 6, 30)},
		{"month start", text("2026年6月初"), day(2026, 6, 1), day(2026, 6, 1)},
		{"year", text("2026年"), day(2026, 1, 1), day(2026, 12, 31)},
		{"year end", text("2026年底"), day(2026, 12, 31), day(2026, 12, 31)},
		{"serial", num(46082), day(2026, 3, 1), time.Time{}},
		{"serial with time", num(46082.75), day(2026, 3, 1), time.Time{}},
		{"serial lowest", num(32874), day(1990, 1, 1), time.Time{}},
		{"serial highest", num(73415), day(2100, 12, 31), time.Time{}},
		{"number yyyymmdd", num(20260301), day(2026, 3, 1), time.Time{}},
		{"number year.month", num(2026.3), day(2026, 3, 1), day(2026, 3, 31)},
		{"number year.12", num(2026.12), day(2026, 12, 1), day(2026, 12, 31)},
		{"date cell", sheet.Cell{Num: 46082, IsNum: true, IsDate: true, Date: day(2026, 3, 1), Text: "2026-03-01"},
			day(2026, 3, 1), time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sheet.ParseDate(tc.cell)
			if err != nil {
				t.Fatalf("ParseDate(%+v): %v", tc.cell, err)
			}
			if !got.Equal(tc.want) || got.Location() != time.UTC && !got.IsZero() {
				t.Errorf("ParseDate(%+v) = %v, want %v", tc.cell, got, tc.want)
			}
			end := tc.end
			if end.IsZero() {
				end = tc.want
			}
			got, err = sheet.ParseDateEnd(tc.cell)
			if err != nil {
				t.Fatalf("ParseDateEnd(%+v): %v", tc.cell, err)
			}
			if !got.Equal(end) {
				t.Errorf("ParseDateEnd(%+v) = %v, want %v", tc.cell, got, end)
			}
		})
	}
}

func TestParseDate_Invalid(t *testing.T) {
	for _, tc := range []struct {
		cell sheet.Cell
		msg  []string
	}{
		{text("2026-02-29"), []string{"“2026-02-29”不是有效日期"}},
		{text("2026-02-30"), []string{"“2026-02-30”不是有效日期"}},
		{text("2026-13-01"), []string{"“2026-13-01”不是有效日期"}},
		{text("2026-00-10"), []string{"不是有效日期"}},
		{text("2026.13"), []string{"不是有效日期"}},
		{text("20261301"), []string{"不是有效日期"}},
		{text("1989-12-31"), []string{"1990", "2100"}},
		{text("2101-01-01"), []string{"1990", "2100"}},
		{text("明年三月"), []string{"“明年三月”不是有效日期"}},
		{text("3月5日"), []string{"不是有效日期"}},
		{text("2026"), []string{"不是有效日期"}},
		{text("abc"), []string{"不是有效日期"}},
		{text("2026-03-01-02"), []string{"不是有效日期"}},
		{num(12), []string{"不是有效日期"}},
		{num(2026), []string{"不是有效日期"}},
		{num(2026.1), []string{"不明确", "2026-01", "2026-10"}},
		{num(-5), []string{"不是有效日期"}},
		{sheet.Cell{Num: 0.5, IsNum: true, IsDate: true, Date: day(1899, 12, 30), Text: "12:00"}, []string{"1990"}},
	} {
		t.Run(tc.cell.Text, func(t *testing.T) {
			got, err := sheet.ParseDate(tc.cell)
			if !got.IsZero() {
				t.Errorf("ParseDate(%+v) = %v, want the zero time with the error", tc.cell, got)
			}
			wantInvalid(t, err, tc.msg...)
		})
	}
}

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		name string
		cell sheet.Cell
		unit string
		want int64
	}{
		{"yuan", text("3000"), "元", 3000},
		{"empty unit is yuan", text("3000"), "", 3000},
		{"wan from header", text("1200"), "万元", 12_000_000},
		{"wan short", text("1200"), "万", 12_000_000},
		{"yi from header", text("1.2"), "亿元", 120_000_000},
		{"wan in text", text("1200万元"), "元", 12_000_000},
		{"wan in text overrides header", text("1200万"), "亿元", 12_000_000},
		{"yi in text", text("1.2亿"), "万元", 120_000_000},
		{"yi yuan in text", text("0.35亿元"), "元", 35_000_000},
		{"yuan in text overrides header", text("3000元"), "万元", 3000},
		{"commas", text("3,000"), "元", 3000},
		{"commas and decimals in wan", text("1,234.56"), "万元", 12_345_600},
		{"full-width", text("３０００"), "元", 3000},
		{"full-width comma and dot", text("１，２３４．５"), "万元", 12_345_000},
		{"spaces", text(" 12.5 "), "万元", 125_000},
		{"space before unit", text("12.5 万元"), "元", 125_000},
		{"ideographic space", text("\u300012.5\u3000"), "万元", 125_000},
		{"yen sign", text("￥1,200"), "元", 1200},
		{"exact 0.1 yi", text("0.1亿"), "元", 10_000_000},
		{"exact 0.1 yi from header", text("0.1"), "亿元", 10_000_000},
		{"many decimals exact", text("0.12345678"), "亿元", 12_345_678},
		{"rounds half up", text("12.5"), "元", 13},
		{"rounds down", text("12.49"), "元", 12},
		{"below a yuan rounds up", text("0.00005"), "万元", 1},
		{"leading dot", text(".5"), "万元", 5000},
		{"plus sign", text("+3"), "万元", 30000},
		{"zero", text("0"), "万元", 0},
		{"negative zero", text("-0"), "万元", 0},
		{"number cell", num(1200), "万元", 12_000_000},
		{"number cell 0.1 yi", num(0.1), "亿元", 10_000_000},
		{"number cell float noise", num(0.1 + 0.2), "亿元", 30_000_000},
		{"number cell decimals", num(1234.56), "万元", 12_345_600},
		{"largest", text("92233720368547758.07"), "元", 92233720368547758},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := sheet.ParseAmount(tc.cell, tc.unit)
			if err != nil || !ok || got != tc.want {
				t.Errorf("ParseAmount(%q, %q) = %d, %v, %v; want %d, true, nil", tc.cell.Text, tc.unit, got, ok, err, tc.want)
			}
		})
	}
}

func TestParseAmount_Blank(t *testing.T) {
	for _, c := range []sheet.Cell{text(""), text("\u3000"), text("-"), text("—"), text("／"), text("－")} {
		got, ok, err := sheet.ParseAmount(c, "万元")
		if got != 0 || ok || err != nil {
			t.Errorf("ParseAmount(%q) = %d, %v, %v; want 0, false, nil", c.Text, got, ok, err)
		}
	}
}

func TestParseAmount_Invalid(t *testing.T) {
	for _, tc := range []struct {
		cell sheet.Cell
		msg  string
	}{
		{text("-5"), "金额不能为负"},
		{text("-1,200万元"), "金额不能为负"},
		{num(-3), "金额不能为负"},
		{text("abc"), "“abc”不是金额"},
		{text("85%"), "“85%”不是金额"},
		{text("12a"), "不是金额"},
		{text("1.2.3"), "不是金额"},
		{text("万元"), "不是金额"},
		{text("."), "不是金额"},
		{text("约1200"), "不是金额"},
		{text("1e5"), "不是金额"},
		{text("99999999999999999999"), "金额太大"},
		{num(1e300), "金额太大"},
		{sheet.Cell{Num: 46082, IsNum: true, IsDate: true, Date: day(2026, 3, 1), Text: "2026-03-01"}, "不是金额"},
	} {
		t.Run(tc.cell.Text, func(t *testing.T) {
			got, ok, err := sheet.ParseAmount(tc.cell, "万元")
			if got != 0 || ok {
				t.Errorf("ParseAmount(%q) = %d, %v; want 0, false with the error", tc.cell.Text, got, ok)
			}
			wantInvalid(t, err, tc.msg)
		})
	}
}

func TestParseAmount_UnknownUnit(t *testing.T) {
	_, _, err := sheet.ParseAmount(text("12"), "亩")
	if err == nil || apperr.KindOf(err) != apperr.Internal {
		t.Errorf("err = %v, want an internal error for a unit that is not money", err)
	}
}

func TestParseNumber(t *testing.T) {
	for _, tc := range []struct {
		cell sheet.Cell
		want int64
	}{
		{text("12.35"), 1235},
		{text("12"), 1200},
		{text("12.345"), 1235},
		{text("12.344"), 1234},
		{text("1,234.5"), 123450},
		{text("１２．３５"), 1235},
		{text(" 12.35 亩"), 1235},
		{text("50人"), 5000},
		{text("1.2万人"), 1_200_000},
		{text("0"), 0},
		{num(12.35), 1235},
		{num(0.1 + 0.2), 30},
	} {
		t.Run(tc.cell.Text, func(t *testing.T) {
			got, ok, err := sheet.ParseNumber(tc.cell)
			if err != nil || !ok || got != tc.want {
				t.Errorf("ParseNumber(%+v) = %d, %v, %v; want %d, true, nil", tc.cell, got, ok, err, tc.want)
			}
		})
	}
	for _, c := range []sheet.Cell{text(""), text(" "), text("-"), text("/")} {
		if got, ok, err := sheet.ParseNumber(c); got != 0 || ok || err != nil {
			t.Errorf("ParseNumber(%q) = %d, %v, %v; want 0, false, nil", c.Text, got, ok, err)
		}
	}
	for _, c := range []sheet.Cell{text("abc"), text("85%"), text("12亩3"), text("约12"), text("1e3"), text("-3.5"),
		text("99999999999999999999"), {Num: -2, IsNum: true, Text: "-2"}, {Num: 46082, IsNum: true, IsDate: true, Text: "2026-03-01"}} {
		_, ok, err := sheet.ParseNumber(c)
		if ok {
			t.Errorf("ParseNumber(%q) ok, want an error", c.Text)
		}
		wantInvalid(t, err, "“"+sheet.Normalize(c.Text)+"”")
	}
	if got, ok, err := sheet.ParseNumber(text("-0")); got != 0 || !ok || err != nil {
		t.Errorf("ParseNumber(-0) = %d, %v, %v; want 0, true, nil", got, ok, err)
	}
}
