package demo_test

import (
	"context"
	"testing"
	"time"

	"guatu/auth"
	"guatu/db/dbtest"
	"guatu/demo"
	"guatu/meeting"
	"guatu/org"
	"guatu/report"
	"guatu/worktime"
)

// Seeded in late November, the demo has the year's monthly cycle behind it:
// reports every month (some late, one returned, one missing), each past
// month closed with its lights frozen, and a meeting for each.
func TestSeed_MonthlyCycleUpToToday(t *testing.T) {
	d := dbtest.New(t)
	d.Clock = func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, dbtest.Shanghai) }
	ctx := context.Background()
	if err := demo.Seed(ctx, d); err != nil {
		t.Fatal(err)
	}
	sys := auth.SystemActor("test")
	cal, err := worktime.Load(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	today := worktime.Date(2026, 11, 23)
	roots, err := org.Children(ctx, d, 0)
	if err != nil || len(roots) != 1 {
		t.Fatalf("roots: %v", err)
	}
	town := roots[0].ID
	oct, err := report.LoadBoard(ctx, d, sys, town, report.Period{Year: 2026, Month: time.October}, today, report.DefaultConfig(), cal)
	if err != nil {
		t.Fatal(err)
	}
	tot := oct.Total
	if tot.Due < 20 || tot.OnTime == 0 || tot.Late == 0 || tot.Missing == 0 || tot.Returned == 0 || oct.Closed == nil {
		t.Errorf("October: %+v closed %v", tot, oct.Closed)
	}
	nov, err := report.LoadBoard(ctx, d, sys, town, report.Period{Year: 2026, Month: time.November}, today, report.DefaultConfig(), cal)
	if err != nil {
		t.Fatal(err)
	}
	if nov.Total.OnTime == 0 || nov.Total.Pending == 0 || nov.Closed != nil {
		t.Errorf("November: %+v", nov.Total)
	}
	// Each month froze the projects that were in the library by its end
	// (the demo's projects reached their stages through the year).
	prev := 0
	for m := time.January; m <= time.October; m++ {
		lights, err := report.MonthLights(ctx, d, report.Period{Year: 2026, Month: m})
		if err != nil || len(lights) == 0 || len(lights) < prev {
			t.Errorf("%d月 frozen lights: %d (the month before %d) %v", m, len(lights), prev, err)
		}
		prev = len(lights)
	}
	if prev < 25 {
		t.Errorf("October froze %d projects", prev)
	}
	meetings, err := meeting.List(ctx, d, sys)
	if err != nil || len(meetings) != 10 {
		t.Fatalf("meetings: %d %v", len(meetings), err)
	}
	m, err := meeting.Get(ctx, d, meetings[0].ID)
	if err != nil || len(m.Attendees) < 5 || len(m.Decisions) == 0 {
		t.Errorf("latest meeting: %+v %v", m, err)
	}
}
