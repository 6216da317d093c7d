package sheet_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"guatu/apperr"
	"guatu/sheet"
)

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", " a  b ", "０１２３", "总投资\n（亿元）", "\u3000项目\u3000", "a\u200bb", "\xff\xfe", "￥１，２"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := sheet.Normalize(s)
		if again := sheet.Normalize(n); again != n {
			t.Errorf("Normalize is not idempotent: %q → %q → %q", s, n, again)
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Errorf("Normalize(%q) = %q has stray spaces", s, n)
		}
		if strings.ContainsAny(n, "\t\n\r\u3000\u00a0") {
			t.Errorf("Normalize(%q) = %q keeps other whitespace", s, n)
		}
		for _, r := range n {
			if r >= 0xFF01 && r <= 0xFF5E {
				t.Errorf("Normalize(%q) = %q keeps full-width %q", s, n, r)
			}
		}
		if utf8.ValidString(s) && !utf8.ValidString(n) {
			t.Errorf("Normalize(%q) = %q is not valid UTF-8", s, n)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-03-01", "2026/3/1", "2026.3.1", "2026年3月1日", "2026年3月", "2026.3", "20260301",
		"２０２６－０３－０１", "2026-02-30", "2026年6月底", "2026-03-01T08:00:00Z", "abc", "", "9999-99-99"} {
		f.Add(s, 0.0, false)
	}
	f.Add("", 46082.0, true)
	f.Add("", 2026.3, true)
	f.Add("", 20260301.0, true)
	f.Fuzz(func(t *testing.T, s string, n float64, isNum bool) {
		c := sheet.Cell{Text: s}
		if isNum {
			c = sheet.Cell{Num: n, IsNum: true}
		}
		for _, parse := range []func(sheet.Cell) (time.Time, error){sheet.ParseDate, sheet.ParseDateEnd} {
			d, err := parse(c)
			if err != nil {
				if apperr.KindOf(err) != apperr.Invalid || !d.IsZero() {
					t.Fatalf("parse(%+v) = %v, %v; want the zero time and an Invalid error", c, d, err)
				}
				continue
			}
			if d.IsZero() {
				if strings.TrimSpace(sheet.Normalize(s)) != "" || isNum {
					t.Fatalf("parse(%+v) gave the zero time without an error", c)
				}
				continue
			}
			if d.Year() < 1990 || d.Year() > 2100 || d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 {
				t.Fatalf("parse(%+v) = %v, outside 1990–2100 or not a UTC midnight", c, d)
			}
			back, err := sheet.ParseDate(sheet.Cell{Text: d.Format("2006-01-02")})
			if err != nil || !back.Equal(d) {
				t.Fatalf("%v does not read back: %v, %v", d, back, err)
			}
		}
	})
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1200万元", "1.2亿", "3,000", "３０００", " 12.5 ", "0.1亿", "-5", "abc", "85%", "", "—",
		"￥1,234.56", "1e5", "..", "99999999999999999999"} {
		f.Add(s, int64(0), uint8(0))
	}
	f.Add("", int64(123456789), uint8(1))
	f.Add("", int64(10_000_000), uint8(2))
	units := []string{"元", "万元", "亿元"}
	f.Fuzz(func(t *testing.T, s string, yuan int64, u uint8) {
		unit := units[int(u)%len(units)]
		got, ok, err := sheet.ParseAmount(sheet.Cell{Text: s}, unit)
		switch {
		case err != nil && (apperr.KindOf(err) != apperr.Invalid || ok || got != 0):
			t.Fatalf("ParseAmount(%q, %q) = %d, %v, %v; want 0, false with an Invalid error", s, unit, got, ok, err)
		case err == nil && (got < 0 || !ok && got != 0):
			t.Fatalf("ParseAmount(%q, %q) = %d, %v", s, unit, got, ok)
		}

		n, ok, err := sheet.ParseNumber(sheet.Cell{Text: s})
		if err != nil && (apperr.KindOf(err) != apperr.Invalid || ok || n != 0) || err == nil && n < 0 {
			t.Fatalf("ParseNumber(%q) = %d, %v, %v", s, n, ok, err)
		}

		if yuan < 0 {
			yuan = -(yuan + 1)
		}
		yuan %= 1e15
		for _, text := range formatAmount(yuan) {
			got, ok, err := sheet.ParseAmount(sheet.Cell{Text: text}, "元")
			if err != nil || !ok || got != yuan {
				t.Fatalf("ParseAmount(%q) = %d, %v, %v; want %d", text, got, ok, err, yuan)
			}
		}
	})
}

// formatAmount writes yuan exactly in the ways towns do: in 元 with thousands separators, in 万元 and in 亿元,
// and with full-width digits.
func formatAmount(yuan int64) []string {
	plain := fmt.Sprint(yuan)
	var grouped strings.Builder
	for i, d := range plain {
		if i > 0 && (len(plain)-i)%3 == 0 {
			grouped.WriteByte(',')
		}
		grouped.WriteRune(d)
	}
	wan := fmt.Sprintf("%d.%04d万元", yuan/1e4, yuan%1e4)
	yi := fmt.Sprintf("%d.%08d亿", yuan/1e8, yuan%1e8)
	wide := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '.' || r == ',' {
			return r + 0xFEE0
		}
		return r
	}, grouped.String()+"元")
	return []string{plain, grouped.String(), wan, yi, wide}
}
