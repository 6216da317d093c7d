// Package worktime is the working-day calendar: weekends and statutory
// holidays off, adjusted weekends (调休) on, and the deadlines counted in
// working days that DESIGN.md §4 uses ("within 3 working days", "a
// deadline on a day off moves to the next working day").
//
// Dates are calendar days at midnight UTC, as in package project, so the
// arithmetic never meets a time zone. The functions are pure; the special
// days come from the holidays table (store.go), which ships with the State
// Council's published schedule and which the system administrator edits
// when the next year's is announced.
package worktime

import (
	"sort"
	"time"
)

// Kind says what a special day is.
type Kind string

// The kinds of special day.
const (
	Off  Kind = "off"  // a statutory holiday (休), on a weekday or a weekend
	Work Kind = "work" // a weekend day worked to bridge a holiday (调休上班)
)

// Label is the kind's Chinese name.
func (k Kind) Label() string {
	switch k {
	case Off:
		return "放假"
	case Work:
		return "调休上班"
	}
	return string(k)
}

// Day is a special day of the calendar.
type Day struct {
	Date time.Time
	Kind Kind
	Name string // the holiday it belongs to, e.g. 春节
}

// Calendar answers working-day questions from its special days.
type Calendar struct {
	special map[time.Time]Day
	years   map[int]bool
}

// Date is the calendar day y-m-d.
func Date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func day(t time.Time) time.Time { return Date(t.Year(), t.Month(), t.Day()) }

// New builds a calendar from its special days.
func New(days []Day) Calendar {
	c := Calendar{special: make(map[time.Time]Day, len(days)), years: map[int]bool{}}
	for _, d := range days {
		d.Date = day(d.Date)
		c.special[d.Date] = d
		c.years[d.Date.Year()] = true
	}
	return c
}

// Known reports whether the calendar holds the year's schedule. For a year
// it does not, only weekends are days off: deadlines stay computable, and
// the settings page says the year is missing.
func (c Calendar) Known(year int) bool { return c.years[year] }

// Special returns the special days of a year in date order.
func (c Calendar) Special(year int) []Day {
	var out []Day
	for _, d := range c.special {
		if d.Date.Year() == year {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

// IsWorkday reports whether d is a working day.
func (c Calendar) IsWorkday(d time.Time) bool {
	d = day(d)
	if s, ok := c.special[d]; ok {
		return s.Kind == Work
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// NextWorkday is d when d is a working day, else the first working day after
// it: a deadline that falls on a day off moves there.
func (c Calendar) NextWorkday(d time.Time) time.Time {
	d = day(d)
	for !c.IsWorkday(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// AddWorkdays is the day n working days after d (n > 0), counting from the
// day after d; for n ≤ 0 it is NextWorkday(d). "Within 3 working days" of a
// Friday is the next Wednesday.
func (c Calendar) AddWorkdays(d time.Time, n int) time.Time {
	d = day(d)
	if n <= 0 {
		return c.NextWorkday(d)
	}
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.IsWorkday(d) {
			n--
		}
	}
	return d
}

// WorkdaysBetween counts the working days after from up to and including
// to; it is negative (the count from to up to from) when to is earlier.
// A deadline is "due soon" while WorkdaysBetween(today, deadline) is at most
// 3, and "overdue by 7 working days" when WorkdaysBetween(deadline, today) ≥ 7.
func (c Calendar) WorkdaysBetween(from, to time.Time) int {
	from, to = day(from), day(to)
	sign := 1
	if to.Before(from) {
		from, to, sign = to, from, -1
	}
	n := 0
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	return sign * n
}
