// Package instruction is leaders' 批示 (issue 4 §6): a chief or leader
// writes an instruction on a project, a monthly report, a problem or on its
// own, addressed to units (and optionally people) with a feedback deadline.
// Each addressed unit answers (反馈) by then; an unanswered one escalates
// like a problem (DESIGN.md §4); the writer or the supervision office marks
// the instruction 已落实 when it is done.
//
// instruction.go holds the types and the form's validation, rules.go the
// pure rules (states, urgency, on-time counting), store.go the SQL.
package instruction

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"guatu/apperr"
	"guatu/project"
)

// TargetType is the kind of item a 批示 is written on.
type TargetType string

// The target types. None is a 批示 on its own (a meeting, a situation).
const (
	None    TargetType = "none"
	Project TargetType = "project"
	Report  TargetType = "report"
	Problem TargetType = "problem"
)

// TargetTypes lists the types in display order.
var TargetTypes = []TargetType{Project, Report, Problem, None}

// Label is the type's Chinese name.
func (t TargetType) Label() string {
	switch t {
	case Project:
		return "项目"
	case Report:
		return "月报"
	case Problem:
		return "问题"
	case None:
		return "单独批示"
	}
	return string(t)
}

// Valid reports whether t is a known type.
func (t TargetType) Valid() bool {
	for _, x := range TargetTypes {
		if t == x {
			return true
		}
	}
	return false
}

// Target is the item a 批示 is written on.
type Target struct {
	Type  TargetType
	ID    int64
	Label string // the item's name when the 批示 was written
}

// Href is the item's page, "" for a 批示 on its own.
func (t Target) Href() string {
	switch t.Type {
	case Project:
		return fmt.Sprintf("/projects/%d", t.ID)
	case Report:
		return fmt.Sprintf("/reports/%d", t.ID)
	case Problem:
		return fmt.Sprintf("/problems/%d", t.ID)
	}
	return ""
}

// Status is whether the 批示 is still being carried out.
type Status string

// The statuses.
const (
	Open   Status = "open"
	Closed Status = "closed" // 已落实: the writer or the office closed it
)

// Label is the status's Chinese name.
func (s Status) Label() string {
	switch s {
	case Open:
		return "办理中"
	case Closed:
		return "已落实"
	}
	return string(s)
}

// Instruction is a stored 批示 with its addressees and answers.
type Instruction struct {
	ID         int64
	Target     Target
	Content    string
	WrittenOn  time.Time // a calendar day
	Deadline   time.Time // a calendar day: answers are due by its end
	WriterID   int64     // the writer's account
	WriterName string
	Status     Status
	ClosedAt   time.Time
	ClosedBy   string
	CloseNote  string
	CreatedAt  time.Time
	UpdatedAt  time.Time

	Units   []Addressee // by unit path
	People  []Person
	Answers []Reply // oldest first
}

// Addressee is a unit a 批示 is addressed to.
type Addressee struct {
	UnitID     int64
	UnitName   string
	UnitPath   string
	AnsweredAt time.Time // the unit's first answer; zero while it has not answered
}

// Person is someone a 批示 names.
type Person struct {
	ID       int64
	Name     string
	Position string
	UnitName string
}

// Reply is one 反馈 of a unit (the domain function that records one is Answer).
type Reply struct {
	ID       int64
	UnitID   int64
	UnitName string
	Content  string
	ByUser   int64
	ByName   string
	At       time.Time
}

// AnswersOf returns the answers of one unit, oldest first.
func (in *Instruction) AnswersOf(unitID int64) []Reply {
	var out []Reply
	for _, a := range in.Answers {
		if a.UnitID == unitID {
			out = append(out, a)
		}
	}
	return out
}

// Limits of the texts, in characters.
const (
	maxContent = 2000
	maxNote    = 500
)

// Input is the 批示 form exactly as typed.
type Input struct {
	TargetType, TargetID string
	Content              string
	WrittenOn            string // empty means today
	Deadline             string
	UnitIDs              []string
	PersonIDs            []string
}

// fields are the validated values of an Input.
type fields struct {
	Target    Target
	Content   string
	WrittenOn time.Time
	Deadline  time.Time
	UnitIDs   []int64
	PersonIDs []int64
}

// ids reads a list of ids, dropping blanks and repeats; a malformed one is reported.
func ids(list []string) ([]int64, bool) {
	var out []int64
	seen := map[int64]bool{}
	ok := true
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			ok = false
			continue
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, ok
}

// validate checks the form against today (a calendar day); every problem is
// reported at once, by field. References are checked by the store.
func (in Input) validate(today time.Time) (fields, error) {
	var f apperr.Fields
	var out fields
	out.Target.Type = TargetType(strings.TrimSpace(in.TargetType))
	if out.Target.Type == "" {
		out.Target.Type = None
	}
	if !out.Target.Type.Valid() {
		f.Add("target_type", "批示对象类型无效")
	}
	if out.Target.Type != None {
		id, err := strconv.ParseInt(strings.TrimSpace(in.TargetID), 10, 64)
		if err != nil || id <= 0 {
			f.Add("target_id", "批示对象无效")
		}
		out.Target.ID = id
	}
	out.Content = strings.TrimSpace(in.Content)
	if n := utf8.RuneCountInString(out.Content); n == 0 {
		f.Add("content", "请填写批示内容")
	} else if n > maxContent {
		f.Add("content", fmt.Sprintf("批示内容不超过%d字（现有%d字）", maxContent, n))
	}
	var err error
	if out.WrittenOn, err = project.ParseDate(in.WrittenOn); err != nil {
		f.Add("written_on", err.Error())
	}
	if out.WrittenOn.IsZero() {
		out.WrittenOn = today
	}
	if out.WrittenOn.After(today) {
		f.Add("written_on", "批示日期不能晚于今天")
	} else if out.WrittenOn.Before(today.AddDate(0, 0, -backdateDays)) {
		f.Add("written_on", fmt.Sprintf("只能补录%d天内的批示", backdateDays))
	}
	out.Deadline, err = project.ParseDate(in.Deadline)
	switch {
	case err != nil:
		f.Add("deadline", err.Error())
	case out.Deadline.IsZero():
		f.Add("deadline", "请填写反馈期限")
	case out.Deadline.After(today.AddDate(1, 0, 0)):
		f.Add("deadline", "反馈期限不能超过一年")
	case out.WrittenOn.Equal(today) && out.Deadline.Before(today):
		// A deadline already past is a typo unless the 批示 itself is an
		// older one being entered now (a paper 批示), which may be overdue already.
		f.Add("deadline", "反馈期限不能早于今天")
	case out.Deadline.Before(out.WrittenOn):
		f.Add("deadline", "反馈期限不能早于批示日期")
	}
	var ok bool
	if out.UnitIDs, ok = ids(in.UnitIDs); !ok {
		f.Add("unit_ids", "所选单位无效")
	} else if len(out.UnitIDs) == 0 {
		f.Add("unit_ids", "请至少选择一个反馈单位")
	} else if len(out.UnitIDs) > maxUnits {
		f.Add("unit_ids", fmt.Sprintf("一条批示最多发给%d个单位", maxUnits))
	}
	if out.PersonIDs, ok = ids(in.PersonIDs); !ok {
		f.Add("person_ids", "所选人员无效")
	} else if len(out.PersonIDs) > maxUnits {
		f.Add("person_ids", fmt.Sprintf("一条批示最多点名%d人", maxUnits))
	}
	return out, f.Err()
}

// backdateDays bounds how old a 批示 entered later may be: a paper one is
// entered within days, and an older date is most likely a typo.
const backdateDays = 90

// maxUnits bounds the addressees: a town has a few dozen units.
const maxUnits = 100

// AnswerInput is the 反馈 form as typed.
type AnswerInput struct {
	UnitID  string
	Content string
}

func (in AnswerInput) validate() (int64, string, error) {
	var f apperr.Fields
	unit, err := strconv.ParseInt(strings.TrimSpace(in.UnitID), 10, 64)
	if err != nil || unit <= 0 {
		f.Add("unit_id", "请选择反馈单位")
	}
	text := strings.TrimSpace(in.Content)
	if n := utf8.RuneCountInString(text); n == 0 {
		f.Add("content", "请填写反馈内容")
	} else if n > maxContent {
		f.Add("content", fmt.Sprintf("反馈内容不超过%d字（现有%d字）", maxContent, n))
	}
	return unit, text, f.Err()
}
