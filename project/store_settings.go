package project

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
)

const rulesKey = "project.rules"

// LoadRules returns the stored thresholds, or the defaults where none are stored.
func LoadRules(ctx context.Context, q db.Querier) (Rules, error) {
	r := DefaultRules()
	if _, err := db.LoadSetting(ctx, q, rulesKey, &r); err != nil {
		return DefaultRules(), fmt.Errorf("project.LoadRules: %w", err)
	}
	return r, nil
}

// RequireRules refuses anyone who may not change the project settings.
func RequireRules(by auth.Actor) error {
	if !auth.CanAnywhere(by, auth.ProjectRules) {
		return apperr.Forbiddenf("只有督查督办人员和主要领导可以修改项目规则")
	}
	return nil
}

// SaveRules validates and stores the thresholds; every light is judged by
// the new ones from the next page shown.
func SaveRules(ctx context.Context, tx *db.Tx, by auth.Actor, in RulesInput) (Rules, error) {
	if err := RequireRules(by); err != nil {
		return Rules{}, err
	}
	r, err := in.parse()
	if err != nil {
		return r, err
	}
	old, err := LoadRules(ctx, tx)
	if err != nil {
		return r, err
	}
	if err := db.SaveSetting(ctx, tx, rulesKey, r, by.UserID); err != nil {
		return r, fmt.Errorf("project.SaveRules: %w", err)
	}
	return r, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.SettingsChanged, ObjectType: "settings",
		ObjectName: "项目亮灯规则", Before: old, After: r})
}

func categoryName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return "", apperr.InvalidFields(map[string]string{"name": "请填写分类名称"})
	case n > 20:
		return "", apperr.InvalidFields(map[string]string{"name": "分类名称不超过20个字"})
	}
	return name, nil
}

// AddCategory appends a category to the list.
func AddCategory(ctx context.Context, tx *db.Tx, by auth.Actor, name string) (Category, error) {
	if err := RequireRules(by); err != nil {
		return Category{}, err
	}
	name, err := categoryName(name)
	if err != nil {
		return Category{}, err
	}
	c := Category{Name: name}
	err = tx.QueryRowContext(ctx, `INSERT INTO project_categories (name, sort_order)
		VALUES ($1, (SELECT COALESCE(MAX(sort_order), 0) + 10 FROM project_categories)) RETURNING id`, name).Scan(&c.ID)
	if err = db.Translate(err); apperr.KindOf(err) == apperr.Conflict {
		return c, apperr.InvalidFields(map[string]string{"name": "已有名为“" + name + "”的分类"})
	}
	if err != nil {
		return c, fmt.Errorf("project.AddCategory: %w", err)
	}
	return c, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ListEntryChanged, ObjectType: "project_category",
		ObjectID: c.ID, ObjectName: name, After: c, Note: "新增项目分类"})
}

// UpdateCategory renames a category or takes it out of use. A category in
// use is never deleted: disabling keeps the projects' history readable while
// the forms stop offering it.
func UpdateCategory(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, name string, disabled bool) error {
	if err := RequireRules(by); err != nil {
		return err
	}
	name, err := categoryName(name)
	if err != nil {
		return err
	}
	var old Category
	err = tx.QueryRowContext(ctx, `SELECT id, name, disabled FROM project_categories WHERE id = $1`, id).Scan(&old.ID, &old.Name, &old.Disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("没有这个项目分类")
	}
	if err != nil {
		return fmt.Errorf("project.UpdateCategory: %w", err)
	}
	if disabled && !old.Disabled {
		var others int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM project_categories WHERE disabled = FALSE AND id <> $1`, id).Scan(&others); err != nil {
			return err
		}
		if others == 0 {
			return apperr.Invalidf("至少保留一个在用的项目分类")
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE project_categories SET name = $1, disabled = $2 WHERE id = $3`, name, disabled, id)
	if err = db.Translate(err); apperr.KindOf(err) == apperr.Conflict {
		return apperr.InvalidFields(map[string]string{"name": "已有名为“" + name + "”的分类"})
	}
	if err != nil {
		return fmt.Errorf("project.UpdateCategory: %w", err)
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ListEntryChanged, ObjectType: "project_category",
		ObjectID: id, ObjectName: name, Before: old, After: Category{ID: id, Name: name, Disabled: disabled}, Note: "修改项目分类"})
}

// MoveListEntry moves a category or a node template one place up (up=true)
// or down in its list by swapping sort positions with its neighbour.
func MoveListEntry(ctx context.Context, tx *db.Tx, by auth.Actor, table string, id int64, up bool) error {
	if err := RequireRules(by); err != nil {
		return err
	}
	if table != "project_categories" && table != "node_templates" {
		return fmt.Errorf("project.MoveListEntry: unknown list %q", table)
	}
	ids, err := listOrder(ctx, tx, table)
	if err != nil {
		return err
	}
	at := -1
	for i, x := range ids {
		if x == id {
			at = i
		}
	}
	if at < 0 {
		return apperr.NotFoundf("没有这一项")
	}
	to := at + 1
	if up {
		to = at - 1
	}
	if to < 0 || to >= len(ids) {
		return nil // already first or last
	}
	ids[at], ids[to] = ids[to], ids[at]
	// Renumber the whole list: old rows may share a position.
	for i, x := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET sort_order = $1 WHERE id = $2`, (i+1)*10, x); err != nil {
			return fmt.Errorf("project.MoveListEntry: %w", err)
		}
	}
	return nil
}

func listOrder(ctx context.Context, tx *db.Tx, table string) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM `+table+` ORDER BY sort_order, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// SaveNodeTemplate creates (id 0) or changes a node template from its name
// and its nodes as typed, one per line.
func SaveNodeTemplate(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, name, nodesText string) (NodeTemplate, error) {
	t := NodeTemplate{ID: id, Name: strings.TrimSpace(name)}
	if err := RequireRules(by); err != nil {
		return t, err
	}
	var f apperr.Fields
	switch n := utf8.RuneCountInString(t.Name); {
	case n == 0:
		f.Add("name", "请填写模板名称")
	case n > 30:
		f.Add("name", "模板名称不超过30个字")
	}
	nodes, err := ParseNodes(nodesText)
	if e, ok := apperr.As(err); ok {
		for k, v := range e.Fields {
			f.Add(k, v)
		}
	}
	if err := f.Err(); err != nil {
		return t, err
	}
	t.Nodes = nodes
	raw, _ := json.Marshal(nodes)
	if id == 0 {
		err = tx.QueryRowContext(ctx, `INSERT INTO node_templates (name, nodes, sort_order)
			VALUES ($1, $2, (SELECT COALESCE(MAX(sort_order), 0) + 10 FROM node_templates)) RETURNING id`, t.Name, string(raw)).Scan(&t.ID)
		if err != nil {
			return t, fmt.Errorf("project.SaveNodeTemplate: %w", err)
		}
		return t, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ListEntryChanged, ObjectType: "node_template",
			ObjectID: t.ID, ObjectName: t.Name, After: t, Note: "新增节点模板"})
	}
	old, err := nodeTemplate(ctx, tx, id)
	if err != nil {
		return t, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE node_templates SET name = $1, nodes = $2 WHERE id = $3`, t.Name, string(raw), id); err != nil {
		return t, fmt.Errorf("project.SaveNodeTemplate: %w", err)
	}
	return t, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ListEntryChanged, ObjectType: "node_template",
		ObjectID: id, ObjectName: t.Name, Before: old, After: t, Note: "修改节点模板"})
}

// DeleteNodeTemplate removes a template. Projects keep their milestones: a
// template only prefills a new project's list.
func DeleteNodeTemplate(ctx context.Context, tx *db.Tx, by auth.Actor, id int64) error {
	if err := RequireRules(by); err != nil {
		return err
	}
	old, err := nodeTemplate(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM node_templates WHERE id = $1`, id); err != nil {
		return fmt.Errorf("project.DeleteNodeTemplate: %w", err)
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ListEntryChanged, ObjectType: "node_template",
		ObjectID: id, ObjectName: old.Name, Before: old, Note: "删除节点模板"})
}

func nodeTemplate(ctx context.Context, q db.Querier, id int64) (NodeTemplate, error) {
	t := NodeTemplate{ID: id}
	var raw string
	err := q.QueryRowContext(ctx, `SELECT name, nodes FROM node_templates WHERE id = $1`, id).Scan(&t.Name, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFoundf("没有这个节点模板")
	}
	if err != nil {
		return t, fmt.Errorf("project.nodeTemplate: %w", err)
	}
	return t, json.Unmarshal([]byte(raw), &t.Nodes)
}
