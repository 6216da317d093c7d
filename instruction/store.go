package instruction

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/notify"
	"guatu/org"
	"guatu/problem"
	"guatu/project"
	"guatu/report"
	"guatu/worktime"
)

const columns = `i.id, i.target_type, i.target_id, i.target_label, i.content, i.written_on, i.deadline,
	i.writer_id, i.writer_name, i.status, i.closed_at, i.closed_by, i.close_note, i.created_at, i.updated_at`

func scan(s interface{ Scan(...any) error }) (*Instruction, error) {
	var in Instruction
	var target, status, written, deadline string
	err := s.Scan(&in.ID, &target, &in.Target.ID, &in.Target.Label, &in.Content, &written, &deadline,
		&in.WriterID, &in.WriterName, &status, (*db.Time)(&in.ClosedAt), &in.ClosedBy, &in.CloseNote,
		(*db.Time)(&in.CreatedAt), (*db.Time)(&in.UpdatedAt))
	if err != nil {
		return nil, err
	}
	in.Target.Type, in.Status = TargetType(target), Status(status)
	if in.WrittenOn, err = project.ParseDate(written); err != nil {
		return nil, fmt.Errorf("instruction %d: written_on %q", in.ID, written)
	}
	if in.Deadline, err = project.ParseDate(deadline); err != nil {
		return nil, fmt.Errorf("instruction %d: deadline %q", in.ID, deadline)
	}
	return &in, nil
}

// Get returns a 批示 with its units, people and answers, or NotFound. It
// checks no permission; View does.
func Get(ctx context.Context, q db.Querier, id int64) (*Instruction, error) {
	in, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM instructions i WHERE i.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("批示不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("instruction.Get %d: %w", id, err)
	}
	return in, loadDetails(ctx, q, in)
}

// View returns the 批示 if the actor may read it; otherwise NotFound, so
// that another town's 批示 is not revealed.
func View(ctx context.Context, q db.Querier, by auth.Actor, id int64) (*Instruction, error) {
	in, err := Get(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !CanView(by, in) {
		return nil, apperr.NotFoundf("批示不存在")
	}
	return in, nil
}

// loadDetails fills the units, people and answers of the given 批示 with
// one query each, in batches (see project.loadDetails on why).
func loadDetails(ctx context.Context, q db.Querier, list ...*Instruction) error {
	const batch = 400
	for len(list) > batch {
		if err := loadDetails(ctx, q, list[:batch]...); err != nil {
			return err
		}
		list = list[batch:]
	}
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*Instruction, len(list))
	var w db.Where
	marks := make([]string, len(list))
	for i, in := range list {
		byID[in.ID] = in
		marks[i] = w.Next(in.ID)
	}
	set := "(" + strings.Join(marks, ", ") + ")"
	each := func(query string, scan func(rows *sql.Rows) error) error {
		rows, err := q.QueryContext(ctx, query, w.Args...)
		if err != nil {
			return fmt.Errorf("instruction.loadDetails: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	err := each(`SELECT iu.instruction_id, u.id, u.name, u.path, iu.first_answered_at FROM instruction_units iu
		JOIN units u ON u.id = iu.unit_id WHERE iu.instruction_id IN `+set+` ORDER BY iu.instruction_id, u.path`,
		func(rows *sql.Rows) error {
			var id int64
			var a Addressee
			if err := rows.Scan(&id, &a.UnitID, &a.UnitName, &a.UnitPath, (*db.Time)(&a.AnsweredAt)); err != nil {
				return err
			}
			byID[id].Units = append(byID[id].Units, a)
			return nil
		})
	if err != nil {
		return err
	}
	err = each(`SELECT ip.instruction_id, p.id, p.name, p.position, u.name FROM instruction_people ip
		JOIN people p ON p.id = ip.person_id JOIN units u ON u.id = p.unit_id
		WHERE ip.instruction_id IN `+set+` ORDER BY ip.instruction_id, u.path, p.sort_order, p.id`,
		func(rows *sql.Rows) error {
			var id int64
			var p Person
			if err := rows.Scan(&id, &p.ID, &p.Name, &p.Position, &p.UnitName); err != nil {
				return err
			}
			byID[id].People = append(byID[id].People, p)
			return nil
		})
	if err != nil {
		return err
	}
	return each(`SELECT a.instruction_id, a.id, a.unit_id, u.name, a.content, a.by_user, a.by_name, a.created_at
		FROM instruction_answers a JOIN units u ON u.id = a.unit_id
		WHERE a.instruction_id IN `+set+` ORDER BY a.instruction_id, a.id`,
		func(rows *sql.Rows) error {
			var id int64
			var a Reply
			if err := rows.Scan(&id, &a.ID, &a.UnitID, &a.UnitName, &a.Content, &a.ByUser, &a.ByName, (*db.Time)(&a.At)); err != nil {
				return err
			}
			byID[id].Answers = append(byID[id].Answers, a)
			return nil
		})
}

// lock holds the 批示's row until the transaction ends, so an answer and a
// close on PostgreSQL cannot cross (SQLite has one writer anyway).
func lock(ctx context.Context, tx *db.Tx, id int64) error {
	if tx.Dialect() != db.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT id FROM instructions WHERE id = $1 FOR UPDATE`, id)
	return err
}

// excerpt is the first n characters of s, for the audit trail's object name.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// snapshot is what the audit trail keeps of a 批示, in plain words.
func (in *Instruction) snapshot() map[string]any {
	units := make([]string, len(in.Units))
	for i, u := range in.Units {
		units[i] = u.UnitName
	}
	people := make([]string, len(in.People))
	for i, p := range in.People {
		people[i] = p.Name
	}
	snap := map[string]any{"批示内容": in.Content, "批示日期": project.FormatDate(in.WrittenOn),
		"反馈期限": project.FormatDate(in.Deadline), "反馈单位": units, "状态": in.Status.Label()}
	if in.Target.Type != None {
		snap["批示对象"] = in.Target.Type.Label() + "：" + in.Target.Label
	}
	if len(people) > 0 {
		snap["点名人员"] = people
	}
	return snap
}

// RequireWriter refuses an actor who may write no 批示 at all (asked by
// the empty form).
func RequireWriter(by auth.Actor) error {
	if !auth.CanAnywhere(by, auth.WriteInstr) {
		return apperr.Forbiddenf("只有主要领导和分管领导可以写批示")
	}
	return nil
}

// ResolveTarget names the item a 批示 is to be written on, with the units
// that carry it (a project's lead and cooperating units), which the form
// offers first. A project must be one the actor can see (NotFound
// otherwise). Reports and problems are built alongside this package and
// are named by their number only.
func ResolveTarget(ctx context.Context, q db.Querier, by auth.Actor, t TargetType, id int64) (Target, []int64, error) {
	target := Target{Type: t, ID: id}
	switch t {
	case None:
		target.ID = 0
	case Project:
		p, err := project.View(ctx, q, by, id)
		if err != nil {
			return target, nil, err
		}
		target.Label = p.Code + " " + p.Name
		units := []int64{p.UnitID}
		for _, u := range p.CoUnits {
			units = append(units, u.ID)
		}
		return target, units, nil
	case Report:
		r, _, err := report.View(ctx, q, by, id)
		if err != nil {
			return target, nil, err
		}
		target.Label = r.ProjectName + " " + r.Period.Label() + "月报"
		return target, []int64{r.UnitID}, nil
	case Problem:
		p, err := problem.View(ctx, q, by, id)
		if err != nil {
			return target, nil, err
		}
		target.Label = "问题：" + p.Title
		units := []int64{p.UnitID}
		for _, u := range p.CoUnits {
			units = append(units, u.ID)
		}
		return target, units, nil
	default:
		return target, nil, apperr.NotFoundf("批示对象不存在")
	}
	if t != None && id <= 0 {
		return target, nil, apperr.NotFoundf("批示对象不存在")
	}
	return target, nil, nil
}

// Create records a 批示. The writer needs a role that writes 批示 over
// every unit and person it is addressed to; a project it is written on
// must be one they can see.
func Create(ctx context.Context, tx *db.Tx, by auth.Actor, in Input) (*Instruction, error) {
	if err := RequireWriter(by); err != nil {
		return nil, err
	}
	f, err := in.validate(dayOf(tx.Now()))
	if err != nil {
		return nil, err
	}
	if f.Target, _, err = ResolveTarget(ctx, tx, by, f.Target.Type, f.Target.ID); err != nil {
		return nil, err
	}
	var bad apperr.Fields
	for _, id := range f.UnitIDs {
		u, err := org.GetUnit(ctx, tx, id)
		switch {
		case apperr.KindOf(err) == apperr.NotFound:
			bad.Add("unit_ids", "所选单位不存在")
			continue
		case err != nil:
			return nil, err
		case !auth.Can(by, auth.WriteInstr, u.Path):
			return nil, apperr.Forbiddenf("无权向“%s”批示", u.Name)
		case u.Disabled:
			bad.Add("unit_ids", "“"+u.Name+"”已停用")
		}
	}
	for _, id := range f.PersonIDs {
		p, err := org.GetPerson(ctx, tx, id)
		switch {
		case apperr.KindOf(err) == apperr.NotFound:
			bad.Add("person_ids", "所选人员不存在")
			continue
		case err != nil:
			return nil, err
		case !auth.Can(by, auth.WriteInstr, p.UnitPath):
			return nil, apperr.Forbiddenf("无权向“%s”批示", p.Name)
		case p.Disabled:
			bad.Add("person_ids", "“"+p.Name+"”已停用")
		}
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	now := db.Time(tx.Now())
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO instructions (target_type, target_id, target_label, content, written_on, deadline,
		writer_id, writer_name, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
		string(f.Target.Type), f.Target.ID, f.Target.Label, f.Content, project.FormatDate(f.WrittenOn),
		project.FormatDate(f.Deadline), by.UserID, by.Name, string(Open), now).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("instruction.Create: %w", db.Translate(err))
	}
	for _, u := range f.UnitIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO instruction_units (instruction_id, unit_id) VALUES ($1, $2)`, id, u); err != nil {
			return nil, fmt.Errorf("instruction.Create: unit: %w", db.Translate(err))
		}
	}
	for _, p := range f.PersonIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO instruction_people (instruction_id, person_id) VALUES ($1, $2)`, id, p); err != nil {
			return nil, fmt.Errorf("instruction.Create: person: %w", db.Translate(err))
		}
	}
	out, err := Get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := tellWritten(ctx, tx, out); err != nil {
		return nil, err
	}
	return out, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.InstructionCreated, ObjectType: "instruction",
		ObjectID: id, ObjectName: excerpt(out.Content, 30), After: out.snapshot()})
}

// Answer records a unit's 反馈. The first answer of a unit is the one its
// on-time record is judged by; later ones add to it.
func Answer(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, in AnswerInput) (*Instruction, error) {
	if err := lock(ctx, tx, id); err != nil {
		return nil, err
	}
	old, err := View(ctx, tx, by, id)
	if err != nil {
		return nil, err
	}
	if old.Status != Open {
		return nil, apperr.Conflictf("批示已落实办结，不再接收反馈")
	}
	if len(AnswerableUnits(by, old)) == 0 {
		return nil, apperr.Forbiddenf("只有批示所列单位的经办人（或督查室代录）可以反馈")
	}
	unitID, text, err := in.validate()
	if err != nil {
		return nil, err
	}
	var unit *Addressee
	for i := range old.Units {
		if old.Units[i].UnitID == unitID {
			unit = &old.Units[i]
		}
	}
	if unit == nil {
		return nil, apperr.InvalidFields(map[string]string{"unit_id": "该单位不在这条批示的反馈单位中"})
	}
	if !auth.Can(by, auth.AnswerInstr, unit.UnitPath) {
		return nil, apperr.Forbiddenf("无权代“%s”反馈", unit.UnitName)
	}
	now := db.Time(tx.Now())
	if _, err := tx.ExecContext(ctx, `INSERT INTO instruction_answers (instruction_id, unit_id, content, by_user, by_name, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, unitID, text, by.UserID, by.Name, now); err != nil {
		return nil, fmt.Errorf("instruction.Answer %d: %w", id, db.Translate(err))
	}
	// Only a first answer sets the time: the condition makes that hold even for two answers at once.
	if _, err := tx.ExecContext(ctx, `UPDATE instruction_units SET first_answered_at = $1
		WHERE instruction_id = $2 AND unit_id = $3 AND first_answered_at = ''`, now, id, unitID); err != nil {
		return nil, fmt.Errorf("instruction.Answer %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE instructions SET updated_at = $1 WHERE id = $2`, now, id); err != nil {
		return nil, err
	}
	out, err := Get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if out.WriterID != 0 {
		if err := notify.Post(ctx, tx, notify.Message{Kind: notify.KindInstruction, Title: unit.UnitName + "反馈了您的批示",
			Body: "批示：" + excerpt(out.Content, 60) + "\n反馈：" + text, Link: fmt.Sprintf("/instructions/%d", id), UnitID: unitID,
			To: []notify.Recipient{notify.ToUser(out.WriterID)}, NoRobots: true}); err != nil {
			return nil, err
		}
	}
	return out, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.InstructionAnswered, ObjectType: "instruction",
		ObjectID: id, ObjectName: excerpt(out.Content, 30), After: map[string]any{"反馈单位": unit.UnitName, "反馈内容": text}})
}

// Close marks the 批示 已落实, with an optional note; it then takes no
// more answers and escalates no more.
func Close(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, note string) (*Instruction, error) {
	if err := lock(ctx, tx, id); err != nil {
		return nil, err
	}
	old, err := View(ctx, tx, by, id)
	if err != nil {
		return nil, err
	}
	if old.Status != Open {
		return nil, apperr.Conflictf("批示已经落实办结")
	}
	if !CanClose(by, old) {
		return nil, apperr.Forbiddenf("只有写批示的领导或督查室可以办结批示")
	}
	note = strings.TrimSpace(note)
	if n := utf8.RuneCountInString(note); n > maxNote {
		return nil, apperr.InvalidFields(map[string]string{"close_note": fmt.Sprintf("落实情况不超过%d字（现有%d字）", maxNote, n)})
	}
	now := db.Time(tx.Now())
	if _, err := tx.ExecContext(ctx, `UPDATE instructions SET status = $1, closed_at = $2, closed_by = $3, close_note = $4, updated_at = $2
		WHERE id = $5`, string(Closed), now, by.Name, note, id); err != nil {
		return nil, fmt.Errorf("instruction.Close %d: %w", id, err)
	}
	out, err := Get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return out, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.InstructionClosed, ObjectType: "instruction",
		ObjectID: id, ObjectName: excerpt(out.Content, 30), Before: map[string]string{"状态": old.Status.Label()},
		After: map[string]string{"状态": out.Status.Label()}, Note: note})
}

// Box is one of the list's tabs.
type Box string

// The boxes.
const (
	All      Box = ""
	Mine     Box = "mine"    // 我写的
	ToAnswer Box = "todo"    // 待我单位反馈: open, with a unit the actor answers for still owing
	Overdue  Box = "overdue" // 逾期: open, past the deadline, some unit still owing
)

// Boxes lists the tabs in order.
var Boxes = []Box{All, Mine, ToAnswer, Overdue}

// Label is the tab's Chinese name.
func (b Box) Label() string {
	switch b {
	case Mine:
		return "我写的"
	case ToAnswer:
		return "待我单位反馈"
	case Overdue:
		return "逾期"
	}
	return "全部"
}

// Valid reports whether b is a known box.
func (b Box) Valid() bool {
	for _, x := range Boxes {
		if b == x {
			return true
		}
	}
	return false
}

// Filter narrows the list.
type Filter struct {
	Box        Box
	Query      string // the text contains
	UnitID     int64  // addressed to this unit or one below it
	Status     Status
	TargetType TargetType
	TargetID   int64
	Limit      int // 0 means all
	Offset     int
}

// viewWhere restricts a query over instructions i to what the actor may
// read (CanView in SQL).
func viewWhere(w *db.Where, by auth.Actor) {
	if by.System {
		return
	}
	var conds []string
	var args []any
	paths := auth.ScopePaths(by, auth.ViewInstr)
	if len(paths) > 0 {
		likes := make([]string, len(paths))
		for i, p := range paths {
			likes[i] = "vu.path LIKE $?"
			args = append(args, p+"%")
		}
		conds = append(conds, `EXISTS (SELECT 1 FROM instruction_units vi JOIN units vu ON vu.id = vi.unit_id
			WHERE vi.instruction_id = i.id AND (`+strings.Join(likes, " OR ")+`))`)
	}
	if by.UserID != 0 {
		conds = append(conds, "i.writer_id = $?")
		args = append(args, by.UserID)
	}
	if by.PersonID != 0 && len(paths) > 0 {
		conds = append(conds, "EXISTS (SELECT 1 FROM instruction_people vp WHERE vp.instruction_id = i.id AND vp.person_id = $?)")
		args = append(args, by.PersonID)
	}
	if len(conds) == 0 {
		w.Add("1 = 0")
		return
	}
	w.Add(strings.Join(conds, " OR "), args...)
}

// owingWhere adds "some addressed unit under paths has not answered".
func owingWhere(w *db.Where, paths []string) {
	likes := make([]string, len(paths))
	args := make([]any, len(paths))
	for i, p := range paths {
		likes[i] = "ou.path LIKE $?"
		args[i] = p + "%"
	}
	w.Add(`EXISTS (SELECT 1 FROM instruction_units oi JOIN units ou ON ou.id = oi.unit_id
		WHERE oi.instruction_id = i.id AND oi.first_answered_at = '' AND (`+strings.Join(likes, " OR ")+`))`, args...)
}

// List returns the 批示 the actor may read that match f (open ones first,
// the nearest deadline first; then the closed, newest first), with how
// many match in all.
func List(ctx context.Context, q db.Querier, by auth.Actor, f Filter) ([]*Instruction, int, error) {
	if !auth.CanAnywhere(by, auth.ViewInstr) {
		return nil, 0, apperr.Forbiddenf("您的角色没有查看批示的权限")
	}
	var w db.Where
	viewWhere(&w, by)
	switch f.Box {
	case Mine:
		w.Add("i.writer_id = $?", by.UserID)
	case ToAnswer:
		w.Add("i.status = $?", string(Open))
		if paths := auth.ScopePaths(by, auth.AnswerInstr); by.System {
			owingWhere(&w, []string{"/"})
		} else if len(paths) == 0 {
			w.Add("1 = 0")
		} else {
			owingWhere(&w, paths)
		}
	case Overdue:
		w.Add("i.status = $?", string(Open))
		w.Add("i.deadline < $?", project.FormatDate(dayOf(q.Now())))
		owingWhere(&w, []string{"/"})
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + strings.ToLower(db.LikeEscape(s)) + "%"
		w.Add(`lower(i.content) LIKE $? ESCAPE '\' OR lower(i.target_label) LIKE $? ESCAPE '\'`, like, like)
	}
	if f.UnitID != 0 {
		u, err := org.GetUnit(ctx, q, f.UnitID)
		if err != nil {
			return nil, 0, err
		}
		w.Add(`EXISTS (SELECT 1 FROM instruction_units fi JOIN units fu ON fu.id = fi.unit_id
			WHERE fi.instruction_id = i.id AND fu.path LIKE $?)`, u.Path+"%")
	}
	if f.Status != "" {
		w.Add("i.status = $?", string(f.Status))
	}
	if f.TargetType != "" {
		w.Add("i.target_type = $?", string(f.TargetType))
	}
	if f.TargetID != 0 {
		w.Add("i.target_id = $?", f.TargetID)
	}
	var total int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM instructions i `+w.SQL(), w.Args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("instruction.List: %w", err)
	}
	query := `SELECT ` + columns + ` FROM instructions i ` + w.SQL() + `
		ORDER BY CASE WHEN i.status = 'open' THEN 0 ELSE 1 END, CASE WHEN i.status = 'open' THEN i.deadline ELSE '' END,
		i.written_on DESC, i.id DESC`
	if f.Limit > 0 {
		query += ` LIMIT ` + w.Next(f.Limit) + ` OFFSET ` + w.Next(f.Offset)
	}
	list, err := queryList(ctx, q, query, w.Args...)
	if err != nil {
		return nil, 0, fmt.Errorf("instruction.List: %w", err)
	}
	return list, total, nil
}

func queryList(ctx context.Context, q db.Querier, query string, args ...any) ([]*Instruction, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []*Instruction
	for rows.Next() {
		in, err := scan(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, in)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, loadDetails(ctx, q, out...)
}

// ListFor returns the 批示 written on one item (a project, report or
// problem) that the actor may read, newest first, with their answers: the
// list every item's page shows. An actor who reads no 批示 gets none.
func ListFor(ctx context.Context, q db.Querier, by auth.Actor, targetType string, targetID int64) ([]*Instruction, error) {
	var w db.Where
	viewWhere(&w, by)
	w.Add("i.target_type = $?", targetType)
	w.Add("i.target_id = $?", targetID)
	list, err := queryList(ctx, q, `SELECT `+columns+` FROM instructions i `+w.SQL()+` ORDER BY i.written_on DESC, i.id DESC`, w.Args...)
	if err != nil {
		return nil, fmt.Errorf("instruction.ListFor %s %d: %w", targetType, targetID, err)
	}
	return list, nil
}

// Owing is one addressed unit still owing its answer to an open 批示, as
// the reminder scheduler sees it.
type Owing struct {
	InstructionID int64
	Content       string
	Target        Target
	WriterID      int64
	WriterName    string
	Deadline      time.Time
	UnitID        int64
	UnitName      string
	UnitPath      string
	Urgency       worktime.Urgency
	// Leaders are the unit's 分管领导 (org.LeadersOf, nearest first),
	// filled from Overdue on: the escalation reaches them (DESIGN.md §4);
	// from OverdueLong it reaches the 主要领导 as well.
	Leaders []*org.Person
}

// Escalations lists every unit owing an answer to an open 批示 with its
// urgency on today (a calendar day), the most urgent first. It checks no
// permission: the scheduler runs as the system.
func Escalations(ctx context.Context, q db.Querier, today time.Time, cal worktime.Calendar) ([]Owing, error) {
	rows, err := q.QueryContext(ctx, `SELECT i.id, i.content, i.target_type, i.target_id, i.target_label, i.writer_id, i.writer_name,
		i.deadline, u.id, u.name, u.path
		FROM instruction_units iu JOIN instructions i ON i.id = iu.instruction_id JOIN units u ON u.id = iu.unit_id
		WHERE i.status = $1 AND iu.first_answered_at = ''
		ORDER BY i.deadline, i.id, u.path`, string(Open))
	if err != nil {
		return nil, fmt.Errorf("instruction.Escalations: %w", err)
	}
	var out []Owing
	for rows.Next() {
		var o Owing
		var target, deadline string
		if err := rows.Scan(&o.InstructionID, &o.Content, &target, &o.Target.ID, &o.Target.Label, &o.WriterID, &o.WriterName,
			&deadline, &o.UnitID, &o.UnitName, &o.UnitPath); err != nil {
			rows.Close()
			return nil, err
		}
		o.Target.Type = TargetType(target)
		if o.Deadline, err = project.ParseDate(deadline); err != nil {
			rows.Close()
			return nil, fmt.Errorf("instruction.Escalations %d: deadline %q", o.InstructionID, deadline)
		}
		o.Urgency = worktime.UrgencyOf(o.Deadline, today, cal)
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The leaders are read after the rows are closed: a PostgreSQL
	// connection runs one query at a time.
	leaders := map[int64][]*org.Person{}
	for i := range out {
		if out[i].Urgency < worktime.Overdue {
			continue
		}
		ls, ok := leaders[out[i].UnitID]
		if !ok {
			if ls, err = org.LeadersOf(ctx, q, out[i].UnitID); err != nil {
				return nil, err
			}
			leaders[out[i].UnitID] = ls
		}
		out[i].Leaders = ls
	}
	// Most urgent first, keeping the query's order (deadline, 批示, unit) within each urgency.
	slices.SortStableFunc(out, func(a, b Owing) int { return cmp.Compare(b.Urgency, a.Urgency) })
	return out, nil
}

// Facts lists, for the quarterly bulletin, every addressed unit of the
// 批示 whose deadline falls between from and to (calendar days, both
// included), with when it first answered; Tally judges them.
func Facts(ctx context.Context, q db.Querier, from, to time.Time) ([]Fact, error) {
	rows, err := q.QueryContext(ctx, `SELECT i.id, i.writer_name, i.content, u.id, u.name, u.path, i.deadline, iu.first_answered_at, i.closed_at
		FROM instruction_units iu JOIN instructions i ON i.id = iu.instruction_id JOIN units u ON u.id = iu.unit_id
		WHERE i.deadline >= $1 AND i.deadline <= $2 ORDER BY u.path, i.deadline, i.id`,
		project.FormatDate(from), project.FormatDate(to))
	if err != nil {
		return nil, fmt.Errorf("instruction.Facts: %w", err)
	}
	defer rows.Close()
	var out []Fact
	for rows.Next() {
		var f Fact
		var deadline string
		if err := rows.Scan(&f.InstructionID, &f.Writer, &f.Content, &f.UnitID, &f.UnitName, &f.UnitPath, &deadline,
			(*db.Time)(&f.AnsweredAt), (*db.Time)(&f.ClosedAt)); err != nil {
			return nil, err
		}
		if f.Deadline, err = project.ParseDate(deadline); err != nil {
			return nil, fmt.Errorf("instruction.Facts %d: deadline %q", f.InstructionID, deadline)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// tellWritten posts a new 批示 to the staff of every unit it is addressed
// to and to the people it names.
func tellWritten(ctx context.Context, tx *db.Tx, in *Instruction) error {
	var to []notify.Recipient
	for _, u := range in.Units {
		to = append(to, notify.UnitStaff(u.UnitID))
	}
	for _, p := range in.People {
		to = append(to, notify.ToPerson(p.ID))
	}
	m := notify.Message{Kind: notify.KindInstruction, Title: in.WriterName + "批示：" + excerpt(in.Content, 30),
		Body: fmt.Sprintf("%s\n请于 %s 前反馈落实情况。", in.Content, in.Deadline.Format("1月2日")),
		Link: fmt.Sprintf("/instructions/%d", in.ID), To: to}
	if len(in.Units) > 0 {
		m.UnitID = in.Units[0].UnitID
	}
	if utf8.RuneCountInString(m.Body) > notify.MaxBody {
		m.Body = string([]rune(m.Body)[:notify.MaxBody-1]) + "…"
	}
	return notify.Post(ctx, tx, m)
}
