package meeting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/org"
	"guatu/problem"
	"guatu/project"
	"guatu/report"
)

const columns = `m.id, m.period, m.title, m.held_on, m.place, m.host, m.recorder, m.summary, m.unit_id, u.name, u.path, m.created_at, m.updated_at`
const from = ` FROM meetings m JOIN units u ON u.id = m.unit_id`

func scan(s interface{ Scan(...any) error }) (*Meeting, error) {
	var m Meeting
	var period string
	if err := s.Scan(&m.ID, &period, &m.Title, (*db.Date)(&m.HeldOn), &m.Place, &m.Host, &m.Recorder, &m.Summary, &m.UnitID, &m.UnitName, &m.UnitPath,
		(*db.Time)(&m.CreatedAt), (*db.Time)(&m.UpdatedAt)); err != nil {
		return nil, err
	}
	var err error
	m.Period, err = report.ParsePeriod(period)
	return &m, err
}

// CanView reports whether the actor may read the meeting.
func CanView(by auth.Actor, m *Meeting) bool { return auth.Can(by, auth.ViewReport, m.UnitPath) }

// CanRun reports whether the actor may change the meeting and record its decisions.
func CanRun(by auth.Actor, m *Meeting) bool { return auth.Can(by, auth.RunMeeting, m.UnitPath) }

// Get returns a meeting with its attendance and decisions, or NotFound.
func Get(ctx context.Context, q db.Querier, id int64) (*Meeting, error) {
	m, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+from+` WHERE m.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("调度会不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("meeting.Get %d: %w", id, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, COALESCE(person_id, 0), name, unit_name, status, note FROM meeting_attendees WHERE meeting_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	err = db.ScanRows(rows, func() error {
		var a Attendee
		var st string
		err := rows.Scan(&a.ID, &a.PersonID, &a.Name, &a.UnitName, &st, &a.Note)
		a.Status = Presence(st)
		m.Attendees = append(m.Attendees, a)
		return err
	})
	if err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, item_type, item_id, item_name, text, COALESCE(problem_id, 0), created_at, created_name
		FROM meeting_decisions WHERE meeting_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	err = db.ScanRows(rows, func() error {
		var d Decision
		err := rows.Scan(&d.ID, &d.ItemType, &d.ItemID, &d.ItemName, &d.Text, &d.ProblemID, (*db.Time)(&d.CreatedAt), &d.CreatedName)
		m.Decisions = append(m.Decisions, d)
		return err
	})
	return m, err
}

// View returns the meeting if the actor may read it, else NotFound.
func View(ctx context.Context, q db.Querier, by auth.Actor, id int64) (*Meeting, error) {
	m, err := Get(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !CanView(by, m) {
		return nil, apperr.NotFoundf("调度会不存在")
	}
	return m, nil
}

// List returns the meetings the actor may read, newest first.
func List(ctx context.Context, q db.Querier, by auth.Actor) ([]*Meeting, error) {
	var w db.Where
	if !by.System {
		paths := auth.ScopePaths(by, auth.ViewReport)
		conds := make([]string, len(paths))
		args := make([]any, len(paths))
		for i, p := range paths {
			conds[i], args[i] = "u.path LIKE $?", p+"%"
		}
		if len(conds) == 0 {
			return nil, nil
		}
		w.Add(strings.Join(conds, " OR "), args...)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+columns+from+` `+w.SQL()+` ORDER BY m.held_on DESC, m.id DESC`, w.Args...)
	if err != nil {
		return nil, fmt.Errorf("meeting.List: %w", err)
	}
	var out []*Meeting
	err = db.ScanRows(rows, func() error {
		m, err := scan(rows)
		out = append(out, m)
		return err
	})
	return out, err
}

// runUnit is the unit a new meeting belongs to: the one asked for, or the
// first unit where the actor runs meetings.
func runUnit(ctx context.Context, q db.Querier, by auth.Actor, asked string) (int64, error) {
	if id, err := strconv.ParseInt(strings.TrimSpace(asked), 10, 64); err == nil && id > 0 {
		u, err := org.GetUnit(ctx, q, id)
		if err != nil || !auth.Can(by, auth.RunMeeting, u.Path) {
			return 0, apperr.Forbiddenf("只有督查室可以在本单位组织调度会")
		}
		return id, nil
	}
	for _, g := range by.Grants {
		if auth.Allowed(g.Role, auth.RunMeeting) {
			return g.UnitID, nil
		}
	}
	return 0, apperr.Forbiddenf("只有督查室可以组织调度会")
}

// Create records a new dispatch meeting, belonging to the actor's town.
func Create(ctx context.Context, tx *db.Tx, by auth.Actor, in Input) (*Meeting, error) {
	unitID, err := runUnit(ctx, tx, by, in.UnitID)
	if err != nil {
		return nil, err
	}
	f, err := in.validate()
	if err != nil {
		return nil, err
	}
	now := db.Time(tx.Now())
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO meetings (period, title, held_on, place, host, recorder, summary, unit_id, created_at, created_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9) RETURNING id`,
		f.period.Key(), f.title, db.Date(f.heldOn), f.place, f.host, f.recorder, f.summary, unitID, now, by.UserID).Scan(&id); err != nil {
		return nil, fmt.Errorf("meeting.Create: %w", err)
	}
	m, err := Get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return m, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.MeetingCreated, ObjectType: "meeting", ObjectID: id, ObjectName: m.Title,
		After: in})
}

// Update changes the meeting's details.
func Update(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, in Input) (*Meeting, error) {
	m, err := writable(ctx, tx, by, id)
	if err != nil {
		return nil, err
	}
	f, err := in.validate()
	if err != nil {
		return m, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE meetings SET period = $1, title = $2, held_on = $3, place = $4, host = $5, recorder = $6, summary = $7, updated_at = $8
		WHERE id = $9`, f.period.Key(), f.title, db.Date(f.heldOn), f.place, f.host, f.recorder, f.summary, db.Time(tx.Now()), id); err != nil {
		return m, fmt.Errorf("meeting.Update: %w", err)
	}
	return m, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.MeetingUpdated, ObjectType: "meeting", ObjectID: id, ObjectName: f.title,
		Before: InputOf(m), After: in})
}

// writable returns the meeting for a change by the actor, holding its row
// until the transaction ends: on PostgreSQL two changes at once (a double
// tap on 保存出席情况) would otherwise both replace the attendance. SQLite
// runs one writing transaction at a time.
func writable(ctx context.Context, tx *db.Tx, by auth.Actor, id int64) (*Meeting, error) {
	if tx.Dialect() == db.Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT id FROM meetings WHERE id = $1 FOR UPDATE`, id); err != nil {
			return nil, err
		}
	}
	m, err := View(ctx, tx, by, id)
	if err != nil {
		return nil, err
	}
	if !CanRun(by, m) {
		return nil, apperr.Forbiddenf("只有督查室可以修改调度会")
	}
	return m, nil
}

// SetAttendance replaces the attendance with the lines given; blank lines
// are skipped.
func SetAttendance(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, lines []AttendeeInput) error {
	m, err := writable(ctx, tx, by, id)
	if err != nil {
		return err
	}
	var f apperr.Fields
	type line struct {
		person               any
		name, unit, st, note string
	}
	var keep []line
	for i, in := range lines {
		name := strings.TrimSpace(in.Name)
		if name == "" {
			continue
		}
		st := Presence(in.Status)
		if st == "" {
			st = Present
		}
		if st != Present && st != Leave && st != Absent {
			f.Add(fmt.Sprintf("attendees.%d.status", i), "请选择出席情况")
		}
		if utf8.RuneCountInString(name) > 30 || utf8.RuneCountInString(in.UnitName) > 40 || utf8.RuneCountInString(in.Note) > 100 {
			f.Add(fmt.Sprintf("attendees.%d.name", i), "姓名、单位或备注太长")
		}
		var person any
		if pid, err := strconv.ParseInt(strings.TrimSpace(in.PersonID), 10, 64); err == nil && pid > 0 {
			person = pid
		}
		keep = append(keep, line{person, name, strings.TrimSpace(in.UnitName), string(st), strings.TrimSpace(in.Note)})
	}
	if err := f.Err(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM meeting_attendees WHERE meeting_id = $1`, id); err != nil {
		return err
	}
	for _, l := range keep {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_attendees (meeting_id, person_id, name, unit_name, status, note) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, l.person, l.name, l.unit, l.st, l.note); err != nil {
			return fmt.Errorf("meeting.SetAttendance: %w", db.Translate(err))
		}
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.MeetingUpdated, ObjectType: "meeting", ObjectID: id, ObjectName: m.Title,
		Note: fmt.Sprintf("记录出席情况 %d 人", len(keep))})
}

// AddDecision records a decision on an agenda item. When the input asks
// for a 交办, the problem is created (package problem) in the same
// transaction and the decision keeps its id: both are saved or neither.
func AddDecision(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, in DecisionInput) (Decision, error) {
	m, err := writable(ctx, tx, by, id)
	if err != nil {
		return Decision{}, err
	}
	var f apperr.Fields
	d := Decision{ItemType: in.ItemType, ItemName: strings.TrimSpace(in.ItemName), Text: strings.TrimSpace(strings.ReplaceAll(in.Text, "\r\n", "\n"))}
	switch d.ItemType {
	case "", "project", "problem", "unit":
	default:
		f.Add("item_type", "议题类型不正确")
	}
	d.ItemID, _ = strconv.ParseInt(in.ItemID, 10, 64)
	switch n := utf8.RuneCountInString(d.Text); {
	case n == 0:
		f.Add("text", "请写明会议决定的内容")
	case n > 1000:
		f.Add("text", "会议决定不能超过 1000 字")
	}
	var a Assignment
	if in.Assign {
		a = Assignment{Title: strings.TrimSpace(in.Title), Text: d.Text, Category: in.Category, MeetingID: id}
		if a.Title == "" {
			a.Title = d.ItemName
		}
		if a.Title == "" {
			f.Add("title", "请填写交办事项的标题")
		} else if utf8.RuneCountInString(a.Title) > 60 {
			f.Add("title", "交办事项标题不能超过 60 字")
		}
		if a.UnitID, err = strconv.ParseInt(in.UnitID, 10, 64); err != nil || a.UnitID <= 0 {
			f.Add("unit_id", "请选择承办单位")
		}
		a.LeaderID, _ = strconv.ParseInt(in.LeaderID, 10, 64)
		today := project.DayOf(tx.Now(), zone)
		if a.Due, err = project.ParseDate(in.Due); err != nil || a.Due.IsZero() {
			f.Add("due", "请填写办结时限，如 2026-04-15")
		} else if a.Due.Before(m.HeldOn) || a.Due.Before(today) {
			f.Add("due", "办结时限不能早于开会日期，也不能早于今天")
		}
		if d.ItemType == "project" {
			a.ProjectID = d.ItemID
		}
	}
	if err := f.Err(); err != nil {
		return d, err
	}
	var problemID any
	if in.Assign {
		pid, err := assign(ctx, tx, by, a)
		if err != nil {
			return d, err
		}
		d.ProblemID, problemID = pid, pid
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO meeting_decisions (meeting_id, item_type, item_id, item_name, text, problem_id, created_at, created_by, created_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, id, d.ItemType, d.ItemID, d.ItemName, d.Text, problemID,
		db.Time(tx.Now()), by.UserID, by.Name).Scan(&d.ID); err != nil {
		return d, fmt.Errorf("meeting.AddDecision: %w", err)
	}
	note := d.Text
	if in.Assign {
		note = "交办：" + note
	}
	return d, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.MeetingDecided, ObjectType: "meeting", ObjectID: id, ObjectName: m.Title, Note: note})
}

// DeleteDecision removes a decision recorded by mistake; one that created
// a 交办 stays, since the unit has been given the work.
func DeleteDecision(ctx context.Context, tx *db.Tx, by auth.Actor, id, decisionID int64) error {
	m, err := writable(ctx, tx, by, id)
	if err != nil {
		return err
	}
	for _, d := range m.Decisions {
		if d.ID != decisionID {
			continue
		}
		if d.ProblemID != 0 {
			return apperr.Conflictf("这条决定已交办给单位，不能删除；如交办有误，请在问题督办中处理")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM meeting_decisions WHERE id = $1`, decisionID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.MeetingUpdated, ObjectType: "meeting", ObjectID: id, ObjectName: m.Title,
			Note: "删除决定：" + d.Text})
	}
	return apperr.NotFoundf("会议决定不存在")
}

// assign makes a decision's 交办: a problem the supervision office gives
// the unit, with its 分管领导 and deadline. A refusal is named on the
// decision form's fields.
func assign(ctx context.Context, tx *db.Tx, by auth.Actor, a Assignment) (int64, error) {
	category := a.Category
	if category == "" {
		category = string(problem.GuessCategory(a.Title + a.Text))
	}
	in := problem.Input{Title: a.Title, Description: a.Text, Category: category, Source: string(problem.FromMeeting),
		UnitID: strconv.FormatInt(a.UnitID, 10), DeadlineKind: problem.ByDate, Deadline: a.Due.Format(time.DateOnly),
		SourceType: "meeting", SourceID: a.MeetingID}
	if a.LeaderID != 0 {
		in.LeaderID = strconv.FormatInt(a.LeaderID, 10)
	}
	if a.ProjectID != 0 {
		in.ProjectID = strconv.FormatInt(a.ProjectID, 10)
	}
	p, err := problem.Create(ctx, tx, by, in)
	if ae, ok := apperr.As(err); ok && ae.Kind == apperr.Invalid && len(ae.Fields) > 0 {
		// The problem's fields map onto the decision form's.
		names := map[string]string{"title": "title", "unit_id": "unit_id", "leader_id": "leader_id", "deadline": "due", "project_id": "text", "category": "text"}
		out := map[string]string{}
		for k, msg := range ae.Fields {
			if to, ok := names[k]; ok {
				out[to] = msg
			} else {
				out["text"] = msg
			}
		}
		return 0, apperr.InvalidFields(out)
	}
	if err != nil {
		return 0, err
	}
	return p.ID, nil
}
