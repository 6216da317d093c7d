package web

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"guatu/apperr"
	"guatu/db"
	"guatu/project"
)

// The project API: /api/v1/projects and its milestones. Every handler calls
// the same domain functions as the pages (project.List, View, Create,
// Update, SetStage), so validation, permissions and the audit trail are
// the form's. Milestones are changed through the project's Input (InputOf,
// change the list, Update), exactly as the edit form changes them.
//
// JSON names are snake_case English; dates "YYYY-MM-DD" (null when unset);
// money integer yuan. On input an amount may instead be given in 万元 as a
// number or string (total_invest_wan: "1200.5"), never both.

// Paging of the list: 50 by default; at most 5,000 a page, so a county's
// whole library with its milestones comes in one request.
const (
	apiDefaultPerPage = 50
	apiMaxPerPage     = 5000
)

// Response types: separate from the domain's, so the JSON can stay stable
// while the domain changes (STYLE.md §9.6).

type apiProjectPage struct {
	Items   []apiProject `json:"items"`
	Total   int          `json:"total"`
	Page    int          `json:"page"`
	PerPage int          `json:"per_page"`
}

type apiProject struct {
	ID                  int64          `json:"id"`
	Code                string         `json:"code"`
	Name                string         `json:"name"`
	CategoryID          int64          `json:"category_id"`
	Category            string         `json:"category"`
	Level               string         `json:"level"`
	Tier                string         `json:"tier"`
	Stage               string         `json:"stage"`
	StageSince          *string        `json:"stage_since"`
	Flagship            bool           `json:"flagship"`
	ChainLeader         bool           `json:"chain_leader"`
	Investor            string         `json:"investor"`
	InvestorContact     string         `json:"investor_contact"`
	Location            string         `json:"location"`
	LocationUnitID      *int64         `json:"location_unit_id"`
	LandAreaMu          json.Number    `json:"land_area_mu"` // 亩, two decimals
	TotalInvestYuan     int64          `json:"total_invest_yuan"`
	CompletedInvestYuan int64          `json:"completed_invest_yuan"`
	LeaderID            *int64         `json:"leader_id"`
	Leader              string         `json:"leader"`
	UnitID              int64          `json:"unit_id"`
	Unit                string         `json:"unit"`
	CoUnits             []apiRef       `json:"co_units"`
	PersonInCharge      string         `json:"person_in_charge"`
	PlannedStart        *string        `json:"planned_start"`
	PlannedOperating    *string        `json:"planned_operating"`
	Description         string         `json:"description"`
	YearPlans           []apiYearPlan  `json:"year_plans"`
	Targets             []apiTarget    `json:"targets"`
	Milestones          []apiMilestone `json:"milestones,omitzero"` // the list leaves them out unless include=milestones
	Light               string         `json:"light"`
	LightReasons        []apiReason    `json:"light_reasons"`
	Stall               *apiStall      `json:"stall"`
	CreatedAt           time.Time      `json:"created_at"`
	UpdatedAt           time.Time      `json:"updated_at"`
}

type apiRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type apiYearPlan struct {
	Year          int   `json:"year"`
	PlannedYuan   int64 `json:"planned_yuan"`
	CompletedYuan int64 `json:"completed_yuan"`
}

type apiTarget struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Unit  string `json:"unit"`
}

type apiMilestone struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Planned     *string `json:"planned"`
	Actual      *string `json:"actual"`
	UnitID      *int64  `json:"unit_id"`
	Unit        string  `json:"unit"`
	Note        string  `json:"note"`
	Status      string  `json:"status"`
	OverdueDays int     `json:"overdue_days"`
}

type apiMilestoneList struct {
	Items []apiMilestone `json:"items"`
}

type apiReason struct {
	Light string `json:"light"`
	Text  string `json:"text"`
}

type apiStall struct {
	Pattern string `json:"pattern"`
	Label   string `json:"label"`
	Days    int    `json:"days"`
}

func dateOrNull(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format("2006-01-02")
	return &s
}

func idOrNull(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func (j judging) milestone(m project.StoredMilestone) apiMilestone {
	st, late := m.Status(j.Today, j.Rules)
	return apiMilestone{ID: m.ID, Name: m.Name, Planned: dateOrNull(m.Planned), Actual: dateOrNull(m.Actual),
		UnitID: idOrNull(m.UnitID), Unit: m.UnitName, Note: m.Note, Status: string(st), OverdueDays: late}
}

func (j judging) milestones(p *project.Project) []apiMilestone {
	out := make([]apiMilestone, len(p.Milestones))
	for i, m := range p.Milestones {
		out[i] = j.milestone(m)
	}
	return out
}

// project is the JSON of a project with its light on today.
func (j judging) project(p *project.Project, withMilestones bool) apiProject {
	facts := j.facts(p)
	light, reasons := project.Judge(facts, j.Today, j.Rules)
	out := apiProject{ID: p.ID, Code: p.Code, Name: p.Name, CategoryID: p.CategoryID, Category: p.CategoryName,
		Level: string(p.Level), Tier: string(p.Tier), Stage: string(p.Stage), StageSince: dateOrNull(p.StageSince),
		Flagship: p.Flagship, ChainLeader: p.ChainLeader, Investor: p.Investor, InvestorContact: p.InvestorContact,
		Location: p.Location, LocationUnitID: idOrNull(p.LocationUnitID),
		LandAreaMu:      json.Number(fmt.Sprintf("%d.%02d", p.LandAreaCentimu/100, p.LandAreaCentimu%100)),
		TotalInvestYuan: p.TotalInvest, CompletedInvestYuan: p.CompletedInvest, LeaderID: idOrNull(p.LeaderID),
		Leader: p.LeaderName, UnitID: p.UnitID, Unit: p.UnitName, PersonInCharge: p.PersonInCharge,
		PlannedStart: dateOrNull(p.PlannedStart), PlannedOperating: dateOrNull(p.PlannedOperating),
		Description: p.Description, Light: string(light), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		CoUnits: make([]apiRef, len(p.CoUnits)), YearPlans: make([]apiYearPlan, len(p.YearPlans)),
		Targets: make([]apiTarget, len(p.Targets)), LightReasons: make([]apiReason, len(reasons))}
	for i, u := range p.CoUnits {
		out.CoUnits[i] = apiRef{ID: u.ID, Name: u.Name}
	}
	for i, y := range p.YearPlans {
		out.YearPlans[i] = apiYearPlan{Year: y.Year, PlannedYuan: y.Planned, CompletedYuan: y.Completed}
	}
	for i, t := range p.Targets {
		out.Targets[i] = apiTarget{Name: t.Name, Value: t.Value, Unit: t.Unit}
	}
	for i, x := range reasons {
		out.LightReasons[i] = apiReason{Light: string(x.Light), Text: x.Text}
	}
	if st, days, ok := project.StallOf(facts, j.Today, j.Rules); ok {
		out.Stall = &apiStall{Pattern: string(st), Label: st.Label(), Days: days}
	}
	if withMilestones {
		out.Milestones = j.milestones(p)
	}
	return out
}

// apiListFilter reads the list's query parameters, mirroring project.Filter.
func apiListFilter(r *http.Request) (f project.Filter, page, perPage int, withMilestones bool, err error) {
	bad := unknownParams(r, "q", "tier", "stage", "category_id", "leader_id", "unit_id", "flagship", "sort",
		"page", "per_page", "include")
	q := r.URL.Query()
	id := func(k string) int64 {
		v := q.Get(k)
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			bad[k] = "应为正整数编号"
		}
		return n
	}
	f = project.Filter{Query: q.Get("q"), Tier: project.Tier(q.Get("tier")), Stage: project.Stage(q.Get("stage")),
		CategoryID: id("category_id"), LeaderID: id("leader_id"), UnitID: id("unit_id"), Sort: q.Get("sort"), Details: true}
	if f.Tier != "" && !slices.Contains(project.Tiers, f.Tier) {
		bad["tier"] = "应为 reserve、rolling 或 active"
	}
	if f.Stage != "" && !f.Stage.Valid() {
		bad["stage"] = "阶段无效"
	}
	if !slices.Contains([]string{"", "code", "name", "invest", "updated"}, f.Sort) {
		bad["sort"] = "应为 code、name、invest 或 updated"
	}
	switch q.Get("flagship") {
	case "", "false", "0":
	case "true", "1":
		f.Flagship = true
	default:
		bad["flagship"] = "应为 true 或 false"
	}
	page, perPage = apiPaging(q, bad)
	for _, inc := range strings.Split(q.Get("include"), ",") {
		switch strings.TrimSpace(inc) {
		case "":
		case "milestones":
			withMilestones = true
		default:
			bad["include"] = "只支持 milestones"
		}
	}
	if len(bad) > 0 {
		return f, 0, 0, false, badRequest("查询参数有误", bad)
	}
	return f, page, perPage, withMilestones, nil
}

// apiProjectList is GET /api/v1/projects: the projects the token's user may
// read, filtered and paged, each with its light.
func (s *Server) apiProjectList(w http.ResponseWriter, r *http.Request) error {
	f, page, perPage, withMilestones, err := apiListFilter(r)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = perPage, (page-1)*perPage
	list, total, err := project.List(r.Context(), s.db, actor(r), f)
	if f.UnitID != 0 && apperr.KindOf(err) == apperr.NotFound {
		return badRequest("查询参数有误", map[string]string{"unit_id": "单位不存在"})
	}
	if err != nil {
		return err
	}
	j, err := s.judging(r)
	if err != nil {
		return err
	}
	if len(list) <= apiDefaultPerPage {
		out := apiProjectPage{Items: make([]apiProject, len(list)), Total: total, Page: page, PerPage: perPage}
		for i, p := range list {
			out.Items[i] = j.project(p, withMilestones)
		}
		return s.writeJSON(w, r, http.StatusOK, out)
	}
	return s.streamProjects(w, r, j, list, apiProjectPage{Total: total, Page: page, PerPage: perPage}, withMilestones)
}

// streamProjects writes a long list item by item (the same document as
// apiProjectPage): 5,000 projects with their milestones are about 11 MB,
// which is not worth building in memory first. Nothing in these values can
// fail to encode, so the buffered writeJSON's guarantee is not needed.
func (s *Server) streamProjects(w http.ResponseWriter, r *http.Request, j judging, list []*project.Project, page apiProjectPage, withMilestones bool) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	bw.WriteString(`{"items":[`)
	for i, p := range list {
		if i > 0 {
			bw.WriteByte(',')
		}
		if err := enc.Encode(j.project(p, withMilestones)); err != nil {
			s.log.Error("api encode", "request_id", state(r).requestID, "err", err)
			return nil // the status is sent; the client sees a truncated document
		}
	}
	fmt.Fprintf(bw, `],"total":%d,"page":%d,"per_page":%d}`+"\n", page.Total, page.Page, page.PerPage)
	bw.Flush() // a write error means the client went away
	return nil
}

// apiProjectGet is GET /api/v1/projects/{id}: 404 when the project is not
// in the user's view, as on the pages (existence is not revealed).
func (s *Server) apiProjectGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	// include is accepted for symmetry with the list: one project always comes with its milestones.
	if err := queryParams(r, "include"); err != nil {
		return err
	}
	p, err := project.View(r.Context(), s.db, actor(r), id)
	if err != nil {
		return err
	}
	return s.writeProject(w, r, http.StatusOK, p)
}

func (s *Server) writeProject(w http.ResponseWriter, r *http.Request, status int, p *project.Project) error {
	j, err := s.judging(r)
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, status, j.project(p, true))
}

// The members of a project body. Stage and stage_since are read only on
// create (a project entering the library at the stage it has reached); a
// later move goes through POST …/stage, so it is dated and noted.
var (
	projectMembers = []string{"code", "name", "category_id", "level", "tier", "flagship", "chain_leader", "investor",
		"investor_contact", "location", "location_unit_id", "land_area_mu", "total_invest_yuan", "total_invest_wan",
		"completed_invest_yuan", "completed_invest_wan", "leader_id", "unit_id", "co_unit_ids", "person_in_charge",
		"planned_start", "planned_operating", "description", "plan_year", "plan_invest_yuan", "plan_invest_wan",
		"targets", "milestones"}
	projectCreateOnly = []string{"stage", "stage_since"}
	projectReadOnly   = []string{"id", "category", "leader", "unit", "co_units", "year_plans", "light", "light_reasons",
		"stall", "created_at", "updated_at"}
	milestoneMembers  = []string{"id", "name", "planned", "actual", "unit_id", "note"}
	milestoneReadOnly = []string{"unit", "status", "overdue_days"}
	targetMembers     = []string{"name", "value", "unit"}
)

// projectPatch is a parsed project body: the changes to make to an Input,
// and the JSON name of each domain field (for error messages).
type projectPatch struct {
	changes []func(in *project.Input, old *project.Project)
	names   map[string]string // domain field → JSON member, where they differ
	empty   bool
}

func (pp *projectPatch) set(fn func(in *project.Input, old *project.Project)) {
	pp.changes = append(pp.changes, fn)
}

// apply makes the changes on top of in (a stored project's InputOf, or an
// empty Input on create).
func (pp *projectPatch) apply(in *project.Input, old *project.Project) {
	for _, c := range pp.changes {
		c(in, old)
	}
}

// parseProjectBody reads a project body (POST creates, PATCH merges: only
// the members present change; null clears a member).
func parseProjectBody(o *jsonObject, creating bool) (*projectPatch, error) {
	refused := map[string]string{}
	known := projectMembers
	if creating {
		known = append(slices.Clip(known), projectCreateOnly...)
	} else {
		for _, k := range projectCreateOnly {
			refused[k] = "阶段请用 POST /api/v1/projects/{id}/stage 调整"
		}
	}
	o.only(known, projectReadOnly, refused)
	pp := &projectPatch{names: map[string]string{"land_area": "land_area_mu"}, empty: len(o.members) == 0}
	text := func(k string, field func(in *project.Input) *string) {
		if v, ok := o.text(k); ok {
			pp.set(func(in *project.Input, _ *project.Project) { *field(in) = v })
		}
	}
	id := func(k string, field func(in *project.Input) *string) {
		if v, ok := o.integer(k); ok {
			pp.set(func(in *project.Input, _ *project.Project) { *field(in) = v })
		}
	}
	flag := func(k string, field func(in *project.Input) *bool) {
		if v, ok := o.boolean(k); ok {
			pp.set(func(in *project.Input, _ *project.Project) { *field(in) = v })
		}
	}
	// money reads key_yuan (an integer) or key_wan (万元, number or string) into a 万元 field.
	money := func(key, domain string, field func(in *project.Input) *string) {
		y, w := key+"_yuan", key+"_wan"
		if o.has(y) && o.has(w) {
			o.fail(w, "与 "+y+" 只能填写其一")
			return
		}
		pp.names[domain] = y
		if v, ok := o.integer(y); ok {
			if v != "" {
				n, _ := strconv.ParseInt(v, 10, 64)
				v = project.WanExact(n)
			}
			pp.set(func(in *project.Input, _ *project.Project) { *field(in) = v })
		}
		if v, ok := o.decimal(w); ok {
			pp.names[domain] = w
			pp.set(func(in *project.Input, _ *project.Project) { *field(in) = v })
		}
	}
	text("code", func(in *project.Input) *string { return &in.Code })
	text("name", func(in *project.Input) *string { return &in.Name })
	id("category_id", func(in *project.Input) *string { return &in.CategoryID })
	text("level", func(in *project.Input) *string { return &in.Level })
	text("tier", func(in *project.Input) *string { return &in.Tier })
	flag("flagship", func(in *project.Input) *bool { return &in.Flagship })
	flag("chain_leader", func(in *project.Input) *bool { return &in.ChainLeader })
	text("investor", func(in *project.Input) *string { return &in.Investor })
	text("investor_contact", func(in *project.Input) *string { return &in.InvestorContact })
	text("location", func(in *project.Input) *string { return &in.Location })
	id("location_unit_id", func(in *project.Input) *string { return &in.LocationUnitID })
	if v, ok := o.decimal("land_area_mu"); ok {
		pp.set(func(in *project.Input, _ *project.Project) { in.LandArea = v })
	}
	money("total_invest", "total_invest", func(in *project.Input) *string { return &in.TotalInvest })
	money("completed_invest", "completed_invest", func(in *project.Input) *string { return &in.CompletedInvest })
	id("leader_id", func(in *project.Input) *string { return &in.LeaderID })
	id("unit_id", func(in *project.Input) *string { return &in.UnitID })
	if v, ok := o.integers("co_unit_ids"); ok {
		pp.set(func(in *project.Input, _ *project.Project) { in.CoUnitIDs = v })
	}
	text("person_in_charge", func(in *project.Input) *string { return &in.PersonInCharge })
	text("planned_start", func(in *project.Input) *string { return &in.PlannedStart })
	text("planned_operating", func(in *project.Input) *string { return &in.PlannedOperating })
	text("description", func(in *project.Input) *string { return &in.Description })
	// A plan year without an amount keeps that year's stored plan.
	if v, ok := o.integer("plan_year"); ok {
		pp.set(func(in *project.Input, old *project.Project) {
			in.PlanYear, in.PlanInvest = v, ""
			if y, err := strconv.Atoi(v); err == nil && old != nil {
				in.PlanInvest = project.WanExact(old.Plan(y).Planned)
			}
		})
	}
	money("plan_invest", "plan_invest", func(in *project.Input) *string { return &in.PlanInvest })
	if creating {
		text("stage", func(in *project.Input) *string { return &in.Stage })
		text("stage_since", func(in *project.Input) *string { return &in.StageSince })
	}
	if items, ok := o.objects("targets"); ok {
		targets := make([]project.TargetInput, 0, len(items))
		for _, t := range items {
			t.only(targetMembers, nil, nil)
			name, _ := t.text("name")
			value, _ := t.text("value")
			unit, _ := t.text("unit")
			targets = append(targets, project.TargetInput{Name: name, Value: value, Unit: unit})
		}
		pp.set(func(in *project.Input, _ *project.Project) { in.Targets = targets })
	}
	if items, ok := o.objects("milestones"); ok {
		ms := make([]project.MilestoneInput, 0, len(items))
		for _, m := range items {
			var mi project.MilestoneInput
			m.only(milestoneMembers, milestoneReadOnly, nil)
			mi.ID, _ = m.integer("id")
			readMilestone(m, &mi)
			ms = append(ms, mi)
		}
		pp.set(func(in *project.Input, _ *project.Project) { in.Milestones = ms })
	}
	return pp, o.err()
}

// readMilestone sets the members of a milestone object present in m.
func readMilestone(m *jsonObject, mi *project.MilestoneInput) {
	if v, ok := m.text("name"); ok {
		mi.Name = v
	}
	if v, ok := m.text("planned"); ok {
		mi.Planned = v
	}
	if v, ok := m.text("actual"); ok {
		mi.Actual = v
	}
	if v, ok := m.integer("unit_id"); ok {
		mi.UnitID = v
	}
	if v, ok := m.text("note"); ok {
		mi.Note = v
	}
}

// apiFields renames the field keys of an Invalid error to the JSON members
// the client sent; rename returns "" to keep a key.
func apiFields(err error, rename func(string) string) error {
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.Invalid || len(ae.Fields) == 0 {
		return err
	}
	out := &apperr.Error{Kind: ae.Kind, Msg: ae.Msg, Err: ae.Err, Fields: make(map[string]string, len(ae.Fields))}
	for k, v := range ae.Fields {
		if n := rename(k); n != "" {
			k = n
		}
		out.Fields[k] = v
	}
	return out
}

func (pp *projectPatch) rename(k string) string { return pp.names[k] }

func (s *Server) thisYear() int { return s.db.Now().In(s.loc).Year() }

// apiProjectCreate is POST /api/v1/projects: 201 with Location and the project.
func (s *Server) apiProjectCreate(w http.ResponseWriter, r *http.Request) error {
	o, err := readJSONObject(w, r)
	if err != nil {
		return err
	}
	pp, err := parseProjectBody(o, true)
	if err != nil {
		return err
	}
	in := project.Input{PlanYear: strconv.Itoa(s.thisYear())}
	pp.apply(&in, nil)
	var p *project.Project
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		p, err = project.Create(r.Context(), tx, actor(r), in)
		return err
	})
	if err != nil {
		return apiFields(err, pp.rename)
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/projects/%d", p.ID))
	return s.writeProject(w, r, http.StatusCreated, p)
}

// changeProject runs change on the Input of the project the actor may see
// (404 otherwise) and saves it with project.Update, in one transaction.
func (s *Server) changeProject(r *http.Request, id int64, change func(in *project.Input, old *project.Project) error) (*project.Project, error) {
	var p *project.Project
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		if err := project.Lock(r.Context(), tx, id); err != nil {
			return err
		}
		old, err := project.View(r.Context(), tx, actor(r), id)
		if err != nil {
			return err
		}
		in := project.InputOf(old, s.thisYear())
		if err := change(&in, old); err != nil {
			return err
		}
		p, err = project.Update(r.Context(), tx, actor(r), id, in)
		return err
	})
	return p, err
}

// apiProjectPatch is PATCH /api/v1/projects/{id}: JSON merge patch. The
// project's milestones change only when "milestones" is given, and then
// the list is the whole new list (rows with an id are kept and updated,
// rows without one added, the rest removed), as in the edit form.
func (s *Server) apiProjectPatch(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := readJSONObject(w, r)
	if err != nil {
		return err
	}
	pp, err := parseProjectBody(o, false)
	if err != nil {
		return err
	}
	if pp.empty { // nothing to change: no write and no audit record
		return s.apiProjectGet(w, r)
	}
	p, err := s.changeProject(r, id, func(in *project.Input, old *project.Project) error {
		pp.apply(in, old)
		return nil
	})
	if err != nil {
		return apiFields(err, pp.rename)
	}
	return s.writeProject(w, r, http.StatusOK, p)
}

// apiProjectStage is POST /api/v1/projects/{id}/stage: {"stage", "on_date"
// (default today), "note"}, the page's 调整阶段.
func (s *Server) apiProjectStage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := readJSONObject(w, r)
	if err != nil {
		return err
	}
	o.only([]string{"stage", "on_date", "note"}, nil, nil)
	stage, _ := o.text("stage")
	on, given := o.text("on_date")
	note, _ := o.text("note")
	if err := o.err(); err != nil {
		return err
	}
	if !given {
		on = project.FormatDate(project.DayOf(s.db.Now(), s.loc))
	}
	var p *project.Project
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		p, err = project.SetStage(r.Context(), tx, actor(r), id, project.Stage(stage), on, note)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeProject(w, r, http.StatusOK, p)
}

// apiMilestoneList is GET /api/v1/projects/{id}/milestones.
func (s *Server) apiMilestoneList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := queryParams(r); err != nil {
		return err
	}
	p, err := project.View(r.Context(), s.db, actor(r), id)
	if err != nil {
		return err
	}
	j, err := s.judging(r)
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, http.StatusOK, apiMilestoneList{Items: j.milestones(p)})
}

// milestoneFields maps the field keys of the milestone at index i
// ("milestones.3.planned") to the sub-resource's own ("planned").
func milestoneFields(i int) func(string) string {
	prefix := fmt.Sprintf("milestones.%d.", i)
	return func(k string) string { return strings.TrimPrefix(k, prefix) }
}

// requireName refuses a milestone without a name: the project form drops
// an all-empty row, which here would silently lose the milestone.
func requireName(mi project.MilestoneInput) error {
	if strings.TrimSpace(mi.Name) == "" {
		return apperr.InvalidFields(map[string]string{"name": "请填写节点名称"})
	}
	return nil
}

// readMilestoneBody reads a milestone's JSON body, refusing unknown,
// read-only and mistyped members.
func readMilestoneBody(w http.ResponseWriter, r *http.Request) (*jsonObject, project.MilestoneInput, error) {
	var mi project.MilestoneInput
	o, err := readJSONObject(w, r)
	if err != nil {
		return nil, mi, err
	}
	o.only(milestoneMembers[1:], append(slices.Clip(milestoneReadOnly), "id"), nil)
	readMilestone(o, &mi)
	return o, mi, o.err()
}

// apiMilestoneCreate is POST /api/v1/projects/{id}/milestones: appends one
// milestone; 201 with Location and the milestone.
func (s *Server) apiMilestoneCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	_, mi, err := readMilestoneBody(w, r)
	if err != nil {
		return err
	}
	if err := requireName(mi); err != nil {
		return err
	}
	index := 0
	p, err := s.changeProject(r, id, func(in *project.Input, _ *project.Project) error {
		index = len(in.Milestones)
		in.Milestones = append(in.Milestones, mi)
		return nil
	})
	if err != nil {
		return apiFields(err, milestoneFields(index))
	}
	if index >= len(p.Milestones) {
		return fmt.Errorf("api: milestone %d of project %d not stored", index, id)
	}
	m := p.Milestones[index]
	j, err := s.judging(r)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/projects/%d/milestones/%d", id, m.ID))
	return s.writeJSON(w, r, http.StatusCreated, j.milestone(m))
}

// milestoneIndex finds the milestone mid in the Input, or NotFound.
func milestoneIndex(in *project.Input, mid int64) (int, error) {
	want := strconv.FormatInt(mid, 10)
	for i, m := range in.Milestones {
		if m.ID == want {
			return i, nil
		}
	}
	return 0, apperr.NotFoundf("时间节点不存在")
}

// apiMilestonePatch is PATCH /api/v1/projects/{id}/milestones/{mid}: merge
// patch of one milestone (e.g. {"actual": "2026-03-20"} when it is reached).
func (s *Server) apiMilestonePatch(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	mid, err := pathID(r, "mid")
	if err != nil {
		return err
	}
	o, _, err := readMilestoneBody(w, r) // read here so a bad member is refused before anything is looked up
	if err != nil {
		return err
	}
	var p *project.Project
	index := 0
	if len(o.members) == 0 { // nothing to change: no write and no audit record
		p, err = project.View(r.Context(), s.db, actor(r), id)
	} else {
		p, err = s.changeProject(r, id, func(in *project.Input, _ *project.Project) error {
			var err error
			if index, err = milestoneIndex(in, mid); err != nil {
				return err
			}
			readMilestone(o, &in.Milestones[index])
			return requireName(in.Milestones[index])
		})
	}
	if err != nil {
		return apiFields(err, milestoneFields(index))
	}
	j, err := s.judging(r)
	if err != nil {
		return err
	}
	for _, m := range p.Milestones {
		if m.ID == mid {
			return s.writeJSON(w, r, http.StatusOK, j.milestone(m))
		}
	}
	if len(o.members) == 0 {
		return apperr.NotFoundf("时间节点不存在")
	}
	return fmt.Errorf("api: milestone %d of project %d lost on update", mid, id)
}

// apiMilestoneDelete is DELETE /api/v1/projects/{id}/milestones/{mid}: 204.
func (s *Server) apiMilestoneDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	mid, err := pathID(r, "mid")
	if err != nil {
		return err
	}
	_, err = s.changeProject(r, id, func(in *project.Input, _ *project.Project) error {
		i, err := milestoneIndex(in, mid)
		if err != nil {
			return err
		}
		in.Milestones = slices.Delete(in.Milestones, i, i+1)
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
