package demo

import (
	"context"
	"fmt"

	"guatu/auth"
	"guatu/bulletin"
	"guatu/db"
	"guatu/org"
	"guatu/project"
	"guatu/worktime"
)

// seedBulletins issues the bulletin of every quarter of this year already
// closed, as the office would have: drafted from the frozen months and
// signed by the chief about ten working days after the quarter's end; the
// current quarter gets a draft once one of its months is closed.
func seedBulletins(ctx context.Context, tx *db.Tx, sys auth.Actor, town *org.Unit) error {
	today := project.DayOf(tx.Now(), shanghai)
	cal, err := worktime.Load(ctx, tx)
	if err != nil {
		return err
	}
	current := bulletin.QuarterOf(today)
	for n := 1; n <= current.N; n++ {
		span, _ := bulletin.NewSpan(bulletin.QuarterSpan, today.Year(), n)
		b, err := bulletin.Create(ctx, tx, sys, town.ID, span, today)
		if err != nil {
			if n == current.N {
				return nil // nothing of the current quarter is closed yet
			}
			return fmt.Errorf("demo: bulletin %s: %w", span.Label(), err)
		}
		signed := cal.AddWorkdays(span.End(), 10)
		if n == current.N || signed.After(today) {
			return nil // the current quarter stays a draft
		}
		in, _, err := bulletin.IssueDefaults(ctx, tx, sys, b, today)
		if err != nil {
			return err
		}
		in.Prefix, in.Issuer, in.Signer, in.Date = "X镇督", TownName+"党政办（督查室）", "周建华", project.FormatDate(signed)
		if _, err := bulletin.Issue(ctx, tx, sys, b.ID, in, today); err != nil {
			return fmt.Errorf("demo: issue %s: %w", span.Label(), err)
		}
	}
	return nil
}
