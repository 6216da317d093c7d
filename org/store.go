package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
)

const unitColumns = `u.id, COALESCE(u.parent_id, 0), u.kind, u.name, u.path, u.sort_order, u.phone, u.note,
	u.disabled, u.created_at, u.updated_at`

func scanUnit(s interface{ Scan(...any) error }) (*Unit, error) {
	var u Unit
	var kind string
	err := s.Scan(&u.ID, &u.ParentID, &kind, &u.Name, &u.Path, &u.SortOrder, &u.Phone, &u.Note,
		&u.Disabled, (*db.Time)(&u.CreatedAt), (*db.Time)(&u.UpdatedAt))
	u.Kind = Kind(kind)
	u.Depth = pathDepth(u.Path)
	return &u, err
}

// GetUnit returns the unit with the given id, or apperr.NotFound. It checks
// no permission: callers that show the unit check auth.ViewOrg on its path.
func GetUnit(ctx context.Context, q db.Querier, id int64) (*Unit, error) {
	u, err := scanUnit(q.QueryRowContext(ctx, `SELECT `+unitColumns+` FROM units u WHERE u.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("单位不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("org.GetUnit %d: %w", id, err)
	}
	return u, nil
}

// ViewUnit returns the unit if the actor may see it; a unit outside the
// actor's scope is reported as not found, so its existence does not leak.
func ViewUnit(ctx context.Context, q db.Querier, by auth.Actor, id int64) (*Unit, error) {
	u, err := GetUnit(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !auth.Can(by, auth.ViewOrg, u.Path) {
		return nil, apperr.NotFoundf("单位不存在")
	}
	return u, nil
}

// ScopeWhere restricts column (a unit path) to the subtrees where the actor
// may do act; an actor with no such subtree matches nothing.
func ScopeWhere(w *db.Where, by auth.Actor, act auth.Action, column string) {
	if by.System {
		return
	}
	paths := auth.ScopePaths(by, act)
	if len(paths) == 0 {
		w.Add("1 = 0")
		return
	}
	conds := make([]string, len(paths))
	args := make([]any, len(paths))
	for i, p := range paths {
		conds[i] = column + ` LIKE $?`
		args[i] = p + "%"
	}
	w.Add(strings.Join(conds, " OR "), args...)
}

// TreeFilter narrows the unit tree.
type TreeFilter struct {
	Query           string // name contains; matching units are shown with their ancestors
	IncludeDisabled bool
}

// Tree returns the units the actor may see, in tree order (each unit
// followed by its children ordered by sort order), with depth and head count.
func Tree(ctx context.Context, q db.Querier, by auth.Actor, f TreeFilter) ([]*Unit, error) {
	var w db.Where
	ScopeWhere(&w, by, auth.ViewOrg, "u.path")
	if !f.IncludeDisabled {
		w.Add("u.disabled = $?", false)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+unitColumns+`,
		(SELECT count(*) FROM people p WHERE p.unit_id = u.id AND p.disabled = FALSE)
		FROM units u `+w.SQL(), w.Args...)
	if err != nil {
		return nil, fmt.Errorf("org.Tree: %w", err)
	}
	defer rows.Close()
	var all []*Unit
	for rows.Next() {
		var u Unit
		var kind string
		if err := rows.Scan(&u.ID, &u.ParentID, &kind, &u.Name, &u.Path, &u.SortOrder, &u.Phone, &u.Note,
			&u.Disabled, (*db.Time)(&u.CreatedAt), (*db.Time)(&u.UpdatedAt), &u.PeopleCount); err != nil {
			return nil, err
		}
		u.Kind = Kind(kind)
		all = append(all, &u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return arrange(all, strings.TrimSpace(f.Query)), nil
}

// arrange orders units depth-first by sort order, sets Depth relative to the
// shallowest visible unit, and, when query is set, keeps the matches and
// their ancestors.
func arrange(all []*Unit, query string) []*Unit {
	byID := make(map[int64]*Unit, len(all))
	for _, u := range all {
		byID[u.ID] = u
	}
	children := map[int64][]*Unit{}
	var roots []*Unit
	for _, u := range all {
		if p, ok := byID[u.ParentID]; ok {
			u.ParentName = p.Name
			children[u.ParentID] = append(children[u.ParentID], u)
		} else {
			roots = append(roots, u)
		}
	}
	less := func(list []*Unit) {
		sort.SliceStable(list, func(i, j int) bool {
			if list[i].SortOrder != list[j].SortOrder {
				return list[i].SortOrder < list[j].SortOrder
			}
			return list[i].ID < list[j].ID
		})
	}
	less(roots)
	keep := map[int64]bool{}
	if query != "" {
		for _, u := range all {
			if strings.Contains(u.Name, query) {
				for x := u; x != nil; x = byID[x.ParentID] {
					keep[x.ID] = true
				}
			}
		}
	}
	var out []*Unit
	var walk func(u *Unit, depth int)
	walk = func(u *Unit, depth int) {
		u.Depth = depth
		if query == "" || keep[u.ID] {
			out = append(out, u)
		}
		kids := children[u.ID]
		less(kids)
		for _, k := range kids {
			walk(k, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
	return out
}

// Children returns the direct children of a unit, in order.
func Children(ctx context.Context, q db.Querier, parentID int64) ([]*Unit, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+unitColumns+` FROM units u WHERE COALESCE(u.parent_id, 0) = $1 ORDER BY u.sort_order, u.id`, parentID)
	if err != nil {
		return nil, fmt.Errorf("org.Children: %w", err)
	}
	defer rows.Close()
	var out []*Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Ancestors returns the units above u, root first.
func Ancestors(ctx context.Context, q db.Querier, u *Unit) ([]*Unit, error) {
	var out []*Unit
	ids := strings.Split(strings.Trim(u.Path, "/"), "/")
	for _, s := range ids[:max(len(ids)-1, 0)] {
		var id int64
		fmt.Sscan(s, &id)
		a, err := GetUnit(ctx, q, id)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func siblingNameTaken(ctx context.Context, q db.Querier, parentID int64, name string, except int64) (bool, error) {
	var n int
	var err error
	if parentID == 0 {
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM units WHERE parent_id IS NULL AND name = $1 AND id <> $2`, name, except).Scan(&n)
	} else {
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM units WHERE parent_id = $1 AND name = $2 AND id <> $3`, parentID, name, except).Scan(&n)
	}
	return n > 0, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateRoot creates a top unit (a county or a town). Only the system (set-up,
// command line, demo) creates roots.
func CreateRoot(ctx context.Context, tx *db.Tx, by auth.Actor, kind Kind, name string) (*Unit, error) {
	if !by.System {
		return nil, apperr.Forbiddenf("只有系统初始化时可以创建顶级单位")
	}
	in := UnitInput{Kind: string(kind), Name: name}
	fields, err := in.validate(false)
	if err != nil {
		return nil, err
	}
	return insertUnit(ctx, tx, by, fields, nil)
}

// CreateUnit adds a unit under the parent named in the input.
func CreateUnit(ctx context.Context, tx *db.Tx, by auth.Actor, in UnitInput) (*Unit, error) {
	fields, err := in.validate(true)
	if err != nil {
		return nil, err
	}
	parent, err := GetUnit(ctx, tx, fields.ParentID)
	if err != nil {
		return nil, apperr.InvalidFields(map[string]string{"parent_id": "上级单位不存在"})
	}
	if !auth.Can(by, auth.ManageOrg, parent.Path) {
		return nil, apperr.Forbiddenf("无权在“%s”下新建单位", parent.Name)
	}
	if parent.Disabled {
		return nil, apperr.InvalidFields(map[string]string{"parent_id": "上级单位已停用"})
	}
	return insertUnit(ctx, tx, by, fields, parent)
}

func insertUnit(ctx context.Context, tx *db.Tx, by auth.Actor, f unitFields, parent *Unit) (*Unit, error) {
	parentID, parentPath := int64(0), ""
	if parent != nil {
		parentID, parentPath = parent.ID, parent.Path
	}
	taken, err := siblingNameTaken(ctx, tx, parentID, f.Name, 0)
	if err != nil {
		return nil, err
	}
	if taken {
		return nil, apperr.InvalidFields(map[string]string{"name": "同一上级下已有同名单位"})
	}
	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(sort_order), 0) + 10 FROM units WHERE COALESCE(parent_id, 0) = $1`, parentID).Scan(&next); err != nil {
		return nil, err
	}
	now := db.Time(tx.Now())
	var id int64
	err = tx.QueryRowContext(ctx, `
		INSERT INTO units (parent_id, kind, name, path, sort_order, phone, note, created_at, updated_at)
		VALUES ($1, $2, $3, '', $4, $5, $6, $7, $7) RETURNING id`,
		nullID(parentID), string(f.Kind), f.Name, next, f.Phone, f.Note, now).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("org.CreateUnit: %w", db.Translate(err))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE units SET path = $1 WHERE id = $2`, childPath(parentPath, id), id); err != nil {
		return nil, err
	}
	u, err := GetUnit(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return u, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.UnitCreated, ObjectType: "unit",
		ObjectID: u.ID, ObjectName: u.Name, After: unitSnapshot(u)})
}

// unitSnapshot is what the audit trail keeps of a unit.
func unitSnapshot(u *Unit) map[string]any {
	return map[string]any{"上级": u.ParentID, "类别": u.Kind.Label(), "名称": u.Name, "电话": u.Phone,
		"备注": u.Note, "停用": u.Disabled, "路径": u.Path}
}

// UpdateUnit changes a unit's kind, name, phone and note.
func UpdateUnit(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, in UnitInput) (*Unit, error) {
	old, err := GetUnit(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !auth.Can(by, auth.ManageOrg, old.Path) {
		return nil, apperr.Forbiddenf("无权修改“%s”", old.Name)
	}
	f, err := in.validate(false)
	if err != nil {
		return nil, err
	}
	taken, err := siblingNameTaken(ctx, tx, old.ParentID, f.Name, id)
	if err != nil {
		return nil, err
	}
	if taken {
		return nil, apperr.InvalidFields(map[string]string{"name": "同一上级下已有同名单位"})
	}
	_, err = tx.ExecContext(ctx, `UPDATE units SET kind = $1, name = $2, phone = $3, note = $4, updated_at = $5 WHERE id = $6`,
		string(f.Kind), f.Name, f.Phone, f.Note, db.Time(tx.Now()), id)
	if err != nil {
		return nil, fmt.Errorf("org.UpdateUnit: %w", db.Translate(err))
	}
	u, err := GetUnit(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return u, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.UnitUpdated, ObjectType: "unit",
		ObjectID: id, ObjectName: u.Name, Before: unitSnapshot(old), After: unitSnapshot(u)})
}

// MoveUnit puts a unit (with its subtree) under a new parent, at the end.
func MoveUnit(ctx context.Context, tx *db.Tx, by auth.Actor, id, newParentID int64) (*Unit, error) {
	old, err := GetUnit(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if old.ParentID == 0 {
		return nil, apperr.Invalidf("顶级单位不能移动")
	}
	parent, err := GetUnit(ctx, tx, newParentID)
	if err != nil {
		return nil, apperr.InvalidFields(map[string]string{"parent_id": "请选择新的上级单位"})
	}
	if !auth.Can(by, auth.ManageOrg, old.Path) || !auth.Can(by, auth.ManageOrg, parent.Path) {
		return nil, apperr.Forbiddenf("无权移动“%s”到“%s”下", old.Name, parent.Name)
	}
	if strings.HasPrefix(parent.Path, old.Path) {
		return nil, apperr.InvalidFields(map[string]string{"parent_id": "不能移到自己或自己的下级单位之下"})
	}
	if parent.ID == old.ParentID {
		return old, nil
	}
	if parent.Disabled {
		return nil, apperr.InvalidFields(map[string]string{"parent_id": "新的上级单位已停用"})
	}
	taken, err := siblingNameTaken(ctx, tx, parent.ID, old.Name, id)
	if err != nil {
		return nil, err
	}
	if taken {
		return nil, apperr.InvalidFields(map[string]string{"parent_id": "新的上级下已有同名单位"})
	}
	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(sort_order), 0) + 10 FROM units WHERE parent_id = $1`, parent.ID).Scan(&next); err != nil {
		return nil, err
	}
	newPath := childPath(parent.Path, id)
	// Rewrite the path of the unit and of everything under it in one statement.
	_, err = tx.ExecContext(ctx, `UPDATE units SET path = $1 || substr(path, $2) WHERE path LIKE $3`,
		newPath, len(old.Path)+1, old.Path+"%")
	if err != nil {
		return nil, fmt.Errorf("org.MoveUnit: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE units SET parent_id = $1, sort_order = $2, updated_at = $3 WHERE id = $4`,
		parent.ID, next, db.Time(tx.Now()), id)
	if err != nil {
		return nil, fmt.Errorf("org.MoveUnit: %w", err)
	}
	u, err := GetUnit(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return u, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.UnitMoved, ObjectType: "unit",
		ObjectID: id, ObjectName: u.Name, Before: unitSnapshot(old), After: unitSnapshot(u),
		Note: fmt.Sprintf("上级单位改为“%s”", parent.Name)})
}

// ReorderUnit moves a unit one place up or down among its siblings.
func ReorderUnit(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, up bool) error {
	u, err := GetUnit(ctx, tx, id)
	if err != nil {
		return err
	}
	if !auth.Can(by, auth.ManageOrg, u.Path) {
		return apperr.Forbiddenf("无权调整“%s”的顺序", u.Name)
	}
	if u.ParentID == 0 {
		return nil
	}
	all, err := Children(ctx, tx, u.ParentID)
	if err != nil {
		return err
	}
	// Disabled siblings are hidden in the tree, so the neighbour to swap with
	// is the nearest enabled one; disabled units keep their relative place at the end.
	var sibs, hidden []*Unit
	for _, x := range all {
		if x.Disabled && x.ID != id {
			hidden = append(hidden, x)
		} else {
			sibs = append(sibs, x)
		}
	}
	i := 0
	for i < len(sibs) && sibs[i].ID != id {
		i++
	}
	j := i + 1
	if up {
		j = i - 1
	}
	if j < 0 || j >= len(sibs) {
		return nil
	}
	sibs[i], sibs[j] = sibs[j], sibs[i]
	for k, s := range append(sibs, hidden...) {
		if _, err := tx.ExecContext(ctx, `UPDATE units SET sort_order = $1 WHERE id = $2`, int64(k+1)*10, s.ID); err != nil {
			return err
		}
	}
	dir := "下移"
	if up {
		dir = "上移"
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.UnitUpdated, ObjectType: "unit",
		ObjectID: id, ObjectName: u.Name, Note: "排序" + dir})
}

// SetUnitDisabled disables or re-enables a unit. A unit is disabled rather
// than deleted once anything refers to it; its enabled children must be
// disabled first, so no enabled unit hangs under a disabled one.
func SetUnitDisabled(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, disabled bool) (*Unit, error) {
	u, err := GetUnit(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !auth.Can(by, auth.ManageOrg, u.Path) {
		return nil, apperr.Forbiddenf("无权停用或启用“%s”", u.Name)
	}
	if u.ParentID == 0 && disabled {
		return nil, apperr.Invalidf("顶级单位不能停用")
	}
	if disabled {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM units WHERE parent_id = $1 AND disabled = FALSE`, id).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, apperr.Invalidf("“%s”下还有 %d 个在用的下级单位，请先停用或移走它们", u.Name, n)
		}
	} else if u.ParentID != 0 {
		p, err := GetUnit(ctx, tx, u.ParentID)
		if err != nil {
			return nil, err
		}
		if p.Disabled {
			return nil, apperr.Invalidf("上级单位“%s”已停用，请先启用上级单位", p.Name)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE units SET disabled = $1, updated_at = $2 WHERE id = $3`, disabled, db.Time(tx.Now()), id); err != nil {
		return nil, err
	}
	action := audit.UnitEnabled
	if disabled {
		action = audit.UnitDisabled
	}
	u.Disabled = disabled
	return u, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: action, ObjectType: "unit", ObjectID: id, ObjectName: u.Name})
}

// DeleteUnit removes a unit that nothing refers to (no sub-units, people,
// accounts or later records). Anything referenced gets a Conflict asking to disable it instead.
func DeleteUnit(ctx context.Context, tx *db.Tx, by auth.Actor, id int64) error {
	u, err := GetUnit(ctx, tx, id)
	if err != nil {
		return err
	}
	if !auth.Can(by, auth.ManageOrg, u.Path) {
		return apperr.Forbiddenf("无权删除“%s”", u.Name)
	}
	if u.ParentID == 0 {
		return apperr.Invalidf("顶级单位不能删除")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM units WHERE id = $1`, id); err != nil {
		if apperr.KindOf(db.Translate(err)) == apperr.Conflict {
			return apperr.Conflictf("“%s”已有下级单位、人员、账号或业务数据引用，不能删除，请改为停用", u.Name)
		}
		return fmt.Errorf("org.DeleteUnit: %w", err)
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.UnitDeleted, ObjectType: "unit", ObjectID: id,
		ObjectName: u.Name, Before: unitSnapshot(u)})
}

// EditUnit returns a unit for its edit form: NotFound outside the actor's
// view, Forbidden when they may see but not manage it.
func EditUnit(ctx context.Context, q db.Querier, by auth.Actor, id int64) (*Unit, error) {
	u, err := ViewUnit(ctx, q, by, id)
	if err != nil {
		return nil, err
	}
	if !auth.Can(by, auth.ManageOrg, u.Path) {
		return nil, apperr.Forbiddenf("无权修改“%s”", u.Name)
	}
	return u, nil
}

// treePositions maps every unit id to its place in tree order (each unit
// before its children, siblings by sort order), for ordering lists by unit.
func treePositions(ctx context.Context, q db.Querier) (map[int64]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, COALESCE(parent_id, 0), sort_order FROM units`)
	if err != nil {
		return nil, fmt.Errorf("org.treePositions: %w", err)
	}
	defer rows.Close()
	var all []*Unit
	for rows.Next() {
		var u Unit
		if err := rows.Scan(&u.ID, &u.ParentID, &u.SortOrder); err != nil {
			return nil, err
		}
		all = append(all, &u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(all))
	for i, u := range arrange(all, "") {
		pos[u.ID] = i
	}
	return pos, nil
}
