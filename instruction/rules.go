package instruction

import (
	"sort"
	"time"

	"guatu/auth"
	"guatu/project"
	"guatu/worktime"
)

// The rules of 批示, pure functions of the facts and "today" (a calendar
// day in the deployment's zone, as in package project).

// State is where an addressed unit stands with its 反馈.
type State string

// The states. Only the first answer counts for on time: a unit that answers
// late cannot make it on time by answering again, and one that answered in
// time stays on time however often it adds to its answer.
const (
	Pending    State = "pending"    // 待反馈: not answered, the 批示 still open
	OnTime     State = "on_time"    // 按时反馈: first answer on or before the deadline day
	Late       State = "late"       // 逾期反馈: first answer after the deadline day
	Unanswered State = "unanswered" // 未反馈: the 批示 was closed without this unit's answer
)

// Label is the state's Chinese name.
func (s State) Label() string {
	switch s {
	case Pending:
		return "待反馈"
	case OnTime:
		return "按时反馈"
	case Late:
		return "逾期反馈"
	case Unanswered:
		return "未反馈"
	}
	return string(s)
}

// Answered reports whether the unit has answered.
func (s State) Answered() bool { return s == OnTime || s == Late }

// StateOf judges an addressee from the deadline, the day of its first
// answer (zero when none) and whether the 批示 is closed.
func StateOf(deadline, answeredOn time.Time, closed bool) State {
	switch {
	case !answeredOn.IsZero() && answeredOn.After(deadline):
		return Late
	case !answeredOn.IsZero():
		return OnTime
	case closed:
		return Unanswered
	}
	return Pending
}

// dayOf is the calendar day of an instant in the deployment's zone.
func dayOf(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return project.DayOf(t, shanghai)
}

// Standing is an addressee as judged on a day.
type Standing struct {
	Addressee
	State State
	// Urgency is the shared deadline rule (worktime.UrgencyOf) while the
	// unit owes its answer: due soon 3 working days ahead; overdue reaches
	// the unit's 分管领导, overdue by 7 working days the 主要领导. It is
	// OnTrack once answered or closed: nothing is owed any more.
	Urgency worktime.Urgency
}

// Standings judges every addressee of the 批示 on today.
func (in *Instruction) Standings(today time.Time, cal worktime.Calendar) []Standing {
	out := make([]Standing, len(in.Units))
	for i, u := range in.Units {
		st := Standing{Addressee: u, State: StateOf(in.Deadline, dayOf(u.AnsweredAt), in.Status == Closed)}
		if st.State == Pending {
			st.Urgency = worktime.UrgencyOf(in.Deadline, today, cal)
		}
		out[i] = st
	}
	return out
}

// Summary is a 批示's progress: how many units answered, and the worst
// urgency among those that still owe an answer.
type Summary struct {
	Answered, Total int
	Urgency         worktime.Urgency
}

// Summarise adds up standings.
func Summarise(st []Standing) Summary {
	s := Summary{Total: len(st)}
	for _, x := range st {
		if x.State.Answered() {
			s.Answered++
		}
		s.Urgency = max(s.Urgency, x.Urgency)
	}
	return s
}

// Fact is one addressed unit of one 批示, for the quarterly bulletin's
// "批示 answered on time" (DESIGN.md §4).
type Fact struct {
	InstructionID int64
	Writer        string // who wrote it
	Content       string
	UnitID        int64
	UnitName      string
	UnitPath      string
	Deadline      time.Time // calendar day
	AnsweredAt    time.Time // first answer, zero when none
	ClosedAt      time.Time // zero while open
}

// Judge says whether the fact counts on today, and if so whether it was
// answered on time. An answer counts either way. A missing answer counts
// (as not on time) once the deadline has passed — while the 批示 is open,
// or if it was closed after the deadline; a 批示 closed before its
// deadline excuses the units that had not answered yet, and one still
// within its deadline is not judged.
func (f Fact) Judge(today time.Time) (counted, onTime bool) {
	if !f.AnsweredAt.IsZero() {
		return true, !dayOf(f.AnsweredAt).After(f.Deadline)
	}
	end := today
	if !f.ClosedAt.IsZero() {
		end = dayOf(f.ClosedAt)
	}
	return end.After(f.Deadline), false
}

// UnitTally is one unit's 批示 record over a period.
type UnitTally struct {
	UnitID   int64
	UnitName string
	UnitPath string
	Due      int // addressed units counted (Fact.Judge)
	OnTime   int
}

// Rate is the share answered on time; ok is false when nothing was due.
func (t UnitTally) Rate() (rate float64, ok bool) {
	if t.Due == 0 {
		return 0, false
	}
	return float64(t.OnTime) / float64(t.Due), true
}

// Tally adds up facts per unit, in tree order (by path).
func Tally(facts []Fact, today time.Time) []UnitTally {
	byUnit := map[int64]*UnitTally{}
	for _, f := range facts {
		t := byUnit[f.UnitID]
		if t == nil {
			t = &UnitTally{UnitID: f.UnitID, UnitName: f.UnitName, UnitPath: f.UnitPath}
			byUnit[f.UnitID] = t
		}
		if counted, onTime := f.Judge(today); counted {
			t.Due++
			if onTime {
				t.OnTime++
			}
		}
	}
	out := make([]UnitTally, 0, len(byUnit))
	for _, t := range byUnit {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].UnitPath != out[j].UnitPath {
			return out[i].UnitPath < out[j].UnitPath
		}
		return out[i].UnitID < out[j].UnitID
	})
	return out
}

// Who may do what with a 批示. The policy (auth.Can) decides per unit; these
// add the record's rules on top, as package project does for its leaders.

// CanView reports whether the actor may read the 批示: one of its units is
// in their view, they wrote it, or it names them.
func CanView(by auth.Actor, in *Instruction) bool {
	if by.System || in.WriterID != 0 && in.WriterID == by.UserID {
		return true
	}
	for _, u := range in.Units {
		if auth.Can(by, auth.ViewInstr, u.UnitPath) {
			return true
		}
	}
	for _, p := range in.People {
		if by.PersonID != 0 && p.ID == by.PersonID && auth.CanAnywhere(by, auth.ViewInstr) {
			return true
		}
	}
	return false
}

// AnswerableUnits lists the addressed units the actor may answer for: the
// unit's own staff, or the supervision office entering an answer sent on
// paper; none once the 批示 is closed.
func AnswerableUnits(by auth.Actor, in *Instruction) []Addressee {
	if in.Status != Open {
		return nil
	}
	var out []Addressee
	for _, u := range in.Units {
		if auth.Can(by, auth.AnswerInstr, u.UnitPath) {
			out = append(out, u)
		}
	}
	return out
}

// CanClose reports whether the actor may mark the 批示 已落实: its writer
// (still holding a role that writes 批示), or a supervision office whose
// scope covers every unit it was addressed to — the office tracks 批示 to
// their end (DESIGN.md §1) but not another town's.
func CanClose(by auth.Actor, in *Instruction) bool {
	if in.Status != Open {
		return false
	}
	if by.System || in.WriterID != 0 && in.WriterID == by.UserID && auth.CanAnywhere(by, auth.WriteInstr) {
		return true
	}
	if len(in.Units) == 0 {
		return false
	}
	for _, u := range in.Units {
		if !supervises(by, u.UnitPath) {
			return false
		}
	}
	return true
}

// supervises reports whether the actor holds the supervisor role over the unit.
func supervises(by auth.Actor, path string) bool {
	for _, g := range by.Grants {
		if g.Role == auth.Supervisor && g.Covers(path) {
			return true
		}
	}
	return false
}

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()
