package project

import (
	"context"
	"fmt"
	"strings"

	"guatu/apperr"
	"guatu/auth"
	"guatu/db"
	"guatu/org"
)

// Filter narrows the project list (the 台账 and the battle map).
type Filter struct {
	Query      string // name, code or investor contains
	Tier       Tier
	Stage      Stage
	CategoryID int64
	LeaderID   int64
	UnitID     int64 // lead unit and its subtree
	Flagship   bool
	Sort       string // "code" (default), "name", "invest" (largest first), "updated" (newest first)
	Limit      int    // 0 means all
	Offset     int
	// Details loads co-units, plans, targets and milestones of every listed
	// project (the battle map needs them; the table does not).
	Details bool
}

var sortOrders = map[string]string{
	"":        "p.code, p.id",
	"code":    "p.code, p.id",
	"name":    "p.name, p.id",
	"invest":  "p.total_invest DESC, p.id",
	"updated": "p.updated_at DESC, p.id",
}

// viewWhere restricts the list to what the actor may read (CanView): the
// lead unit or a cooperating unit in their view, or their own 责任领导 projects.
func viewWhere(w *db.Where, by auth.Actor) {
	if by.System {
		return
	}
	var conds []string
	var args []any
	paths := auth.ScopePaths(by, auth.ViewProject)
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
			`EXISTS (SELECT 1 FROM project_co_units cu JOIN units cu_u ON cu_u.id = cu.unit_id WHERE cu.project_id = p.id AND (`+strings.Join(co, " OR ")+`))`)
	}
	if by.PersonID != 0 && by.HasRole(auth.Leader) {
		conds = append(conds, "p.leader_id = $?")
		args = append(args, by.PersonID)
	}
	if len(conds) == 0 {
		w.Add("1 = 0")
		return
	}
	w.Add(strings.Join(conds, " OR "), args...)
}

// List returns the projects the actor may read that match f, and how many match in all.
func List(ctx context.Context, q db.Querier, by auth.Actor, f Filter) ([]*Project, int, error) {
	if !auth.CanAnywhere(by, auth.ViewProject) {
		return nil, 0, apperr.Forbiddenf("您的角色没有查看项目的权限")
	}
	var w db.Where
	viewWhere(&w, by)
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + strings.ToLower(db.LikeEscape(s)) + "%"
		w.Add(`lower(p.name) LIKE $? ESCAPE '\' OR lower(p.code) LIKE $? ESCAPE '\' OR lower(p.investor) LIKE $? ESCAPE '\'`, like, like, like)
	}
	if f.Tier != "" {
		w.Add("p.tier = $?", string(f.Tier))
	}
	if f.Stage != "" {
		w.Add("p.stage = $?", string(f.Stage))
	}
	if f.CategoryID != 0 {
		w.Add("p.category_id = $?", f.CategoryID)
	}
	if f.LeaderID != 0 {
		w.Add("p.leader_id = $?", f.LeaderID)
	}
	if f.UnitID != 0 {
		u, err := org.GetUnit(ctx, q, f.UnitID)
		if err != nil {
			return nil, 0, err
		}
		w.Add("u.path LIKE $?", u.Path+"%")
	}
	if f.Flagship {
		w.Add("p.flagship = $?", true)
	}
	total := -1 // counted below when the list is a page of it
	if f.Limit > 0 {
		if err := q.QueryRowContext(ctx, `SELECT count(*)`+projectFrom+` `+w.SQL(), w.Args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("project.List: %w", err)
		}
	}
	order, ok := sortOrders[f.Sort]
	if !ok {
		order = sortOrders[""]
	}
	query := `SELECT ` + projectColumns + projectFrom + ` ` + w.SQL() + ` ORDER BY ` + order
	if f.Limit > 0 {
		query += ` LIMIT ` + w.Next(f.Limit) + ` OFFSET ` + w.Next(f.Offset)
	}
	rows, err := q.QueryContext(ctx, query, w.Args...)
	if err != nil {
		return nil, 0, fmt.Errorf("project.List: %w", err)
	}
	var out []*Project
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if total < 0 {
		total = len(out)
	}
	if f.Details {
		if err := loadDetails(ctx, q, out...); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}
