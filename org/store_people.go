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

const personColumns = `p.id, p.unit_id, u.name, u.path, p.name, p.phone, p.position, p.sort_order, p.disabled,
	p.created_at, p.updated_at`

func scanPerson(s interface{ Scan(...any) error }) (*Person, error) {
	var p Person
	err := s.Scan(&p.ID, &p.UnitID, &p.UnitName, &p.UnitPath, &p.Name, &p.Phone, &p.Position, &p.SortOrder,
		&p.Disabled, (*db.Time)(&p.CreatedAt), (*db.Time)(&p.UpdatedAt))
	return &p, err
}

// GetPerson returns a person with the units they are in charge of, or apperr.NotFound.
func GetPerson(ctx context.Context, q db.Querier, id int64) (*Person, error) {
	p, err := scanPerson(q.QueryRowContext(ctx, `SELECT `+personColumns+`
		FROM people p JOIN units u ON u.id = p.unit_id WHERE p.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("人员不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("org.GetPerson %d: %w", id, err)
	}
	p.LeaderUnits, err = leaderUnits(ctx, q, id)
	return p, err
}

// ViewPerson returns the person if the actor may see their unit; otherwise NotFound.
func ViewPerson(ctx context.Context, q db.Querier, by auth.Actor, id int64) (*Person, error) {
	p, err := GetPerson(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !auth.Can(by, auth.ViewOrg, p.UnitPath) {
		return nil, apperr.NotFoundf("人员不存在")
	}
	return p, nil
}

func leaderUnits(ctx context.Context, q db.Querier, personID int64) ([]UnitRef, error) {
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.name, u.path FROM leader_units l JOIN units u ON u.id = l.unit_id
		WHERE l.person_id = $1 ORDER BY u.path`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UnitRef
	for rows.Next() {
		var r UnitRef
		if err := rows.Scan(&r.ID, &r.Name, &r.Path); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PeopleFilter narrows the people list.
type PeopleFilter struct {
	Query           string // name, phone or position contains
	UnitID          int64  // only this unit and its subtree
	IncludeDisabled bool
	Limit, Offset   int
}

// People returns the people the actor may see that match f, ordered by unit
// then sort order, and the total count.
func People(ctx context.Context, q db.Querier, by auth.Actor, f PeopleFilter) ([]*Person, int, error) {
	var w db.Where
	ScopeWhere(&w, by, auth.ViewOrg, "u.path")
	if !f.IncludeDisabled {
		w.Add("p.disabled = $?", false)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + db.LikeEscape(s) + "%"
		like = strings.ToLower(like)
		w.Add(`lower(p.name) LIKE $? ESCAPE '\' OR p.phone LIKE $? ESCAPE '\' OR lower(p.position) LIKE $? ESCAPE '\'`, like, like, like)
	}
	if f.UnitID != 0 {
		u, err := GetUnit(ctx, q, f.UnitID)
		if err != nil {
			return nil, 0, err
		}
		w.Add("u.path LIKE $?", u.Path+"%")
	}
	// People are listed unit by unit in the order of the tree, which depends
	// on every ancestor's sort order and so cannot be an ORDER BY on the path
	// text ("/1/10/" sorts before "/1/2/"): the matching rows are ordered and
	// paged here. A county has a few thousand people; this stays fast.
	out, err := queryPeople(ctx, q, `SELECT `+personColumns+` FROM people p JOIN units u ON u.id = p.unit_id `+w.SQL(), w.Args...)
	if err != nil {
		return nil, 0, fmt.Errorf("org.People: %w", err)
	}
	if err := sortByTree(ctx, q, out); err != nil {
		return nil, 0, err
	}
	total := len(out)
	if f.Limit > 0 {
		out = out[min(f.Offset, total):min(f.Offset+f.Limit, total)]
	}
	if err := fillLeaderUnits(ctx, q, out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// fillLeaderUnits loads the 分管 units of the listed people in one query.
func fillLeaderUnits(ctx context.Context, q db.Querier, people []*Person) error {
	if len(people) == 0 {
		return nil
	}
	idx := map[int64]*Person{}
	var w db.Where
	marks := make([]string, len(people))
	for i, p := range people {
		idx[p.ID] = p
		marks[i] = w.Next(p.ID)
	}
	rows, err := q.QueryContext(ctx, `SELECT l.person_id, u.id, u.name, u.path FROM leader_units l JOIN units u ON u.id = l.unit_id
		WHERE l.person_id IN (`+strings.Join(marks, ", ")+`) ORDER BY u.path`, w.Args...)
	if err != nil {
		return fmt.Errorf("org.fillLeaderUnits: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var r UnitRef
		if err := rows.Scan(&pid, &r.ID, &r.Name, &r.Path); err != nil {
			return err
		}
		if p := idx[pid]; p != nil {
			p.LeaderUnits = append(p.LeaderUnits, r)
		}
	}
	return rows.Err()
}

// Leaders returns the people in the actor's scope who are in charge of
// (分管) at least one unit, with those units: the 班子分工 of the overview.
func Leaders(ctx context.Context, q db.Querier, by auth.Actor) ([]*Person, error) {
	var w db.Where
	ScopeWhere(&w, by, auth.ViewOrg, "u.path")
	w.Add("p.disabled = $?", false)
	w.Add("EXISTS (SELECT 1 FROM leader_units l WHERE l.person_id = p.id)")
	out, err := queryPeople(ctx, q, `SELECT `+personColumns+` FROM people p JOIN units u ON u.id = p.unit_id `+w.SQL(), w.Args...)
	if err != nil {
		return nil, fmt.Errorf("org.Leaders: %w", err)
	}
	if err := sortByTree(ctx, q, out); err != nil {
		return nil, err
	}
	return out, fillLeaderUnits(ctx, q, out)
}

func queryPeople(ctx context.Context, q db.Querier, query string, args ...any) ([]*Person, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// sortByTree orders people by their unit's place in the tree, then by their
// own sort order.
func sortByTree(ctx context.Context, q db.Querier, people []*Person) error {
	pos, err := treePositions(ctx, q)
	if err != nil {
		return err
	}
	sort.SliceStable(people, func(i, j int) bool {
		a, b := people[i], people[j]
		if pa, pb := pos[a.UnitID], pos[b.UnitID]; pa != pb {
			return pa < pb
		}
		if a.SortOrder != b.SortOrder {
			return a.SortOrder < b.SortOrder
		}
		return a.ID < b.ID
	})
	return nil
}

func personSnapshot(p *Person) map[string]any {
	return map[string]any{"单位": p.UnitName, "姓名": p.Name, "电话": p.Phone, "职务": p.Position, "停用": p.Disabled}
}

func (f personFields) unit(ctx context.Context, tx *db.Tx, by auth.Actor) (*Unit, error) {
	u, err := GetUnit(ctx, tx, f.UnitID)
	if err != nil {
		return nil, apperr.InvalidFields(map[string]string{"unit_id": "所在单位不存在"})
	}
	if !auth.Can(by, auth.ManageOrg, u.Path) {
		return nil, apperr.Forbiddenf("无权管理“%s”的人员", u.Name)
	}
	if u.Disabled {
		return nil, apperr.InvalidFields(map[string]string{"unit_id": "所在单位已停用"})
	}
	return u, nil
}

// CreatePerson adds a person to a unit.
func CreatePerson(ctx context.Context, tx *db.Tx, by auth.Actor, in PersonInput) (*Person, error) {
	f, err := in.validate()
	if err != nil {
		return nil, err
	}
	if _, err := f.unit(ctx, tx, by); err != nil {
		return nil, err
	}
	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(sort_order), 0) + 10 FROM people WHERE unit_id = $1`, f.UnitID).Scan(&next); err != nil {
		return nil, err
	}
	now := db.Time(tx.Now())
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO people (unit_id, name, phone, position, sort_order, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, f.UnitID, f.Name, f.Phone, f.Position, next, now).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("org.CreatePerson: %w", db.Translate(err))
	}
	p, err := GetPerson(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return p, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.PersonCreated, ObjectType: "person",
		ObjectID: id, ObjectName: p.Name, After: personSnapshot(p)})
}

// UpdatePerson changes a person's unit, name, phone and position. Moving a
// person to another unit needs the right to manage both.
func UpdatePerson(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, in PersonInput) (*Person, error) {
	old, err := GetPerson(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !auth.Can(by, auth.ManageOrg, old.UnitPath) {
		return nil, apperr.Forbiddenf("无权修改“%s”", old.Name)
	}
	f, err := in.validate()
	if err != nil {
		return nil, err
	}
	if f.UnitID != old.UnitID {
		if _, err := f.unit(ctx, tx, by); err != nil {
			return nil, err
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE people SET unit_id = $1, name = $2, phone = $3, position = $4, updated_at = $5 WHERE id = $6`,
		f.UnitID, f.Name, f.Phone, f.Position, db.Time(tx.Now()), id)
	if err != nil {
		return nil, fmt.Errorf("org.UpdatePerson: %w", db.Translate(err))
	}
	p, err := GetPerson(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return p, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.PersonUpdated, ObjectType: "person",
		ObjectID: id, ObjectName: p.Name, Before: personSnapshot(old), After: personSnapshot(p)})
}

// SetPersonDisabled disables or re-enables a person.
func SetPersonDisabled(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, disabled bool) (*Person, error) {
	p, err := GetPerson(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !auth.Can(by, auth.ManageOrg, p.UnitPath) {
		return nil, apperr.Forbiddenf("无权停用或启用“%s”", p.Name)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE people SET disabled = $1, updated_at = $2 WHERE id = $3`, disabled, db.Time(tx.Now()), id); err != nil {
		return nil, err
	}
	action := audit.PersonEnabled
	if disabled {
		action = audit.PersonDisabled
	}
	p.Disabled = disabled
	return p, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: action, ObjectType: "person", ObjectID: id, ObjectName: p.Name})
}

// DeletePerson removes a person nothing refers to; otherwise Conflict asks to disable instead.
func DeletePerson(ctx context.Context, tx *db.Tx, by auth.Actor, id int64) error {
	p, err := GetPerson(ctx, tx, id)
	if err != nil {
		return err
	}
	if !auth.Can(by, auth.ManageOrg, p.UnitPath) {
		return apperr.Forbiddenf("无权删除“%s”", p.Name)
	}
	if len(p.LeaderUnits) > 0 {
		return apperr.Conflictf("“%s”还有分管单位，请先取消分管或改为停用", p.Name)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM people WHERE id = $1`, id); err != nil {
		if apperr.KindOf(db.Translate(err)) == apperr.Conflict {
			return apperr.Conflictf("“%s”已被账号或业务数据引用，不能删除，请改为停用", p.Name)
		}
		return fmt.Errorf("org.DeletePerson: %w", err)
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.PersonDeleted, ObjectType: "person",
		ObjectID: id, ObjectName: p.Name, Before: personSnapshot(p)})
}

// SetLeaderUnits replaces the units a leader is in charge of (分管).
func SetLeaderUnits(ctx context.Context, tx *db.Tx, by auth.Actor, personID int64, unitIDs []int64) (*Person, error) {
	p, err := GetPerson(ctx, tx, personID)
	if err != nil {
		return nil, err
	}
	if !auth.Can(by, auth.ManageOrg, p.UnitPath) {
		return nil, apperr.Forbiddenf("无权调整“%s”的分管单位", p.Name)
	}
	var names []string
	seen := map[int64]bool{}
	for _, uid := range unitIDs {
		if seen[uid] {
			continue
		}
		seen[uid] = true
		u, err := GetUnit(ctx, tx, uid)
		if err != nil {
			return nil, apperr.Invalidf("分管单位不存在")
		}
		if !auth.Can(by, auth.ManageOrg, u.Path) {
			return nil, apperr.Forbiddenf("无权把“%s”设为分管单位", u.Name)
		}
		if u.Disabled && !wasLeading(p, uid) {
			return nil, apperr.Invalidf("“%s”已停用，不能设为分管单位", u.Name)
		}
		names = append(names, u.Name)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM leader_units WHERE person_id = $1`, personID); err != nil {
		return nil, err
	}
	for uid := range seen {
		if _, err := tx.ExecContext(ctx, `INSERT INTO leader_units (person_id, unit_id) VALUES ($1, $2)`, personID, uid); err != nil {
			return nil, fmt.Errorf("org.SetLeaderUnits: %w", db.Translate(err))
		}
	}
	before := make([]string, len(p.LeaderUnits))
	for i, r := range p.LeaderUnits {
		before[i] = r.Name
	}
	np, err := GetPerson(ctx, tx, personID)
	if err != nil {
		return nil, err
	}
	return np, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.LeaderUnitsSet, ObjectType: "person",
		ObjectID: personID, ObjectName: p.Name, Before: before, After: names})
}

// LeadersOf returns the leaders in charge of a unit: those whose 分管 covers
// the unit itself or one of its ancestors, nearest first. Escalation uses it.
func LeadersOf(ctx context.Context, q db.Querier, unitID int64) ([]*Person, error) {
	u, err := GetUnit(ctx, q, unitID)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT `+personColumns+`, lu_unit.path
		FROM leader_units l
		JOIN units lu_unit ON lu_unit.id = l.unit_id
		JOIN people p ON p.id = l.person_id
		JOIN units u ON u.id = p.unit_id
		WHERE $1 LIKE lu_unit.path || '%' AND p.disabled = FALSE
		ORDER BY lu_unit.path DESC, p.id`, u.Path)
	if err != nil {
		return nil, fmt.Errorf("org.LeadersOf: %w", err)
	}
	defer rows.Close()
	var out []*Person
	seen := map[int64]bool{}
	for rows.Next() {
		var p Person
		var covered string
		if err := rows.Scan(&p.ID, &p.UnitID, &p.UnitName, &p.UnitPath, &p.Name, &p.Phone, &p.Position, &p.SortOrder,
			&p.Disabled, (*db.Time)(&p.CreatedAt), (*db.Time)(&p.UpdatedAt), &covered); err != nil {
			return nil, err
		}
		if !seen[p.ID] {
			seen[p.ID] = true
			out = append(out, &p)
		}
	}
	return out, rows.Err()
}

// Counts are simple figures for the overview.
type Counts struct {
	Units, People, Villages int
}

// CountIn counts enabled units, people and villages/communities under the actor's scope.
func CountIn(ctx context.Context, q db.Querier, by auth.Actor) (Counts, error) {
	var c Counts
	var w db.Where
	ScopeWhere(&w, by, auth.ViewOrg, "u.path")
	w.Add("u.disabled = $?", false)
	err := q.QueryRowContext(ctx, `SELECT count(*),
		COALESCE(SUM(CASE WHEN u.kind IN ('village', 'community') THEN 1 ELSE 0 END), 0)
		FROM units u `+w.SQL(), w.Args...).Scan(&c.Units, &c.Villages)
	if err != nil {
		return c, err
	}
	err = q.QueryRowContext(ctx, `SELECT count(*) FROM people p JOIN units u ON u.id = p.unit_id `+w.SQL()+` AND p.disabled = FALSE`, w.Args...).Scan(&c.People)
	return c, err
}

// EditPerson returns a person for their edit form: NotFound outside the
// actor's view, Forbidden when they may see but not manage them.
func EditPerson(ctx context.Context, q db.Querier, by auth.Actor, id int64) (*Person, error) {
	p, err := ViewPerson(ctx, q, by, id)
	if err != nil {
		return nil, err
	}
	if !auth.Can(by, auth.ManageOrg, p.UnitPath) {
		return nil, apperr.Forbiddenf("无权修改“%s”", p.Name)
	}
	return p, nil
}

// wasLeading reports whether p already leads unit id (a disabled unit it
// already leads may stay in the list; a new one may not be added).
func wasLeading(p *Person, id int64) bool {
	for _, r := range p.LeaderUnits {
		if r.ID == id {
			return true
		}
	}
	return false
}
