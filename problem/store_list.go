package problem

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"guatu/apperr"
	"guatu/auth"
	"guatu/db"
	"guatu/org"
	"guatu/project"
	"guatu/worktime"
)

// Filter narrows the problem list. The zero Filter is every problem the
// actor may read.
type Filter struct {
	Query     string // title or description contains
	State     State
	Open      bool // 待签收 or 办理中 only
	Category  Category
	Priority  Priority
	UnitID    int64 // responsible unit and its subtree
	LeaderID  int64 // 分管领导
	ProjectID int64
	// Mine keeps the problems of the actor's own unit (and the units under
	// it), responsible or cooperating: the 本单位 tab.
	Mine bool
	// OverdueOn, when set, keeps the open problems past due on that day
	// (Judge's overdue: the deadline, or for 待签收 the signing day, missed).
	OverdueOn time.Time
	Limit     int // 0 means all
	Offset    int
}

// dueSQL is the day an open problem is judged against (Judge): the signing
// day of one waiting for 签收 unless a fixed deadline comes first, else the
// deadline. It orders the list; ” sorts first and means "no date yet".
const dueSQL = `CASE WHEN p.state = 'pending' AND (p.deadline = '' OR p.sign_by < p.deadline) THEN p.sign_by ELSE p.deadline END`

// listOrder puts what needs doing first: open problems by how soon they
// are due, then those awaiting 销号, then the closed ones, newest first.
const listOrder = ` ORDER BY CASE p.state WHEN 'pending' THEN 0 WHEN 'handling' THEN 0 WHEN 'done' THEN 1 ELSE 2 END,
	CASE WHEN p.state IN ('pending', 'handling') THEN ` + dueSQL + ` ELSE '' END, p.closed_at DESC, p.id DESC`

// viewWhere restricts the list to what the actor may read (CanView).
func viewWhere(w *db.Where, by auth.Actor) {
	if by.System {
		return
	}
	var conds []string
	var args []any
	paths := auth.ScopePaths(by, auth.ViewProblem)
	if len(paths) > 0 {
		lead := make([]string, len(paths))
		co := make([]string, len(paths))
		for i, p := range paths {
			lead[i], co[i] = "u.path LIKE $?", "cu_u.path LIKE $?"
			args = append(args, p+"%")
		}
		for _, p := range paths {
			args = append(args, p+"%")
		}
		conds = append(conds, strings.Join(lead, " OR "),
			`EXISTS (SELECT 1 FROM problem_co_units cu JOIN units cu_u ON cu_u.id = cu.unit_id WHERE cu.problem_id = p.id AND (`+strings.Join(co, " OR ")+`))`)
	}
	if by.PersonID != 0 && by.HasRole(auth.Leader) {
		conds = append(conds, "p.leader_id = $?")
		args = append(args, by.PersonID)
	}
	if by.UserID != 0 && auth.CanAnywhere(by, auth.ViewProblem) {
		conds = append(conds, "p.raised_by = $?")
		args = append(args, by.UserID)
	}
	if len(conds) == 0 {
		w.Add("1 = 0")
		return
	}
	w.Add(strings.Join(conds, " OR "), args...)
}

// where builds the conditions of f (without the actor's view).
func (f Filter) where(ctx context.Context, q db.Querier, by auth.Actor, w *db.Where) error {
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + strings.ToLower(db.LikeEscape(s)) + "%"
		w.Add(`lower(p.title) LIKE $? ESCAPE '\' OR lower(p.description) LIKE $? ESCAPE '\'`, like, like)
	}
	if f.State != "" {
		w.Add("p.state = $?", string(f.State))
	}
	if f.Open {
		w.Add("p.state IN ($?, $?)", string(Pending), string(Handling))
	}
	if f.Category != "" {
		w.Add("p.category = $?", string(f.Category))
	}
	if f.Priority != "" {
		w.Add("p.priority = $?", string(f.Priority))
	}
	if f.UnitID != 0 {
		u, err := org.GetUnit(ctx, q, f.UnitID)
		if err != nil {
			return err
		}
		w.Add("u.path LIKE $?", u.Path+"%")
	}
	if f.LeaderID != 0 {
		w.Add("p.leader_id = $?", f.LeaderID)
	}
	if f.ProjectID != 0 {
		w.Add("p.project_id = $?", f.ProjectID)
	}
	if f.Mine {
		mine := ""
		if by.UnitID != 0 {
			u, err := org.GetUnit(ctx, q, by.UnitID)
			if err != nil && apperr.KindOf(err) != apperr.NotFound {
				return err
			}
			if err == nil {
				mine = u.Path
			}
		}
		if mine == "" {
			w.Add("1 = 0")
		} else {
			w.Add(`u.path LIKE $? OR EXISTS (SELECT 1 FROM problem_co_units mc JOIN units mu ON mu.id = mc.unit_id
				WHERE mc.problem_id = p.id AND mu.path LIKE $?)`, mine+"%", mine+"%")
		}
	}
	if !f.OverdueOn.IsZero() {
		d := project.FormatDate(f.OverdueOn)
		w.Add(`(p.state = 'pending' AND (p.sign_by < $? OR (p.deadline <> '' AND p.deadline < $?)))
			OR (p.state = 'handling' AND p.deadline <> '' AND p.deadline < $?)`, d, d, d)
	}
	return nil
}

// List returns the problems the actor may read that match f, most pressing
// first, and how many match in all.
func List(ctx context.Context, q db.Querier, by auth.Actor, f Filter) ([]*Problem, int, error) {
	if !auth.CanAnywhere(by, auth.ViewProblem) {
		return nil, 0, apperr.Forbiddenf("您的角色没有查看问题的权限")
	}
	var w db.Where
	viewWhere(&w, by)
	if err := f.where(ctx, q, by, &w); err != nil {
		return nil, 0, err
	}
	total := -1
	if f.Limit > 0 {
		if err := q.QueryRowContext(ctx, `SELECT count(*)`+problemFrom+` `+w.SQL(), w.Args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("problem.List: %w", err)
		}
	}
	query := `SELECT ` + problemColumns + problemFrom + ` ` + w.SQL() + listOrder
	if f.Limit > 0 {
		query += ` LIMIT ` + w.Next(f.Limit) + ` OFFSET ` + w.Next(f.Offset)
	}
	out, err := queryProblems(ctx, q, query, w.Args...)
	if err != nil {
		return nil, 0, fmt.Errorf("problem.List: %w", err)
	}
	if total < 0 {
		total = len(out)
	}
	return out, total, loadCoUnits(ctx, q, out...)
}

func queryProblems(ctx context.Context, q db.Querier, query string, args ...any) ([]*Problem, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Problem
	for rows.Next() {
		p, err := scanProblem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Open returns every open problem (待签收, 办理中) of the units under the
// given unit path ("" for all), most pressing first, with no actor: for the
// dispatch meeting's agenda and the reminder scheduler, which run as the
// system and decide themselves whom to show.
func Open(ctx context.Context, q db.Querier, under string) ([]*Problem, error) {
	var w db.Where
	w.Add("p.state IN ($?, $?)", string(Pending), string(Handling))
	if under != "" {
		w.Add("u.path LIKE $?", under+"%")
	}
	out, err := queryProblems(ctx, q, `SELECT `+problemColumns+problemFrom+` `+w.SQL()+listOrder, w.Args...)
	if err != nil {
		return nil, fmt.Errorf("problem.Open: %w", err)
	}
	return out, loadCoUnits(ctx, q, out...)
}

// Escalation is an open problem that is due soon or overdue on a day, and
// whom it reaches (DESIGN.md §4). The 分管领导 it reaches is
// Problem.LeaderID; the chief is not a person of the org tree but whoever
// holds the chief role over the unit.
type Escalation struct {
	Problem     *Problem
	Urgency     worktime.Urgency
	Due         time.Time // the day it is judged against: the deadline, or the signing day
	OverdueDays int       // working days past Due
	Reach
}

// Escalations judges every open problem under the given unit path ("" for
// all) on today and returns those due soon or overdue, the most urgent
// first: what the reminder scheduler sends and to whom.
func Escalations(ctx context.Context, q db.Querier, under string, today time.Time, cal worktime.Calendar) ([]Escalation, error) {
	open, err := Open(ctx, q, under)
	if err != nil {
		return nil, err
	}
	var out []Escalation
	for _, p := range open {
		u, due := Judge(p, today, cal)
		if u == worktime.OnTrack {
			continue
		}
		out = append(out, Escalation{Problem: p, Urgency: u, Due: due, OverdueDays: OverdueDays(due, today, cal),
			Reach: ReachOf(u, p.LeaderID != 0)})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Urgency != out[j].Urgency {
			return out[i].Urgency > out[j].Urgency
		}
		return out[i].Due.Before(out[j].Due)
	})
	return out, nil
}

// Agenda is the problems the next dispatch meeting must take up: those
// overdue by 7 working days or more under the given unit path (the
// town's), most overdue first.
func Agenda(ctx context.Context, q db.Querier, under string, today time.Time, cal worktime.Calendar) ([]Escalation, error) {
	all, err := Escalations(ctx, q, under, today, cal)
	if err != nil {
		return nil, err
	}
	var out []Escalation
	for _, e := range all {
		if e.Agenda {
			out = append(out, e)
		}
	}
	return out, nil
}

// ClosedBetween returns the problems closed (销号) from day from to day to,
// both included, under the given unit path ("" for all): the quarterly
// bulletin scores each with Problem.ClosedOnTime.
func ClosedBetween(ctx context.Context, q db.Querier, under string, from, to time.Time) ([]*Problem, error) {
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, shanghai)
	end := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, shanghai)
	var w db.Where
	w.Add("p.state = $?", string(Closed))
	w.Add("p.closed_at >= $? AND p.closed_at < $?", db.Time(start), db.Time(end))
	if under != "" {
		w.Add("u.path LIKE $?", under+"%")
	}
	out, err := queryProblems(ctx, q, `SELECT `+problemColumns+problemFrom+` `+w.SQL()+` ORDER BY p.closed_at, p.id`, w.Args...)
	if err != nil {
		return nil, fmt.Errorf("problem.ClosedBetween: %w", err)
	}
	return out, loadCoUnits(ctx, q, out...)
}
