package notify_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"guatu/db"
	"guatu/notify"
	"guatu/schedule"
)

// remindJob is a reminder as the monthly-report code will write one: once
// per unit and month, whichever server's scheduler gets there first.
func remindJob(d *db.DB, userID int64) schedule.Job {
	return func(ctx context.Context, now time.Time) error {
		return d.InTx(ctx, func(tx *db.Tx) error {
			first, err := notify.Once(ctx, tx, "report-ahead:2026-03:unit:7")
			if err != nil || !first {
				return err
			}
			return notify.Post(ctx, tx, notify.Message{Kind: notify.KindReport, Title: "3月月报将于3个工作日后截止",
				Link: "/reports/2026-03", To: []notify.Recipient{notify.ToUser(userID)}})
		})
	}
}

func TestScheduler_TwoServersRacingSendOnceAndARestartDoesNotResend(t *testing.T) {
	w := newWorld(t)
	user := w.users["econstaff"].ID
	handles := []*db.DB{w.d, otherHandle(t, w.d)}
	schedulers := make([]*schedule.Scheduler, len(handles))
	for i, d := range handles {
		schedulers[i] = schedule.New(nil)
		schedulers[i].Add("report-ahead", remindJob(d, user))
	}
	var wg sync.WaitGroup
	errs := make([]error, len(schedulers))
	start := make(chan struct{})
	for i, s := range schedulers {
		wg.Go(func() {
			<-start
			errs[i] = s.RunOnce(context.Background(), t0)
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := w.inbox(t, "econstaff"); len(got) != 1 {
		t.Fatalf("inbox after the race = %q, want one notice", got)
	}
	// A restarted server: a new scheduler on the same database, a tick later.
	restarted := schedule.New(nil)
	restarted.Add("report-ahead", remindJob(otherHandle(t, w.d), user))
	for _, at := range []time.Time{t0.Add(time.Minute), t0.Add(24 * time.Hour)} {
		if err := restarted.RunOnce(context.Background(), at); err != nil {
			t.Fatal(err)
		}
	}
	if got := w.inbox(t, "econstaff"); len(got) != 1 {
		t.Errorf("inbox after the restart = %q, want still one notice", got)
	}
}
