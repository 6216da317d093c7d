package project

import (
	"context"
	"fmt"
	"time"

	"guatu/apperr"
	"guatu/db"
)

// The monthly report writes what it states into the project through these
// two functions. They check no permission: the report package has checked
// the unit's right to report, and it records the change in the audit trail
// (on the project too, so the project's history shows it).

// AddCompleted adds delta yuan to the project's cumulative completed
// investment and to the year's. delta is negative when a corrected report
// states less than its first version.
func AddCompleted(ctx context.Context, tx *db.Tx, id int64, year int, delta int64) error {
	if delta == 0 {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE projects SET completed_invest = completed_invest + $1, updated_at = $2 WHERE id = $3`,
		delta, db.Time(tx.Now()), id)
	if err != nil {
		return fmt.Errorf("project.AddCompleted %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("项目不存在")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO project_year_plans (project_id, year, completed_invest) VALUES ($1, $2, $3)
		ON CONFLICT (project_id, year) DO UPDATE SET completed_invest = project_year_plans.completed_invest + excluded.completed_invest`,
		id, year, delta); err != nil {
		return fmt.Errorf("project.AddCompleted %d: %w", id, err)
	}
	return nil
}

// SetMilestoneReached records the day a milestone of the project was
// reached; a zero day clears it (a corrected report took it back).
func SetMilestoneReached(ctx context.Context, tx *db.Tx, projectID, milestoneID int64, on time.Time) error {
	text := ""
	if !on.IsZero() {
		text = on.Format(time.DateOnly)
	}
	res, err := tx.ExecContext(ctx, `UPDATE milestones SET actual_on = $1 WHERE id = $2 AND project_id = $3`, text, milestoneID, projectID)
	if err != nil {
		return fmt.Errorf("project.SetMilestoneReached %d: %w", milestoneID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("时间节点不存在")
	}
	_, err = tx.ExecContext(ctx, `UPDATE projects SET updated_at = $1 WHERE id = $2`, db.Time(tx.Now()), projectID)
	return err
}
