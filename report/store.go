package report

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/project"
)

const configKey = "report.rules"

// LoadConfig returns the stored cycle settings, or the defaults.
func LoadConfig(ctx context.Context, q db.Querier) (Config, error) {
	c := DefaultConfig()
	if _, err := db.LoadSetting(ctx, q, configKey, &c); err != nil {
		return DefaultConfig(), fmt.Errorf("report.LoadConfig: %w", err)
	}
	return c, nil
}

// CanConfigure reports whether the actor may change the cycle's settings:
// they hold for every unit, so only a supervision office over a whole tree
// (the town, or the county) may.
func CanConfigure(by auth.Actor) bool {
	if by.System {
		return true
	}
	for _, g := range by.Grants {
		if auth.Allowed(g.Role, auth.ReviewReport) && strings.Count(g.UnitPath, "/") == 2 { // '/1/': a root
			return true
		}
	}
	return false
}

// SaveConfig stores the cycle settings.
func SaveConfig(ctx context.Context, tx *db.Tx, by auth.Actor, in ConfigInput) (Config, error) {
	if !CanConfigure(by) {
		return Config{}, apperr.Forbiddenf("月报截止日对所有单位生效，只有全镇（全县）的督查室可以修改")
	}
	c, err := in.parse()
	if err != nil {
		return c, err
	}
	old, err := LoadConfig(ctx, tx)
	if err != nil {
		return c, err
	}
	if err := db.SaveSetting(ctx, tx, configKey, c, by.UserID); err != nil {
		return c, fmt.Errorf("report.SaveConfig: %w", err)
	}
	label := func(c Config) map[string]any {
		return map[string]any{"报送截止日": c.DeadlineDay, "截止后自动关账天数": c.CloseAfterDays}
	}
	return c, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.SettingsChanged, ObjectType: "settings",
		ObjectName: "月报设置", Before: label(old), After: label(c)})
}

const reportColumns = `r.id, r.project_id, p.code, p.name, r.unit_id, u.name, u.path, r.period, r.status, r.version,
	r.month_invest, r.applied_invest, r.progress, r.next_plan, r.first_submitted_on, r.submitted_at, r.submitted_name,
	r.returned_at, r.returned_name, r.return_reason, r.created_at, r.updated_at, r.updated_name`

const reportFrom = ` FROM reports r JOIN projects p ON p.id = r.project_id JOIN units u ON u.id = r.unit_id`

func scanReport(s interface{ Scan(...any) error }) (*Report, error) {
	var r Report
	var period, status string
	err := s.Scan(&r.ID, &r.ProjectID, &r.ProjectCode, &r.ProjectName, &r.UnitID, &r.UnitName, &r.UnitPath, &period, &status, &r.Version,
		&r.MonthInvest, &r.AppliedInvest, &r.Progress, &r.NextPlan, (*db.Date)(&r.FirstSubmittedOn), (*db.Time)(&r.SubmittedAt), &r.SubmittedName,
		(*db.Time)(&r.ReturnedAt), &r.ReturnedName, &r.ReturnReason, (*db.Time)(&r.CreatedAt), (*db.Time)(&r.UpdatedAt), &r.UpdatedName)
	if err != nil {
		return nil, err
	}
	r.Status = Status(status)
	if r.Period, err = ParsePeriod(period); err != nil {
		return nil, fmt.Errorf("report %d: %w", r.ID, err)
	}
	return &r, nil
}

// Get returns a report with its milestones, problems and photos, or
// NotFound. It checks no permission; View does.
func Get(ctx context.Context, q db.Querier, id int64) (*Report, error) {
	r, err := scanReport(q.QueryRowContext(ctx, `SELECT `+reportColumns+reportFrom+` WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("月报不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("report.Get %d: %w", id, err)
	}
	return r, loadDetails(ctx, q, r)
}

// Find returns the project's report for the period, or NotFound.
func Find(ctx context.Context, q db.Querier, projectID int64, p Period) (*Report, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM reports WHERE project_id = $1 AND period = $2`, projectID, p.Key()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("该项目%s的月报尚未填写", p.Label())
	}
	if err != nil {
		return nil, fmt.Errorf("report.Find: %w", err)
	}
	return Get(ctx, q, id)
}

func loadDetails(ctx context.Context, q db.Querier, r *Report) error {
	rows, err := q.QueryContext(ctx, `SELECT rm.milestone_id, m.name, m.planned_on, rm.reached_on FROM report_milestones rm
		JOIN milestones m ON m.id = rm.milestone_id WHERE rm.report_id = $1 AND rm.reached_on <> '' ORDER BY m.sort_order, m.id`, r.ID)
	if err != nil {
		return fmt.Errorf("report milestones: %w", err)
	}
	r.Reached = nil
	err = db.ScanRows(rows, func() error {
		var m Reached
		if err := rows.Scan(&m.MilestoneID, &m.Name, (*db.Date)(&m.Planned), (*db.Date)(&m.On)); err != nil {
			return err
		}
		r.Reached = append(r.Reached, m)
		return nil
	})
	if err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT milestone_id FROM report_milestones WHERE report_id = $1 ORDER BY milestone_id`, r.ID)
	if err != nil {
		return fmt.Errorf("report milestones: %w", err)
	}
	r.Owned = nil
	err = db.ScanRows(rows, func() error {
		var id int64
		err := rows.Scan(&id)
		r.Owned = append(r.Owned, id)
		return err
	})
	if err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, text, COALESCE(problem_id, 0) FROM report_problems WHERE report_id = $1 ORDER BY sort_order, id`, r.ID)
	if err != nil {
		return fmt.Errorf("report problems: %w", err)
	}
	r.Problems = nil
	err = db.ScanRows(rows, func() error {
		var p ProblemLine
		if err := rows.Scan(&p.ID, &p.Text, &p.ProblemID); err != nil {
			return err
		}
		r.Problems = append(r.Problems, p)
		return nil
	})
	if err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT name, width, height, size, taken_at FROM report_photos WHERE report_id = $1 ORDER BY sort_order, id`, r.ID)
	if err != nil {
		return fmt.Errorf("report photos: %w", err)
	}
	r.Photos = nil
	return db.ScanRows(rows, func() error {
		var p Photo
		if err := rows.Scan(&p.Name, &p.Width, &p.Height, &p.Size, (*db.Time)(&p.TakenAt)); err != nil {
			return err
		}
		r.Photos = append(r.Photos, p)
		return nil
	})
}

// CanView reports whether the actor may read the report: whoever may read
// its project.
func CanView(by auth.Actor, p *project.Project) bool {
	return project.CanView(by, p)
}

// CanSubmit reports whether the actor may write the project's report: the
// lead unit's staff, or the supervision office over it.
func CanSubmit(by auth.Actor, p *project.Project) bool {
	return auth.Can(by, auth.SubmitReport, p.UnitPath)
}

// CanReview reports whether the actor may return the report.
func CanReview(by auth.Actor, r *Report) bool {
	return auth.Can(by, auth.ReviewReport, r.UnitPath)
}

// View returns the report if the actor may read it, else NotFound.
func View(ctx context.Context, q db.Querier, by auth.Actor, id int64) (*Report, *project.Project, error) {
	r, err := Get(ctx, q, id)
	if err != nil {
		return nil, nil, err
	}
	p, err := project.Get(ctx, q, r.ProjectID)
	if err != nil {
		return nil, nil, err
	}
	if !CanView(by, p) {
		return nil, nil, apperr.NotFoundf("月报不存在")
	}
	return r, p, nil
}

// Versions lists the report's submissions, newest first.
func Versions(ctx context.Context, q db.Querier, id int64) ([]Version, error) {
	rows, err := q.QueryContext(ctx, `SELECT version, content, submitted_at, submitted_name, returned_at, returned_name, return_reason
		FROM report_versions WHERE report_id = $1 ORDER BY version DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("report.Versions: %w", err)
	}
	var out []Version
	err = db.ScanRows(rows, func() error {
		var v Version
		var content string
		if err := rows.Scan(&v.Version, &content, (*db.Time)(&v.SubmittedAt), &v.SubmittedName, (*db.Time)(&v.ReturnedAt), &v.ReturnedName, &v.ReturnReason); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(content), &v.Content); err != nil {
			return fmt.Errorf("report version %d: %w", v.Version, err)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// ForProject lists the project's reports, newest month first.
func ForProject(ctx context.Context, q db.Querier, projectID int64) ([]*Report, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+reportColumns+reportFrom+` WHERE r.project_id = $1 ORDER BY r.period DESC`, projectID)
	if err != nil {
		return nil, fmt.Errorf("report.ForProject: %w", err)
	}
	var out []*Report
	err = db.ScanRows(rows, func() error {
		r, err := scanReport(rows)
		if err == nil {
			out = append(out, r)
		}
		return err
	})
	return out, err
}

// Latest returns the project's most recent submitted report before the
// period (nil when there is none): the form starts from it.
func Latest(ctx context.Context, q db.Querier, projectID int64, before Period) (*Report, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM reports WHERE project_id = $1 AND period < $2 AND version > 0
		ORDER BY period DESC LIMIT 1`, projectID, before.Key()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("report.Latest: %w", err)
	}
	return Get(ctx, q, id)
}

// PhotoBytes returns a photo of the report (or its thumbnail) for an actor
// who may read the report; NotFound otherwise, so names cannot be probed.
func PhotoBytes(ctx context.Context, q db.Querier, by auth.Actor, reportID int64, name string, thumb bool) ([]byte, error) {
	if _, _, err := View(ctx, q, by, reportID); err != nil {
		return nil, err
	}
	col := "content"
	if thumb {
		col = "thumb"
	}
	var b []byte
	err := q.QueryRowContext(ctx, `SELECT `+col+` FROM report_photos WHERE report_id = $1 AND name = $2`, reportID, name).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("照片不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("report.PhotoBytes: %w", err)
	}
	return b, nil
}

// Save writes the project's report for the period from the form: as a
// draft, or submitted when submit is set. A submission is locked until the
// supervision office returns it; it adds the month's investment to the
// project (only the difference, when a corrected version states another
// amount), marks the milestones reached, keeps the version as sent, and
// makes each new problem line a tracked problem (上报 by the unit, package
// problem). today is the day of the request.
func Save(ctx context.Context, tx *db.Tx, by auth.Actor, projectID int64, period Period, in Input, submit bool, today time.Time) (*Report, error) {
	if err := project.Lock(ctx, tx, projectID); err != nil {
		return nil, err
	}
	p, err := project.Get(ctx, tx, projectID)
	if err != nil {
		return nil, err
	}
	if !CanView(by, p) {
		return nil, apperr.NotFoundf("项目不存在")
	}
	if !CanSubmit(by, p) {
		return nil, apperr.Forbiddenf("只有牵头单位“%s”的经办人可以填报该项目的月报", p.UnitName)
	}
	if period.After(PeriodOf(today)) {
		return nil, apperr.Invalidf("%s尚未开始，不能填报", period.Label())
	}
	r, err := Find(ctx, tx, projectID, period)
	isNew := apperr.KindOf(err) == apperr.NotFound
	if err != nil && !isNew {
		return nil, err
	}
	if isNew {
		if !Owes(p.Tier, p.Stage) {
			return nil, apperr.Invalidf("“%s”现处于%s、%s阶段，不需要报送月报（实施库中签约及以后的项目按月报送）", p.Name, p.Tier.Label(), p.Stage.Label())
		}
		r = &Report{ProjectID: p.ID, ProjectCode: p.Code, ProjectName: p.Name, UnitID: p.UnitID, UnitName: p.UnitName, UnitPath: p.UnitPath,
			Period: period, Status: Draft}
	} else if !r.Status.Editable() {
		return r, apperr.Conflictf("%s的月报已于 %s 报送，正在审核；如需修改，请联系督查室退回", period.Label(), r.SubmittedAt.In(zone).Format("1月2日 15:04"))
	}

	// Milestones the report may tick: those not reached yet, and those
	// this report marked before.
	var open []project.StoredMilestone
	mine := map[int64]bool{}
	for _, id := range r.Owned {
		mine[id] = true
	}
	for _, m := range p.Milestones {
		if m.Actual.IsZero() || mine[m.ID] {
			open = append(open, m)
		}
	}
	keep := slices.DeleteFunc(slices.Clone(r.Photos), func(ph Photo) bool { return slices.Contains(in.RemovePhotos, ph.Name) })
	c, err := in.check(submit, open, period, today, len(keep)+len(in.Uploads))
	if err != nil {
		return r, err
	}

	now := tx.Now()
	status := Draft
	if r.Status == Returned {
		status = Returned // a returned report saved again stays returned until it is resubmitted
	}
	if submit {
		status = Submitted
	}
	if isNew {
		err = tx.QueryRowContext(ctx, `INSERT INTO reports (project_id, period, unit_id, status, month_invest, progress, next_plan, created_at, updated_at, updated_name)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id`,
			p.ID, period.Key(), p.UnitID, string(status), c.monthInvest, c.progress, c.nextPlan, db.Time(now), by.Name).Scan(&r.ID)
	} else {
		// The unit follows the project's lead unit, should it have changed.
		_, err = tx.ExecContext(ctx, `UPDATE reports SET status = $1, month_invest = $2, progress = $3, next_plan = $4, updated_at = $5, updated_name = $6,
			unit_id = $7 WHERE id = $8`, string(status), c.monthInvest, c.progress, c.nextPlan, db.Time(now), by.Name, p.UnitID, r.ID)
	}
	if err != nil {
		return r, fmt.Errorf("report.Save: %w", db.Translate(err))
	}
	if err := saveMilestones(ctx, tx, r, c.reached); err != nil {
		return r, err
	}
	if err := saveProblems(ctx, tx, r, c.problems); err != nil {
		return r, err
	}
	if err := savePhotos(ctx, tx, by, r, in.RemovePhotos, in.Uploads); err != nil {
		return r, err
	}
	saved, err := Get(ctx, tx, r.ID)
	if err != nil {
		return r, err
	}
	if !submit {
		return saved, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ReportSaved, ObjectType: "report", ObjectID: saved.ID,
			ObjectName: saved.title()})
	}
	return saved, submitReport(ctx, tx, by, p, saved, today)
}

// After reports whether p comes after o.
func (p Period) After(o Period) bool { return p.Key() > o.Key() }

func (r *Report) title() string { return r.ProjectName + " " + r.Period.Label() + "月报" }

// saveMilestones makes the report's ticked milestones exactly reached.
// An unticked row is kept (with no day) while it holds a day the report
// wrote into the milestone, so the next submission can take that day back.
func saveMilestones(ctx context.Context, tx *db.Tx, r *Report, reached map[int64]time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE report_milestones SET reached_on = '' WHERE report_id = $1`, r.ID); err != nil {
		return fmt.Errorf("report milestones: %w", err)
	}
	for id, on := range reached {
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_milestones (report_id, milestone_id, reached_on) VALUES ($1, $2, $3)
			ON CONFLICT (report_id, milestone_id) DO UPDATE SET reached_on = excluded.reached_on`, r.ID, id, db.Date(on)); err != nil {
			return fmt.Errorf("report milestones: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM report_milestones WHERE report_id = $1 AND reached_on = '' AND set_on = ''`, r.ID); err != nil {
		return fmt.Errorf("report milestones: %w", err)
	}
	return nil
}

// saveProblems replaces the lines not yet tracked; tracked ones stay, and
// a line repeating one of them is not tracked twice.
func saveProblems(ctx context.Context, tx *db.Tx, r *Report, lines []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM report_problems WHERE report_id = $1 AND problem_id IS NULL`, r.ID); err != nil {
		return fmt.Errorf("report problems: %w", err)
	}
	base := len(r.Problems)
	lines = slices.DeleteFunc(lines, func(text string) bool {
		return slices.ContainsFunc(r.Problems, func(p ProblemLine) bool { return p.ProblemID != 0 && p.Text == text })
	})
	for i, text := range lines {
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_problems (report_id, sort_order, text) VALUES ($1, $2, $3)`, r.ID, base+i, text); err != nil {
			return fmt.Errorf("report problems: %w", err)
		}
	}
	return nil
}

func savePhotos(ctx context.Context, tx *db.Tx, by auth.Actor, r *Report, remove []string, uploads []Upload) error {
	for _, name := range remove {
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_photos WHERE report_id = $1 AND name = $2`, r.ID, name); err != nil {
			return fmt.Errorf("report photos: %w", err)
		}
	}
	next := len(r.Photos)
	for _, u := range uploads {
		taken := ""
		if !u.TakenAt.IsZero() {
			taken = u.TakenAt.UTC().Format(time.RFC3339)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_photos (report_id, name, sort_order, content, thumb, width, height, size, taken_at, uploaded_at, uploaded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			r.ID, u.Name, next, u.JPEG, u.Thumb, u.Width, u.Height, len(u.JPEG), taken, db.Time(tx.Now()), by.UserID); err != nil {
			return fmt.Errorf("report photos: %w", db.Translate(err))
		}
		next++
	}
	return nil
}

// submitReport is the submission of a saved report: the project's figures,
// the version kept as sent, the problems tracked, the audit trail.
func submitReport(ctx context.Context, tx *db.Tx, by auth.Actor, p *project.Project, r *Report, today time.Time) error {
	now := tx.Now()
	first := r.FirstSubmittedOn
	if first.IsZero() {
		first = today
	}
	r.Version++
	if _, err := tx.ExecContext(ctx, `UPDATE reports SET status = $1, version = $2, applied_invest = $3, first_submitted_on = $4,
		submitted_at = $5, submitted_by = $6, submitted_name = $7 WHERE id = $8`,
		string(Submitted), r.Version, r.MonthInvest, db.Date(first), db.Time(now), by.UserID, by.Name, r.ID); err != nil {
		return fmt.Errorf("report submit: %w", err)
	}

	// The project's figures: the investment difference and the milestones.
	before := map[string]any{"累计完成投资（万元）": project.Wan(p.CompletedInvest)}
	after := map[string]any{"累计完成投资（万元）": project.Wan(p.CompletedInvest + r.MonthInvest - r.AppliedInvest)}
	if err := project.AddCompleted(ctx, tx, p.ID, r.Period.Year, r.MonthInvest-r.AppliedInvest); err != nil {
		return err
	}
	if err := applyMilestones(ctx, tx, p, r, before, after); err != nil {
		return err
	}
	if err := audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ProjectUpdated, ObjectType: "project", ObjectID: p.ID, ObjectName: p.Name,
		Before: before, After: after, Note: "据" + r.Period.Label() + "月报"}); err != nil {
		return err
	}

	// New problem lines become tracked problems.
	for i, line := range r.Problems {
		if line.ProblemID != 0 {
			continue
		}
		id, err := raiseProblem(ctx, tx, by, r, line.Text)
		if ae, ok := apperr.As(err); ok && ae.Kind != apperr.Internal {
			msg := ae.Msg
			for _, m := range ae.Fields {
				msg = m
			}
			return apperr.InvalidFields(map[string]string{"problems": fmt.Sprintf("第 %d 条问题未能转入问题督办：%s", i+1, msg)})
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE report_problems SET problem_id = $1 WHERE id = $2`, id, line.ID); err != nil {
			return fmt.Errorf("report problems: %w", err)
		}
		r.Problems[i].ProblemID = id
	}

	snap := r.snapshot()
	raw, _ := json.Marshal(snap)
	if _, err := tx.ExecContext(ctx, `INSERT INTO report_versions (report_id, version, content, submitted_at, submitted_name) VALUES ($1, $2, $3, $4, $5)`,
		r.ID, r.Version, string(raw), db.Time(now), by.Name); err != nil {
		return fmt.Errorf("report version: %w", err)
	}
	r.Status, r.AppliedInvest, r.FirstSubmittedOn, r.SubmittedAt, r.SubmittedName = Submitted, r.MonthInvest, first, now, by.Name
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ReportSubmitted, ObjectType: "report", ObjectID: r.ID,
		ObjectName: r.title(), After: snap, Note: fmt.Sprintf("第 %d 次报送", r.Version)})
}

// applyMilestones writes the reached days into the project's milestones,
// and takes back a day this report wrote before and no longer states. A
// milestone reached by other means meanwhile is left as it is.
func applyMilestones(ctx context.Context, tx *db.Tx, p *project.Project, r *Report, before, after map[string]any) error {
	type row struct{ reached, set time.Time }
	rows, err := tx.QueryContext(ctx, `SELECT milestone_id, reached_on, set_on FROM report_milestones WHERE report_id = $1`, r.ID)
	if err != nil {
		return err
	}
	stated := map[int64]row{}
	err = db.ScanRows(rows, func() error {
		var id int64
		var x row
		if err := rows.Scan(&id, (*db.Date)(&x.reached), (*db.Date)(&x.set)); err != nil {
			return err
		}
		stated[id] = x
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range p.Milestones {
		x, ok := stated[m.ID]
		if !ok {
			continue
		}
		key := "节点“" + m.Name + "”完成日期"
		ours := m.Actual.IsZero() || (!x.set.IsZero() && m.Actual.Equal(x.set))
		switch {
		case !x.reached.IsZero() && ours:
			if !m.Actual.Equal(x.reached) {
				before[key], after[key] = project.FormatDate(m.Actual), project.FormatDate(x.reached)
				if err := project.SetMilestoneReached(ctx, tx, p.ID, m.ID, x.reached); err != nil {
					return err
				}
			}
			_, err = tx.ExecContext(ctx, `UPDATE report_milestones SET set_on = reached_on WHERE report_id = $1 AND milestone_id = $2`, r.ID, m.ID)
		case x.reached.IsZero():
			if ours && !m.Actual.IsZero() {
				before[key], after[key] = project.FormatDate(m.Actual), ""
				if err := project.SetMilestoneReached(ctx, tx, p.ID, m.ID, time.Time{}); err != nil {
					return err
				}
			}
			_, err = tx.ExecContext(ctx, `DELETE FROM report_milestones WHERE report_id = $1 AND milestone_id = $2`, r.ID, m.ID)
		}
		if err != nil {
			return fmt.Errorf("report milestones: %w", err)
		}
	}
	return nil
}

func (r *Report) snapshot() Snapshot {
	s := Snapshot{MonthInvest: r.MonthInvest, Progress: r.Progress, NextPlan: r.NextPlan}
	for _, m := range r.Reached {
		s.Milestones = append(s.Milestones, SnapMilstone{Name: m.Name, On: m.On.Format(time.DateOnly)})
	}
	for _, p := range r.Problems {
		s.Problems = append(s.Problems, p.Text)
	}
	for _, p := range r.Photos {
		s.Photos = append(s.Photos, p.Name)
	}
	return s
}

// Return sends a submitted report back to its unit with the reason (退回);
// the unit corrects and submits it again, and the version stays visible.
func Return(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, reason string) (*Report, error) {
	r, _, err := View(ctx, tx, by, id)
	if err != nil {
		return nil, err
	}
	if !CanReview(by, r) {
		return nil, apperr.Forbiddenf("只有督查室可以退回月报")
	}
	if r.Status != Submitted {
		return r, apperr.Conflictf("只有已报送的月报可以退回，这份月报现为“%s”", r.Status.Label())
	}
	reason = trimText(reason)
	switch {
	case reason == "":
		return r, apperr.InvalidFields(map[string]string{"reason": "请写明退回的原因，便于单位修改"})
	case len([]rune(reason)) > maxReasonRunes:
		return r, apperr.InvalidFields(map[string]string{"reason": fmt.Sprintf("退回原因不能超过 %d 字", maxReasonRunes)})
	}
	now := tx.Now()
	if _, err := tx.ExecContext(ctx, `UPDATE reports SET status = $1, returned_at = $2, returned_name = $3, return_reason = $4, updated_at = $2, updated_name = $3
		WHERE id = $5`, string(Returned), db.Time(now), by.Name, reason, r.ID); err != nil {
		return r, fmt.Errorf("report.Return: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE report_versions SET returned_at = $1, returned_name = $2, return_reason = $3 WHERE report_id = $4 AND version = $5`,
		db.Time(now), by.Name, reason, r.ID, r.Version); err != nil {
		return r, fmt.Errorf("report.Return: %w", err)
	}
	r.Status, r.ReturnedAt, r.ReturnedName, r.ReturnReason = Returned, now, by.Name, reason
	return r, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ReportReturned, ObjectType: "report", ObjectID: r.ID,
		ObjectName: r.title(), Note: reason})
}
