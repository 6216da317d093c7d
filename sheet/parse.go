package sheet

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"guatu/apperr"
)

// The years a date may fall in; anything else is a typing mistake.
const (
	minYear = 1990
	maxYear = 2100
)

// ParseDate reads a date as towns write it and returns the day at UTC midnight; an empty cell gives the zero time
// and no error. It accepts:
//   - a cell with a date format (its Date);
//   - a number: an Excel serial between 1990-01-01 and 2100-12-31 (of the 1900 date system, which is what a cell
//     without a date format is taken to use), 20260301, or 2026.3 / 2026.12 typed as a number;
//   - text, with full-width digits and spaces allowed: 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日, 20260301,
//     with or without a time after it; 2026年3月, 2026年3月份, 2026.3, 2026-3, 2026/03 (a month); 2026年3月底 or
//     2026年3月末 (the last day), 2026年3月初 (the first day); 2026年 (a year), 2026年底 or 2026年末 (its last day).
//
// A month means its first day and a year its first day; ParseDateEnd reads them as the last day instead.
// Impossible dates (2026-02-30), years outside 1990–2100 and anything else are apperr Invalid errors quoting the
// text. A number 2026.1 is refused as ambiguous, since Excel keeps "2026.10" typed into a number cell as 2026.1.
func ParseDate(c Cell) (time.Time, error) {
	return parseDate(c, false)
}

// ParseDateEnd is ParseDate for deadlines: a month alone ("2026.3") means its last day (2026-03-31) and a year
// alone its last day (2026-12-31). Full dates read the same as with ParseDate.
func ParseDateEnd(c Cell) (time.Time, error) {
	return parseDate(c, true)
}

var (
	// timeSuffix is a time of day after a date: " 00:00", " 8:30:00", "T00:00:00Z", "T08:00:00+08:00".
	timeSuffix = regexp.MustCompile(`[ T]*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$`)

	ymd      = regexp.MustCompile(`^(\d{4})(?:[-/.]|年)(\d{1,2})(?:[-/.]|月)(\d{1,2})[日号]?$`)
	ym       = regexp.MustCompile(`^(\d{4})(?:[-/.]|年)(\d{1,2})(?:月份|月(底|末|初)?)?$`)
	yearOnly = regexp.MustCompile(`^(\d{4})年(底|末|初)?$`)
	compact  = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
)

// Serial numbers of the first and last plausible days, in the 1900 date system.
var (
	minSerial = serialOf(minYear, 1, 1)
	maxSerial = serialOf(maxYear, 12, 31)
)

func serialOf(y int, m time.Month, d int) float64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
}

func parseDate(c Cell, end bool) (time.Time, error) {
	if c.IsDate {
		if c.Date.Year() < minYear || c.Date.Year() > maxYear {
			return time.Time{}, badYear(c.Text)
		}
		return c.Date, nil
	}
	if c.IsNum {
		return numberDate(c, end)
	}
	s := Normalize(c.Text)
	if s == "" {
		return time.Time{}, nil
	}
	return textDate(s, end)
}

// numberDate reads a date from a numeric cell without a date format.
func numberDate(c Cell, end bool) (time.Time, error) {
	n := c.Num
	switch {
	case n >= minSerial && n < maxSerial+1:
		return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(math.Floor(n))), nil
	case n == math.Trunc(n) && n >= 1e7 && n < 1e8:
		return textDate(strconv.FormatInt(int64(n), 10), end)
	case n > minYear && n < maxYear+1 && n != math.Trunc(n):
		s := numText(n)
		if strings.HasSuffix(s, ".1") {
			return time.Time{}, apperr.Invalidf("“%s”不明确：可能是 %s年1月，也可能是 %s年10月，请写成 %s-01 或 %s-10，"+
				"或把单元格设为文本格式", s, s[:4], s[:4], s[:4], s[:4])
		}
		return textDate(s, end)
	}
	return time.Time{}, notDate(numText(n))
}

// textDate reads a date from normalised text.
func textDate(s string, end bool) (time.Time, error) {
	d := s
	if loc := timeSuffix.FindStringIndex(d); loc != nil {
		d = d[:loc[0]]
	}
	d = strings.ReplaceAll(d, " ", "")
	if m := ymd.FindStringSubmatch(d); m != nil {
		return day(s, m[1], m[2], m[3])
	}
	if m := compact.FindStringSubmatch(d); m != nil {
		return day(s, m[1], m[2], m[3])
	}
	if m := ym.FindStringSubmatch(d); m != nil {
		first, err := day(s, m[1], m[2], "1")
		if err != nil {
			return time.Time{}, err
		}
		if m[3] == "底" || m[3] == "末" || end && m[3] != "初" {
			return first.AddDate(0, 1, -1), nil
		}
		return first, nil
	}
	if m := yearOnly.FindStringSubmatch(d); m != nil {
		first, err := day(s, m[1], "1", "1")
		if err != nil {
			return time.Time{}, err
		}
		if m[2] == "底" || m[2] == "末" || end && m[2] != "初" {
			return first.AddDate(1, 0, -1), nil
		}
		return first, nil
	}
	return time.Time{}, notDate(s)
}

// day checks and builds a calendar day; text is what the user wrote, for the message.
func day(text, ys, ms, ds string) (time.Time, error) {
	y, _ := strconv.Atoi(ys)
	m, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	if y < minYear || y > maxYear {
		return time.Time{}, badYear(text)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || t.Day() != d {
		return time.Time{}, apperr.Invalidf("“%s”不是有效日期", quote(text))
	}
	return t, nil
}

func badYear(text string) error {
	return apperr.Invalidf("“%s”不是有效日期：年份应在 %d 至 %d 之间", quote(text), minYear, maxYear)
}

func notDate(text string) error {
	return apperr.Invalidf("“%s”不是有效日期，请写成 2026-03-01、2026年3月1日 或 2026.3 这样的格式", quote(text))
}

// quote shortens text for a message.
func quote(text string) string {
	const max = 30
	if utf8.RuneCountInString(text) <= max {
		return text
	}
	return string([]rune(text)[:max]) + "…"
}

// blankMark reports whether s (normalised, spaces removed) is a mark towns put in a number cell for "none".
func blankMark(s string) bool {
	switch s {
	case "", "-", "—", "–", "/", "--", "——":
		return true
	}
	return false
}

// ParseAmount reads a sum of money and returns it in whole yuan (元), rounding half away from zero. unit is the
// unit of a bare number: "元" (or ""), "万元"/"万" or "亿元"/"亿"; pass Header.MoneyUnit. A unit written in the
// text itself ("1200万元", "1.2亿", "3000元") takes precedence. Text may have commas, spaces, full-width digits
// and a leading ¥; "-", "—" and "/" mean blank. Text is read as an exact decimal, so "0.1亿" is exactly 10,000,000
// yuan; a number cell is read through its 15-significant-digit text, which is how Excel shows it.
//
// A blank cell gives 0, false and no error. Negative amounts, percentages, letters and dates are apperr Invalid
// errors. An unknown unit argument is a programming error and returns a plain error.
func ParseAmount(c Cell, unit string) (yuan int64, ok bool, err error) {
	shift, known := unitShift(unit)
	if !known {
		return 0, false, fmt.Errorf("sheet.ParseAmount: unknown unit %q", unit)
	}
	text, s := numberText(c)
	if c.IsDate {
		return 0, false, apperr.Invalidf("“%s”不是金额", quote(text))
	}
	if blankMark(s) {
		return 0, false, nil
	}
	s = strings.TrimPrefix(s, "¥")
	for _, u := range []string{"亿元", "亿", "万元", "万", "元"} {
		if rest, found := strings.CutSuffix(s, u); found && rest != "" {
			s = rest
			shift, _ = unitShift(u)
			break
		}
	}
	neg, ip, fp, good := splitDecimal(s)
	if !good {
		return 0, false, apperr.Invalidf("“%s”不是金额", quote(text))
	}
	v, fits := scale(ip, fp, shift)
	if !fits {
		return 0, false, apperr.Invalidf("“%s”金额太大", quote(text))
	}
	if neg && v != 0 {
		return 0, false, apperr.Invalidf("金额不能为负：“%s”", quote(text))
	}
	return v, true, nil
}

// unitShift is the power of ten of a money unit.
func unitShift(unit string) (int, bool) {
	switch moneyUnit(unit) {
	case "元":
		return 0, true
	case "万元":
		return 4, true
	case "亿元":
		return 8, true
	}
	return 0, strings.TrimSpace(unit) == ""
}

// ParseNumber reads a plain decimal (亩, 人, counts) the same tolerant way as ParseAmount and returns it in
// hundredths (12.35 → 1235), rounding half away from zero. A trailing unit in Chinese characters is allowed and
// not checked ("12.35亩", "50人"), except that 万 and 亿 at its start multiply ("1.2万人" → 12000). A blank cell
// gives 0, false and no error; negative numbers and anything that is not a number (percentages, letters, dates)
// are apperr Invalid errors.
func ParseNumber(c Cell) (hundredths int64, ok bool, err error) {
	text, s := numberText(c)
	if c.IsDate {
		return 0, false, apperr.Invalidf("“%s”不是数字", quote(text))
	}
	if blankMark(s) {
		return 0, false, nil
	}
	shift := 2
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }); i > 0 {
		suffix := s[i:]
		if strings.IndexFunc(suffix, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) >= 0 {
			return 0, false, apperr.Invalidf("“%s”不是数字", quote(text))
		}
		switch {
		case strings.HasPrefix(suffix, "万"):
			shift += 4
		case strings.HasPrefix(suffix, "亿"):
			shift += 8
		}
		s = s[:i]
	}
	neg, ip, fp, good := splitDecimal(s)
	if !good {
		return 0, false, apperr.Invalidf("“%s”不是数字", quote(text))
	}
	v, fits := scale(ip, fp, shift)
	if !fits {
		return 0, false, apperr.Invalidf("“%s”数值太大", quote(text))
	}
	if neg && v != 0 {
		return 0, false, apperr.Invalidf("不能为负数：“%s”", quote(text))
	}
	return v, true, nil
}

// numberText returns the text of c for messages and the same text compacted for parsing: for a number cell its
// 15-significant-digit decimal form, else the normalised text without spaces and thousands separators.
func numberText(c Cell) (text, compact string) {
	if c.IsNum && !c.IsDate {
		s := numText(c.Num)
		return s, s
	}
	text = Normalize(c.Text)
	return text, compactNumber(text)
}

var numberSeparators = strings.NewReplacer(" ", "", ",", "")

// compactNumber removes the spaces and thousands separators from normalised text.
func compactNumber(s string) string {
	if !strings.ContainsAny(s, " ,") {
		return s
	}
	return numberSeparators.Replace(s)
}

// splitDecimal splits "[+-]digits[.digits]" (".5" and "5." allowed) into its sign and digit strings.
func splitDecimal(s string) (neg bool, ip, fp string, ok bool) {
	switch {
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "−"):
		neg = true
		_, size := utf8.DecodeRuneInString(s)
		s = s[size:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	ip, fp, _ = strings.Cut(s, ".")
	if ip == "" && fp == "" || !digits(ip) || !digits(fp) {
		return false, "", "", false
	}
	return neg, ip, fp, true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// scale returns ip.fp × 10^shift as an int64, rounding half away from zero; ok is false when it does not fit.
func scale(ip, fp string, shift int) (v int64, ok bool) {
	whole := ip
	if len(fp) >= shift {
		whole += fp[:shift]
		fp = fp[shift:]
	} else {
		whole += fp + strings.Repeat("0", shift-len(fp))
		fp = ""
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 18 {
		return 0, false
	}
	if whole != "" {
		n, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return 0, false
		}
		v = n
	}
	if fp != "" && fp[0] >= '5' {
		v++
	}
	return v, true
}
