package worktime

import "time"

// Urgency is where an open deadline (of a problem, a 批示 or a request)
// stands on a day, and so whom it reaches (DESIGN.md §4: warn 3 working
// days ahead; when missed, the 分管领导 at once and the 主要领导 after 7
// working days).
type Urgency int

// The urgencies, in rising order.
const (
	OnTrack     Urgency = iota // more than 3 working days left
	DueSoon                    // the deadline is at most 3 working days away
	Overdue                    // missed: escalated to the 分管领导
	OverdueLong                // missed by 7 working days or more: escalated to the 主要领导
)

// DueSoonDays and EscalateDays are the DESIGN.md §4 defaults.
const (
	DueSoonDays  = 3
	EscalateDays = 7
)

// Label is the urgency's Chinese name.
func (u Urgency) Label() string {
	switch u {
	case DueSoon:
		return "即将到期"
	case Overdue:
		return "已逾期"
	case OverdueLong:
		return "严重逾期"
	}
	return "正常"
}

// UrgencyOf judges an open deadline on today. The deadline day itself is
// still in time; a deadline that falls on a day off is not moved here (the
// caller stores the deadline it set).
func UrgencyOf(deadline, today time.Time, cal Calendar) Urgency {
	deadline, today = day(deadline), day(today)
	if !today.After(deadline) {
		if cal.WorkdaysBetween(today, deadline) <= DueSoonDays {
			return DueSoon
		}
		return OnTrack
	}
	if cal.WorkdaysBetween(deadline, today) >= EscalateDays {
		return OverdueLong
	}
	return Overdue
}
