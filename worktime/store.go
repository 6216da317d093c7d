package worktime

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
)

// Load reads the calendar's special days.
func Load(ctx context.Context, q db.Querier) (Calendar, error) {
	rows, err := q.QueryContext(ctx, `SELECT day, kind, name FROM holidays ORDER BY day`)
	if err != nil {
		return Calendar{}, fmt.Errorf("worktime.Load: %w", err)
	}
	defer rows.Close()
	var days []Day
	for rows.Next() {
		var d Day
		var date, kind string
		if err := rows.Scan(&date, &kind, &d.Name); err != nil {
			return Calendar{}, err
		}
		if d.Date, err = time.Parse("2006-01-02", date); err != nil {
			return Calendar{}, fmt.Errorf("worktime.Load: day %q: %w", date, err)
		}
		d.Kind = Kind(kind)
		days = append(days, d)
	}
	return New(days), rows.Err()
}

// DayInput is a special day as typed in the form.
type DayInput struct{ Date, Kind, Name string }

func (in DayInput) parse() (Day, error) {
	var f apperr.Fields
	var d Day
	t, err := time.Parse("2006-01-02", strings.TrimSpace(in.Date))
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		f.Add("date", "日期格式应为 2026-10-01")
	}
	d.Date, d.Kind, d.Name = t, Kind(in.Kind), strings.TrimSpace(in.Name)
	if d.Kind != Off && d.Kind != Work {
		f.Add("kind", "请选择放假或调休上班")
	}
	if utf8.RuneCountInString(d.Name) > 20 {
		f.Add("name", "节日名称不超过20个字")
	}
	if err == nil && d.Kind == Work {
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			f.Add("kind", "调休上班的日子应是周六或周日")
		}
	}
	return d, f.Err()
}

// SetDay records a special day, or changes the one on that date.
func SetDay(ctx context.Context, tx *db.Tx, by auth.Actor, in DayInput) (Day, error) {
	if !auth.CanAnywhere(by, auth.EditCalendar) {
		return Day{}, apperr.Forbiddenf("只有系统管理员可以修改节假日安排")
	}
	d, err := in.parse()
	if err != nil {
		return d, err
	}
	date := d.Date.Format("2006-01-02")
	var before any
	var kind, name string
	if err := tx.QueryRowContext(ctx, `SELECT kind, name FROM holidays WHERE day = $1`, date).Scan(&kind, &name); err == nil {
		before = map[string]string{"日期": date, "安排": Kind(kind).Label(), "节日": name}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO holidays (day, kind, name, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		date, string(d.Kind), d.Name, db.Time(tx.Now()), by.UserID); err != nil {
		return d, fmt.Errorf("worktime.SetDay: %w", err)
	}
	return d, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.CalendarChanged, ObjectType: "holiday",
		ObjectName: date, Before: before, After: map[string]string{"日期": date, "安排": d.Kind.Label(), "节日": d.Name}})
}

// DeleteDay makes a date an ordinary day again (a weekday works, a weekend rests).
func DeleteDay(ctx context.Context, tx *db.Tx, by auth.Actor, date string) error {
	if !auth.CanAnywhere(by, auth.EditCalendar) {
		return apperr.Forbiddenf("只有系统管理员可以修改节假日安排")
	}
	var kind, name string
	if err := tx.QueryRowContext(ctx, `SELECT kind, name FROM holidays WHERE day = $1`, date).Scan(&kind, &name); err != nil {
		return apperr.NotFoundf("%s 不是节假日或调休日", date)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM holidays WHERE day = $1`, date); err != nil {
		return fmt.Errorf("worktime.DeleteDay: %w", err)
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.CalendarChanged, ObjectType: "holiday",
		ObjectName: date, Before: map[string]string{"日期": date, "安排": Kind(kind).Label(), "节日": name}, Note: "恢复为平常日"})
}
