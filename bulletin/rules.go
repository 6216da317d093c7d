// Package bulletin is 一季一通报 (issue 5): the scores and ranking of units
// over a period, computed from the frozen monthly data, and the bulletin
// drafted from them.
//
// This file holds the rules: periods, weights, a unit's score from its
// facts, and the ranking. They are pure functions with table tests.
package bulletin

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"guatu/report"
)

// Kind is how long a span is.
type Kind string

// The kinds of span: a quarter by default, also a month, a half-year and a year.
const (
	MonthSpan   Kind = "month"
	QuarterSpan Kind = "quarter"
	HalfSpan    Kind = "half"
	YearSpan    Kind = "year"
)

// Span is the period a bulletin covers: whole months from First to Last.
type Span struct {
	Kind  Kind
	Year  int
	N     int // the month (1–12), quarter (1–4) or half (1–2); 0 for a year
	First report.Period
	Last  report.Period
}

// months per span kind.
var spanMonths = map[Kind]int{MonthSpan: 1, QuarterSpan: 3, HalfSpan: 6, YearSpan: 12}

// NewSpan builds a span; n is ignored for a year.
func NewSpan(kind Kind, year, n int) (Span, error) {
	size, ok := spanMonths[kind]
	if !ok {
		return Span{}, fmt.Errorf("未知的通报周期“%s”", kind)
	}
	if kind == YearSpan {
		n = 0
	} else if n < 1 || n > 12/size {
		return Span{}, fmt.Errorf("%d年没有第 %d 个%s", year, n, kind.Label())
	}
	if year < 2000 || year > 2100 {
		return Span{}, fmt.Errorf("年份 %d 不在 2000 到 2100 之间", year)
	}
	first := 1
	if n > 0 {
		first = (n-1)*size + 1
	}
	s := Span{Kind: kind, Year: year, N: n, First: report.Period{Year: year, Month: time.Month(first)}}
	s.Last = report.Period{Year: year, Month: time.Month(first + size - 1)}
	return s, nil
}

// Label is the kind's Chinese name.
func (k Kind) Label() string {
	switch k {
	case MonthSpan:
		return "月"
	case QuarterSpan:
		return "季度"
	case HalfSpan:
		return "半年"
	case YearSpan:
		return "年度"
	}
	return string(k)
}

// ParseSpan reads a span key: 2026-03 (a month), 2026-Q1, 2026-H1, 2026.
func ParseSpan(s string) (Span, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	bad := fmt.Errorf("“%s”不是有效的通报周期，应为 2026-Q1、2026-03、2026-H1 或 2026 这样的格式", s)
	year, rest, _ := strings.Cut(s, "-")
	y, err := strconv.Atoi(year)
	if err != nil || len(year) != 4 {
		return Span{}, bad
	}
	var kind Kind
	var n int
	switch {
	case rest == "":
		kind = YearSpan
	case strings.HasPrefix(rest, "Q"):
		kind = QuarterSpan
		n, err = strconv.Atoi(rest[1:])
	case strings.HasPrefix(rest, "H"):
		kind = HalfSpan
		n, err = strconv.Atoi(rest[1:])
	default:
		kind = MonthSpan
		n, err = strconv.Atoi(rest)
		if len(rest) != 2 {
			err = bad
		}
	}
	if err != nil {
		return Span{}, bad
	}
	sp, err := NewSpan(kind, y, n)
	if err != nil {
		return Span{}, bad
	}
	return sp, nil
}

// Key is the span as stored and in links: 2026-Q1, 2026-03, 2026-H1, 2026.
func (s Span) Key() string {
	switch s.Kind {
	case MonthSpan:
		return s.First.Key()
	case QuarterSpan:
		return fmt.Sprintf("%d-Q%d", s.Year, s.N)
	case HalfSpan:
		return fmt.Sprintf("%d-H%d", s.Year, s.N)
	}
	return strconv.Itoa(s.Year)
}

var quarterNames = [...]string{"", "一季度", "二季度", "三季度", "四季度"}

// Label is the span's Chinese name: 2026年一季度, 2026年3月, 2026年上半年, 2026年.
func (s Span) Label() string {
	switch s.Kind {
	case MonthSpan:
		return s.First.Label()
	case QuarterSpan:
		return fmt.Sprintf("%d年%s", s.Year, quarterNames[s.N])
	case HalfSpan:
		if s.N == 1 {
			return fmt.Sprintf("%d年上半年", s.Year)
		}
		return fmt.Sprintf("%d年下半年", s.Year)
	}
	return fmt.Sprintf("%d年", s.Year)
}

// Start and End are the span's first and last days.
func (s Span) Start() time.Time { return s.First.First() }

// End is the span's last day.
func (s Span) End() time.Time { return s.Last.Last() }

// Months lists the span's months in order.
func (s Span) Months() []report.Period {
	var out []report.Period
	for p := s.First; !p.After(s.Last); p = p.Next() {
		out = append(out, p)
	}
	return out
}

// Prev is the span of the same kind before this one (the previous
// bulletin, whose ranks the change of rank is measured against).
func (s Span) Prev() Span {
	size := spanMonths[s.Kind]
	first := s.First
	for range size {
		first = first.Prev()
	}
	n := 0
	if s.Kind != YearSpan {
		n = (int(first.Month)-1)/size + 1
	}
	p, _ := NewSpan(s.Kind, first.Year, n)
	return p
}

// QuarterOf is the quarter containing day d.
func QuarterOf(d time.Time) Span {
	s, _ := NewSpan(QuarterSpan, d.Year(), (int(d.Month())-1)/3+1)
	return s
}

// Part is one of the five things a unit is scored on (DESIGN.md §4).
type Part int

// The parts, in the order the bulletin shows them.
const (
	Milestones   Part = iota // milestones due in the span, met on time
	Investment               // investment completed against 时序进度
	Reports                  // monthly reports in on time
	Problems                 // problems due in the span, closed on time
	Instructions             // 批示 due in the span, answered on time
	partCount
)

// Parts lists them in order.
var Parts = []Part{Milestones, Investment, Reports, Problems, Instructions}

// Label is the part's Chinese name.
func (p Part) Label() string {
	return [...]string{"节点按期完成率", "投资完成进度", "月报按时报送率", "问题按期销号率", "批示按期反馈率"}[p]
}

// Weights are the settings that combine the parts into a score; they are
// shares, not necessarily summing to 100 (each unit's score divides by the
// weights of the parts it has).
type Weights [partCount]float64

// DefaultWeights weigh the project work most: milestones and investment
// 30 each, reports 20, problems and 批示 10 each.
func DefaultWeights() Weights { return Weights{30, 30, 20, 10, 10} }

// Facts are what a unit did over a span, counted from the frozen monthly
// data and the records of problems and 批示.
type Facts struct {
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name"`
	// Milestones of the unit's projects planned within the span, and how
	// many of them were reached by their planned day.
	MilestonesDue    int `json:"milestones_due"`
	MilestonesOnTime int `json:"milestones_on_time"`
	// The unit's projects' annual plan and what was completed of it by the
	// span's end, in yuan, and the 时序进度 (percent) of the span's end.
	Planned      int64   `json:"planned"`
	Completed    int64   `json:"completed"`
	TimeProgress float64 `json:"time_progress"`
	// Monthly reports owed in the span and how many came in on time.
	ReportsDue    int `json:"reports_due"`
	ReportsOnTime int `json:"reports_on_time"`
	// Problems whose deadline fell in the span (or that were closed in it)
	// and how many were closed by their deadline.
	ProblemsDue    int `json:"problems_due"`
	ProblemsOnTime int `json:"problems_on_time"`
	// 批示 whose feedback deadline fell in the span and how many the unit
	// answered by it.
	InstructionsDue    int `json:"instructions_due"`
	InstructionsOnTime int `json:"instructions_on_time"`
}

// Rate is one part's figure for a unit: a percentage, and whether the unit
// had anything to measure (a unit with no milestone due has no milestone
// rate; it is neither rewarded nor punished for it).
type Rate struct {
	Percent float64 `json:"percent"`
	Has     bool    `json:"has"`
}

func ratio(done, due int) Rate {
	if due <= 0 {
		return Rate{}
	}
	return Rate{Percent: float64(done) * 100 / float64(due), Has: true}
}

// Rates are a unit's five figures. Investment is the completion of the
// annual plan relative to 时序进度, capped at 100: a unit exactly on pace
// scores 100, one at half the pace 50; being ahead earns no more than 100,
// so one big project cannot hide the rest.
func (f Facts) Rates() [partCount]Rate {
	var r [partCount]Rate
	r[Milestones] = ratio(f.MilestonesOnTime, f.MilestonesDue)
	if f.Planned > 0 && f.TimeProgress > 0 {
		pct := float64(f.Completed) * 100 / float64(f.Planned)
		r[Investment] = Rate{Percent: min(pct/f.TimeProgress*100, 100), Has: true}
	}
	r[Reports] = ratio(f.ReportsOnTime, f.ReportsDue)
	r[Problems] = ratio(f.ProblemsOnTime, f.ProblemsDue)
	r[Instructions] = ratio(f.InstructionsOnTime, f.InstructionsDue)
	return r
}

// Score is a unit's line in the ranking.
type Score struct {
	Facts
	Rates  [partCount]Rate `json:"rates"`  // in the order of Parts
	Score  float64         `json:"score"`  // 0–100, one decimal as shown
	Scored bool            `json:"scored"` // false when the unit had nothing to measure: listed after the ranked, without a rank
	Rank   int             `json:"rank"`   // 1 is first; 0 when not scored
	// PrevRank is the unit's rank in the previous bulletin (0 when it had none).
	PrevRank int `json:"prev_rank"`
}

// Change is the change of rank since the previous bulletin: ↑2, ↓1, – (the
// same) or 新 (not ranked before).
func (s Score) Change() string {
	switch {
	case !s.Scored:
		return ""
	case s.PrevRank == 0:
		return "新"
	case s.PrevRank > s.Rank:
		return fmt.Sprintf("↑%d", s.PrevRank-s.Rank)
	case s.PrevRank < s.Rank:
		return fmt.Sprintf("↓%d", s.Rank-s.PrevRank)
	}
	return "–"
}

// ScoreOf combines a unit's rates with the weights: the weighted mean of
// the parts the unit has, rounded to one decimal.
func (w Weights) ScoreOf(f Facts) Score {
	s := Score{Facts: f, Rates: f.Rates()}
	var sum, weight float64
	for p, r := range s.Rates {
		if r.Has && w[p] > 0 {
			sum += w[p] * r.Percent
			weight += w[p]
		}
	}
	if weight > 0 {
		s.Scored = true
		s.Score = float64(int64(sum/weight*10+0.5)) / 10
	}
	return s
}

// Rank scores every unit and ranks them: by score, highest first, ties by
// name (DESIGN.md §4), so the order is the same every time; units with
// nothing to measure follow, by name, without a rank. prev gives each
// unit's rank in the previous bulletin.
func Rank(w Weights, facts []Facts, prev map[int64]int) []Score {
	out := make([]Score, len(facts))
	for i, f := range facts {
		out[i] = w.ScoreOf(f)
		out[i].PrevRank = prev[f.UnitID]
	}
	slices.SortStableFunc(out, func(a, b Score) int {
		if a.Scored != b.Scored {
			if a.Scored {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.Score, a.Score); c != 0 && a.Scored {
			return c
		}
		return strings.Compare(a.UnitName, b.UnitName)
	})
	for i := range out {
		if out[i].Scored {
			out[i].Rank = i + 1
		}
	}
	return out
}
