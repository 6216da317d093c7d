// Package meeting is the monthly dispatch meeting (调度会, issue 4 §4): the
// meeting itself, who attended, and the decisions it took on the agenda's
// items, each of which may become assigned work (交办). The agenda is
// assembled from the month's data by the caller when the meeting is opened.
package meeting

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"guatu/apperr"
	"guatu/project"
	"guatu/report"
)

// Meeting is one dispatch meeting.
type Meeting struct {
	ID        int64
	Period    report.Period
	Title     string
	HeldOn    time.Time
	Place     string
	Host      string
	Recorder  string
	Summary   string
	UnitID    int64
	UnitName  string
	UnitPath  string
	CreatedAt time.Time
	UpdatedAt time.Time

	Attendees []Attendee
	Decisions []Decision
}

// Presence is whether an attendee came.
type Presence string

// The presences.
const (
	Present Presence = "present"
	Leave   Presence = "leave"
	Absent  Presence = "absent"
)

// Presences lists them in form order.
var Presences = []Presence{Present, Leave, Absent}

// Label is the presence's Chinese name.
func (p Presence) Label() string {
	switch p {
	case Present:
		return "出席"
	case Leave:
		return "请假"
	case Absent:
		return "缺席"
	}
	return string(p)
}

// Attendee is one line of the attendance.
type Attendee struct {
	ID       int64
	PersonID int64
	Name     string
	UnitName string
	Status   Presence
	Note     string
}

// Decision is what the meeting decided on an item.
type Decision struct {
	ID          int64
	ItemType    string // project, problem, unit, or "" for the meeting as a whole
	ItemID      int64
	ItemName    string
	Text        string
	ProblemID   int64 // the 交办 it created (0 if none)
	CreatedAt   time.Time
	CreatedName string
}

// ItemLabel names the kind of item a decision is on.
func (d Decision) ItemLabel() string {
	switch d.ItemType {
	case "project":
		return "项目"
	case "problem":
		return "问题"
	case "unit":
		return "单位"
	}
	return "会议"
}

// Input is the meeting form as typed. UnitID, when set, is the unit the
// meeting belongs to (a town in a county deployment); by default it is the
// unit where the actor runs meetings.
type Input struct {
	Period, Title, HeldOn, Place, Host, Recorder, Summary string
	UnitID                                                string
}

// InputOf is the form prefilled with a meeting.
func InputOf(m *Meeting) Input {
	return Input{Period: m.Period.Key(), Title: m.Title, HeldOn: project.FormatDate(m.HeldOn), Place: m.Place, Host: m.Host,
		Recorder: m.Recorder, Summary: m.Summary}
}

type fields struct {
	period                                report.Period
	title, place, host, recorder, summary string
	heldOn                                time.Time
}

func (in Input) validate() (fields, error) {
	var f apperr.Fields
	var out fields
	var err error
	if out.period, err = report.ParsePeriod(strings.TrimSpace(in.Period)); err != nil {
		f.Add("period", "请选择调度的月份")
	}
	if out.heldOn, err = project.ParseDate(in.HeldOn); err != nil || out.heldOn.IsZero() {
		f.Add("held_on", "请填写开会日期，如 2026-03-28")
	}
	out.title = strings.TrimSpace(in.Title)
	if out.title == "" && err == nil {
		out.title = fmt.Sprintf("%s重点项目调度会", out.period.Label())
	}
	short := func(key, label, v string, max int) string {
		v = strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))
		if utf8.RuneCountInString(v) > max {
			f.Add(key, fmt.Sprintf("%s不能超过 %d 字", label, max))
		}
		return v
	}
	out.title = short("title", "会议名称", out.title, 60)
	out.place = short("place", "地点", in.Place, 60)
	out.host = short("host", "主持人", in.Host, 30)
	out.recorder = short("recorder", "记录人", in.Recorder, 30)
	out.summary = short("summary", "会议要求", in.Summary, 2000)
	return out, f.Err()
}

// AttendeeInput is one attendance line as typed.
type AttendeeInput struct {
	PersonID, Name, UnitName, Status, Note string
}

// DecisionInput is a decision as typed, with the 交办 it may create.
type DecisionInput struct {
	ItemType, ItemID, ItemName string
	Text                       string
	// Assign asks for a 交办: a problem for UnitID with LeaderID and the
	// deadline Due.
	Assign   bool
	Title    string
	UnitID   string
	LeaderID string
	Due      string
	Category string
}

// Assignment is a validated 交办, handed to the problem package.
type Assignment struct {
	Title     string
	Text      string
	UnitID    int64
	LeaderID  int64
	Due       time.Time
	Category  string
	ProjectID int64 // when the item is a project
	MeetingID int64
}

// zone is where the deployment's days begin (DESIGN.md §4).
var zone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()
