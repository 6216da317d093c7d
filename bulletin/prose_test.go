package bulletin

import "testing"

func TestMoney(t *testing.T) {
	for yuan, want := range map[int64]string{
		321_000_000:   "3.21亿元",
		100_000_000:   "1.00亿元",
		99_999_999:    "10000.00万元",
		12_345_678:    "1234.57万元",
		0:             "0.00万元",
		4_999_999_999: "50.00亿元",
		-1_500_000:    "-150.00万元",
	} {
		if got := Money(yuan); got != want {
			t.Errorf("Money(%d) = %s, want %s", yuan, got, want)
		}
	}
}

func TestOverviewSentence(t *testing.T) {
	q1, _ := ParseSpan("2026-Q1")
	h1, _ := ParseSpan("2026-H1")
	for _, c := range []struct {
		span Span
		o    Overview
		want string
	}{
		{q1, Overview{Place: "全镇", Projects: 42, Completed: 321_000_000, Planned: 1_175_824_176, TimeProgress: 24.7},
			"一季度，全镇42个重点项目累计完成投资3.21亿元，占年度计划的27.3%，高于时序进度2.6个百分点。"},
		{h1, Overview{Place: "全镇", Projects: 30, Completed: 40_000_000, Planned: 100_000_000, TimeProgress: 49.6},
			"上半年，全镇30个重点项目累计完成投资4000.00万元，占年度计划的40.0%，低于时序进度9.6个百分点。"},
		{q1, Overview{Place: "XX镇", Projects: 2, Completed: 24_700_000, Planned: 100_000_000, TimeProgress: 24.7},
			"一季度，XX镇2个重点项目累计完成投资2470.00万元，占年度计划的24.7%，与时序进度持平。"},
		{q1, Overview{Place: "全镇", Projects: 1}, "一季度，全镇1个重点项目累计完成投资0.00万元。"},
	} {
		if got := OverviewSentence(c.span, c.o); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}

func TestRankingSentence(t *testing.T) {
	q3, _ := ParseSpan("2026-Q3")
	mk := func(names ...string) []Score {
		var out []Score
		for _, n := range names {
			out = append(out, Score{Facts: Facts{UnitName: n}, Scored: true})
		}
		return out
	}
	for _, c := range []struct {
		ranked []Score
		want   string
	}{
		{nil, "三季度各单位均无可考评事项。"},
		{mk("经发办", "文旅办"), "三季度综合考评，依次为经发办、文旅办。"},
		{mk("经发办", "文旅办", "东岙村", "西岙村"), "三季度综合考评，位居前列的是经发办、文旅办、东岙村。"},
		{append(mk("甲", "乙", "丙", "丁", "戊", "己", "庚"), Score{Facts: Facts{UnitName: "党政办"}}),
			"三季度综合考评，位居前列的是甲、乙、丙；排名靠后的是戊、己、庚，要认真查找差距、迎头赶上。"},
	} {
		if got := RankingSentence(q3, c.ranked); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}
