package project

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/org"
)

const projectColumns = `p.id, p.code, p.name, p.category_id, c.name, p.level, p.tier, p.stage, p.stage_since,
	p.flagship, p.chain_leader, p.investor, p.investor_contact, p.location, COALESCE(p.location_unit_id, 0), COALESCE(lu.name, ''),
	p.land_area_centimu, p.total_invest, p.completed_invest, COALESCE(p.leader_id, 0), COALESCE(pe.name, ''),
	p.unit_id, u.name, u.path, p.person_in_charge, p.planned_start, p.planned_operating, p.description,
	p.created_at, p.updated_at`

const projectFrom = ` FROM projects p
	JOIN project_categories c ON c.id = p.category_id
	JOIN units u ON u.id = p.unit_id
	LEFT JOIN people pe ON pe.id = p.leader_id
	LEFT JOIN units lu ON lu.id = p.location_unit_id`

func scanProject(s interface{ Scan(...any) error }) (*Project, error) {
	var p Project
	var level, tier, stage string
	err := s.Scan(&p.ID, &p.Code, &p.Name, &p.CategoryID, &p.CategoryName, &level, &tier, &stage, (*db.Date)(&p.StageSince),
		&p.Flagship, &p.ChainLeader, &p.Investor, &p.InvestorContact, &p.Location, &p.LocationUnitID, &p.LocationUnitName,
		&p.LandAreaCentimu, &p.TotalInvest, &p.CompletedInvest, &p.LeaderID, &p.LeaderName,
		&p.UnitID, &p.UnitName, &p.UnitPath, &p.PersonInCharge, (*db.Date)(&p.PlannedStart), (*db.Date)(&p.PlannedOperating), &p.Description,
		(*db.Time)(&p.CreatedAt), (*db.Time)(&p.UpdatedAt))
	p.Level, p.Tier, p.Stage = Level(level), Tier(tier), Stage(stage)
	return &p, err
}

// Get returns a project with its co-units, year plans, targets and
// milestones, or apperr.NotFound. It checks no permission; View does.
func Get(ctx context.Context, q db.Querier, id int64) (*Project, error) {
	p, err := scanProject(q.QueryRowContext(ctx, `SELECT `+projectColumns+projectFrom+` WHERE p.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("项目不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("project.Get %d: %w", id, err)
	}
	return p, loadDetails(ctx, q, p)
}

// loadDetails fills the co-units, year plans, targets and milestones of the
// given projects with one query each, however many projects there are.
func loadDetails(ctx context.Context, q db.Querier, ps ...*Project) error {
	// SQLite looks each numbered parameter up in a list while it parses, so a
	// statement with n of them costs n² to prepare: 5,000 ids took 100 ms a
	// query. Batches of a few hundred keep that small on both engines.
	const batch = 400
	for len(ps) > batch {
		if err := loadDetails(ctx, q, ps[:batch]...); err != nil {
			return err
		}
		ps = ps[batch:]
	}
	if len(ps) == 0 {
		return nil
	}
	byID := make(map[int64]*Project, len(ps))
	var w db.Where
	marks := make([]string, len(ps))
	for i, p := range ps {
		byID[p.ID] = p
		marks[i] = w.Next(p.ID)
	}
	in := "(" + strings.Join(marks, ", ") + ")"
	each := func(query string, scan func(rows *sql.Rows) error) error {
		rows, err := q.QueryContext(ctx, query, w.Args...)
		if err != nil {
			return fmt.Errorf("project.loadDetails: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	err := each(`SELECT cu.project_id, u.id, u.name, u.path FROM project_co_units cu JOIN units u ON u.id = cu.unit_id
		WHERE cu.project_id IN `+in+` ORDER BY cu.project_id, u.id`, func(rows *sql.Rows) error {
		var pid int64
		var r UnitRef
		if err := rows.Scan(&pid, &r.ID, &r.Name, &r.Path); err != nil {
			return err
		}
		byID[pid].CoUnits = append(byID[pid].CoUnits, r)
		return nil
	})
	if err != nil {
		return err
	}
	err = each(`SELECT project_id, year, planned_invest, completed_invest FROM project_year_plans
		WHERE project_id IN `+in+` ORDER BY project_id, year`, func(rows *sql.Rows) error {
		var pid int64
		var y YearPlan
		if err := rows.Scan(&pid, &y.Year, &y.Planned, &y.Completed); err != nil {
			return err
		}
		byID[pid].YearPlans = append(byID[pid].YearPlans, y)
		return nil
	})
	if err != nil {
		return err
	}
	err = each(`SELECT project_id, name, value, unit FROM project_targets WHERE project_id IN `+in+` ORDER BY project_id, sort_order, id`,
		func(rows *sql.Rows) error {
			var pid int64
			var t Target
			if err := rows.Scan(&pid, &t.Name, &t.Value, &t.Unit); err != nil {
				return err
			}
			byID[pid].Targets = append(byID[pid].Targets, t)
			return nil
		})
	if err != nil {
		return err
	}
	return each(`SELECT m.project_id, m.id, m.name, m.planned_on, m.actual_on, COALESCE(m.unit_id, 0), COALESCE(u.name, ''), m.note
		FROM milestones m LEFT JOIN units u ON u.id = m.unit_id WHERE m.project_id IN `+in+` ORDER BY m.project_id, m.sort_order, m.id`,
		func(rows *sql.Rows) error {
			var pid int64
			var m StoredMilestone
			if err := rows.Scan(&pid, &m.ID, &m.Name, (*db.Date)(&m.Planned), (*db.Date)(&m.Actual), &m.UnitID, &m.UnitName, &m.Note); err != nil {
				return err
			}
			byID[pid].Milestones = append(byID[pid].Milestones, m)
			return nil
		})
}

// isLeaderOf reports whether the actor is the project's 责任领导 and holds the leader role.
func isLeaderOf(by auth.Actor, leaderID int64) bool {
	return by.PersonID != 0 && leaderID == by.PersonID && by.HasRole(auth.Leader)
}

// CanView reports whether the actor may read the project: its lead unit or
// one of its cooperating units is in their view, or they are its 责任领导.
func CanView(by auth.Actor, p *Project) bool {
	if auth.Can(by, auth.ViewProject, p.UnitPath) || isLeaderOf(by, p.LeaderID) {
		return true
	}
	for _, u := range p.CoUnits {
		if auth.Can(by, auth.ViewProject, u.Path) {
			return true
		}
	}
	return false
}

// CanEdit reports whether the actor may change the project (issue 3 §6):
// staff, supervisors and the chief for projects led by a unit in their
// scope; a leader for the projects they are 责任领导 of. Cooperating units
// and viewers only read.
func CanEdit(by auth.Actor, p *Project) bool {
	return auth.Can(by, auth.EditProject, p.UnitPath) || isLeaderOf(by, p.LeaderID)
}

// View returns the project if the actor may read it; otherwise NotFound.
func View(ctx context.Context, q db.Querier, by auth.Actor, id int64) (*Project, error) {
	p, err := Get(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !CanView(by, p) {
		return nil, apperr.NotFoundf("项目不存在")
	}
	return p, nil
}

// Lock holds the project's row until the transaction ends, for a change
// computed from what was read in it (a PATCH, an import row): on PostgreSQL
// two such changes would otherwise each write over the other. SQLite runs
// one writing transaction at a time, so there it has nothing to do.
func Lock(ctx context.Context, tx *db.Tx, id int64) error {
	if tx.Dialect() != db.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT id FROM projects WHERE id = $1 FOR UPDATE`, id)
	return err
}

// snapshot is what the audit trail keeps of a project, with Chinese keys so
// the change history reads in plain words.
func (p *Project) snapshot() map[string]any {
	ms := make([]string, len(p.Milestones))
	for i, m := range p.Milestones {
		ms[i] = fmt.Sprintf("%s 计划%s 完成%s", m.Name, FormatDate(m.Planned), FormatDate(m.Actual))
	}
	co := make([]string, len(p.CoUnits))
	for i, u := range p.CoUnits {
		co[i] = u.Name
	}
	snap := map[string]any{"项目编号": p.Code, "项目名称": p.Name, "类别": p.CategoryName, "级别": p.Level.Label(),
		"项目库": p.Tier.Label(), "阶段": p.Stage.Label(), "牵引性": p.Flagship, "链主型": p.ChainLeader, "投资方": p.Investor,
		"投资方联系人": p.InvestorContact, "项目地点": p.Location, "所在村（社区）": p.LocationUnitName,
		"用地面积（亩）": fmt.Sprintf("%d.%02d", p.LandAreaCentimu/100, p.LandAreaCentimu%100),
		"总投资（万元）": WanExact(p.TotalInvest), "累计完成投资（万元）": WanExact(p.CompletedInvest),
		"责任领导": p.LeaderName, "牵头单位": p.UnitName, "配合单位": co, "责任人": p.PersonInCharge,
		"计划开工日期": FormatDate(p.PlannedStart), "计划投产日期": FormatDate(p.PlannedOperating), "时间节点": ms,
		"预期目标": targetsText(p.Targets), "项目简介": p.Description}
	for _, y := range p.YearPlans {
		snap[fmt.Sprintf("%d年计划投资（万元）", y.Year)] = WanExact(y.Planned)
	}
	return snap
}

// check resolves and checks the references of validated fields.
func (f *fields) check(ctx context.Context, tx *db.Tx) error {
	var bad apperr.Fields
	var n int
	// A category taken out of use stays valid for the projects that already have it.
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM project_categories WHERE id = $1
		AND (disabled = FALSE OR EXISTS (SELECT 1 FROM projects WHERE id = $2 AND category_id = $1))`, f.CategoryID, f.ID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		bad.Add("category_id", "请选择项目类别")
	}
	unit, err := org.GetUnit(ctx, tx, f.UnitID)
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
		bad.Add("unit_id", "牵头单位不存在")
	case err != nil:
		return err
	case unit.Disabled:
		bad.Add("unit_id", "牵头单位已停用")
	default:
		f.UnitPath, f.UnitName = unit.Path, unit.Name
	}
	if f.LeaderID != 0 {
		leader, err := org.GetPerson(ctx, tx, f.LeaderID)
		if apperr.KindOf(err) == apperr.NotFound {
			bad.Add("leader_id", "责任领导不存在")
		} else if err != nil {
			return err
		} else {
			f.LeaderName = leader.Name
		}
	}
	for _, id := range f.CoUnitIDs {
		u, err := org.GetUnit(ctx, tx, id)
		if apperr.KindOf(err) == apperr.NotFound {
			bad.Add("co_unit_ids", "配合单位不存在")
			continue
		} else if err != nil {
			return err
		}
		f.CoUnits = append(f.CoUnits, UnitRef{ID: u.ID, Name: u.Name, Path: u.Path})
	}
	if f.LocationUnitID != 0 {
		if _, err := org.GetUnit(ctx, tx, f.LocationUnitID); err != nil {
			bad.Add("location_unit_id", "所在村（社区）不存在")
		}
	}
	for i, m := range f.Milestones {
		if m.UnitID == 0 {
			continue
		}
		if _, err := org.GetUnit(ctx, tx, m.UnitID); apperr.KindOf(err) == apperr.NotFound {
			bad.Add(fmt.Sprintf("milestones.%d.unit_id", i), "节点的责任单位不存在")
		} else if err != nil {
			return err
		}
	}
	if f.Code != "" {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM projects WHERE code = $1 AND id <> $2`, f.Code, f.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			bad.Add("code", "该项目编号已被使用")
		}
	}
	return bad.Err()
}

// nextCode is the next free code of the year, e.g. 2026-017.
func nextCode(ctx context.Context, tx *db.Tx, year int) (string, error) {
	prefix := strconv.Itoa(year) + "-"
	rows, err := tx.QueryContext(ctx, `SELECT code FROM projects WHERE code LIKE $1`, prefix+"%")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	highest := 0
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return "", err
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(c, prefix)); err == nil && n > highest {
			highest = n
		}
	}
	return fmt.Sprintf("%s%03d", prefix, highest+1), rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Create adds a project with its milestones, targets, cooperating units and
// this year's plan, in the 谋划 stage unless the form says otherwise.
func Create(ctx context.Context, tx *db.Tx, by auth.Actor, in Input) (*Project, error) {
	f, err := in.validate()
	if err != nil {
		return nil, err
	}
	if err := f.check(ctx, tx); err != nil {
		return nil, err
	}
	if !CanEdit(by, &f.Project) {
		return nil, apperr.Forbiddenf("无权为“%s”新建项目", f.UnitName)
	}
	today := tx.Now().In(shanghai)
	if f.Stage == "" {
		f.Stage = Planning
	}
	if f.StageSince.IsZero() {
		f.StageSince = DayOf(tx.Now(), shanghai)
	}
	if f.StageSince.After(DayOf(tx.Now(), shanghai)) {
		return nil, apperr.InvalidFields(map[string]string{"stage_since": "日期不能晚于今天"})
	}
	if f.Code == "" {
		if f.Code, err = nextCode(ctx, tx, today.Year()); err != nil {
			return nil, err
		}
	}
	now := db.Time(tx.Now())
	err = tx.QueryRowContext(ctx, `INSERT INTO projects (code, name, category_id, level, tier, stage, stage_since, flagship, chain_leader,
		investor, investor_contact, location, location_unit_id, land_area_centimu, total_invest, completed_invest, leader_id, unit_id,
		person_in_charge, planned_start, planned_operating, description, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23)
		RETURNING id`,
		f.Code, f.Name, f.CategoryID, string(f.Level), string(f.Tier), string(f.Stage), FormatDate(f.StageSince),
		f.Flagship, f.ChainLeader, f.Investor, f.InvestorContact, f.Location, nullID(f.LocationUnitID), f.LandAreaCentimu,
		f.TotalInvest, f.CompletedInvest, nullID(f.LeaderID), f.UnitID, f.PersonInCharge, FormatDate(f.PlannedStart),
		FormatDate(f.PlannedOperating), f.Description, now).Scan(&f.ID)
	if err != nil {
		return nil, fmt.Errorf("project.Create: %w", db.Translate(err))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO project_stages (project_id, stage, on_date, note, by_user, by_name, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, f.ID, string(f.Stage), FormatDate(f.StageSince), "入库", by.UserID, by.Name, now); err != nil {
		return nil, err
	}
	if err := writeDetails(ctx, tx, &f); err != nil {
		return nil, err
	}
	p, err := Get(ctx, tx, f.ID)
	if err != nil {
		return nil, err
	}
	return p, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ProjectCreated, ObjectType: "project",
		ObjectID: p.ID, ObjectName: p.Name, After: p.snapshot()})
}

// writeDetails replaces the co-units, targets and this year's plan, and
// merges the milestones: rows with an id are updated, new rows inserted,
// and rows no longer in the form removed.
func writeDetails(ctx context.Context, tx *db.Tx, f *fields) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM project_co_units WHERE project_id = $1`, f.ID); err != nil {
		return err
	}
	for _, u := range f.CoUnitIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO project_co_units (project_id, unit_id) VALUES ($1, $2)`, f.ID, u); err != nil {
			return fmt.Errorf("project: co-unit: %w", db.Translate(err))
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM project_targets WHERE project_id = $1`, f.ID); err != nil {
		return err
	}
	for i, t := range f.Targets {
		if _, err := tx.ExecContext(ctx, `INSERT INTO project_targets (project_id, sort_order, name, value, unit) VALUES ($1, $2, $3, $4, $5)`,
			f.ID, (i+1)*10, t.Name, t.Value, t.Unit); err != nil {
			return err
		}
	}
	if f.PlanYear != 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO project_year_plans (project_id, year, planned_invest) VALUES ($1, $2, $3)
			ON CONFLICT (project_id, year) DO UPDATE SET planned_invest = excluded.planned_invest`, f.ID, f.PlanYear, f.PlanInvest); err != nil {
			return err
		}
	}
	keep := []string{"0"}
	for i, m := range f.Milestones {
		if m.ID != 0 {
			res, err := tx.ExecContext(ctx, `UPDATE milestones SET sort_order = $1, name = $2, planned_on = $3, actual_on = $4, unit_id = $5, note = $6
				WHERE id = $7 AND project_id = $8`, (i+1)*10, m.Name, FormatDate(m.Planned), FormatDate(m.Actual), nullID(m.UnitID), m.Note, m.ID, f.ID)
			if err != nil {
				return fmt.Errorf("project: milestone: %w", db.Translate(err))
			}
			if n, _ := res.RowsAffected(); n == 1 {
				keep = append(keep, strconv.FormatInt(m.ID, 10))
				continue
			}
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO milestones (project_id, sort_order, name, planned_on, actual_on, unit_id, note)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, f.ID, (i+1)*10, m.Name, FormatDate(m.Planned), FormatDate(m.Actual), nullID(m.UnitID), m.Note).Scan(&id)
		if err != nil {
			return fmt.Errorf("project: milestone: %w", db.Translate(err))
		}
		keep = append(keep, strconv.FormatInt(id, 10))
	}
	// The ids kept are integers this function produced, so joining them is safe.
	_, err := tx.ExecContext(ctx, `DELETE FROM milestones WHERE project_id = $1 AND id NOT IN (`+strings.Join(keep, ", ")+`)`, f.ID)
	return err
}

// Update changes a project's fields, milestones, targets and plan. The
// stage changes only through SetStage, so every move is dated and noted.
func Update(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, in Input) (*Project, error) {
	if err := Lock(ctx, tx, id); err != nil {
		return nil, err
	}
	old, err := Get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !CanView(by, old) {
		return nil, apperr.NotFoundf("项目不存在")
	}
	if !CanEdit(by, old) {
		return nil, apperr.Forbiddenf("无权修改“%s”", old.Name)
	}
	if in.Version != "" && in.Version != VersionOf(old) {
		return nil, apperr.InvalidFields(map[string]string{"version": "您打开编辑页之后，项目已被修改（如月报报送了投资或节点完成情况）。" +
			"累计完成投资和节点完成日期已换成最新的，您填写的其他内容都保留着，请核对后再保存。"})
	}
	f, err := in.validate()
	if err != nil {
		return nil, err
	}
	f.ID = id
	if f.Code == "" {
		f.Code = old.Code
	}
	if err := f.check(ctx, tx); err != nil {
		return nil, err
	}
	// Handing the project to a unit or leader outside one's own reach would lock oneself out mid-edit: refuse it.
	if !CanEdit(by, &f.Project) {
		return nil, apperr.Forbiddenf("无权把项目交给“%s”牵头", f.UnitName)
	}
	_, err = tx.ExecContext(ctx, `UPDATE projects SET code = $1, name = $2, category_id = $3, level = $4, tier = $5, flagship = $6,
		chain_leader = $7, investor = $8, investor_contact = $9, location = $10, location_unit_id = $11, land_area_centimu = $12,
		total_invest = $13, completed_invest = $14, leader_id = $15, unit_id = $16, person_in_charge = $17, planned_start = $18,
		planned_operating = $19, description = $20, updated_at = $21 WHERE id = $22`,
		f.Code, f.Name, f.CategoryID, string(f.Level), string(f.Tier), f.Flagship, f.ChainLeader, f.Investor, f.InvestorContact,
		f.Location, nullID(f.LocationUnitID), f.LandAreaCentimu, f.TotalInvest, f.CompletedInvest, nullID(f.LeaderID), f.UnitID,
		f.PersonInCharge, FormatDate(f.PlannedStart), FormatDate(f.PlannedOperating), f.Description, db.Time(tx.Now()), id)
	if err != nil {
		return nil, fmt.Errorf("project.Update %d: %w", id, db.Translate(err))
	}
	if err := writeDetails(ctx, tx, &f); err != nil {
		return nil, err
	}
	p, err := Get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return p, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ProjectUpdated, ObjectType: "project",
		ObjectID: id, ObjectName: p.Name, Before: old.snapshot(), After: p.snapshot()})
}

// StageMove is one entry of the stage timeline.
type StageMove struct {
	Stage  Stage
	On     time.Time
	Note   string
	ByName string
}

// SetStage moves the project to a stage on a date with a note; 停滞 and
// 终止 need the reason.
func SetStage(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, stage Stage, onDate, note string) (*Project, error) {
	old, err := Get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !CanView(by, old) {
		return nil, apperr.NotFoundf("项目不存在")
	}
	if !CanEdit(by, old) {
		return nil, apperr.Forbiddenf("无权调整“%s”的阶段", old.Name)
	}
	var f apperr.Fields
	if !stage.Valid() {
		f.Add("stage", "请选择阶段")
	}
	on, err := ParseDate(onDate)
	if err != nil || on.IsZero() {
		f.Add("on_date", "请填写日期，格式如 2026-03-15")
	}
	if on.After(DayOf(tx.Now(), shanghai)) {
		f.Add("on_date", "日期不能晚于今天")
	}
	// The timeline runs forward: a move cannot predate the stage it leaves.
	if !on.IsZero() && on.Before(old.StageSince) {
		f.Add("on_date", fmt.Sprintf("日期不能早于当前阶段（%s）的开始日期 %s", old.Stage.Label(), FormatDate(old.StageSince)))
	}
	note = strings.TrimSpace(note)
	if stage.NeedsReason() && note == "" {
		f.Add("note", "转为“"+stage.Label()+"”须写明原因")
	}
	if stage == old.Stage {
		f.Add("stage", "项目已处于该阶段")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE projects SET stage = $1, stage_since = $2, updated_at = $3 WHERE id = $4`,
		string(stage), FormatDate(on), db.Time(tx.Now()), id); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO project_stages (project_id, stage, on_date, note, by_user, by_name, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, string(stage), FormatDate(on), note, by.UserID, by.Name, db.Time(tx.Now())); err != nil {
		return nil, err
	}
	p, err := Get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return p, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ProjectStageChanged, ObjectType: "project", ObjectID: id,
		ObjectName: p.Name, Before: map[string]string{"阶段": old.Stage.Label()}, After: map[string]string{"阶段": stage.Label(), "日期": FormatDate(on)}, Note: note})
}

// StageHistory returns the project's stage timeline, oldest first.
func StageHistory(ctx context.Context, q db.Querier, id int64) ([]StageMove, error) {
	rows, err := q.QueryContext(ctx, `SELECT stage, on_date, note, by_name FROM project_stages WHERE project_id = $1 ORDER BY on_date, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StageMove
	for rows.Next() {
		var m StageMove
		var stage string
		if err := rows.Scan(&stage, (*db.Date)(&m.On), &m.Note, &m.ByName); err != nil {
			return nil, err
		}
		m.Stage = Stage(stage)
		out = append(out, m)
	}
	return out, rows.Err()
}

// StagesOn returns each project's stage on a day: its last stage move on or
// before it. A project with no move by then is absent (it was not in the
// library yet). The month close freezes each month with these.
func StagesOn(ctx context.Context, q db.Querier, day time.Time) (map[int64]StageMove, error) {
	rows, err := q.QueryContext(ctx, `SELECT project_id, stage, on_date FROM project_stages WHERE on_date <> '' AND on_date <= $1
		ORDER BY project_id, on_date, id`, FormatDate(day))
	if err != nil {
		return nil, fmt.Errorf("project.StagesOn: %w", err)
	}
	out := map[int64]StageMove{}
	err = db.ScanRows(rows, func() error {
		var id int64
		var m StageMove
		var stage string
		if err := rows.Scan(&id, &stage, (*db.Date)(&m.On)); err != nil {
			return err
		}
		m.Stage = Stage(stage)
		out[id] = m // ordered by day: the last one stays
		return nil
	})
	return out, err
}

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// Edit returns a project for its edit form: NotFound outside the actor's
// view, Forbidden when they may read but not change it.
func Edit(ctx context.Context, q db.Querier, by auth.Actor, id int64) (*Project, error) {
	p, err := View(ctx, q, by, id)
	if err != nil {
		return nil, err
	}
	if !CanEdit(by, p) {
		return nil, apperr.Forbiddenf("无权修改“%s”", p.Name)
	}
	return p, nil
}

// RequireEditor refuses an actor who can create no project at all (asked by
// the empty form): neither an editing role nor a leader.
func RequireEditor(by auth.Actor) error {
	if auth.CanAnywhere(by, auth.EditProject) || by.HasRole(auth.Leader) {
		return nil
	}
	return apperr.Forbiddenf("您的角色只能查看项目，不能新建")
}

// SetYearCompleted records the investment completed in a year (yuan). The
// monthly reports keep it; the demo and imports set it directly.
func SetYearCompleted(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, year int, yuan int64) error {
	p, err := Get(ctx, tx, id)
	if err != nil {
		return err
	}
	if !CanEdit(by, p) {
		return apperr.Forbiddenf("无权填报“%s”的投资", p.Name)
	}
	if yuan < 0 {
		return apperr.InvalidFields(map[string]string{"completed": "金额不能为负数"})
	}
	old := p.Plan(year)
	if _, err := tx.ExecContext(ctx, `INSERT INTO project_year_plans (project_id, year, completed_invest) VALUES ($1, $2, $3)
		ON CONFLICT (project_id, year) DO UPDATE SET completed_invest = excluded.completed_invest`, id, year, yuan); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ProjectUpdated, ObjectType: "project", ObjectID: id, ObjectName: p.Name,
		Before: map[string]any{fmt.Sprintf("%d年完成投资（万元）", year): Wan(old.Completed)},
		After:  map[string]any{fmt.Sprintf("%d年完成投资（万元）", year): Wan(yuan)}})
}
