package problem

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/project"
	"guatu/worktime"
)

// The workflow: one domain function per action, each checking the actor's
// view (NotFound), their roles (Forbidden) and the state machine
// (Conflict) in that order, then validating its input (Invalid), writing
// one history entry and its audit record in the caller's transaction.

// forAction reads a problem for act, refusing as described above.
func forAction(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, act Action) (*Problem, error) {
	p, err := View(ctx, tx, by, id)
	if err != nil {
		return nil, err
	}
	if !Permitted(by, p, act) {
		return nil, apperr.Forbiddenf("无权对问题“%s”%s", p.Title, act.Label())
	}
	if _, ok := Step(p.State, p.ExtensionPending, act); !ok {
		switch {
		case act == ActExtend && p.State == Handling:
			return nil, apperr.Conflictf("已有一份延期申请等待督查室审批，请等审批后再申请")
		case (act == ActApproveExtension || act == ActRefuseExtension) && p.State == Handling:
			return nil, apperr.Conflictf("该问题没有待审批的延期申请")
		}
		return nil, apperr.Conflictf("该问题当前为“%s”，不能%s", p.State.Label(), act.Label())
	}
	return p, nil
}

// changed checks that a guarded UPDATE (… WHERE state = the state read)
// touched the row: if not, someone else moved the problem in between.
func changed(res sql.Result, err error) error {
	if err != nil {
		return fmt.Errorf("problem: %w", db.Translate(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return apperr.Conflictf("该问题刚被他人处理过，请刷新页面后再试")
	}
	return nil
}

// record writes the history entry of an action with its attachments and
// the audit record, and returns the problem as it now stands.
func record(ctx context.Context, tx *db.Tx, by auth.Actor, old *Problem, act audit.Action, ev Event, files []checked) (*Problem, error) {
	eventID, err := addEvent(ctx, tx, by, old.ID, ev)
	if err != nil {
		return nil, err
	}
	if err := storeFiles(ctx, tx, old.ID, eventID, files); err != nil {
		return nil, err
	}
	p, err := Get(ctx, tx, old.ID)
	if err != nil {
		return nil, err
	}
	if err := tell(ctx, tx, p, ev.Kind, ev.Note); err != nil {
		return nil, err
	}
	before := map[string]any{"状态": old.State.Label(), "办结期限": project.FormatDate(old.Deadline)}
	after := map[string]any{"状态": p.State.Label(), "办结期限": project.FormatDate(p.Deadline)}
	if len(files) > 0 {
		names := make([]string, len(files))
		for i, f := range files {
			names[i] = f.origName
		}
		after["附件"] = names
	}
	return p, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: act, ObjectType: "problem", ObjectID: p.ID,
		ObjectName: p.Title, Before: before, After: after, Note: ev.Note})
}

// text trims a note and checks its length; required notes must not be empty.
func text(field, s string, required bool, missing string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		return "", apperr.InvalidFields(map[string]string{field: missing})
	case utf8.RuneCountInString(s) > 2000:
		return "", apperr.InvalidFields(map[string]string{field: "不超过2000字"})
	}
	return s, nil
}

// Sign is 签收: the unit takes the problem on and the clock starts. A
// problem allowed a number of working days gets its deadline now.
func Sign(ctx context.Context, tx *db.Tx, by auth.Actor, id int64) (*Problem, error) {
	p, err := forAction(ctx, tx, by, id, ActSign)
	if err != nil {
		return nil, err
	}
	ev := Event{Kind: SignedEvent, From: Pending, To: Handling}
	deadline := p.Deadline
	if p.LimitDays > 0 {
		cal, err := worktime.Load(ctx, tx)
		if err != nil {
			return nil, err
		}
		deadline = DeadlineFrom(today(tx), p.LimitDays, cal)
		ev.DeadlineTo = deadline // the timeline shows the deadline the clock gave
	}
	now := db.Time(tx.Now())
	if err := changed(tx.ExecContext(ctx, `UPDATE problems SET state = $1, signed_at = $2, deadline = $3, updated_at = $2
		WHERE id = $4 AND state = $5`, string(Handling), now, project.FormatDate(deadline), id, string(Pending))); err != nil {
		return nil, err
	}
	return record(ctx, tx, by, p, audit.ProblemSigned, ev, nil)
}

// Feedback is 反馈: a progress note, with attachments, while the problem is
// being handled.
func Feedback(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, note string, files []Upload) (*Problem, error) {
	p, err := forAction(ctx, tx, by, id, ActFeedback)
	if err != nil {
		return nil, err
	}
	if note, err = text("note", note, true, "请填写进展情况"); err != nil {
		return nil, err
	}
	up, err := checkUploads(files)
	if err != nil {
		return nil, err
	}
	if err := changed(tx.ExecContext(ctx, `UPDATE problems SET updated_at = $1 WHERE id = $2 AND state = $3`,
		db.Time(tx.Now()), id, string(Handling))); err != nil {
		return nil, err
	}
	return record(ctx, tx, by, p, audit.ProblemFeedback, Event{Kind: FeedbackEvent, From: Handling, To: Handling, Note: note}, up)
}

// Finish is 办结: the unit says the problem is solved, how, with any proof
// attached; it waits for the supervision office's 销号. A waiting extension
// request lapses.
func Finish(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, note string, files []Upload) (*Problem, error) {
	p, err := forAction(ctx, tx, by, id, ActFinish)
	if err != nil {
		return nil, err
	}
	if note, err = text("done_note", note, true, "请写明办结情况：问题怎样解决的"); err != nil {
		return nil, err
	}
	up, err := checkUploads(files)
	if err != nil {
		return nil, err
	}
	now := db.Time(tx.Now())
	if err := changed(tx.ExecContext(ctx, `UPDATE problems SET state = $1, done_at = $2, updated_at = $2 WHERE id = $3 AND state = $4`,
		string(Done), now, id, string(Handling))); err != nil {
		return nil, err
	}
	ev := Event{Kind: DoneEvent, From: Handling, To: Done, Note: note}
	if p.ExtensionPending {
		if _, err := tx.ExecContext(ctx, `UPDATE problem_extensions SET status = $1, decided_at = $2 WHERE problem_id = $3 AND status = $4`,
			string(ExtWithdrawn), now, id, string(ExtPending)); err != nil {
			return nil, err
		}
		ev.Note += "（待审批的延期申请随之撤回）"
	}
	return record(ctx, tx, by, p, audit.ProblemDone, ev, up)
}

// Close is 审核销号: the supervision office agrees the problem is solved.
func Close(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, note string) (*Problem, error) {
	p, err := forAction(ctx, tx, by, id, ActClose)
	if err != nil {
		return nil, err
	}
	if note, err = text("close_note", note, false, ""); err != nil {
		return nil, err
	}
	now := db.Time(tx.Now())
	if err := changed(tx.ExecContext(ctx, `UPDATE problems SET state = $1, closed_at = $2, updated_at = $2 WHERE id = $3 AND state = $4`,
		string(Closed), now, id, string(Done))); err != nil {
		return nil, err
	}
	return record(ctx, tx, by, p, audit.ProblemClosed, Event{Kind: ClosedEvent, From: Done, To: Closed, Note: note}, nil)
}

// Return is 退回重办: the supervision office does not accept the 办结 and
// says why; the problem is handled again, against the same deadline.
func Return(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, reason string) (*Problem, error) {
	p, err := forAction(ctx, tx, by, id, ActReturn)
	if err != nil {
		return nil, err
	}
	if reason, err = text("reason", reason, true, "请写明退回的理由，以便责任单位重办"); err != nil {
		return nil, err
	}
	if err := changed(tx.ExecContext(ctx, `UPDATE problems SET state = $1, done_at = '', updated_at = $2 WHERE id = $3 AND state = $4`,
		string(Handling), db.Time(tx.Now()), id, string(Done))); err != nil {
		return nil, err
	}
	return record(ctx, tx, by, p, audit.ProblemReturned, Event{Kind: ReturnedEvent, From: Done, To: Handling, Note: reason}, nil)
}

// ExtensionInput is a request for more time as typed.
type ExtensionInput struct {
	NewDeadline string
	Reason      string
}

// RequestExtension is 申请延期: the unit asks for a later deadline and says
// why. The deadline moves only when the supervision office approves; one
// request waits at a time.
func RequestExtension(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, in ExtensionInput) (*Problem, error) {
	p, err := forAction(ctx, tx, by, id, ActExtend)
	if err != nil {
		return nil, err
	}
	var bad apperr.Fields
	to, err := ParseDate(in.NewDeadline)
	switch {
	case err != nil || to.IsZero():
		bad.Add("new_deadline", "请填写申请延至的日期，格式如 2026-04-30")
	case !to.After(p.Deadline):
		bad.Add("new_deadline", "申请的期限应晚于现在的办结期限 "+project.FormatDate(p.Deadline))
	case to.Before(today(tx)):
		bad.Add("new_deadline", "申请的期限不能早于今天")
	}
	reason := strings.TrimSpace(in.Reason)
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		bad.Add("ext_reason", "请写明延期的理由")
	case n > 500:
		bad.Add("ext_reason", "理由不超过500字")
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	now := db.Time(tx.Now())
	if _, err := tx.ExecContext(ctx, `INSERT INTO problem_extensions (problem_id, from_deadline, to_deadline, reason, status,
		requested_by, requested_name, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id, project.FormatDate(p.Deadline), project.FormatDate(to), reason, string(ExtPending), by.UserID, by.Name, now); err != nil {
		if db.IsUnique(err) {
			return nil, apperr.Conflictf("已有一份延期申请等待督查室审批，请等审批后再申请")
		}
		return nil, fmt.Errorf("problem.RequestExtension: %w", err)
	}
	if err := changed(tx.ExecContext(ctx, `UPDATE problems SET updated_at = $1 WHERE id = $2 AND state = $3`,
		now, id, string(Handling))); err != nil {
		return nil, err
	}
	return record(ctx, tx, by, p, audit.ProblemExtensionAsked,
		Event{Kind: ExtensionAsked, From: Handling, To: Handling, Note: reason, DeadlineFrom: p.Deadline, DeadlineTo: to}, nil)
}

// ApproveExtension is 同意延期: the deadline becomes the one asked for; the
// old one stays in the history.
func ApproveExtension(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, note string) (*Problem, error) {
	return decide(ctx, tx, by, id, ActApproveExtension, note)
}

// RefuseExtension is 不同意延期: the deadline stands; the unit is told why.
func RefuseExtension(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, reason string) (*Problem, error) {
	return decide(ctx, tx, by, id, ActRefuseExtension, reason)
}

func decide(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, act Action, note string) (*Problem, error) {
	p, err := forAction(ctx, tx, by, id, act)
	if err != nil {
		return nil, err
	}
	status, kind, entry := ExtApproved, ExtensionApproved, audit.ProblemExtensionApproved
	if act == ActRefuseExtension {
		status, kind, entry = ExtRefused, ExtensionRefused, audit.ProblemExtensionRefused
		note, err = text("refuse_reason", note, true, "请写明不同意延期的理由")
	} else {
		note, err = text("approve_note", note, false, "")
	}
	if err != nil {
		return nil, err
	}
	var extID int64
	var from, to time.Time
	err = tx.QueryRowContext(ctx, `SELECT id, from_deadline, to_deadline FROM problem_extensions WHERE problem_id = $1 AND status = $2`,
		id, string(ExtPending)).Scan(&extID, (*db.Date)(&from), (*db.Date)(&to))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.Conflictf("该问题没有待审批的延期申请")
	}
	if err != nil {
		return nil, fmt.Errorf("problem.decide: %w", err)
	}
	now := db.Time(tx.Now())
	if err := changed(tx.ExecContext(ctx, `UPDATE problem_extensions SET status = $1, decided_by = $2, decided_name = $3,
		decided_at = $4, decision_note = $5 WHERE id = $6 AND status = $7`,
		string(status), by.UserID, by.Name, now, note, extID, string(ExtPending))); err != nil {
		return nil, err
	}
	deadline := p.Deadline
	if act == ActApproveExtension {
		deadline = to
	}
	if err := changed(tx.ExecContext(ctx, `UPDATE problems SET deadline = $1, updated_at = $2 WHERE id = $3 AND state = $4`,
		project.FormatDate(deadline), now, id, string(Handling))); err != nil {
		return nil, err
	}
	return record(ctx, tx, by, p, entry, Event{Kind: kind, From: Handling, To: Handling, Note: note, DeadlineFrom: from, DeadlineTo: to}, nil)
}

// Extensions lists every extension request of the problem, oldest first.
func Extensions(ctx context.Context, q db.Querier, id int64) ([]Extension, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, problem_id, from_deadline, to_deadline, reason, status, requested_by, requested_name,
		requested_at, decided_name, decided_at, decision_note FROM problem_extensions WHERE problem_id = $1 ORDER BY requested_at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("problem.Extensions: %w", err)
	}
	defer rows.Close()
	var out []Extension
	for rows.Next() {
		var x Extension
		var status string
		if err := rows.Scan(&x.ID, &x.ProblemID, (*db.Date)(&x.From), (*db.Date)(&x.To), &x.Reason, &status, &x.RequestedUser,
			&x.RequestedBy, (*db.Time)(&x.RequestedAt), &x.DecidedBy, (*db.Time)(&x.DecidedAt), &x.DecisionNote); err != nil {
			return nil, err
		}
		x.Status = ExtensionStatus(status)
		out = append(out, x)
	}
	return out, rows.Err()
}

// Backdate moves a problem's whole history days calendar days into the
// past, as if it had happened then: the demo builds its problems through
// the workflow in one transaction and spreads them over the past weeks
// this way. Every date moves by exactly that many days, except those
// counted in working days (the signing day, a deadline counted from 签收),
// which are counted again from their moved start: moving a history twice
// is the same as moving it once by the sum. Only the system may do it, and
// it is audited; the audit trail itself keeps the true times.
func Backdate(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, days int) error {
	if !by.System {
		return apperr.Forbiddenf("只有系统可以调整问题的历史日期")
	}
	p, err := Get(ctx, tx, id)
	if err != nil {
		return err
	}
	cal, err := worktime.Load(ctx, tx)
	if err != nil {
		return err
	}
	back := func(t time.Time) any {
		if t.IsZero() {
			return ""
		}
		return db.Time(t.AddDate(0, 0, -days))
	}
	backDay := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return project.FormatDate(t.AddDate(0, 0, -days))
	}
	exts, err := Extensions(ctx, tx, id)
	if err != nil {
		return err
	}
	deadline := backDay(p.Deadline)
	approved := false
	for _, x := range exts {
		approved = approved || x.Status == ExtApproved
	}
	if p.LimitDays > 0 && !p.SignedAt.IsZero() && !approved {
		deadline = project.FormatDate(DeadlineFrom(DayOf(p.SignedAt.AddDate(0, 0, -days)), p.LimitDays, cal))
	}
	signBy := project.FormatDate(SignBy(DayOf(p.CreatedAt.AddDate(0, 0, -days)), cal))
	if _, err := tx.ExecContext(ctx, `UPDATE problems SET created_at = $1, signed_at = $2, done_at = $3, closed_at = $4, updated_at = $5,
		deadline = $6, sign_by = $7 WHERE id = $8`, back(p.CreatedAt), back(p.SignedAt), back(p.DoneAt), back(p.ClosedAt),
		back(p.UpdatedAt), deadline, signBy, id); err != nil {
		return fmt.Errorf("problem.Backdate: %w", err)
	}
	events, err := History(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, e := range events {
		to := backDay(e.DeadlineTo)
		if e.Kind == SignedEvent && p.LimitDays > 0 {
			to = project.FormatDate(DeadlineFrom(DayOf(e.At.AddDate(0, 0, -days)), p.LimitDays, cal))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE problem_events SET at = $1, deadline_from = $2, deadline_to = $3 WHERE id = $4`,
			back(e.At), backDay(e.DeadlineFrom), to, e.ID); err != nil {
			return fmt.Errorf("problem.Backdate: %w", err)
		}
		for _, f := range e.Files {
			if _, err := tx.ExecContext(ctx, `UPDATE problem_files SET created_at = $1 WHERE id = $2`, back(f.CreatedAt), f.ID); err != nil {
				return fmt.Errorf("problem.Backdate: %w", err)
			}
		}
	}
	for _, x := range exts {
		if _, err := tx.ExecContext(ctx, `UPDATE problem_extensions SET from_deadline = $1, to_deadline = $2, requested_at = $3, decided_at = $4
			WHERE id = $5`, backDay(x.From), backDay(x.To), back(x.RequestedAt), back(x.DecidedAt), x.ID); err != nil {
			return fmt.Errorf("problem.Backdate: %w", err)
		}
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ProblemBackdated, ObjectType: "problem", ObjectID: id,
		ObjectName: p.Title, Note: fmt.Sprintf("历史日期整体提前 %d 天", days)})
}
