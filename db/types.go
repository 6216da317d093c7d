package db

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"guatu/apperr"
)

// timeLayout stores instants as fixed-width RFC 3339 UTC text, so both
// engines store and sort them identically.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Time is a time.Time stored as UTC text. Use (*db.Time)(&t) to scan.
type Time time.Time

// Value implements driver.Valuer.
func (t Time) Value() (driver.Value, error) {
	return time.Time(t).UTC().Format(timeLayout), nil
}

// Scan implements sql.Scanner.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	case time.Time:
		*t = Time(v.UTC())
		return nil
	case nil:
		*t = Time{}
		return nil
	}
	return fmt.Errorf("db.Time: cannot scan %T", src)
}

func (t *Time) parse(s string) error {
	if s == "" {
		*t = Time{}
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("db.Time: %w", err)
	}
	*t = Time(v.UTC())
	return nil
}

// NullTime is a Time that may be NULL; the zero time.Time stands for NULL.
type NullTime time.Time

// Value implements driver.Valuer.
func (t NullTime) Value() (driver.Value, error) {
	if time.Time(t).IsZero() {
		return nil, nil
	}
	return Time(t).Value()
}

// Scan implements sql.Scanner.
func (t *NullTime) Scan(src any) error { return (*Time)(t).Scan(src) }

// Translate turns driver errors that a user can cause into apperr kinds, by
// code and never by message text. Other errors pass through unchanged.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case 2067, 1555: // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
			return &apperr.Error{Kind: apperr.Conflict, Msg: "记录重复，已存在相同的内容", Err: err}
		case 787: // SQLITE_CONSTRAINT_FOREIGNKEY
			return &apperr.Error{Kind: apperr.Conflict, Msg: "该记录仍被其他数据引用，或引用的数据不存在", Err: err}
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &apperr.Error{Kind: apperr.Conflict, Msg: "记录重复，已存在相同的内容", Err: err}
		case "23503":
			return &apperr.Error{Kind: apperr.Conflict, Msg: "该记录仍被其他数据引用，或引用的数据不存在", Err: err}
		}
	}
	return err
}

// IsUnique reports whether err is a unique-constraint violation.
func IsUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == 2067 || se.Code() == 1555
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// Where collects optional filter conditions and numbers their placeholders.
//
//	var w db.Where
//	w.Add("unit_id = $?", unitID)
//	w.Add("name LIKE $?", "%"+q+"%")
//	rows, err := q.QueryContext(ctx, "SELECT … FROM t "+w.SQL(), w.Args...)
type Where struct {
	conds []string
	Args  []any
}

// Add appends a condition; each "$?" in it takes the next argument.
func (w *Where) Add(cond string, args ...any) {
	for _, a := range args {
		w.Args = append(w.Args, a)
		cond = strings.Replace(cond, "$?", fmt.Sprintf("$%d", len(w.Args)), 1)
	}
	w.conds = append(w.conds, "("+cond+")")
}

// Next returns the placeholder for one more argument after the conditions
// (for LIMIT and OFFSET) and records the argument.
func (w *Where) Next(arg any) string {
	w.Args = append(w.Args, arg)
	return fmt.Sprintf("$%d", len(w.Args))
}

// SQL is "WHERE a AND b", or "" when there are no conditions.
func (w *Where) SQL() string {
	if len(w.conds) == 0 {
		return ""
	}
	return "WHERE " + strings.Join(w.conds, " AND ")
}

// LikeEscape escapes % and _ so user text matches literally in LIKE … ESCAPE '\'.
func LikeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// Date is a calendar day stored as 'YYYY-MM-DD' text (” for the zero
// time), read as midnight UTC like every day in the domain packages. Use
// (*db.Date)(&t) to scan.
type Date time.Time

// Value implements driver.Valuer.
func (d Date) Value() (driver.Value, error) {
	if time.Time(d).IsZero() {
		return "", nil
	}
	return time.Time(d).Format(time.DateOnly), nil
}

// Scan implements sql.Scanner.
func (d *Date) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case nil:
	default:
		return fmt.Errorf("db.Date: cannot scan %T", src)
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return fmt.Errorf("db.Date: %w", err)
	}
	*d = Date(t)
	return nil
}

// ScanRows calls each for every row, then closes rows and returns the
// first error of each, of the iteration or of the close.
func ScanRows(rows *sql.Rows, each func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := each(); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}
