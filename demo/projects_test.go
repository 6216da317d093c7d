package demo_test

import (
	"context"
	"testing"
	"time"

	"guatu/auth"
	"guatu/db/dbtest"
	"guatu/demo"
	"guatu/project"
)

// The demo's project library shows every light, every stall pattern and
// every tier on whatever day it is seeded.
func TestSeed_ProjectsCoverEveryLightAndStall(t *testing.T) {
	for _, seededOn := range []time.Time{dbtest.Now, time.Date(2026, 11, 23, 10, 0, 0, 0, dbtest.Shanghai), time.Date(2027, 1, 5, 10, 0, 0, 0, dbtest.Shanghai)} {
		d := dbtest.New(t)
		d.Clock = func() time.Time { return seededOn }
		ctx := context.Background()
		if err := demo.Seed(ctx, d); err != nil {
			t.Fatal(err)
		}
		list, total, err := project.List(ctx, d, auth.SystemActor("test"), project.Filter{Details: true})
		if err != nil {
			t.Fatal(err)
		}
		if total < 35 {
			t.Errorf("%s: %d projects, want about forty", seededOn.Format("2006-01-02"), total)
		}
		today := project.DayOf(seededOn, dbtest.Shanghai)
		lights := map[project.Light]int{}
		stalls := map[project.Stall]int{}
		tiers := map[project.Tier]int{}
		for _, p := range list {
			tiers[p.Tier]++
			if p.Tier != project.Active {
				continue
			}
			l, _ := project.Judge(p.Facts(today, ""), today, project.DefaultRules())
			lights[l]++
			if s, _, ok := project.StallOf(p.Facts(today, ""), today, project.DefaultRules()); ok {
				stalls[s]++
			}
		}
		for _, l := range []project.Light{project.Green, project.Yellow, project.Red} {
			if lights[l] == 0 {
				t.Errorf("%s: no %s project (%v)", seededOn.Format("2006-01-02"), l, lights)
			}
		}
		for _, s := range []project.Stall{project.SignedNotLanded, project.LandedNotStarted, project.StartedNotOperating} {
			if stalls[s] == 0 {
				t.Errorf("%s: no %s project (%v)", seededOn.Format("2006-01-02"), s.Label(), stalls)
			}
		}
		if len(tiers) != 3 {
			t.Errorf("tiers %v", tiers)
		}
	}
}
