package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"guatu/apperr"
	"guatu/project"
)

// Status is where a report is in its exchange with the supervision office.
type Status string

// The statuses. A submitted report is locked; the office may return it
// (退回) with a reason, and the unit corrects and submits it again.
const (
	Draft     Status = "draft"
	Submitted Status = "submitted"
	Returned  Status = "returned"
)

// Label is the status's Chinese name.
func (s Status) Label() string {
	switch s {
	case Draft:
		return "草稿"
	case Submitted:
		return "已报送"
	case Returned:
		return "已退回"
	}
	return string(s)
}

// Editable reports whether the unit may still change the report.
func (s Status) Editable() bool { return s == Draft || s == Returned }

// Limits of the form, stated to the user when exceeded.
const (
	MaxPhotos      = 9
	MaxProblems    = 10
	maxTextRunes   = 2000
	maxProblemRune = 300
	maxReasonRunes = 500
)

// Report is one project's report for one month.
type Report struct {
	ID          int64
	ProjectID   int64
	ProjectCode string
	ProjectName string
	UnitID      int64
	UnitName    string
	UnitPath    string
	Period      Period
	Status      Status
	Version     int   // submissions so far
	MonthInvest int64 // yuan completed this month
	// AppliedInvest is how much of MonthInvest the project's figures hold
	// already (what the last submission added).
	AppliedInvest int64
	Progress      string // 形象进度
	NextPlan      string

	FirstSubmittedOn time.Time // the day it first came in (zero if never)
	SubmittedAt      time.Time
	SubmittedName    string
	ReturnedAt       time.Time
	ReturnedName     string
	ReturnReason     string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	UpdatedName      string

	Reached  []Reached
	Problems []ProblemLine
	Photos   []Photo
	// Owned are the milestones this report has a hold on: those it states
	// reached, and those whose day it wrote before and may take back. It
	// may tick them although the project shows them reached.
	Owned []int64
}

// Reached is a milestone the report says was reached this month.
type Reached struct {
	MilestoneID int64
	Name        string
	Planned     time.Time
	On          time.Time
}

// ProblemLine is a problem met, as the report states it; ProblemID is set
// once it has become a tracked problem.
type ProblemLine struct {
	ID        int64
	Text      string
	ProblemID int64
}

// Photo is a stored photo's description (its bytes are read on demand).
type Photo struct {
	Name    string
	Width   int
	Height  int
	Size    int64
	TakenAt time.Time // when the camera says it was taken (zero if it did not say)
}

// Upload is a photo already checked and re-encoded (package photo), ready
// to store.
type Upload struct {
	Name          string
	JPEG, Thumb   []byte
	Width, Height int
	TakenAt       time.Time
}

// Version is one submission as it was sent.
type Version struct {
	Version       int
	SubmittedAt   time.Time
	SubmittedName string
	ReturnedAt    time.Time
	ReturnedName  string
	ReturnReason  string
	Content       Snapshot
}

// Snapshot is what a submission said, kept as JSON in report_versions.
type Snapshot struct {
	MonthInvest int64          `json:"month_invest"`
	Progress    string         `json:"progress"`
	NextPlan    string         `json:"next_plan"`
	Milestones  []SnapMilstone `json:"milestones,omitempty"`
	Problems    []string       `json:"problems,omitempty"`
	Photos      []string       `json:"photos,omitempty"`
}

// SnapMilstone is a reached milestone in a snapshot.
type SnapMilstone struct {
	Name string `json:"name"`
	On   string `json:"on"`
}

// Input is the report form as typed.
type Input struct {
	MonthInvest string // 万元
	Progress    string
	NextPlan    string
	// Reached maps a milestone id to the day typed for it; a milestone not
	// in the map (or with "") was not reached this month.
	Reached  map[int64]string
	Problems string // one problem per line: the lines not yet tracked
	// RemovePhotos names stored photos to drop; Uploads are new ones.
	RemovePhotos []string
	Uploads      []Upload
}

// InputOf is the form prefilled with a stored report.
func InputOf(r *Report) Input {
	in := Input{MonthInvest: project.WanExact(r.MonthInvest), Progress: r.Progress, NextPlan: r.NextPlan, Reached: map[int64]string{}}
	if r.MonthInvest == 0 && r.Version == 0 {
		in.MonthInvest = ""
	}
	for _, m := range r.Reached {
		in.Reached[m.MilestoneID] = m.On.Format(time.DateOnly)
	}
	var lines []string
	for _, p := range r.Problems {
		if p.ProblemID == 0 {
			lines = append(lines, p.Text)
		}
	}
	in.Problems = strings.Join(lines, "\n")
	return in
}

// checked is the input once valid.
type checked struct {
	monthInvest int64
	progress    string
	nextPlan    string
	reached     map[int64]time.Time
	problems    []string
}

// check validates the form. A draft may be incomplete; a submission needs
// 形象进度 and next month's plan. milestones are the project's, period the
// report's month, today the day of the check: a milestone cannot be
// reached in the future, nor after the month reported on.
func (in Input) check(submit bool, milestones []project.StoredMilestone, period Period, today time.Time, photos int) (checked, error) {
	var f apperr.Fields
	var c checked
	var err error
	if c.monthInvest, err = project.ParseWan(in.MonthInvest); err != nil {
		f.Add("month_invest", "本月完成投资："+err.Error())
	}
	c.progress = strings.TrimSpace(strings.ReplaceAll(in.Progress, "\r\n", "\n"))
	c.nextPlan = strings.TrimSpace(strings.ReplaceAll(in.NextPlan, "\r\n", "\n"))
	switch {
	case submit && c.progress == "":
		f.Add("progress", "请填写本月形象进度（完成了哪些工作）")
	case utf8.RuneCountInString(c.progress) > maxTextRunes:
		f.Add("progress", fmt.Sprintf("形象进度不能超过 %d 字", maxTextRunes))
	}
	switch {
	case submit && c.nextPlan == "":
		f.Add("next_plan", "请填写下月工作计划")
	case utf8.RuneCountInString(c.nextPlan) > maxTextRunes:
		f.Add("next_plan", fmt.Sprintf("下月计划不能超过 %d 字", maxTextRunes))
	}

	c.reached = map[int64]time.Time{}
	latest := period.Last()
	if today.Before(latest) {
		latest = today
	}
	for _, m := range milestones {
		typed, ok := in.Reached[m.ID]
		if !ok {
			continue
		}
		key := fmt.Sprintf("reached_%d", m.ID)
		typed = strings.TrimSpace(typed)
		if typed == "" {
			f.Add(key, fmt.Sprintf("请填写“%s”完成的日期", m.Name))
			continue
		}
		d, err := project.ParseDate(typed)
		switch {
		case err != nil:
			f.Add(key, fmt.Sprintf("“%s”的完成日期：%s", m.Name, err.Error()))
		case d.After(latest):
			f.Add(key, fmt.Sprintf("“%s”的完成日期不能晚于 %s", m.Name, latest.Format(time.DateOnly)))
		default:
			c.reached[m.ID] = d
		}
	}
	for id := range in.Reached {
		if !slices.ContainsFunc(milestones, func(m project.StoredMilestone) bool { return m.ID == id }) {
			f.Add("milestones", "所选节点不属于该项目，请刷新页面后重试")
		}
	}

	for i, line := range strings.Split(strings.ReplaceAll(in.Problems, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if utf8.RuneCountInString(line) > maxProblemRune {
			f.Add("problems", fmt.Sprintf("第 %d 条问题超过 %d 字，请精简或拆成几条", i+1, maxProblemRune))
		}
		c.problems = append(c.problems, line)
	}
	if len(c.problems) > MaxProblems {
		f.Add("problems", fmt.Sprintf("一次最多填报 %d 条问题", MaxProblems))
	}
	if photos > MaxPhotos {
		f.Add("photos", fmt.Sprintf("每份月报最多 %d 张照片，现有 %d 张，请删去一些", MaxPhotos, photos))
	}
	return c, f.Err()
}

// Config is the monthly cycle's settings: the deadline day and how many
// days after it a month closes by itself (its lights frozen).
type Config struct {
	DeadlineDay    int `json:"deadline_day"`
	CloseAfterDays int `json:"close_after_days"`
}

// DefaultConfig is the cycle of issue 4 §2: reports due on the 25th, the
// month closed five days later.
func DefaultConfig() Config { return Config{DeadlineDay: DefaultDeadlineDay, CloseAfterDays: 5} }

// ConfigInput is the settings form as typed.
type ConfigInput struct{ DeadlineDay, CloseAfterDays string }

// Form returns the settings as form values.
func (c Config) Form() ConfigInput {
	return ConfigInput{strconv.Itoa(c.DeadlineDay), strconv.Itoa(c.CloseAfterDays)}
}

func (in ConfigInput) parse() (Config, error) {
	var f apperr.Fields
	var c Config
	var err error
	if c.DeadlineDay, err = strconv.Atoi(strings.TrimSpace(in.DeadlineDay)); err != nil || c.DeadlineDay < 1 || c.DeadlineDay > 31 {
		f.Add("deadline_day", "报送截止日应为 1 到 31 之间的整数（大于当月天数时取月末）")
	}
	if c.CloseAfterDays, err = strconv.Atoi(strings.TrimSpace(in.CloseAfterDays)); err != nil || c.CloseAfterDays < 0 || c.CloseAfterDays > 20 {
		f.Add("close_after_days", "截止后自动关账天数应为 0 到 20 之间的整数")
	}
	return c, f.Err()
}

// CloseDay is the day a period closes by itself: CloseAfterDays after its
// deadline.
func (c Config) CloseDay(deadline time.Time) time.Time {
	return deadline.AddDate(0, 0, c.CloseAfterDays)
}

// trimText is typed text with Windows line ends made plain and the ends trimmed.
func trimText(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }

// zone is where the deployment's days begin and end (DESIGN.md §4): the
// times shown in messages are read there.
var zone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()
