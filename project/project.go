package project

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"guatu/apperr"
)

// Level is how high a project is listed (省/市/县/镇重点).
type Level string

// The levels.
const (
	Province Level = "province"
	City     Level = "city"
	County   Level = "county"
	Town     Level = "town"
)

// Levels lists the levels in display order.
var Levels = []Level{Province, City, County, Town}

// Label is the level's Chinese name.
func (l Level) Label() string {
	switch l {
	case Province:
		return "省重点"
	case City:
		return "市重点"
	case County:
		return "县重点"
	case Town:
		return "镇重点"
	}
	return string(l)
}

// Tier is the project's place in the rolling library (DESIGN.md §2).
type Tier string

// The tiers: ideas several years out, projects to start within about three
// years, and this year's key projects (the ones on the battle map).
const (
	Reserve Tier = "reserve" // 储备库
	Rolling Tier = "rolling" // 滚动库
	Active  Tier = "active"  // 实施库
)

// Tiers lists the tiers in order of maturity.
var Tiers = []Tier{Reserve, Rolling, Active}

// Label is the tier's Chinese name.
func (t Tier) Label() string {
	switch t {
	case Reserve:
		return "储备库"
	case Rolling:
		return "滚动库"
	case Active:
		return "实施库"
	}
	return string(t)
}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool {
	for _, x := range Stages {
		if s == x {
			return true
		}
	}
	return false
}

// Next is the stage that usually follows s (the form's default); the last
// stage and the off-line ones have none and return themselves.
func (s Stage) Next() Stage {
	line := []Stage{Planning, Negotiating, Signed, Landed, Started, Operating}
	for i, x := range line[:len(line)-1] {
		if x == s {
			return line[i+1]
		}
	}
	return s
}

// NeedsReason reports whether moving to s must say why (停滞, 终止).
func (s Stage) NeedsReason() bool { return s == Stalled || s == Dropped }

// Project is a key project as stored.
type Project struct {
	ID               int64
	Code             string
	Name             string
	CategoryID       int64
	CategoryName     string
	Level            Level
	Tier             Tier
	Stage            Stage
	StageSince       time.Time
	Flagship         bool
	ChainLeader      bool
	Investor         string
	InvestorContact  string
	Location         string
	LocationUnitID   int64
	LocationUnitName string // the 村/社区
	LandAreaCentimu  int64
	TotalInvest      int64 // yuan
	CompletedInvest  int64 // yuan, cumulative
	LeaderID         int64 // 责任领导 (a person)
	LeaderName       string
	UnitID           int64 // 牵头单位
	UnitName         string
	UnitPath         string
	PersonInCharge   string
	PlannedStart     time.Time
	PlannedOperating time.Time
	Description      string
	CreatedAt        time.Time
	UpdatedAt        time.Time

	CoUnits    []UnitRef
	YearPlans  []YearPlan
	Targets    []Target
	Milestones []StoredMilestone
}

// UnitRef names a unit with its path (for scope checks).
type UnitRef struct {
	ID   int64
	Name string
	Path string
}

// YearPlan is one year's planned and completed investment, yuan.
type YearPlan struct {
	Year      int
	Planned   int64
	Completed int64
}

// Target is an expected result (预期目标), e.g. 年产值 8000 万元.
type Target struct {
	Name  string
	Value string
	Unit  string
}

// StoredMilestone is a milestone with its storage fields.
type StoredMilestone struct {
	Milestone
	ID       int64
	UnitID   int64
	UnitName string
	Note     string
}

// Plan returns the year's plan (zero when none).
func (p *Project) Plan(year int) YearPlan {
	for _, y := range p.YearPlans {
		if y.Year == year {
			return y
		}
	}
	return YearPlan{Year: year}
}

// Facts are the project's facts for the light on today; reportMissing
// names the month whose report is overdue ("" when none).
func (p *Project) Facts(today time.Time, reportMissing string) Facts {
	f := Facts{Stage: p.Stage, StageSince: p.StageSince, PlannedOperating: p.PlannedOperating, ReportMissing: reportMissing}
	plan := p.Plan(today.Year())
	f.AnnualPlan, f.CompletedYear = plan.Planned, plan.Completed
	for _, m := range p.Milestones {
		f.Milestones = append(f.Milestones, m.Milestone)
	}
	return f
}

// ParseWan reads an amount in 万元 as typed (up to four decimals, commas
// and spaces allowed) and returns whole yuan, exactly: no floating point
// touches money.
func ParseWan(s string) (int64, error) {
	s = strings.NewReplacer(",", "", "，", "", " ", "", "\u3000", "").Replace(strings.TrimSpace(s))
	if s == "" {
		return 0, nil
	}
	neg := strings.HasPrefix(s, "-")
	if neg {
		return 0, fmt.Errorf("金额不能为负数")
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 4 {
		return 0, fmt.Errorf("万元最多保留四位小数（即精确到元）")
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1e11 {
		return 0, fmt.Errorf("请填写数字，单位万元")
	}
	f := int64(0)
	if frac != "" {
		if f, err = strconv.ParseInt(frac+strings.Repeat("0", 4-len(frac)), 10, 64); err != nil {
			return 0, fmt.Errorf("请填写数字，单位万元")
		}
	}
	return w*10000 + f, nil
}

// Wan formats yuan as 万元 with two decimals, for display and forms.
func Wan(yuan int64) string {
	sign := ""
	if yuan < 0 {
		sign, yuan = "-", -yuan
	}
	// Round half up to the hundredth of a 万 (100 yuan).
	cents := (yuan + 50) / 100
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// WanExact formats yuan as 万元 with as many decimals as it needs (at most
// four), so a form or a spreadsheet cell carries the amount to the yuan and
// saving it again changes nothing. Zero is the empty string.
func WanExact(yuan int64) string {
	if yuan == 0 {
		return ""
	}
	sign := ""
	if yuan < 0 {
		sign, yuan = "-", -yuan
	}
	s := fmt.Sprintf("%s%d.%04d", sign, yuan/10000, yuan%10000)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// ParseDate reads a form date (YYYY-MM-DD); empty is the zero time.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("日期格式应为 2026-03-15")
	}
	return t, nil
}

// FormatDate is the form and display form of a date ("" when unset).
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// Input is the project form exactly as typed: strings, so a refused form
// comes back with everything the user entered.
type Input struct {
	Code, Name, CategoryID, Level, Tier string
	Flagship, ChainLeader               bool
	Investor, InvestorContact           string
	Location, LocationUnitID, LandArea  string // land area in 亩
	TotalInvest, CompletedInvest        string // 万元
	LeaderID, UnitID                    string
	CoUnitIDs                           []string
	PersonInCharge                      string
	PlannedStart, PlannedOperating      string
	Description                         string
	PlanYear, PlanInvest                string // this year's planned investment, 万元
	// Stage and StageSince set the stage a project enters the library in
	// (an existing project being recorded or imported); only read on create.
	Stage, StageSince string
	Targets           []TargetInput
	Milestones        []MilestoneInput
	// Version is the project as the form was opened (VersionOf); when set,
	// Update refuses to write over a change made since, e.g. a monthly
	// report's investment or milestone.
	Version string
}

// VersionOf names the state of a stored project: its last change.
func VersionOf(p *Project) string { return p.UpdatedAt.UTC().Format(time.RFC3339Nano) }

// Refresh takes into a form, refused as stale, what the monthly reports
// keep (the cumulative investment and the milestones' completion days)
// from the project as it is now, and the version to save it over; what the
// user typed elsewhere stays.
func (in *Input) Refresh(p *Project) {
	in.Version = VersionOf(p)
	in.CompletedInvest = WanExact(p.CompletedInvest)
	for i, m := range in.Milestones {
		for _, cur := range p.Milestones {
			if m.ID == strconv.FormatInt(cur.ID, 10) {
				in.Milestones[i].Actual = FormatDate(cur.Actual)
			}
		}
	}
}

// TargetInput is one expected target as typed.
type TargetInput struct{ Name, Value, Unit string }

// MilestoneInput is one milestone row as typed; ID is empty for a new one.
type MilestoneInput struct{ ID, Name, Planned, Actual, UnitID, Note string }

// fields are the validated values of an Input.
type fields struct {
	Project
	PlanYear   int
	PlanInvest int64
	CoUnitIDs  []int64
	Milestones []StoredMilestone
}

func parseID(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, true
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// validate checks the form; every problem is reported at once, by field.
// Milestone fields are named milestones.N.name and so on.
func (in Input) validate() (fields, error) {
	var f apperr.Fields
	var out fields
	p := &out.Project
	p.Code = strings.TrimSpace(in.Code)
	if utf8.RuneCountInString(p.Code) > 20 {
		f.Add("code", "项目编号不超过20个字符")
	}
	p.Name = strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(p.Name); n == 0 || n > 60 {
		f.Add("name", "请填写项目名称（不超过60个字）")
	}
	var ok bool
	if p.CategoryID, ok = parseID(in.CategoryID); !ok || p.CategoryID == 0 {
		f.Add("category_id", "请选择项目类别")
	}
	p.Level = Level(in.Level)
	if p.Level == "" {
		p.Level = Town
	}
	if !validLevel(p.Level) {
		f.Add("level", "请选择项目级别")
	}
	p.Tier = Tier(in.Tier)
	if p.Tier == "" {
		p.Tier = Reserve
	}
	if !validTier(p.Tier) {
		f.Add("tier", "请选择项目库")
	}
	p.Flagship, p.ChainLeader = in.Flagship, in.ChainLeader
	p.Investor, p.InvestorContact = strings.TrimSpace(in.Investor), strings.TrimSpace(in.InvestorContact)
	p.Location = strings.TrimSpace(in.Location)
	if p.LocationUnitID, ok = parseID(in.LocationUnitID); !ok {
		f.Add("location_unit_id", "所在村（社区）无效")
	}
	if area, err := ParseWan(in.LandArea); err != nil {
		f.Add("land_area", "用地面积请填写数字，单位亩，最多两位小数")
	} else if area%100 != 0 {
		f.Add("land_area", "用地面积最多两位小数")
	} else {
		p.LandAreaCentimu = area / 100 // ParseWan scales by 10000; 亩 × 100 is what is kept
	}
	var err error
	if p.TotalInvest, err = ParseWan(in.TotalInvest); err != nil {
		f.Add("total_invest", err.Error())
	}
	if p.CompletedInvest, err = ParseWan(in.CompletedInvest); err != nil {
		f.Add("completed_invest", err.Error())
	}
	if p.LeaderID, ok = parseID(in.LeaderID); !ok {
		f.Add("leader_id", "责任领导无效")
	}
	if p.UnitID, ok = parseID(in.UnitID); !ok || p.UnitID == 0 {
		f.Add("unit_id", "请选择牵头单位")
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
	p.PersonInCharge = strings.TrimSpace(in.PersonInCharge)
	if p.PlannedStart, err = ParseDate(in.PlannedStart); err != nil {
		f.Add("planned_start", err.Error())
	}
	if p.PlannedOperating, err = ParseDate(in.PlannedOperating); err != nil {
		f.Add("planned_operating", err.Error())
	}
	if !p.PlannedStart.IsZero() && !p.PlannedOperating.IsZero() && p.PlannedOperating.Before(p.PlannedStart) {
		f.Add("planned_operating", "计划投产（竣工）日期不能早于计划开工日期")
	}
	p.Description = strings.TrimSpace(in.Description)
	if utf8.RuneCountInString(p.Description) > 2000 {
		f.Add("description", "项目简介不超过2000字")
	}
	if s := strings.TrimSpace(in.PlanYear); s != "" {
		y, err := strconv.Atoi(s)
		if err != nil || y < 2000 || y > 2100 {
			f.Add("plan_year", "年份无效")
		}
		out.PlanYear = y
		if out.PlanInvest, err = ParseWan(in.PlanInvest); err != nil {
			f.Add("plan_invest", err.Error())
		}
	}
	if s := strings.TrimSpace(in.Stage); s != "" {
		p.Stage = Stage(s)
		if !p.Stage.Valid() {
			f.Add("stage", "请选择阶段")
		}
	}
	if p.StageSince, err = ParseDate(in.StageSince); err != nil {
		f.Add("stage_since", err.Error())
	}
	for i, t := range in.Targets {
		name := strings.TrimSpace(t.Name)
		if name == "" && strings.TrimSpace(t.Value) == "" {
			continue // an empty row of the form
		}
		if name == "" {
			f.Add(fmt.Sprintf("targets.%d.name", i), "请填写目标名称")
		}
		p.Targets = append(p.Targets, Target{Name: name, Value: strings.TrimSpace(t.Value), Unit: strings.TrimSpace(t.Unit)})
	}
	for i, m := range in.Milestones {
		key := func(k string) string { return fmt.Sprintf("milestones.%d.%s", i, k) }
		name := strings.TrimSpace(m.Name)
		if name == "" && strings.TrimSpace(m.Planned) == "" && strings.TrimSpace(m.Actual) == "" {
			continue
		}
		var sm StoredMilestone
		if name == "" {
			f.Add(key("name"), "请填写节点名称")
		}
		sm.Name = name
		if sm.ID, ok = parseID(m.ID); !ok {
			f.Add(key("name"), "节点无效")
		}
		if sm.Planned, err = ParseDate(m.Planned); err != nil {
			f.Add(key("planned"), err.Error())
		}
		if sm.Actual, err = ParseDate(m.Actual); err != nil {
			f.Add(key("actual"), err.Error())
		}
		if sm.UnitID, ok = parseID(m.UnitID); !ok {
			f.Add(key("unit_id"), "责任单位无效")
		}
		sm.Note = strings.TrimSpace(m.Note)
		out.Milestones = append(out.Milestones, sm)
	}
	return out, f.Err()
}

func validLevel(l Level) bool {
	for _, x := range Levels {
		if l == x {
			return true
		}
	}
	return false
}

func validTier(t Tier) bool {
	for _, x := range Tiers {
		if t == x {
			return true
		}
	}
	return false
}

// InputOf is a stored project as its form would show it, with the planned
// investment of the given year: editing starts from it and a partial change
// (the API's PATCH, an import that updates) is applied on top of it.
func InputOf(p *Project, year int) Input {
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	in := Input{Code: p.Code, Name: p.Name, CategoryID: id(p.CategoryID), Level: string(p.Level), Tier: string(p.Tier),
		Flagship: p.Flagship, ChainLeader: p.ChainLeader, Investor: p.Investor, InvestorContact: p.InvestorContact,
		Location: p.Location, LocationUnitID: id(p.LocationUnitID), TotalInvest: WanExact(p.TotalInvest),
		CompletedInvest: WanExact(p.CompletedInvest), LeaderID: id(p.LeaderID), UnitID: id(p.UnitID),
		PersonInCharge: p.PersonInCharge, PlannedStart: FormatDate(p.PlannedStart),
		PlannedOperating: FormatDate(p.PlannedOperating), Description: p.Description,
		PlanYear: strconv.Itoa(year), PlanInvest: WanExact(p.Plan(year).Planned)}
	if p.LandAreaCentimu != 0 {
		in.LandArea = fmt.Sprintf("%d.%02d", p.LandAreaCentimu/100, p.LandAreaCentimu%100)
	}
	for _, u := range p.CoUnits {
		in.CoUnitIDs = append(in.CoUnitIDs, id(u.ID))
	}
	for _, t := range p.Targets {
		in.Targets = append(in.Targets, TargetInput{Name: t.Name, Value: t.Value, Unit: t.Unit})
	}
	for _, m := range p.Milestones {
		in.Milestones = append(in.Milestones, MilestoneInput{ID: id(m.ID), Name: m.Name, Planned: FormatDate(m.Planned),
			Actual: FormatDate(m.Actual), UnitID: id(m.UnitID), Note: m.Note})
	}
	in.Version = VersionOf(p)
	return in
}
