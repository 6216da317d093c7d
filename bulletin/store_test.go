package bulletin_test

import (
	"context"
	"testing"
	"time"

	"guatu/bulletin"
	"guatu/db/dbtest"
	"guatu/demo"
	"guatu/org"
)

// The demo town seeded in late November has July to September closed: the
// third quarter's facts come from the frozen months and rank every unit
// with projects, the same on every call.
func TestCollect_DemoQuarterFromFrozenMonths(t *testing.T) {
	d := dbtest.New(t)
	d.Clock = func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, dbtest.Shanghai) }
	ctx := context.Background()
	if err := demo.Seed(ctx, d); err != nil {
		t.Fatal(err)
	}
	roots, err := org.Children(ctx, d, 0)
	if err != nil || len(roots) != 1 {
		t.Fatalf("roots %v", err)
	}
	q3, _ := bulletin.ParseSpan("2026-Q3")
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	c, err := bulletin.Collect(ctx, d, roots[0].ID, q3, today)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Complete() || c.Through.Key() != "2026-09" {
		t.Fatalf("Q3 closed through %s, complete %v", c.Through.Key(), c.Complete())
	}
	var reports, planned int
	for _, f := range c.Units {
		reports += f.ReportsDue
		if f.Planned > 0 {
			planned++
			if f.TimeProgress < 74 || f.TimeProgress > 76 { // 30 September: 273/365
				t.Errorf("%s: 时序进度 %.1f at the end of Q3", f.UnitName, f.TimeProgress)
			}
		}
	}
	if reports < 60 || planned < 4 {
		t.Errorf("Q3: %d reports due over %d units with a plan", reports, planned)
	}
	ranked := bulletin.Rank(bulletin.DefaultWeights(), c.Units, nil)
	if len(ranked) == 0 || !ranked[0].Scored || ranked[0].Rank != 1 {
		t.Fatalf("ranking: %+v", ranked)
	}
	again, _ := bulletin.Collect(ctx, d, roots[0].ID, q3, today.AddDate(0, 0, 20))
	for i := range ranked {
		if r := bulletin.Rank(bulletin.DefaultWeights(), again.Units, nil); r[i].UnitID != ranked[i].UnitID || r[i].ReportsDue != ranked[i].ReportsDue ||
			r[i].MilestonesDue != ranked[i].MilestonesDue || r[i].Completed != ranked[i].Completed {
			t.Errorf("Q3 counted again later differs at line %d", i+1)
		}
	}
	// The current quarter is not closed yet: the figures say so.
	q4, _ := bulletin.ParseSpan("2026-Q4")
	if c4, err := bulletin.Collect(ctx, d, roots[0].ID, q4, today); err != nil || c4.Complete() || c4.Through.Key() != "2026-10" {
		t.Errorf("Q4: through %s, complete %v, %v", c4.Through.Key(), c4.Complete(), err)
	}
}
