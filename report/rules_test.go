package report

import (
	"testing"
	"time"

	"guatu/project"
	"guatu/worktime"
)

// cal2026 has the days of the 2026 schedule these tests meet (the store's
// copy is tested in package worktime).
var cal2026 = worktime.New([]worktime.Day{
	{Date: worktime.Date(2026, 1, 1), Kind: worktime.Off}, {Date: worktime.Date(2026, 1, 2), Kind: worktime.Off},
	{Date: worktime.Date(2026, 1, 3), Kind: worktime.Off}, {Date: worktime.Date(2026, 1, 4), Kind: worktime.Work},
	{Date: worktime.Date(2026, 9, 25), Kind: worktime.Off}, {Date: worktime.Date(2026, 9, 26), Kind: worktime.Off},
	{Date: worktime.Date(2026, 9, 27), Kind: worktime.Off},
})

func d(m time.Month, day int) time.Time { return worktime.Date(2026, m, day) }

func TestDeadline(t *testing.T) {
	for _, tc := range []struct {
		p    Period
		day  int
		want time.Time
	}{
		{Period{2026, time.March}, 25, d(3, 25)},   // a Wednesday
		{Period{2026, time.January}, 25, d(1, 26)}, // Sunday → Monday
		{Period{2026, time.April}, 25, d(4, 27)},   // Saturday → Monday
		{Period{2026, time.September}, 25, d(9, 28)},
		{Period{2026, time.February}, 30, d(3, 2)},                    // past the month's end: its last day, Saturday the 28th → Monday
		{Period{2026, time.October}, 31, d(11, 2)},                    // Saturday the 31st → Monday in the next month
		{Period{2028, time.February}, 29, worktime.Date(2028, 2, 29)}, // a leap day, a Tuesday
	} {
		want := tc.want
		if got := tc.p.Deadline(tc.day, cal2026); !got.Equal(want) {
			t.Errorf("%s day %d: deadline %s, want %s", tc.p.Label(), tc.day, got.Format("2006-01-02"), want.Format("2006-01-02"))
		}
	}
}

func TestPeriods(t *testing.T) {
	p, err := ParsePeriod("2026-12")
	if err != nil || p.Key() != "2026-12" || p.Label() != "2026年12月" || p.Next() != (Period{2027, time.January}) || p.Prev() != (Period{2026, time.November}) {
		t.Errorf("2026-12: %+v %v", p, err)
	}
	if !p.Last().Equal(d(12, 31)) || PeriodOf(d(12, 31)) != p {
		t.Errorf("last %s", p.Last())
	}
	for _, bad := range []string{"", "2026-13", "26-03", "2026/03"} {
		if _, err := ParsePeriod(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestOwes(t *testing.T) {
	for _, tc := range []struct {
		tier  project.Tier
		stage project.Stage
		want  bool
	}{
		{project.Active, project.Signed, true},
		{project.Active, project.Started, true},
		{project.Active, project.Operating, true},
		{project.Active, project.Stalled, true},
		{project.Active, project.Negotiating, false},
		{project.Active, project.Dropped, false},
		{project.Rolling, project.Started, false},
	} {
		if got := Owes(tc.tier, tc.stage); got != tc.want {
			t.Errorf("%s/%s: owes %v, want %v", tc.tier, tc.stage, got, tc.want)
		}
	}
}

func TestStandingOf(t *testing.T) {
	deadline := d(3, 25)
	for _, tc := range []struct {
		submitted, today time.Time
		want             Standing
	}{
		{time.Time{}, d(3, 20), Pending},
		{time.Time{}, d(3, 25), Pending},
		{time.Time{}, d(3, 26), Missing},
		{d(3, 25), d(3, 30), OnTime},
		{d(3, 26), d(3, 30), Late},
	} {
		if got := StandingOf(tc.submitted, deadline, tc.today); got != tc.want {
			t.Errorf("submitted %s, today %s: %s, want %s", tc.submitted.Format("01-02"), tc.today.Format("01-02"), got, tc.want)
		}
	}
}

func TestReminderOn(t *testing.T) {
	deadline := d(9, 28) // September's, moved from the 25th (中秋) to Monday
	for _, tc := range []struct {
		today time.Time
		want  Reminder
	}{
		{d(9, 22), Ahead},      // Tue: 9-23, 9-24, 9-28 remain
		{d(9, 23), NoReminder}, // two working days left
		{d(9, 26), NoReminder}, // a holiday
		{d(9, 28), OnTheDay},
		{d(9, 29), Overdue},
		{d(10, 3), NoReminder}, // a Saturday: no notices on days off
		{d(10, 5), Overdue},
	} {
		if got := ReminderOn(tc.today, deadline, cal2026); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.today.Format("01-02"), got, tc.want)
		}
	}
}
