package project

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestMilestoneStatus(t *testing.T) {
	r := DefaultRules()
	today := Day(2026, 3, 15)
	for _, tc := range []struct {
		name     string
		m        Milestone
		want     MilestoneStatus
		wantLate int
	}{
		{"reached on the day", Milestone{Planned: Day(2026, 3, 1), Actual: Day(2026, 3, 1)}, Done, 0},
		{"reached early", Milestone{Planned: Day(2026, 4, 1), Actual: Day(2026, 3, 10)}, Done, 0},
		{"reached a day late", Milestone{Planned: Day(2026, 3, 1), Actual: Day(2026, 3, 2)}, DoneLate, 0},
		{"reached without a plan", Milestone{Actual: Day(2026, 3, 2)}, Done, 0},
		{"not planned yet", Milestone{}, Pending, 0},
		{"due today", Milestone{Planned: today}, DueSoon, 0},
		{"due in 7 days", Milestone{Planned: Day(2026, 3, 22)}, DueSoon, 0},
		{"due in 8 days", Milestone{Planned: Day(2026, 3, 23)}, Pending, 0},
		{"one day overdue", Milestone{Planned: Day(2026, 3, 14)}, Overdue, 1},
		{"overdue across February", Milestone{Planned: Day(2026, 2, 13)}, Overdue, 30},
		{"overdue across the year end", Milestone{Planned: Day(2025, 12, 31)}, Overdue, 74},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, late := tc.m.Status(today, r)
			if got != tc.want || late != tc.wantLate {
				t.Errorf("Status = %s, %d; want %s, %d", got, late, tc.want, tc.wantLate)
			}
		})
	}
	// Across a leap day: 2028-02-28 to 2028-03-01 is two days.
	if _, late := (Milestone{Planned: Day(2028, 2, 28)}).Status(Day(2028, 3, 1), r); late != 2 {
		t.Errorf("leap year: %d days overdue, want 2", late)
	}
}

func TestTimeProgress(t *testing.T) {
	for _, tc := range []struct {
		day  time.Time
		want float64
	}{
		{Day(2026, 1, 1), 100.0 / 365},
		{Day(2026, 3, 15), 74 * 100.0 / 365},
		{Day(2026, 7, 2), 183 * 100.0 / 365}, // 时间过半 is just after 2 July
		{Day(2026, 12, 31), 100},
		{Day(2028, 2, 29), 60 * 100.0 / 366},
		{Day(2028, 12, 31), 100},
	} {
		if got := TimeProgress(tc.day); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("TimeProgress(%s) = %.4f, want %.4f", tc.day.Format("2006-01-02"), got, tc.want)
		}
	}
}

func TestCompletion(t *testing.T) {
	if _, ok := Completion(5, 0); ok {
		t.Error("a zero plan has no completion")
	}
	if pct, ok := Completion(30_000_000, 120_000_000); !ok || pct != 25 {
		t.Errorf("Completion = %v %v", pct, ok)
	}
}

func TestStallOf(t *testing.T) {
	r := DefaultRules()
	today := Day(2026, 6, 30)
	for _, tc := range []struct {
		name string
		f    Facts
		want Stall
	}{
		{"signed 90 days ago is not yet stalled", Facts{Stage: Signed, StageSince: Day(2026, 4, 1)}, ""},
		{"signed 91 days ago", Facts{Stage: Signed, StageSince: Day(2026, 3, 31)}, SignedNotLanded},
		{"signed last year", Facts{Stage: Signed, StageSince: Day(2025, 12, 1)}, SignedNotLanded},
		{"landed 91 days ago", Facts{Stage: Landed, StageSince: Day(2026, 3, 31)}, LandedNotStarted},
		{"landed recently", Facts{Stage: Landed, StageSince: Day(2026, 6, 1)}, ""},
		{"started, operating date passed", Facts{Stage: Started, PlannedOperating: Day(2026, 6, 29)}, StartedNotOperating},
		{"started, operating date today", Facts{Stage: Started, PlannedOperating: today}, ""},
		{"started, no operating date", Facts{Stage: Started}, ""},
		{"operating long after its date", Facts{Stage: Operating, PlannedOperating: Day(2026, 1, 1)}, ""},
		{"negotiating for ages", Facts{Stage: Negotiating, StageSince: Day(2024, 1, 1)}, ""},
		{"signed with no date known", Facts{Stage: Signed}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, ok := StallOf(tc.f, today, r)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("StallOf = %q %v, want %q", got, ok, tc.want)
			}
		})
	}
}

func TestJudge(t *testing.T) {
	r := DefaultRules()
	today := Day(2026, 3, 15) // time progress 20.27%
	plan := int64(100_000_000)
	for _, tc := range []struct {
		name    string
		f       Facts
		want    Light
		reasons []string // each must appear in one reason, in order
	}{
		{"all on time", Facts{Stage: Started, Milestones: []Milestone{{Name: "开工", Planned: Day(2026, 3, 1), Actual: Day(2026, 3, 1)}},
			AnnualPlan: plan, CompletedYear: 20_000_000}, Green, nil},
		{"milestone overdue 14 days", Facts{Stage: Landed, Milestones: []Milestone{{Name: "施工许可", Planned: Day(2026, 3, 1)}}}, Yellow,
			[]string{"时间节点“施工许可”计划 2026-03-01 完成，已逾期 14 天"}},
		{"milestone overdue 30 days is still yellow", Facts{Stage: Landed, Milestones: []Milestone{{Name: "供地", Planned: Day(2026, 2, 13)}}}, Yellow,
			[]string{"已逾期 30 天"}},
		{"milestone overdue 31 days is red", Facts{Stage: Landed, Milestones: []Milestone{{Name: "供地", Planned: Day(2026, 2, 12)}}}, Red,
			[]string{"已逾期 31 天"}},
		{"investment 11 points behind", Facts{Stage: Started, AnnualPlan: plan, CompletedYear: 9_000_000}, Yellow,
			[]string{"年度投资完成 9.0%，落后时序进度（20.3%）11.3 个百分点"}},
		{"investment 10 points behind is fine", Facts{Stage: Started, AnnualPlan: plan, CompletedYear: 10_300_000}, Green, nil},
		{"investment 21 points behind", Facts{Stage: Started, AnnualPlan: 1_000_000_000, CompletedYear: 0}, Red,
			[]string{"落后时序进度（20.3%）20.3 个百分点"}},
		{"signed and not landed for 120 days", Facts{Stage: Signed, StageSince: Day(2025, 11, 15)}, Red,
			[]string{"签约已 120 天仍未落地（签约未落地）"}},
		{"started past its operating date", Facts{Stage: Started, PlannedOperating: Day(2026, 3, 1)}, Red,
			[]string{"已过计划投产日期 2026-03-01 14 天仍未投产（开工未投产）"}},
		{"stalled", Facts{Stage: Stalled}, Red, []string{"停滞"}},
		{"report missing", Facts{Stage: Started, ReportMissing: "2026年3月"}, Yellow, []string{"2026年3月月报逾期未报"}},
		{"red reasons come before yellow ones", Facts{Stage: Landed, StageSince: Day(2025, 11, 1), ReportMissing: "2026年2月",
			Milestones: []Milestone{{Name: "开工", Planned: Day(2026, 3, 10)}}}, Red,
			[]string{"落地未开工", "已逾期 5 天", "月报"}},
		{"operating projects have no light to worry about", Facts{Stage: Operating, ReportMissing: "2026年2月"}, Green, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, reasons := Judge(tc.f, today, r)
			if got != tc.want {
				t.Errorf("light = %s, want %s (reasons %v)", got, tc.want, reasons)
			}
			if len(reasons) != len(tc.reasons) {
				t.Fatalf("reasons = %v, want %d", reasons, len(tc.reasons))
			}
			for i, want := range tc.reasons {
				if !strings.Contains(reasons[i].Text, want) {
					t.Errorf("reason %d = %q, want it to contain %q", i, reasons[i].Text, want)
				}
			}
		})
	}
}

func TestJudge_ThresholdsComeFromTheRules(t *testing.T) {
	strict := Rules{DueSoonDays: 7, RedOverdueDays: 5, StallDays: 30, RedInvestGap: 5, YellowInvestGap: 2}
	today := Day(2026, 3, 15)
	f := Facts{Stage: Landed, Milestones: []Milestone{{Name: "开工", Planned: Day(2026, 3, 8)}}}
	if l, _ := Judge(f, today, DefaultRules()); l != Yellow {
		t.Errorf("default rules: %s", l)
	}
	if l, _ := Judge(f, today, strict); l != Red {
		t.Errorf("strict rules: %s", l)
	}
}
