package project

import (
	"context"
	"encoding/json"
	"fmt"

	"guatu/db"
	"guatu/sheet"
)

// Category is an entry of the editable category list.
type Category struct {
	ID       int64
	Name     string
	Disabled bool
}

// Categories lists the project categories in order.
func Categories(ctx context.Context, q db.Querier) ([]Category, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, disabled FROM project_categories ORDER BY sort_order, id`)
	if err != nil {
		return nil, fmt.Errorf("project.Categories: %w", err)
	}
	defer rows.Close()
	var out []Category
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.ID, &c.Name, &c.Disabled); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// NodeTemplate is the usual list of milestones for a kind of project.
type NodeTemplate struct {
	ID    int64
	Name  string
	Nodes []string
}

// NodeTemplates lists the milestone templates.
func NodeTemplates(ctx context.Context, q db.Querier) ([]NodeTemplate, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, nodes FROM node_templates ORDER BY sort_order, id`)
	if err != nil {
		return nil, fmt.Errorf("project.NodeTemplates: %w", err)
	}
	defer rows.Close()
	var out []NodeTemplate
	for rows.Next() {
		var t NodeTemplate
		var nodes string
		if err := rows.Scan(&t.ID, &t.Name, &nodes); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(nodes), &t.Nodes); err != nil {
			return nil, fmt.Errorf("project.NodeTemplates %d: %w", t.ID, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// CategoryUse counts the projects of each category, so the settings page can
// say which categories are in use.
func CategoryUse(ctx context.Context, q db.Querier) (map[int64]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT category_id, COUNT(*) FROM projects GROUP BY category_id`)
	if err != nil {
		return nil, fmt.Errorf("project.CategoryUse: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// projectKeys indexes every project by code and by name, for the importer
// to find the project a row means without a query per row.
func projectKeys(ctx context.Context, q db.Querier) (byCode map[string]int64, byName map[string][]int64, err error) {
	rows, err := q.QueryContext(ctx, `SELECT id, code, name FROM projects`)
	if err != nil {
		return nil, nil, fmt.Errorf("project.projectKeys: %w", err)
	}
	defer rows.Close()
	byCode, byName = map[string]int64{}, map[string][]int64{}
	for rows.Next() {
		var id int64
		var code, name string
		if err := rows.Scan(&id, &code, &name); err != nil {
			return nil, nil, err
		}
		byCode[sheet.Normalize(code)] = id // "ＸＭ－０１" typed with a Chinese keyboard is XM-01
		byName[name] = append(byName[name], id)
	}
	return byCode, byName, rows.Err()
}
