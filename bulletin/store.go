package bulletin

import (
	"context"
	"fmt"
	"strings"
	"time"

	"guatu/auth"
	"guatu/db"
	"guatu/instruction"
	"guatu/org"
	"guatu/problem"
	"guatu/report"
)

// Collected are the facts of every unit over a span, and how far the
// frozen data reach.
type Collected struct {
	Span Span
	// Closed are the span's months whose reporting is closed (frozen);
	// the figures from the monthly data cover these only. Through is the
	// last of them (zero when none is).
	Closed  []report.Period
	Through report.Period
	Units   []Facts
}

// Complete reports whether every month of the span is closed.
func (c Collected) Complete() bool { return len(c.Closed) == len(c.Span.Months()) }

// Collect counts, for every unit under the unit with the given id, what
// the span's frozen months say of its projects (milestones due and met,
// investment at the last closed month, reports in on time) and what the
// records of problems and 批示 say of its deadlines in the span. today
// decides whether an open problem or an unanswered 批示 has passed its
// deadline; everything else comes from the frozen months, so a span whose
// months are closed always counts the same.
func Collect(ctx context.Context, q db.Querier, under int64, span Span, today time.Time) (Collected, error) {
	c := Collected{Span: span}
	root, err := org.GetUnit(ctx, q, under)
	if err != nil {
		return c, err
	}
	byUnit := map[int64]*Facts{}
	unitOf := func(id int64, name, path string) *Facts {
		if !strings.HasPrefix(path, root.Path) {
			return nil
		}
		f := byUnit[id]
		if f == nil {
			f = &Facts{UnitID: id, UnitName: name}
			byUnit[id] = f
		}
		return f
	}

	// The frozen months.
	for _, m := range span.Months() {
		closed, err := report.IsClosed(ctx, q, m, root.Path)
		if err != nil {
			return c, err
		}
		if closed {
			c.Closed = append(c.Closed, m)
			c.Through = m
		}
	}
	units, err := unitNames(ctx, q, root.Path)
	if err != nil {
		return c, err
	}
	for _, m := range c.Closed {
		lights, err := report.MonthLights(ctx, q, m)
		if err != nil {
			return c, err
		}
		for _, l := range lights {
			u, ok := units.byID[l.UnitID]
			if !ok {
				continue // another tree
			}
			f := unitOf(l.UnitID, u.name, u.path)
			f.MilestonesDue += l.MilestonesDue
			f.MilestonesOnTime += l.MilestonesOnTime
			switch l.Standing {
			case report.OnTime:
				f.ReportsDue++
				f.ReportsOnTime++
			case report.Late, report.Missing:
				f.ReportsDue++
			}
			if m == c.Through { // investment stands as at the last closed month
				f.Planned += l.PlannedYear
				f.Completed += l.CompletedYear
				f.TimeProgress = l.TimeProgress
			}
		}
	}

	// Problems: those closed in the span count by whether they were done by
	// their deadline; those still open past a deadline within the span count
	// as late.
	closedProblems, err := problem.ClosedBetween(ctx, q, root.Path, span.Start(), span.End())
	if err != nil {
		return c, err
	}
	for _, p := range closedProblems {
		f := unitOf(p.UnitID, p.UnitName, p.UnitPath)
		if f == nil {
			continue
		}
		f.ProblemsDue++
		if onTime, _ := p.ClosedOnTime(); onTime {
			f.ProblemsOnTime++
		}
	}
	open, err := problem.Open(ctx, q, root.Path)
	if err != nil {
		return c, err
	}
	for _, p := range open {
		if p.Deadline.IsZero() || p.Deadline.Before(span.Start()) || p.Deadline.After(span.End()) || !today.After(p.Deadline) {
			continue
		}
		if f := unitOf(p.UnitID, p.UnitName, p.UnitPath); f != nil {
			f.ProblemsDue++
		}
	}

	// 批示 with their feedback deadline in the span.
	facts, err := instruction.Facts(ctx, q, span.Start(), span.End())
	if err != nil {
		return c, err
	}
	for _, t := range instruction.Tally(facts, today) {
		if f := unitOf(t.UnitID, t.UnitName, t.UnitPath); f != nil {
			f.InstructionsDue += t.Due
			f.InstructionsOnTime += t.OnTime
		}
	}

	for _, u := range units.ordered {
		if f := byUnit[u]; f != nil {
			c.Units = append(c.Units, *f)
		}
	}
	return c, nil
}

type unitInfo struct{ name, path string }

// namedUnits are the units under a unit, by id and in tree order.
type namedUnits struct {
	byID    map[int64]unitInfo
	ordered []int64
}

// unitNames indexes the units under path (disabled ones too: a unit closed
// since still had its months), in tree order.
func unitNames(ctx context.Context, q db.Querier, path string) (namedUnits, error) {
	tree, err := org.Tree(ctx, q, auth.SystemActor("job"), org.TreeFilter{IncludeDisabled: true})
	if err != nil {
		return namedUnits{}, fmt.Errorf("bulletin: units: %w", err)
	}
	out := namedUnits{byID: map[int64]unitInfo{}}
	for _, u := range tree {
		if strings.HasPrefix(u.Path, path) {
			out.byID[u.ID] = unitInfo{u.Name, u.Path}
			out.ordered = append(out.ordered, u.ID)
		}
	}
	return out, nil
}
