package demo_test

import (
	"context"
	"testing"
	"time"

	"guatu/auth"
	"guatu/db/dbtest"
	"guatu/demo"
	"guatu/instruction"
	"guatu/project"
	"guatu/worktime"
)

// The demo's 批示 show every state on whatever day the demo is seeded:
// answered in time, answered late, closed, due soon, just overdue and
// overdue long enough to reach the 主要领导.
func TestSeed_InstructionsCoverEveryState(t *testing.T) {
	for _, seededOn := range []time.Time{dbtest.Now, time.Date(2026, 2, 20, 10, 0, 0, 0, dbtest.Shanghai), time.Date(2026, 10, 8, 10, 0, 0, 0, dbtest.Shanghai)} {
		d := dbtest.New(t)
		d.Clock = func() time.Time { return seededOn }
		ctx := context.Background()
		if err := demo.Seed(ctx, d); err != nil {
			t.Fatal(err)
		}
		list, _, err := instruction.List(ctx, d, auth.SystemActor("test"), instruction.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		cal, err := worktime.Load(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		today := project.DayOf(seededOn, dbtest.Shanghai)
		states := map[instruction.State]int{}
		urgencies := map[worktime.Urgency]int{}
		closed, onProjects := 0, 0
		for _, in := range list {
			if in.Status == instruction.Closed {
				closed++
			}
			if in.Target.Type == instruction.Project {
				onProjects++
			}
			for _, st := range in.Standings(today, cal) {
				states[st.State]++
				if st.State == instruction.Pending {
					urgencies[st.Urgency]++
				}
			}
		}
		day := seededOn.Format("2006-01-02")
		for _, s := range []instruction.State{instruction.OnTime, instruction.Late, instruction.Pending} {
			if states[s] == 0 {
				t.Errorf("%s: no unit %s (%v)", day, s.Label(), states)
			}
		}
		for _, u := range []worktime.Urgency{worktime.OnTrack, worktime.DueSoon, worktime.Overdue, worktime.OverdueLong} {
			if urgencies[u] == 0 {
				t.Errorf("%s: no owing unit %s (%v)", day, u.Label(), urgencies)
			}
		}
		if closed == 0 || onProjects < 4 {
			t.Errorf("%s: %d closed, %d on projects", day, closed, onProjects)
		}
	}
}
