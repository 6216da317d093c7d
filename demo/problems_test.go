package demo_test

import (
	"context"
	"testing"
	"time"

	"guatu/auth"
	"guatu/db/dbtest"
	"guatu/demo"
	"guatu/problem"
	"guatu/worktime"
)

// The demo's problems show every state and every deadline standing, on
// whatever day the demo is seeded.
func TestSeed_ProblemsCoverEveryStateAndUrgency(t *testing.T) {
	for _, seededOn := range []time.Time{dbtest.Now, time.Date(2026, 11, 23, 10, 0, 0, 0, dbtest.Shanghai), time.Date(2027, 1, 5, 10, 0, 0, 0, dbtest.Shanghai)} {
		d := dbtest.New(t)
		d.Clock = func() time.Time { return seededOn }
		ctx := context.Background()
		if err := demo.Seed(ctx, d); err != nil {
			t.Fatal(err)
		}
		on := seededOn.Format("2006-01-02")
		list, _, err := problem.List(ctx, d, auth.SystemActor("test"), problem.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		cal, err := worktime.Load(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		today := problem.DayOf(seededOn)
		states := map[problem.State]int{}
		urgencies := map[worktime.Urgency]int{}
		var waiting, onTime, late, files, assigned, reported int
		for _, p := range list {
			states[p.State]++
			u, _ := problem.Judge(p, today, cal)
			urgencies[u]++
			if p.ExtensionPending {
				waiting++
			}
			if ok, closed := p.ClosedOnTime(); closed && ok {
				onTime++
			} else if closed {
				late++
			}
			if p.Assigned {
				assigned++
			} else {
				reported++
			}
			fs, err := problem.Files(ctx, d, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			files += len(fs)
			if p.CreatedAt.After(seededOn) || !p.Deadline.IsZero() && p.State != problem.Pending && p.SignedAt.IsZero() {
				t.Errorf("%s: %s: dates out of order: %+v", on, p.Title, p)
			}
		}
		for _, s := range problem.States {
			if states[s] == 0 {
				t.Errorf("%s: no %s problem (%v)", on, s.Label(), states)
			}
		}
		for _, u := range []worktime.Urgency{worktime.OnTrack, worktime.DueSoon, worktime.Overdue, worktime.OverdueLong} {
			if urgencies[u] == 0 {
				t.Errorf("%s: no %s problem (%v)", on, u.Label(), urgencies)
			}
		}
		if waiting == 0 || onTime == 0 || late == 0 || files == 0 || assigned == 0 || reported == 0 {
			t.Errorf("%s: waiting %d, closed on time %d, late %d, files %d, assigned %d, reported %d", on, waiting, onTime, late, files, assigned, reported)
		}
		agenda, err := problem.Agenda(ctx, d, "", today, cal)
		if err != nil || len(agenda) == 0 {
			t.Errorf("%s: nothing for the dispatch meeting: %v", on, err)
		}
	}
}
