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
	"guatu/org"
	"guatu/project"
	"guatu/worktime"
)

// Row is one project owing a report for the month, with its report (nil
// when none was started) and where it stands.
type Row struct {
	Project  *project.Project
	Report   *Report
	Standing Standing
}

// Owed reports whether the unit still owes this report: not in, or
// returned and not yet submitted again.
func (r Row) Owed() bool {
	return r.Report == nil || r.Report.Status != Submitted
}

// UnitLine is one unit's line of the 报送情况 board.
type UnitLine struct {
	UnitID   int64
	UnitName string
	UnitPath string
	Due      int // reports owed this month
	OnTime   int
	Late     int
	Missing  int // not in after the deadline
	Pending  int // not in, deadline still ahead
	Returned int // returned and not yet submitted again
	// Reminders counts the 催报 sent to the unit this month.
	Reminders    int
	LastReminder time.Time
}

// Owed is how many reports the unit still has to send.
func (u UnitLine) Owed() int { return u.Missing + u.Pending + u.Returned }

// Board is the 报送情况 of one month: by unit and by project.
type Board struct {
	Period   Period
	Deadline time.Time
	Closed   *Month // nil while the month is open
	Units    []UnitLine
	Total    UnitLine
	Rows     []Row
}

// Month is a closed month.
type Month struct {
	Period     Period
	ClosedAt   time.Time
	ClosedName string
	Automatic  bool
}

// LoadBoard builds the month's board over the projects the actor may read
// led by the unit under (and its subtree; 0 for all): every project of the
// 实施库 that owes a report now, and any other that has a report for the
// month.
func LoadBoard(ctx context.Context, q db.Querier, by auth.Actor, under int64, period Period, today time.Time, cfg Config, cal worktime.Calendar) (*Board, error) {
	b := &Board{Period: period, Deadline: period.Deadline(cfg.DeadlineDay, cal)}
	// Closed or not is asked of the unit the board is for: the one named,
	// else the actor's widest.
	scope := ""
	if under != 0 {
		u, err := org.GetUnit(ctx, q, under)
		if err != nil {
			return nil, err
		}
		scope = u.Path
	} else if paths := auth.ScopePaths(by, auth.ViewReport); len(paths) > 0 {
		scope = paths[0]
	}
	var err error
	if b.Closed, err = closedMonth(ctx, q, period, scope); err != nil {
		return nil, err
	}
	projects, _, err := project.List(ctx, q, by, project.Filter{Tier: project.Active, UnitID: under})
	if err != nil {
		return nil, err
	}
	reports, err := periodReports(ctx, q, period)
	if err != nil {
		return nil, err
	}
	units := map[int64]*UnitLine{}
	var order []int64
	for _, p := range projects {
		r := reports[p.ID]
		if r == nil && !Owes(p.Tier, p.Stage) {
			continue
		}
		row := Row{Project: p, Report: r}
		var submitted time.Time
		if r != nil {
			submitted = r.FirstSubmittedOn
		}
		row.Standing = StandingOf(submitted, b.Deadline, today)
		b.Rows = append(b.Rows, row)

		u := units[p.UnitID]
		if u == nil {
			u = &UnitLine{UnitID: p.UnitID, UnitName: p.UnitName, UnitPath: p.UnitPath}
			units[p.UnitID] = u
			order = append(order, p.UnitID)
		}
		u.Due++
		switch row.Standing {
		case OnTime:
			u.OnTime++
		case Late:
			u.Late++
		case Missing:
			u.Missing++
		case Pending:
			u.Pending++
		}
		if r != nil && r.Status == Returned {
			u.Returned++
		}
	}
	if err := countReminders(ctx, q, period, units); err != nil {
		return nil, err
	}
	for _, id := range order {
		u := *units[id]
		b.Units = append(b.Units, u)
		b.Total.Due += u.Due
		b.Total.OnTime += u.OnTime
		b.Total.Late += u.Late
		b.Total.Missing += u.Missing
		b.Total.Pending += u.Pending
		b.Total.Returned += u.Returned
		b.Total.Reminders += u.Reminders
	}
	// The units most behind first, so the office sees whom to chase.
	slices.SortStableFunc(b.Units, func(x, y UnitLine) int {
		if c := (y.Missing + y.Returned) - (x.Missing + x.Returned); c != 0 {
			return c
		}
		return strings.Compare(x.UnitPath, y.UnitPath)
	})
	return b, nil
}

// periodReports loads the month's reports by project (without details).
func periodReports(ctx context.Context, q db.Querier, period Period) (map[int64]*Report, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+reportColumns+reportFrom+` WHERE r.period = $1`, period.Key())
	if err != nil {
		return nil, fmt.Errorf("report: month: %w", err)
	}
	out := map[int64]*Report{}
	err = db.ScanRows(rows, func() error {
		r, err := scanReport(rows)
		if err == nil {
			out[r.ProjectID] = r
		}
		return err
	})
	return out, err
}

func countReminders(ctx context.Context, q db.Querier, period Period, units map[int64]*UnitLine) error {
	rows, err := q.QueryContext(ctx, `SELECT unit_id, COUNT(*), MAX(sent_at) FROM report_reminders WHERE period = $1 GROUP BY unit_id`, period.Key())
	if err != nil {
		return fmt.Errorf("report: reminders: %w", err)
	}
	return db.ScanRows(rows, func() error {
		var id int64
		var n int
		var last time.Time
		if err := rows.Scan(&id, &n, (*db.Time)(&last)); err != nil {
			return err
		}
		if u := units[id]; u != nil {
			u.Reminders, u.LastReminder = n, last
		}
		return nil
	})
}

// Reminder kinds as recorded: by hand from the board, or by the scheduler.
const (
	ManualReminder = "manual"
)

// Reminded is one unit a 催报 went to, with what it still owes.
type Reminded struct {
	UnitID   int64
	UnitName string
	Owed     int
	Rows     []Row // the reports it owes
}

// Remind records a 催报 to each of the units named (all units that owe
// reports when unitIDs is empty) for the board's month, and returns whom
// it reached; units that owe nothing are skipped. kind is ManualReminder
// or one of the scheduler's Reminder kinds.
func Remind(ctx context.Context, tx *db.Tx, by auth.Actor, b *Board, unitIDs []int64, kind string) ([]Reminded, error) {
	if !auth.CanAnywhere(by, auth.ReviewReport) {
		return nil, apperr.Forbiddenf("只有督查室可以催报")
	}
	var out []Reminded
	for _, u := range b.Units {
		if len(unitIDs) > 0 && !slices.Contains(unitIDs, u.UnitID) {
			continue
		}
		if !auth.Can(by, auth.ReviewReport, u.UnitPath) {
			return nil, apperr.Forbiddenf("只有督查室可以催报")
		}
		if u.Owed() == 0 {
			continue
		}
		rem := Reminded{UnitID: u.UnitID, UnitName: u.UnitName, Owed: u.Owed()}
		for _, r := range b.Rows {
			if r.Project.UnitID == u.UnitID && r.Owed() {
				rem.Rows = append(rem.Rows, r)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_reminders (period, unit_id, kind, owed, sent_at, sent_by, sent_name) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			b.Period.Key(), u.UnitID, kind, rem.Owed, db.Time(tx.Now()), by.UserID, by.Name); err != nil {
			return nil, fmt.Errorf("report.Remind: %w", err)
		}
		if err := audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ReportReminded, ObjectType: "unit", ObjectID: u.UnitID, ObjectName: u.UnitName,
			Note: fmt.Sprintf("%s月报尚欠 %d 份", b.Period.Label(), rem.Owed)}); err != nil {
			return nil, err
		}
		out = append(out, rem)
	}
	if len(unitIDs) > 0 && len(out) == 0 {
		return nil, apperr.Invalidf("所选单位%s月报已全部报送，无需催报", b.Period.Label())
	}
	return out, nil
}

// Due is what the light needs from the monthly cycle on a day: the latest
// month whose deadline has passed, and which projects reported for it.
type Due struct {
	Period    Period
	Deadline  time.Time
	submitted map[int64]bool
}

// LoadDue finds the latest month already due on today (this month once its
// deadline has passed, else the previous one) and its submitted reports.
func LoadDue(ctx context.Context, q db.Querier, today time.Time, cfg Config, cal worktime.Calendar) (Due, error) {
	p := PeriodOf(today)
	if d := p.Deadline(cfg.DeadlineDay, cal); !today.After(d) {
		p = p.Prev()
	}
	due := Due{Period: p, Deadline: p.Deadline(cfg.DeadlineDay, cal), submitted: map[int64]bool{}}
	rows, err := q.QueryContext(ctx, `SELECT project_id FROM reports WHERE period = $1 AND first_submitted_on <> ''`, p.Key())
	if err != nil {
		return due, fmt.Errorf("report.LoadDue: %w", err)
	}
	err = db.ScanRows(rows, func() error {
		var id int64
		err := rows.Scan(&id)
		due.submitted[id] = true
		return err
	})
	return due, err
}

// Missing names the month whose report the project owes after its
// deadline ("" when none): the input to the light (DESIGN.md §4).
func (d Due) Missing(p *project.Project) string {
	if d.submitted == nil || !Owes(p.Tier, p.Stage) || d.submitted[p.ID] {
		return ""
	}
	return d.Period.Label()
}

// closedMonth finds the close of the month that covers the unit with the
// given path: a close of that unit or of one above it. Nil when open.
func closedMonth(ctx context.Context, q db.Querier, p Period, unitPath string) (*Month, error) {
	if unitPath == "" {
		return nil, nil
	}
	m := Month{Period: p}
	err := q.QueryRowContext(ctx, `SELECT rm.closed_at, rm.closed_name, rm.automatic FROM report_months rm JOIN units u ON u.id = rm.unit_id
		WHERE rm.period = $1 AND $2 LIKE u.path || '%' ORDER BY length(u.path) LIMIT 1`, p.Key(), unitPath).
		Scan((*db.Time)(&m.ClosedAt), &m.ClosedName, &m.Automatic)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("report: month: %w", err)
	}
	return &m, nil
}

// ReviewUnit is the unit whose months the actor closes: where they run the
// cycle (their first grant for it).
func ReviewUnit(by auth.Actor) (int64, error) {
	for _, g := range by.Grants {
		if auth.Allowed(g.Role, auth.ReviewReport) {
			return g.UnitID, nil
		}
	}
	return 0, apperr.Forbiddenf("只有督查室可以关账")
}

// MonthLight is a project's light frozen for a month.
type MonthLight struct {
	ProjectID     int64
	Period        Period
	Light         project.Light
	Reasons       []string
	Stage         project.Stage
	PlannedYear   int64
	CompletedYear int64
	Completed     int64
	TimeProgress  float64 // percent of the year elapsed at the month's end
	Standing      Standing
	UnitID        int64 // the lead unit when the month closed
	// MilestonesDue are the milestones planned within the month, and
	// MilestonesOnTime those of them reached by their planned day.
	MilestonesDue, MilestonesOnTime int
}

// Close closes the month's reporting for the unit's subtree (a town, or a
// whole county) and freezes the light, reasons and figures of every 实施库
// project led there (DESIGN.md §4). The month is judged as at its last
// day, with what was known of it: milestones reached later count as not
// reached, the investment reported for later months is left out, the stage
// is the one the project had then, and a report not in by now counts as
// missing. The history, the bulletin and the trends read these rows and
// never judge the month again. automatic marks a close by the scheduler.
func Close(ctx context.Context, tx *db.Tx, by auth.Actor, unitID int64, period Period, today time.Time, rules project.Rules, cfg Config,
	cal worktime.Calendar, automatic bool) (int, error) {
	u, err := org.GetUnit(ctx, tx, unitID)
	if err != nil {
		return 0, err
	}
	if !auth.Can(by, auth.ReviewReport, u.Path) {
		return 0, apperr.Forbiddenf("只有督查室可以关账")
	}
	deadline := period.Deadline(cfg.DeadlineDay, cal)
	if !today.After(deadline) {
		return 0, apperr.Invalidf("%s月报的报送截止日是 %s，截止以后才能关账", period.Label(), deadline.Format("1月2日"))
	}
	if m, err := closedMonth(ctx, tx, period, u.Path); err != nil || m != nil {
		if err != nil {
			return 0, err
		}
		return 0, apperr.Conflictf("%s已经关账，亮灯已冻结", period.Label())
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO report_months (period, unit_id, closed_at, closed_name, automatic) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (period, unit_id) DO NOTHING`, period.Key(), unitID, db.Time(tx.Now()), by.Name, automatic)
	if err != nil {
		return 0, fmt.Errorf("report.Close: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, apperr.Conflictf("%s已经关账，亮灯已冻结", period.Label())
	}
	projects, _, err := project.List(ctx, tx, auth.SystemActor("job"), project.Filter{Tier: project.Active, UnitID: unitID, Details: true})
	if err != nil {
		return 0, err
	}
	reports, err := periodReports(ctx, tx, period)
	if err != nil {
		return 0, err
	}
	at := period.Last()
	stages, err := project.StagesOn(ctx, tx, at)
	if err != nil {
		return 0, err
	}
	laterYear, laterAll, err := reportedAfter(ctx, tx, period)
	if err != nil {
		return 0, err
	}
	tp := project.TimeProgress(at)
	frozen := 0
	for _, p := range projects {
		stage, ok := stages[p.ID]
		if !ok {
			continue // not in the library in a stage yet at the month's end
		}
		var submitted time.Time
		if r := reports[p.ID]; r != nil {
			submitted = r.FirstSubmittedOn
		}
		missing, standing := "", Standing("")
		if Owes(p.Tier, stage.Stage) {
			standing = StandingOf(submitted, deadline, today)
			if submitted.IsZero() {
				missing = period.Label()
			}
		}
		plan := p.Plan(period.Year)
		f := p.Facts(at, missing)
		f.Stage, f.StageSince = stage.Stage, stage.On
		f.AnnualPlan, f.CompletedYear = plan.Planned, plan.Completed-laterYear[p.ID]
		for i := range f.Milestones {
			if f.Milestones[i].Actual.After(at) {
				f.Milestones[i].Actual = time.Time{}
			}
		}
		// Milestones planned within the month, and those reached by their day
		// (by the month's end: a later completion is not known yet).
		var msDue, msOnTime int
		for _, m := range f.Milestones {
			if m.Planned.Before(period.First()) || m.Planned.After(at) {
				continue
			}
			msDue++
			if !m.Actual.IsZero() && !m.Actual.After(m.Planned) {
				msOnTime++
			}
		}
		light, reasons := project.Judge(f, at, rules)
		texts := []string{}
		for _, r := range reasons {
			texts = append(texts, r.Text)
		}
		raw, _ := json.Marshal(texts)
		// A project a unit below froze already (its own close) keeps that freeze.
		res, err := tx.ExecContext(ctx, `INSERT INTO light_months (project_id, period, light, reasons, stage, unit_id, planned_year, completed_year,
			completed_total, time_progress, report_standing, milestones_due, milestones_on_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (project_id, period) DO NOTHING`,
			p.ID, period.Key(), string(light), string(raw), string(stage.Stage), p.UnitID, plan.Planned, f.CompletedYear,
			p.CompletedInvest-laterAll[p.ID], int64(tp*10+0.5), string(standing), msDue, msOnTime)
		if err != nil {
			return 0, fmt.Errorf("report.Close: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			frozen++
		}
	}
	how := "手动关账"
	if automatic {
		how = "到期自动关账"
	}
	return frozen, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.MonthClosed, ObjectType: "unit", ObjectID: unitID, ObjectName: u.Name,
		Note: fmt.Sprintf("%s%s，冻结 %d 个项目的亮灯", period.Label(), how, frozen)})
}

// reportedAfter sums, by project, the investment that reports of months
// after p have added: within p's year, and in all.
func reportedAfter(ctx context.Context, q db.Querier, p Period) (year, all map[int64]int64, err error) {
	rows, err := q.QueryContext(ctx, `SELECT project_id, period, applied_invest FROM reports WHERE period > $1 AND applied_invest <> 0`, p.Key())
	if err != nil {
		return nil, nil, fmt.Errorf("report: later months: %w", err)
	}
	year, all = map[int64]int64{}, map[int64]int64{}
	yearEnd := Period{p.Year, time.December}.Key()
	err = db.ScanRows(rows, func() error {
		var id, yuan int64
		var period string
		if err := rows.Scan(&id, &period, &yuan); err != nil {
			return err
		}
		all[id] += yuan
		if period <= yearEnd {
			year[id] += yuan
		}
		return nil
	})
	return year, all, err
}

// IsClosed reports whether the month's reporting is closed for the unit
// with the given path (by its own close or one above it).
func IsClosed(ctx context.Context, q db.Querier, p Period, unitPath string) (bool, error) {
	m, err := closedMonth(ctx, q, p, unitPath)
	return m != nil, err
}

const monthLightColumns = `project_id, period, light, reasons, stage, planned_year, completed_year, completed_total, time_progress, report_standing,
	unit_id, milestones_due, milestones_on_time`

func scanMonthLight(s interface{ Scan(...any) error }) (MonthLight, error) {
	var m MonthLight
	var period, light, reasons, stage, standing string
	var tp int64
	if err := s.Scan(&m.ProjectID, &period, &light, &reasons, &stage, &m.PlannedYear, &m.CompletedYear, &m.Completed, &tp, &standing,
		&m.UnitID, &m.MilestonesDue, &m.MilestonesOnTime); err != nil {
		return m, err
	}
	var err error
	if m.Period, err = ParsePeriod(period); err != nil {
		return m, err
	}
	m.Light, m.Stage, m.Standing, m.TimeProgress = project.Light(light), project.Stage(stage), Standing(standing), float64(tp)/10
	return m, json.Unmarshal([]byte(reasons), &m.Reasons)
}

// LightHistory lists the project's frozen months, oldest first.
func LightHistory(ctx context.Context, q db.Querier, projectID int64) ([]MonthLight, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+monthLightColumns+` FROM light_months WHERE project_id = $1 ORDER BY period`, projectID)
	if err != nil {
		return nil, fmt.Errorf("report.LightHistory: %w", err)
	}
	var out []MonthLight
	err = db.ScanRows(rows, func() error {
		m, err := scanMonthLight(rows)
		out = append(out, m)
		return err
	})
	return out, err
}

// YearLights returns every frozen light of the year by project and month,
// for the battle map's month strip.
func YearLights(ctx context.Context, q db.Querier, year int) (map[int64]map[time.Month]project.Light, error) {
	rows, err := q.QueryContext(ctx, `SELECT project_id, period, light FROM light_months WHERE period >= $1 AND period <= $2`,
		Period{year, time.January}.Key(), Period{year, time.December}.Key())
	if err != nil {
		return nil, fmt.Errorf("report.YearLights: %w", err)
	}
	out := map[int64]map[time.Month]project.Light{}
	err = db.ScanRows(rows, func() error {
		var id int64
		var period, light string
		if err := rows.Scan(&id, &period, &light); err != nil {
			return err
		}
		p, err := ParsePeriod(period)
		if err != nil {
			return err
		}
		if out[id] == nil {
			out[id] = map[time.Month]project.Light{}
		}
		out[id][p.Month] = project.Light(light)
		return nil
	})
	return out, err
}

// MonthLights returns the frozen lights of one month by project.
func MonthLights(ctx context.Context, q db.Querier, p Period) (map[int64]MonthLight, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+monthLightColumns+` FROM light_months WHERE period = $1`, p.Key())
	if err != nil {
		return nil, fmt.Errorf("report.MonthLights: %w", err)
	}
	out := map[int64]MonthLight{}
	err = db.ScanRows(rows, func() error {
		m, err := scanMonthLight(rows)
		out[m.ProjectID] = m
		return err
	})
	return out, err
}
