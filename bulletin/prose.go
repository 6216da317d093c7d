package bulletin

import (
	"fmt"
	"strings"
)

// The bulletin's prose is written from its figures, in the register of a
// town's 通报, so the office edits wording rather than typing numbers.

// Short is the span as a sentence opens with it: 一季度, 3月, 上半年, 全年.
func (s Span) Short() string {
	switch s.Kind {
	case MonthSpan:
		return fmt.Sprintf("%d月", int(s.First.Month))
	case QuarterSpan:
		return quarterNames[s.N]
	case HalfSpan:
		if s.N == 1 {
			return "上半年"
		}
		return "下半年"
	}
	return "全年"
}

// Money writes yuan as a 通报 does: 亿元 with two decimals from one 亿, else
// 万元 with two decimals. Integer arithmetic, rounded half up.
func Money(yuan int64) string {
	neg := ""
	if yuan < 0 {
		neg, yuan = "-", -yuan
	}
	if yuan >= 100_000_000 {
		cents := (yuan + 500_000) / 1_000_000 // hundredths of 亿
		return fmt.Sprintf("%s%d.%02d亿元", neg, cents/100, cents%100)
	}
	cents := (yuan + 50) / 100 // hundredths of 万
	return fmt.Sprintf("%s%d.%02d万元", neg, cents/100, cents%100)
}

// Overview are the town's figures the bulletin opens with.
type Overview struct {
	Place        string // 全镇, or a town's name in a county
	Projects     int
	Completed    int64 // yuan completed this year by the span's end
	Planned      int64 // this year's plan, yuan
	TimeProgress float64
}

// OverviewSentence is the bulletin's first sentence, e.g. "一季度，全镇42个
// 重点项目累计完成投资3.21亿元，占年度计划的27.3%，高于时序进度2.6个百分点。"
func OverviewSentence(s Span, o Overview) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s，%s%d个重点项目累计完成投资%s", s.Short(), o.Place, o.Projects, Money(o.Completed))
	if o.Planned > 0 {
		pct := float64(o.Completed) * 100 / float64(o.Planned)
		fmt.Fprintf(&b, "，占年度计划的%.1f%%", pct)
		switch gap := pct - o.TimeProgress; {
		case gap >= 0.05:
			fmt.Fprintf(&b, "，高于时序进度%.1f个百分点", gap)
		case gap <= -0.05:
			fmt.Fprintf(&b, "，低于时序进度%.1f个百分点", -gap)
		default:
			b.WriteString("，与时序进度持平")
		}
	}
	b.WriteString("。")
	return b.String()
}

// RankingSentence names the leading and trailing units of a ranking: the
// first three and, when there are more than six ranked, the last three.
func RankingSentence(s Span, ranked []Score) string {
	var names []string
	for _, r := range ranked {
		if r.Scored {
			names = append(names, r.UnitName)
		}
	}
	switch n := len(names); {
	case n == 0:
		return s.Short() + "各单位均无可考评事项。"
	case n <= 3:
		return fmt.Sprintf("%s综合考评，%s。", s.Short(), "依次为"+strings.Join(names, "、"))
	case n <= 6:
		return fmt.Sprintf("%s综合考评，位居前列的是%s。", s.Short(), strings.Join(names[:3], "、"))
	default:
		return fmt.Sprintf("%s综合考评，位居前列的是%s；排名靠后的是%s，要认真查找差距、迎头赶上。",
			s.Short(), strings.Join(names[:3], "、"), strings.Join(names[n-3:], "、"))
	}
}
