// Package schedule runs the server's periodic jobs in process: every
// minute each registered job is called with the time of the tick. Jobs
// decide for themselves whether there is anything to do at that time (a
// reminder on the third working day before a deadline, the robot outbox
// always), and guard against doing it twice with notify.Once, so a
// restart or a second server sharing the database repeats nothing.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Job is one periodic task. now is the tick's time; jobs use it instead
// of the wall clock, so tests drive them with any time they like.
type Job func(ctx context.Context, now time.Time) error

// Every is the period of the ticks.
const Every = time.Minute

// Scheduler calls its jobs on every tick. Build it with New, Add the jobs,
// then Run it; Add must not be called once Run has started.
type Scheduler struct {
	log  *slog.Logger
	jobs []named
	// Clock gives the time of each tick; nil means time.Now.
	Clock func() time.Time
}

type named struct {
	name string
	job  Job
}

// New returns a scheduler with no jobs; log receives the jobs' failures.
func New(log *slog.Logger) *Scheduler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{log: log}
}

// Add registers a job under a name used in the logs.
func (s *Scheduler) Add(name string, job Job) {
	s.jobs = append(s.jobs, named{name, job})
}

// RunOnce runs every job once for the tick at now, in the order added. A
// job that fails or panics is logged and does not keep the others from
// running; the joined errors are returned.
func (s *Scheduler) RunOnce(ctx context.Context, now time.Time) error {
	var errs []error
	for _, j := range s.jobs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := s.run(ctx, j, now); err != nil {
			if ctx.Err() == nil {
				s.log.Error("scheduled job failed", "job", j.name, "err", err)
			}
			errs = append(errs, fmt.Errorf("%s: %w", j.name, err))
		}
	}
	return errors.Join(errs...)
}

// run calls one job, turning a panic into an error: a bug in one reminder
// must not stop the server or the other jobs.
func (s *Scheduler) run(ctx context.Context, j named, now time.Time) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return j.job(ctx, now)
}

// Run ticks at once and then every minute until ctx ends. A tick waits for
// the previous one to finish; ticks missed meanwhile are dropped, not
// queued. Jobs in progress see ctx end and should stop promptly.
func (s *Scheduler) Run(ctx context.Context) {
	s.RunOnce(ctx, s.now())
	t := time.NewTicker(Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.RunOnce(ctx, s.now())
		}
	}
}

func (s *Scheduler) now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}
