// Package problem is the 堵点、难点 met on the key work, tracked from 交办
// to 销号 (issue 4 §5, DESIGN.md §2.4): the responsible unit signs for a
// problem (签收), reports progress with attachments (反馈), declares it
// solved (办结); the supervision office checks and closes it (销号) or sends
// it back (退回重办), and decides when the unit asks for more time (申请延期).
// An open problem past its deadline escalates up the chain: to the 分管领导
// at once, to the 主要领导 and the next dispatch meeting's agenda after seven
// working days.
//
// problem.go holds the types and the validation of input, rules.go the pure
// rules (the state machine, urgency, whom an escalation reaches), store.go
// the SQL.
package problem

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"guatu/apperr"
)

// State is where a problem stands in its flow.
type State string

// The states, in the order of the flow.
const (
	Pending  State = "pending"  // 待签收: assigned, the unit has not signed for it yet
	Handling State = "handling" // 办理中: signed; the clock runs
	Done     State = "done"     // 已办结（待审核）: the unit says it is solved
	Closed   State = "closed"   // 已销号: the supervision office agreed
)

// States lists every state in the order of the flow.
var States = []State{Pending, Handling, Done, Closed}

// Label is the state's Chinese name.
func (s State) Label() string {
	switch s {
	case Pending:
		return "待签收"
	case Handling:
		return "办理中"
	case Done:
		return "已办结（待审核）"
	case Closed:
		return "已销号"
	}
	return string(s)
}

// Valid reports whether s is a known state.
func (s State) Valid() bool { return oneOf(s, States) }

// Open reports whether the problem still waits on the unit (待签收 or
// 办理中): only open problems have a running deadline and can escalate.
func (s State) Open() bool { return s == Pending || s == Handling }

// Category is the kind of obstacle (DESIGN.md: 用地、规划、审批手续 …).
type Category string

// The categories.
const (
	Land       Category = "land"       // 用地
	Planning   Category = "planning"   // 规划
	Approval   Category = "approval"   // 审批手续
	Funding    Category = "funding"    // 资金
	Relocation Category = "relocation" // 征迁
	Utilities  Category = "utilities"  // 水电路气
	Policy     Category = "policy"     // 政策
	Other      Category = "other"      // 其他
)

// Categories lists every category in display order.
var Categories = []Category{Land, Planning, Approval, Funding, Relocation, Utilities, Policy, Other}

// Label is the category's Chinese name.
func (c Category) Label() string {
	switch c {
	case Land:
		return "用地"
	case Planning:
		return "规划"
	case Approval:
		return "审批手续"
	case Funding:
		return "资金"
	case Relocation:
		return "征迁"
	case Utilities:
		return "水电路气"
	case Policy:
		return "政策"
	case Other:
		return "其他"
	}
	return string(c)
}

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return oneOf(c, Categories) }

// Source is where a problem was found.
type Source string

// The sources.
const (
	FromReport      Source = "report"      // 月报
	FromMeeting     Source = "meeting"     // 调度会
	FromSite        Source = "site"        // 现场
	FromInstruction Source = "instruction" // 领导批示
	FromPublic      Source = "public"      // 群众反映
)

// Sources lists every source in display order.
var Sources = []Source{FromReport, FromMeeting, FromSite, FromInstruction, FromPublic}

// Label is the source's Chinese name.
func (s Source) Label() string {
	switch s {
	case FromReport:
		return "月报"
	case FromMeeting:
		return "调度会"
	case FromSite:
		return "现场"
	case FromInstruction:
		return "领导批示"
	case FromPublic:
		return "群众反映"
	}
	return string(s)
}

// Valid reports whether s is a known source.
func (s Source) Valid() bool { return oneOf(s, Sources) }

// Priority is how pressing a problem is.
type Priority string

// The priorities, rising.
const (
	Normal   Priority = "normal"   // 一般
	Urgent   Priority = "urgent"   // 紧急
	Critical Priority = "critical" // 特急
)

// Priorities lists every priority, rising.
var Priorities = []Priority{Normal, Urgent, Critical}

// Label is the priority's Chinese name.
func (p Priority) Label() string {
	switch p {
	case Normal:
		return "一般"
	case Urgent:
		return "紧急"
	case Critical:
		return "特急"
	}
	return string(p)
}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return oneOf(p, Priorities) }

func oneOf[T comparable](x T, list []T) bool {
	for _, y := range list {
		if x == y {
			return true
		}
	}
	return false
}

// Problem is a problem as stored.
type Problem struct {
	ID          int64
	Title       string
	Description string
	Category    Category
	Source      Source
	// SourceType and SourceID name the record the problem came from (a
	// monthly report, a meeting decision …), kept by the package that made
	// it; no foreign key, since those records live in other packages.
	SourceType  string
	SourceID    int64
	ProjectID   int64 // 0 when the problem concerns no project
	ProjectCode string
	ProjectName string
	Priority    Priority
	State       State
	UnitID      int64 // 责任单位
	UnitName    string
	UnitPath    string
	CoUnits     []UnitRef // 配合单位
	LeaderID    int64     // 分管领导 (a person), 0 when the unit has none
	LeaderName  string
	RaisedBy    int64 // the account that raised or assigned it (0: the system)
	RaisedName  string
	RaisedUnit  string
	// Assigned is true when the supervision office assigned the problem
	// (交办) rather than a unit or leader reporting it (上报).
	Assigned bool
	// LimitDays is the time allowed in working days counted from 签收
	// (自签收之日起); 0 when a fixed deadline was set instead.
	LimitDays int
	// Deadline is the day by which it must be done. With a limit in working
	// days it is zero until the unit signs, when the clock starts.
	Deadline time.Time
	// SignBy is the last day to sign for the problem (SignDays working days
	// after it was assigned).
	SignBy    time.Time
	CreatedAt time.Time
	SignedAt  time.Time
	DoneAt    time.Time // the last 办结 (a return clears it)
	ClosedAt  time.Time // 销号
	UpdatedAt time.Time
	// ExtensionPending is true while a request for more time waits for
	// the supervision office.
	ExtensionPending bool
}

// UnitRef names a unit with its path (for scope checks).
type UnitRef struct {
	ID   int64
	Name string
	Path string
}

// EventKind is what an entry of a problem's history records.
type EventKind string

// The kinds of history entry: the two ways a problem begins, then one per
// workflow action.
const (
	Raised            EventKind = "raised"   // 上报
	AssignedEvent     EventKind = "assigned" // 交办
	SignedEvent       EventKind = EventKind(ActSign)
	FeedbackEvent     EventKind = EventKind(ActFeedback)
	DoneEvent         EventKind = EventKind(ActFinish)
	ClosedEvent       EventKind = EventKind(ActClose)
	ReturnedEvent     EventKind = EventKind(ActReturn)
	ExtensionAsked    EventKind = EventKind(ActExtend)
	ExtensionApproved EventKind = EventKind(ActApproveExtension)
	ExtensionRefused  EventKind = EventKind(ActRefuseExtension)
)

// Label is the kind's Chinese name, as the timeline shows it.
func (k EventKind) Label() string {
	switch k {
	case Raised:
		return "上报问题"
	case AssignedEvent:
		return "交办"
	}
	return Action(k).Label()
}

// Event is one entry of a problem's history (the timeline).
type Event struct {
	ID           int64
	Kind         EventKind
	At           time.Time
	ByUser       int64
	ByName       string
	ByUnit       string
	Note         string
	From, To     State
	DeadlineFrom time.Time // set when the entry moved the deadline
	DeadlineTo   time.Time
	Files        []File
}

// ExtensionStatus is where a request for more time stands.
type ExtensionStatus string

// The statuses of an extension request.
const (
	ExtPending   ExtensionStatus = "pending"   // 待审批
	ExtApproved  ExtensionStatus = "approved"  // 同意
	ExtRefused   ExtensionStatus = "refused"   // 不同意
	ExtWithdrawn ExtensionStatus = "withdrawn" // 办结时自动撤回
)

// Label is the status's Chinese name.
func (s ExtensionStatus) Label() string {
	switch s {
	case ExtPending:
		return "待审批"
	case ExtApproved:
		return "已同意"
	case ExtRefused:
		return "未同意"
	case ExtWithdrawn:
		return "已撤回（问题已办结）"
	}
	return string(s)
}

// Extension is a request for more time and its outcome; every request is
// kept, so the history shows each deadline a problem has had.
type Extension struct {
	ID            int64
	ProblemID     int64
	From, To      time.Time // the deadline before and the one asked for
	Reason        string
	Status        ExtensionStatus
	RequestedAt   time.Time
	RequestedUser int64  // the account that asked
	RequestedBy   string // its name
	DecidedAt     time.Time
	DecidedBy     string
	DecisionNote  string
}

// File is an attachment of a history entry; its data is read only when it
// is downloaded.
type File struct {
	ID          int64
	ProblemID   int64
	EventID     int64
	Name        string // made by the server: random, safe in a URL and a file system
	OrigName    string // as uploaded, shown and offered as the download's name
	ContentType string
	Size        int64
	CreatedAt   time.Time
}

// SizeLabel is the file's size for people: 820 KB, 3.4 MB.
func (f File) SizeLabel() string {
	switch {
	case f.Size >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(f.Size)/(1<<20))
	case f.Size >= 1<<10:
		return fmt.Sprintf("%d KB", (f.Size+1023)>>10)
	}
	return fmt.Sprintf("%d B", f.Size)
}

// Input is the problem form exactly as typed, so a refused form comes back
// with everything the user entered. SourceType and SourceID are set by the
// packages that make problems from their records (a monthly report, a
// meeting decision), not typed.
type Input struct {
	Title, Description string
	Category, Source   string
	Priority           string
	ProjectID          string
	UnitID             string
	CoUnitIDs          []string
	LeaderID           string // empty: the responsible unit's 分管领导
	DeadlineKind       string // "days" (自签收之日起 N 个工作日) or "date"; empty: whichever is filled
	LimitDays          string
	Deadline           string
	SourceType         string
	SourceID           int64
}

// The deadline kinds of the form.
const (
	ByWorkdays = "days"
	ByDate     = "date"
)

// MaxLimitDays bounds a time limit: a year of working days.
const MaxLimitDays = 250

// fields are the validated values of an Input.
type fields struct {
	Problem
	CoUnitIDs []int64
}

func parseID(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, true
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// ParseDate reads a form date (YYYY-MM-DD); empty is the zero time.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, fmt.Errorf("日期格式应为 2026-03-15")
	}
	return t, nil
}

// validSourceType accepts the short lower-case names packages give their
// records ("report", "meeting_decision").
func validSourceType(s string) bool {
	if len(s) > 40 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// validate checks the form; every mistake is reported at once, by field.
// References (units, people, the project) are checked against the
// database by check, in store.go.
func (in Input) validate() (fields, error) {
	var f apperr.Fields
	var out fields
	p := &out.Problem
	p.Title = strings.TrimSpace(in.Title)
	if n := utf8.RuneCountInString(p.Title); n == 0 || n > 80 {
		f.Add("title", "请用一句话写明问题（不超过80个字）")
	}
	p.Description = strings.TrimSpace(in.Description)
	if utf8.RuneCountInString(p.Description) > 2000 {
		f.Add("description", "问题描述不超过2000字")
	}
	if p.Category = Category(in.Category); !p.Category.Valid() {
		f.Add("category", "请选择问题类别")
	}
	if p.Source = Source(in.Source); !p.Source.Valid() {
		f.Add("source", "请选择问题来源")
	}
	p.Priority = Priority(in.Priority)
	if p.Priority == "" {
		p.Priority = Normal
	}
	if !p.Priority.Valid() {
		f.Add("priority", "请选择紧急程度")
	}
	p.SourceType, p.SourceID = strings.TrimSpace(in.SourceType), in.SourceID
	if !validSourceType(p.SourceType) || p.SourceID < 0 || (p.SourceID > 0) != (p.SourceType != "") {
		f.Add("source_type", "来源记录无效")
	}
	var ok bool
	if p.ProjectID, ok = parseID(in.ProjectID); !ok {
		f.Add("project_id", "关联项目无效")
	}
	if p.UnitID, ok = parseID(in.UnitID); !ok || p.UnitID == 0 {
		f.Add("unit_id", "请选择责任单位")
	}
	if p.LeaderID, ok = parseID(in.LeaderID); !ok {
		f.Add("leader_id", "分管领导无效")
	}
	seen := map[int64]bool{p.UnitID: true}
	for _, s := range in.CoUnitIDs {
		id, ok := parseID(s)
		if !ok {
			f.Add("co_unit_ids", "配合单位无效")
			continue
		}
		if id != 0 && !seen[id] {
			seen[id] = true
			out.CoUnitIDs = append(out.CoUnitIDs, id)
		}
	}
	kind := in.DeadlineKind
	days, date := strings.TrimSpace(in.LimitDays), strings.TrimSpace(in.Deadline)
	if kind == "" {
		switch {
		case days != "" && date != "":
			f.Add("deadline", "办理时限（工作日）和办结期限（日期）只能填写其一")
		case date != "":
			kind = ByDate
		default:
			kind = ByWorkdays
		}
	}
	switch kind {
	case ByWorkdays:
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > MaxLimitDays {
			f.Add("limit_days", fmt.Sprintf("请填写办理时限：自签收之日起 1 到 %d 个工作日", MaxLimitDays))
		}
		p.LimitDays = n
	case ByDate:
		d, err := ParseDate(date)
		if err != nil || d.IsZero() {
			f.Add("deadline", "请填写办结期限，格式如 2026-03-31")
		}
		p.Deadline = d
	case "": // both were given, reported above
	default:
		f.Add("deadline_kind", "请选择期限的算法")
	}
	return out, f.Err()
}

// Upload is an attachment as received: its name on the user's machine and
// its bytes. The store checks it (size, type) and names it.
type Upload struct {
	Name string
	Data []byte
}

// MaxFileSize is the largest attachment accepted, and MaxFiles the most on
// one history entry: a scanned letter or a few site photos.
const (
	MaxFileSize = 10 << 20
	MaxFiles    = 5
)
