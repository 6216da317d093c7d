package problem

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/org"
	"guatu/project"
	"guatu/worktime"
)

const problemColumns = `p.id, p.title, p.description, p.category, p.source, p.source_type, p.source_id,
	COALESCE(p.project_id, 0), COALESCE(pr.code, ''), COALESCE(pr.name, ''), p.priority, p.state,
	p.unit_id, u.name, u.path, COALESCE(p.leader_id, 0), COALESCE(pe.name, ''),
	p.raised_by, p.raised_name, p.raised_unit, p.assigned, p.limit_days, p.deadline, p.sign_by,
	p.created_at, p.signed_at, p.done_at, p.closed_at, p.updated_at,
	EXISTS (SELECT 1 FROM problem_extensions x WHERE x.problem_id = p.id AND x.status = 'pending')`

const problemFrom = ` FROM problems p
	JOIN units u ON u.id = p.unit_id
	LEFT JOIN projects pr ON pr.id = p.project_id
	LEFT JOIN people pe ON pe.id = p.leader_id`

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func scanProblem(s interface{ Scan(...any) error }) (*Problem, error) {
	var p Problem
	var category, source, priority, state string
	err := s.Scan(&p.ID, &p.Title, &p.Description, &category, &source, &p.SourceType, &p.SourceID,
		&p.ProjectID, &p.ProjectCode, &p.ProjectName, &priority, &state,
		&p.UnitID, &p.UnitName, &p.UnitPath, &p.LeaderID, &p.LeaderName,
		&p.RaisedBy, &p.RaisedName, &p.RaisedUnit, &p.Assigned, &p.LimitDays, (*db.Date)(&p.Deadline), (*db.Date)(&p.SignBy),
		(*db.Time)(&p.CreatedAt), (*db.Time)(&p.SignedAt), (*db.Time)(&p.DoneAt), (*db.Time)(&p.ClosedAt), (*db.Time)(&p.UpdatedAt),
		&p.ExtensionPending)
	p.Category, p.Source, p.Priority, p.State = Category(category), Source(source), Priority(priority), State(state)
	return &p, err
}

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// DayOf is the calendar day of an instant in the deployment's time zone
// (Asia/Shanghai), as a worktime date.
func DayOf(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	y, m, d := t.In(shanghai).Date()
	return worktime.Date(y, m, d)
}

// ClosedOnTime reports, for a closed problem, whether the unit finished it
// by its deadline: the fact the quarterly bulletin scores (DESIGN.md §4).
// The day of the last 办结 counts, not the office's 销号, which the unit
// does not control. closed is false for a problem not closed yet.
func (p *Problem) ClosedOnTime() (onTime, closed bool) {
	return closedOnTime(p, DayOf(p.DoneAt))
}

// Get returns a problem with its cooperating units, or apperr.NotFound.
// It checks no permission; View does.
func Get(ctx context.Context, q db.Querier, id int64) (*Problem, error) {
	p, err := scanProblem(q.QueryRowContext(ctx, `SELECT `+problemColumns+problemFrom+` WHERE p.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("问题不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("problem.Get %d: %w", id, err)
	}
	return p, loadCoUnits(ctx, q, p)
}

// View returns the problem if the actor may read it; otherwise NotFound,
// so its existence does not leak.
func View(ctx context.Context, q db.Querier, by auth.Actor, id int64) (*Problem, error) {
	p, err := Get(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !CanView(by, p) {
		return nil, apperr.NotFoundf("问题不存在")
	}
	return p, nil
}

// loadCoUnits fills the cooperating units of the given problems with one
// query per batch of ids (SQLite prepares a long parameter list slowly).
func loadCoUnits(ctx context.Context, q db.Querier, ps ...*Problem) error {
	const batch = 400
	for len(ps) > batch {
		if err := loadCoUnits(ctx, q, ps[:batch]...); err != nil {
			return err
		}
		ps = ps[batch:]
	}
	if len(ps) == 0 {
		return nil
	}
	byID := make(map[int64]*Problem, len(ps))
	var w db.Where
	marks := make([]string, len(ps))
	for i, p := range ps {
		byID[p.ID] = p
		marks[i] = w.Next(p.ID)
	}
	rows, err := q.QueryContext(ctx, `SELECT c.problem_id, u.id, u.name, u.path FROM problem_co_units c JOIN units u ON u.id = c.unit_id
		WHERE c.problem_id IN (`+strings.Join(marks, ", ")+`) ORDER BY c.problem_id, u.path`, w.Args...)
	if err != nil {
		return fmt.Errorf("problem.loadCoUnits: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var r UnitRef
		if err := rows.Scan(&pid, &r.ID, &r.Name, &r.Path); err != nil {
			return err
		}
		byID[pid].CoUnits = append(byID[pid].CoUnits, r)
	}
	return rows.Err()
}

// today is the transaction's day in the deployment's time zone.
func today(tx *db.Tx) time.Time { return DayOf(tx.Now()) }

// snapshot is what the audit trail keeps of a problem, with Chinese keys
// so the change history reads in plain words.
func (p *Problem) snapshot() map[string]any {
	co := make([]string, len(p.CoUnits))
	for i, u := range p.CoUnits {
		co[i] = u.Name
	}
	snap := map[string]any{"问题": p.Title, "描述": p.Description, "类别": p.Category.Label(), "来源": p.Source.Label(),
		"紧急程度": p.Priority.Label(), "状态": p.State.Label(), "责任单位": p.UnitName, "配合单位": co,
		"分管领导": p.LeaderName, "关联项目": p.ProjectName}
	if p.LimitDays > 0 {
		snap["办理时限"] = fmt.Sprintf("自签收之日起 %d 个工作日", p.LimitDays)
	}
	if !p.Deadline.IsZero() {
		snap["办结期限"] = project.FormatDate(p.Deadline)
	}
	if p.SourceType != "" {
		snap["来源记录"] = fmt.Sprintf("%s #%d", p.SourceType, p.SourceID)
	}
	return snap
}

// check resolves and checks the references of validated fields against the
// database, as the actor sees it.
func (f *fields) check(ctx context.Context, tx *db.Tx, by auth.Actor) error {
	var bad apperr.Fields
	unit, err := org.GetUnit(ctx, tx, f.UnitID)
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
		bad.Add("unit_id", "责任单位不存在")
	case err != nil:
		return err
	case unit.Disabled:
		bad.Add("unit_id", "责任单位已停用")
	default:
		f.UnitName, f.UnitPath = unit.Name, unit.Path
	}
	for _, id := range f.CoUnitIDs {
		u, err := org.GetUnit(ctx, tx, id)
		switch {
		case apperr.KindOf(err) == apperr.NotFound:
			bad.Add("co_unit_ids", "配合单位不存在")
		case err != nil:
			return err
		case u.Disabled:
			bad.Add("co_unit_ids", "配合单位“"+u.Name+"”已停用")
		default:
			f.CoUnits = append(f.CoUnits, UnitRef{ID: u.ID, Name: u.Name, Path: u.Path})
		}
	}
	if f.LeaderID != 0 {
		l, err := org.GetPerson(ctx, tx, f.LeaderID)
		switch {
		case apperr.KindOf(err) == apperr.NotFound:
			bad.Add("leader_id", "分管领导不存在")
		case err != nil:
			return err
		case l.Disabled:
			bad.Add("leader_id", "该人员已停用")
		default:
			f.LeaderName = l.Name
		}
	} else if f.UnitPath != "" {
		// 一级抓一级: without a named leader, the one in charge of the unit (or
		// of the nearest unit above it) is the one an overdue problem reaches.
		leaders, err := org.LeadersOf(ctx, tx, f.UnitID)
		if err != nil {
			return err
		}
		if len(leaders) > 0 {
			f.LeaderID, f.LeaderName = leaders[0].ID, leaders[0].Name
		}
	}
	if f.ProjectID != 0 {
		p, err := project.Get(ctx, tx, f.ProjectID)
		switch {
		case apperr.KindOf(err) == apperr.NotFound || err == nil && !project.CanView(by, p):
			bad.Add("project_id", "关联项目不存在")
		case err != nil:
			return err
		default:
			f.ProjectCode, f.ProjectName = p.Code, p.Name
		}
	}
	return bad.Err()
}

// RequireRaiser refuses an actor who can raise no problem at all (asked by
// the empty form).
func RequireRaiser(by auth.Actor) error {
	if auth.CanAnywhere(by, auth.RaiseProblem) {
		return nil
	}
	return apperr.Forbiddenf("您的角色只能查看问题，不能登记")
}

// Create records a problem for a responsible unit in the actor's scope. A
// supervision office over that unit assigns it (交办); anyone else with
// the right reports it (上报). Either way it waits for the unit to sign.
//
// Other packages make problems from their own records with it (a monthly
// report's 存在问题, a dispatch meeting's decision), naming the record in
// Input.SourceType and Input.SourceID.
func Create(ctx context.Context, tx *db.Tx, by auth.Actor, in Input) (*Problem, error) {
	f, err := in.validate()
	if err != nil {
		return nil, err
	}
	if err := f.check(ctx, tx, by); err != nil {
		return nil, err
	}
	if !auth.Can(by, auth.RaiseProblem, f.UnitPath) {
		return nil, apperr.Forbiddenf("无权为“%s”登记问题", f.UnitName)
	}
	day := today(tx)
	if !f.Deadline.IsZero() && f.Deadline.Before(day) {
		return nil, apperr.InvalidFields(map[string]string{"deadline": "办结期限不能早于今天"})
	}
	cal, err := worktime.Load(ctx, tx)
	if err != nil {
		return nil, err
	}
	f.State, f.SignBy = Pending, SignBy(day, cal)
	f.Assigned = auth.Can(by, auth.SuperProblem, f.UnitPath)
	f.RaisedBy, f.RaisedName, f.RaisedUnit = by.UserID, by.Name, by.UnitName
	now := db.Time(tx.Now())
	err = tx.QueryRowContext(ctx, `INSERT INTO problems (title, description, category, source, source_type, source_id, project_id,
		priority, state, unit_id, leader_id, raised_by, raised_name, raised_unit, assigned, limit_days, deadline, sign_by,
		created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)
		RETURNING id`,
		f.Title, f.Description, string(f.Category), string(f.Source), f.SourceType, f.SourceID, nullID(f.ProjectID),
		string(f.Priority), string(f.State), f.UnitID, nullID(f.LeaderID), f.RaisedBy, f.RaisedName, f.RaisedUnit,
		f.Assigned, f.LimitDays, project.FormatDate(f.Deadline), project.FormatDate(f.SignBy), now).Scan(&f.ID)
	if err != nil {
		return nil, fmt.Errorf("problem.Create: %w", db.Translate(err))
	}
	for _, u := range f.CoUnitIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO problem_co_units (problem_id, unit_id) VALUES ($1, $2)`, f.ID, u); err != nil {
			return nil, fmt.Errorf("problem.Create: co-unit: %w", db.Translate(err))
		}
	}
	kind := Raised
	if f.Assigned {
		kind = AssignedEvent
	}
	if _, err := addEvent(ctx, tx, by, f.ID, Event{Kind: kind, To: Pending}); err != nil {
		return nil, err
	}
	p, err := Get(ctx, tx, f.ID)
	if err != nil {
		return nil, err
	}
	if err := tell(ctx, tx, p, kind, ""); err != nil {
		return nil, err
	}
	return p, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ProblemCreated, ObjectType: "problem",
		ObjectID: p.ID, ObjectName: p.Title, After: p.snapshot(), Note: kind.Label()})
}

// addEvent appends an entry to the problem's history and returns its id.
func addEvent(ctx context.Context, tx *db.Tx, by auth.Actor, problemID int64, ev Event) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO problem_events (problem_id, kind, from_state, to_state, note,
		deadline_from, deadline_to, by_user, by_name, by_unit, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		problemID, string(ev.Kind), string(ev.From), string(ev.To), ev.Note, project.FormatDate(ev.DeadlineFrom), project.FormatDate(ev.DeadlineTo),
		by.UserID, by.Name, by.UnitName, db.Time(tx.Now())).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("problem: history: %w", db.Translate(err))
	}
	return id, nil
}

// History returns the problem's timeline, oldest first, each entry with
// its attachments (without their data).
func History(ctx context.Context, q db.Querier, id int64) ([]Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, kind, from_state, to_state, note, deadline_from, deadline_to, by_user, by_name, by_unit, at
		FROM problem_events WHERE problem_id = $1 ORDER BY at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("problem.History: %w", err)
	}
	var out []Event
	index := map[int64]int{}
	for rows.Next() {
		var e Event
		var kind, from, to string
		if err := rows.Scan(&e.ID, &kind, &from, &to, &e.Note, (*db.Date)(&e.DeadlineFrom), (*db.Date)(&e.DeadlineTo),
			&e.ByUser, &e.ByName, &e.ByUnit, (*db.Time)(&e.At)); err != nil {
			rows.Close()
			return nil, err
		}
		e.Kind, e.From, e.To = EventKind(kind), State(from), State(to)
		index[e.ID] = len(out)
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	files, err := Files(ctx, q, id)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if i, ok := index[f.EventID]; ok {
			out[i].Files = append(out[i].Files, f)
		}
	}
	return out, nil
}

// Files lists the problem's attachments, oldest first, without their data.
func Files(ctx context.Context, q db.Querier, id int64) ([]File, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, problem_id, event_id, name, orig_name, content_type, size, created_at
		FROM problem_files WHERE problem_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("problem.Files: %w", err)
	}
	defer rows.Close()
	var out []File
	for rows.Next() {
		var f File
		if err := rows.Scan(&f.ID, &f.ProblemID, &f.EventID, &f.Name, &f.OrigName, &f.ContentType, &f.Size, (*db.Time)(&f.CreatedAt)); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// OpenFile returns an attachment with its data, if the actor may read its
// problem; a name that is not the problem's is NotFound.
func OpenFile(ctx context.Context, q db.Querier, by auth.Actor, problemID int64, name string) (File, []byte, error) {
	if _, err := View(ctx, q, by, problemID); err != nil {
		return File{}, nil, err
	}
	var f File
	var data []byte
	err := q.QueryRowContext(ctx, `SELECT id, problem_id, event_id, name, orig_name, content_type, size, created_at, data
		FROM problem_files WHERE problem_id = $1 AND name = $2`, problemID, name).
		Scan(&f.ID, &f.ProblemID, &f.EventID, &f.Name, &f.OrigName, &f.ContentType, &f.Size, (*db.Time)(&f.CreatedAt), &data)
	if errors.Is(err, sql.ErrNoRows) {
		return File{}, nil, apperr.NotFoundf("附件不存在")
	}
	if err != nil {
		return File{}, nil, fmt.Errorf("problem.OpenFile: %w", err)
	}
	return f, data, nil
}

// checked is an upload that passed the checks, with the name and type the
// server gave it.
type checked struct {
	Upload
	name, origName, contentType string
}

// checkUploads refuses too many, empty, oversized or unaccepted files, all
// under the field "files"; the type is judged by the bytes (sniff).
func checkUploads(files []Upload) ([]checked, error) {
	if len(files) > MaxFiles {
		return nil, apperr.InvalidFields(map[string]string{"files": fmt.Sprintf("一次最多上传 %d 个附件", MaxFiles)})
	}
	out := make([]checked, 0, len(files))
	for _, u := range files {
		orig := cleanName(u.Name)
		switch {
		case len(u.Data) == 0:
			return nil, apperr.InvalidFields(map[string]string{"files": "附件“" + orig + "”是空文件"})
		case len(u.Data) > MaxFileSize:
			return nil, apperr.InvalidFields(map[string]string{"files": fmt.Sprintf("附件“%s”超过 %d MB", orig, MaxFileSize>>20)})
		}
		ext, ctype, ok := sniff(orig, u.Data)
		if !ok {
			return nil, apperr.InvalidFields(map[string]string{"files": "附件“" + orig + "”的格式不支持：可上传照片（JPG、PNG）、PDF、Word、Excel、WPS 文档或文本文件"})
		}
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		if !strings.HasSuffix(strings.ToLower(orig), ext) {
			orig = strings.TrimSuffix(orig, path.Ext(orig)) + ext // the download opens with the program its bytes belong to
		}
		out = append(out, checked{Upload: u, name: hex.EncodeToString(b) + ext, origName: orig, contentType: ctype})
	}
	return out, nil
}

// cleanName keeps the last element of an uploaded file's name, without
// control characters, at most 100 characters; "附件" when nothing is left.
func cleanName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = name[strings.LastIndex(name, "/")+1:]
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 100 {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 10 {
			ext = ""
		}
		name = string([]rune(strings.TrimSuffix(name, ext))[:100-utf8.RuneCountInString(ext)]) + ext
	}
	if name == "" || name == "." || name == ".." {
		return "附件"
	}
	return name
}

// storeFiles writes checked uploads for a history entry.
func storeFiles(ctx context.Context, tx *db.Tx, problemID, eventID int64, files []checked) error {
	for _, f := range files {
		if _, err := tx.ExecContext(ctx, `INSERT INTO problem_files (problem_id, event_id, name, orig_name, content_type, size, data, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			problemID, eventID, f.name, f.origName, f.contentType, int64(len(f.Data)), f.Data, db.Time(tx.Now())); err != nil {
			return fmt.Errorf("problem: attachment: %w", db.Translate(err))
		}
	}
	return nil
}
