package schedule_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"guatu/schedule"
)

func TestRunOnce_EveryJobRunsEvenWhenOneFails(t *testing.T) {
	s := schedule.New(nil)
	at := time.Date(2026, 3, 15, 1, 0, 0, 0, time.UTC)
	var ran []string
	s.Add("first", func(_ context.Context, now time.Time) error {
		if !now.Equal(at) {
			t.Errorf("job got %v, want the tick's time %v", now, at)
		}
		ran = append(ran, "first")
		return errors.New("no database")
	})
	s.Add("second", func(context.Context, time.Time) error { ran = append(ran, "second"); panic("a bug") })
	s.Add("third", func(context.Context, time.Time) error { ran = append(ran, "third"); return nil })
	err := s.RunOnce(context.Background(), at)
	if strings.Join(ran, ",") != "first,second,third" {
		t.Errorf("ran %v", ran)
	}
	if err == nil || !strings.Contains(err.Error(), "first: no database") || !strings.Contains(err.Error(), "second: panic: a bug") {
		t.Errorf("err = %v", err)
	}
}

func TestRun_TicksAtOnceAndStopsWhenCancelled(t *testing.T) {
	clock := time.Date(2026, 3, 15, 1, 0, 0, 0, time.UTC)
	s := schedule.New(nil)
	s.Clock = func() time.Time { return clock }
	ticked := make(chan time.Time, 1)
	s.Add("job", func(_ context.Context, now time.Time) error {
		select {
		case ticked <- now:
		default:
		}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		s.Run(ctx)
		close(done)
	}()
	if now := <-ticked; !now.Equal(clock) {
		t.Errorf("first tick at %v, want the clock's %v", now, clock)
	}
	cancel()
	<-done // Run returns once cancelled; a hang fails the test by its timeout
}
