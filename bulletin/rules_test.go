package bulletin

import (
	"testing"
	"time"

	"guatu/report"
)

func TestSpan_KeysLabelsAndNeighbours(t *testing.T) {
	for _, c := range []struct {
		key, label, first, last, prev string
	}{
		{"2026-Q1", "2026年一季度", "2026-01", "2026-03", "2025-Q4"},
		{"2026-q3", "2026年三季度", "2026-07", "2026-09", "2026-Q2"},
		{"2026-03", "2026年3月", "2026-03", "2026-03", "2026-02"},
		{"2026-01", "2026年1月", "2026-01", "2026-01", "2025-12"},
		{"2026-H1", "2026年上半年", "2026-01", "2026-06", "2025-H2"},
		{"2026-H2", "2026年下半年", "2026-07", "2026-12", "2026-H1"},
		{"2026", "2026年", "2026-01", "2026-12", "2025"},
	} {
		s, err := ParseSpan(c.key)
		if err != nil {
			t.Errorf("%s: %v", c.key, err)
			continue
		}
		if s.Label() != c.label || s.First.Key() != c.first || s.Last.Key() != c.last || s.Prev().Key() != c.prev {
			t.Errorf("%s: %s %s–%s, previous %s", c.key, s.Label(), s.First.Key(), s.Last.Key(), s.Prev().Key())
		}
		if back, _ := ParseSpan(s.Key()); back != s {
			t.Errorf("%s does not read back from its key %s", c.key, s.Key())
		}
	}
	for _, bad := range []string{"", "2026-Q5", "2026-Q0", "2026-H3", "2026-13", "2026-3", "26-Q1", "2026-X1", "1999"} {
		if _, err := ParseSpan(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	q := QuarterOf(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	if q.Key() != "2026-Q4" || len(q.Months()) != 3 || q.Months()[2] != (report.Period{Year: 2026, Month: time.December}) {
		t.Errorf("quarter of 11-23: %s %v", q.Key(), q.Months())
	}
	if !q.End().Equal(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)) || !q.Start().Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Q4 runs %v – %v", q.Start(), q.End())
	}
}

func TestScoreOf(t *testing.T) {
	w := DefaultWeights()
	for _, c := range []struct {
		name   string
		f      Facts
		score  float64
		scored bool
	}{
		{"everything on time and on pace", Facts{MilestonesDue: 4, MilestonesOnTime: 4, Planned: 1000, Completed: 250, TimeProgress: 25,
			ReportsDue: 3, ReportsOnTime: 3, ProblemsDue: 2, ProblemsOnTime: 2, InstructionsDue: 1, InstructionsOnTime: 1}, 100, true},
		{"ahead of pace earns no more than on pace", Facts{Planned: 1000, Completed: 900, TimeProgress: 25}, 100, true},
		{"half the pace, half the milestones", Facts{MilestonesDue: 4, MilestonesOnTime: 2, Planned: 1000, Completed: 125, TimeProgress: 25}, 50, true},
		// Only reports (20) and problems (10) apply: (20×100 + 10×0) / 30.
		{"a unit with no projects due is measured on what it has", Facts{ReportsDue: 3, ReportsOnTime: 3, ProblemsDue: 1}, 66.7, true},
		{"nothing to measure", Facts{}, 0, false},
		{"a plan but no time elapsed yet measures nothing", Facts{Planned: 1000, TimeProgress: 0}, 0, false},
		{"late milestones only", Facts{MilestonesDue: 3, MilestonesOnTime: 1}, 33.3, true},
	} {
		s := w.ScoreOf(c.f)
		if s.Score != c.score || s.Scored != c.scored {
			t.Errorf("%s: score %.1f (scored %v), want %.1f (%v)", c.name, s.Score, s.Scored, c.score, c.scored)
		}
	}
	// A weight of 0 leaves its part out of the score.
	w[Reports] = 0
	if s := w.ScoreOf(Facts{ReportsDue: 3, ReportsOnTime: 0, MilestonesDue: 1, MilestonesOnTime: 1}); s.Score != 100 {
		t.Errorf("zero weight still counts: %.1f", s.Score)
	}
}

func TestRank_ScoreThenNameThenUnscored(t *testing.T) {
	facts := []Facts{
		{UnitID: 1, UnitName: "西岙村", ReportsDue: 2, ReportsOnTime: 1},           // 50
		{UnitID: 2, UnitName: "东岙村", ReportsDue: 2, ReportsOnTime: 1},           // 50, before 西岙村 by name
		{UnitID: 3, UnitName: "经发办", MilestonesDue: 2, MilestonesOnTime: 2},     // 100
		{UnitID: 4, UnitName: "党政办"},                                            // nothing to measure
		{UnitID: 5, UnitName: "文旅办", InstructionsDue: 4, InstructionsOnTime: 3}, // 75
	}
	got := Rank(DefaultWeights(), facts, map[int64]int{3: 2, 5: 1, 1: 3})
	want := []struct {
		name   string
		rank   int
		change string
	}{{"经发办", 1, "↑1"}, {"文旅办", 2, "↓1"}, {"东岙村", 3, "新"}, {"西岙村", 4, "↓1"}, {"党政办", 0, ""}}
	if len(got) != len(want) {
		t.Fatalf("%d lines", len(got))
	}
	for i, w := range want {
		if got[i].UnitName != w.name || got[i].Rank != w.rank || got[i].Change() != w.change {
			t.Errorf("line %d: %s rank %d %q, want %s rank %d %q", i+1, got[i].UnitName, got[i].Rank, got[i].Change(), w.name, w.rank, w.change)
		}
	}
	if Rank(DefaultWeights(), nil, nil) == nil || len(Rank(DefaultWeights(), nil, nil)) != 0 {
		t.Error("no units: an empty ranking")
	}
	// Same place as before reads –.
	same := Rank(DefaultWeights(), facts[2:3], map[int64]int{3: 1})
	if same[0].Change() != "–" {
		t.Errorf("unchanged rank: %q", same[0].Change())
	}
}
