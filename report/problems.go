package report

import (
	"context"
	"strconv"
	"unicode/utf8"

	"guatu/auth"
	"guatu/db"
	"guatu/problem"
)

// ProblemDays is the time a unit has for a problem it stated in its monthly
// report: working days from 签收, as the office would set by hand.
const ProblemDays = 10

// raiseProblem makes a problem line of a submitted report a tracked problem,
// raised (上报) by whoever submitted it, linked to the report and its
// project, its category sorted from its words.
func raiseProblem(ctx context.Context, tx *db.Tx, by auth.Actor, r *Report, text string) (int64, error) {
	title := text
	if utf8.RuneCountInString(title) > 80 {
		title = string([]rune(title)[:79]) + "…"
	}
	p, err := problem.Create(ctx, tx, by, problem.Input{Title: title, Description: text, Category: string(problem.GuessCategory(text)),
		Source: string(problem.FromReport), ProjectID: strconv.FormatInt(r.ProjectID, 10), UnitID: strconv.FormatInt(r.UnitID, 10),
		DeadlineKind: problem.ByWorkdays, LimitDays: strconv.Itoa(ProblemDays), SourceType: "report", SourceID: r.ID})
	if err != nil {
		return 0, err
	}
	return p.ID, nil
}
