package worktime_test

import (
	"context"
	"testing"
	"time"

	"guatu/apperr"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/worktime"
)

func d(m time.Month, day int) time.Time { return worktime.Date(2026, m, day) }

// shipped is the 2026 calendar as the migration ships it, read through the store.
func shipped(t *testing.T) (worktime.Calendar, *db.DB) {
	t.Helper()
	database := dbtest.New(t)
	c, err := worktime.Load(context.Background(), database)
	if err != nil {
		t.Fatal(err)
	}
	return c, database
}

func TestIsWorkday_2026(t *testing.T) {
	c, _ := shipped(t)
	for _, tc := range []struct {
		day  time.Time
		want bool
		why  string
	}{
		{d(1, 1), false, "元旦"},
		{d(1, 4), true, "a Sunday worked for 元旦"},
		{d(1, 5), true, "an ordinary Monday"},
		{d(1, 10), false, "an ordinary Saturday"},
		{d(2, 14), true, "a Saturday worked for 春节"},
		{d(2, 17), false, "春节"},
		{d(2, 23), false, "the last day of 春节, a Monday"},
		{d(2, 24), true, "back to work"},
		{d(2, 28), true, "a Saturday worked for 春节"},
		{d(5, 5), false, "劳动节, a Tuesday"},
		{d(9, 20), true, "a Sunday worked for 国庆节"},
		{d(10, 7), false, "国庆节"},
		{d(10, 10), true, "a Saturday worked for 国庆节"},
		{d(12, 31), true, "an ordinary Thursday"},
		{worktime.Date(2027, 2, 6), false, "a Saturday of a year not yet known: weekends only"},
	} {
		if got := c.IsWorkday(tc.day); got != tc.want {
			t.Errorf("%s (%s): workday = %v, want %v", tc.day.Format("2006-01-02"), tc.why, got, tc.want)
		}
	}
	if !c.Known(2026) || c.Known(2027) {
		t.Errorf("known 2026 = %v, 2027 = %v", c.Known(2026), c.Known(2027))
	}
	if n := len(c.Special(2026)); n != 39 {
		t.Errorf("2026 has %d special days, want 39 (33 off, 6 worked)", n)
	}
}

func TestDeadlines(t *testing.T) {
	c, _ := shipped(t)
	for _, tc := range []struct {
		name string
		got  time.Time
		want time.Time
	}{
		{"a deadline on 国庆 moves to the next working day", c.NextWorkday(d(10, 1)), d(10, 8)},
		{"a deadline on a working day stays", c.NextWorkday(d(10, 9)), d(10, 9)},
		{"the 25th on a Sunday moves to Monday", c.NextWorkday(d(1, 25)), d(1, 26)},
		{"3 working days after a Friday", c.AddWorkdays(d(3, 13), 3), d(3, 18)},
		{"3 working days after the eve of 春节 skip the holiday, and count the worked Saturday", c.AddWorkdays(d(2, 13), 3), d(2, 25)},
		{"1 working day after 9月19日 is the worked Sunday", c.AddWorkdays(d(9, 19), 1), d(9, 20)},
		{"0 working days is the next working day", c.AddWorkdays(d(10, 3), 0), d(10, 8)},
		{"across the year end", c.AddWorkdays(d(12, 30), 3), worktime.Date(2027, 1, 4)},
	} {
		if !tc.got.Equal(tc.want) {
			t.Errorf("%s: got %s, want %s", tc.name, tc.got.Format("2006-01-02"), tc.want.Format("2006-01-02"))
		}
	}
	for _, tc := range []struct {
		from, to time.Time
		want     int
	}{
		{d(3, 13), d(3, 18), 3},
		{d(3, 18), d(3, 13), -3},
		{d(3, 13), d(3, 13), 0},
		{d(9, 30), d(10, 9), 2}, // 10-08 and 10-09; 10-10 is not reached
		{d(2, 13), d(2, 28), 6}, // 02-14 (a worked Saturday), 02-24 … 02-27, 02-28 (a worked Saturday)
	} {
		if got := c.WorkdaysBetween(tc.from, tc.to); got != tc.want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tc.from.Format("01-02"), tc.to.Format("01-02"), got, tc.want)
		}
	}
}

func TestLeapDayAndTimeOfDay(t *testing.T) {
	c := worktime.New(nil)
	leap := time.Date(2028, 2, 29, 17, 30, 0, 0, time.FixedZone("CST", 8*3600))
	if !c.IsWorkday(leap) || !c.AddWorkdays(leap, 1).Equal(worktime.Date(2028, 3, 1)) {
		t.Errorf("2028-02-29 (a Tuesday): workday %v, next %s", c.IsWorkday(leap), c.AddWorkdays(leap, 1))
	}
}

func TestSetAndDeleteDays(t *testing.T) {
	_, database := shipped(t)
	ctx := context.Background()
	sys := auth.Actor{UserID: 1, Username: "sysadmin", Grants: []auth.Grant{{Role: auth.SysAdmin, UnitPath: "/1/"}}}
	staff := auth.Actor{UserID: 2, Username: "staff", Grants: []auth.Grant{{Role: auth.Staff, UnitPath: "/1/"}}}
	try := func(fn func(tx *db.Tx) error) error {
		return database.InTx(ctx, func(tx *db.Tx) error { return fn(tx) })
	}
	// The 2027 schedule announced: 元旦 and a worked Sunday.
	if err := try(func(tx *db.Tx) error {
		if _, err := worktime.SetDay(ctx, tx, sys, worktime.DayInput{Date: "2027-01-01", Kind: "off", Name: "元旦"}); err != nil {
			return err
		}
		_, err := worktime.SetDay(ctx, tx, sys, worktime.DayInput{Date: "2027-01-03", Kind: "work", Name: "元旦"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	c, err := worktime.Load(ctx, database)
	if err != nil {
		t.Fatal(err)
	}
	if c.IsWorkday(worktime.Date(2027, 1, 1)) || !c.IsWorkday(worktime.Date(2027, 1, 3)) || !c.Known(2027) {
		t.Error("the 2027 days were not taken")
	}
	for _, bad := range []worktime.DayInput{{Date: "2027-13-01", Kind: "off"}, {Date: "2027-01-05", Kind: "work"}, {Date: "2027-01-06", Kind: "party"}} {
		err := try(func(tx *db.Tx) error { _, err := worktime.SetDay(ctx, tx, sys, bad); return err })
		if apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("%+v: err = %v, want invalid", bad, err)
		}
	}
	err = try(func(tx *db.Tx) error {
		_, err := worktime.SetDay(ctx, tx, staff, worktime.DayInput{Date: "2027-01-02", Kind: "off"})
		return err
	})
	if apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("staff: err = %v, want forbidden", err)
	}
	if err := try(func(tx *db.Tx) error { return worktime.DeleteDay(ctx, tx, sys, "2027-01-03") }); err != nil {
		t.Fatal(err)
	}
	if c, _ := worktime.Load(ctx, database); c.IsWorkday(worktime.Date(2027, 1, 3)) {
		t.Error("a deleted 调休 day is still worked")
	}
}

func TestUrgencyOf(t *testing.T) {
	cal := worktime.New(nil) // weekends only
	deadline := d(3, 20)     // a Friday
	cases := []struct {
		today time.Time
		want  worktime.Urgency
	}{
		{d(3, 12), worktime.OnTrack},
		{d(3, 16), worktime.OnTrack},     // Monday: Tue..Fri are 4 working days
		{d(3, 17), worktime.DueSoon},     // Tuesday: Wed, Thu, Fri
		{d(3, 20), worktime.DueSoon},     // the day itself is in time
		{d(3, 21), worktime.Overdue},     // the Saturday after
		{d(3, 30), worktime.Overdue},     // 6 working days late
		{d(3, 31), worktime.OverdueLong}, // 7 working days late: to the 主要领导
	}
	for _, c := range cases {
		if got := worktime.UrgencyOf(deadline, c.today, cal); got != c.want {
			t.Errorf("UrgencyOf(03-20, %s) = %s, want %s", c.today.Format("01-02"), got.Label(), c.want.Label())
		}
	}
	// Holidays stretch the escalation: with 3-23..3-25 off, 3-31 is 4 working days late.
	hol := worktime.New([]worktime.Day{{Date: d(3, 23), Kind: worktime.Off}, {Date: d(3, 24), Kind: worktime.Off}, {Date: d(3, 25), Kind: worktime.Off}})
	if got := worktime.UrgencyOf(deadline, d(3, 31), hol); got != worktime.Overdue {
		t.Errorf("with holidays: %s, want 已逾期", got.Label())
	}
}
