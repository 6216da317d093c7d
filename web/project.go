package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"guatu/account"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/instruction"
	"guatu/org"
	"guatu/project"
	"guatu/report"
	"guatu/worktime"
)

// projectsPerPage is the length of one page of the 台账.
const projectsPerPage = 30

// listPager reads ?page= (a page past the end shows the last one) and
// builds the pager for total rows, keeping the other query parameters in
// its links. It returns the page.
func listPager(r *http.Request, total, perPage int) (int, pager) {
	page := min(pageParam(r), max((total+perPage-1)/perPage, 1))
	return page, newPager(page, total, perPage, func(n int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	})
}

// projectChoices are the selects the 台账 filters and the form share.
type projectChoices struct {
	Categories []option
	Leaders    []option
	Units      []unitOption
	Villages   []unitOption
	Tiers      []option
	Stages     []option
	Levels     []option
	Templates  []project.NodeTemplate
}

func (s *Server) projectChoices(r *http.Request) (projectChoices, error) {
	var c projectChoices
	cats, err := project.Categories(r.Context(), s.db)
	if err != nil {
		return c, err
	}
	for _, x := range cats {
		if !x.Disabled {
			c.Categories = append(c.Categories, option{strconv.FormatInt(x.ID, 10), x.Name})
		}
	}
	dir, err := project.LoadDirectory(r.Context(), s.db, actor(r))
	if err != nil {
		return c, err
	}
	for _, l := range dir.Leaders {
		c.Leaders = append(c.Leaders, option{strconv.FormatInt(l.ID, 10), l.Name + "（" + l.Position + "）"})
	}
	for _, u := range dir.Units {
		c.Units = append(c.Units, optionOf(u))
		if u.Kind == org.Village || u.Kind == org.Community {
			c.Villages = append(c.Villages, optionOf(u))
		}
	}
	for _, t := range project.Tiers {
		c.Tiers = append(c.Tiers, option{string(t), t.Label()})
	}
	for _, st := range project.Stages {
		c.Stages = append(c.Stages, option{string(st), st.Label()})
	}
	for _, l := range project.Levels {
		c.Levels = append(c.Levels, option{string(l), l.Label()})
	}
	if c.Templates, err = project.NodeTemplates(r.Context(), s.db); err != nil {
		return c, err
	}
	return c, nil
}

// projectRow is a project with its light on today.
type projectRow = project.Judged

func (s *Server) today() time.Time { return project.DayOf(s.db.Now(), s.loc) }

// judging is what a light is judged with: today, the rules in settings and
// which reports are overdue (DESIGN.md §4).
type judging struct {
	Today time.Time
	Rules project.Rules
	Due   report.Due
}

// judging reads the rules and the month due once for a request that judges
// many projects.
func (s *Server) judging(r *http.Request) (judging, error) {
	ctx := r.Context()
	j := judging{Today: s.today()}
	var err error
	if j.Rules, err = project.LoadRules(ctx, s.db); err != nil {
		return j, err
	}
	cfg, cal, err := s.cycle(r)
	if err != nil {
		return j, err
	}
	j.Due, err = report.LoadDue(ctx, s.db, j.Today, cfg, cal)
	return j, err
}

// cycle reads the monthly cycle's settings and the working-day calendar.
func (s *Server) cycle(r *http.Request) (report.Config, worktime.Calendar, error) {
	cfg, err := report.LoadConfig(r.Context(), s.db)
	if err != nil {
		return cfg, worktime.Calendar{}, err
	}
	cal, err := worktime.Load(r.Context(), s.db)
	return cfg, cal, err
}

// facts are the project's facts for its light today.
func (j judging) facts(p *project.Project) project.Facts {
	return p.Facts(j.Today, j.Due.Missing(p))
}

// row is a project with its light and reasons.
func (j judging) row(p *project.Project) projectRow {
	l, reasons := project.Judge(j.facts(p), j.Today, j.Rules)
	return projectRow{P: p, Light: l, Reasons: reasons}
}

type projectListPage struct {
	Base
	projectChoices
	Q         url.Values
	Rows      []projectRow
	Pager     pager
	CanCreate bool
	Export    string // the spreadsheet of exactly these filters
}

// listFilter reads the 台账's filters from the query string; the page and
// its spreadsheet export share it, so the export holds exactly the rows shown.
func listFilter(q url.Values) project.Filter {
	id := func(k string) int64 { n, _ := strconv.ParseInt(q.Get(k), 10, 64); return n }
	return project.Filter{Query: q.Get("q"), Tier: project.Tier(q.Get("tier")), Stage: project.Stage(q.Get("stage")),
		CategoryID: id("category"), LeaderID: id("leader"), UnitID: id("unit"), Flagship: q.Get("flagship") == "1",
		Sort: q.Get("sort"), Details: true}
}

// projectList is the 台账: every project the actor may read, searchable and
// filtered, with its light.
func (s *Server) projectList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	q := r.URL.Query()
	p := projectListPage{Base: s.base(r, "项目台账", "projects"), Q: q, CanCreate: auth.CanAnywhere(a, auth.EditProject) || a.HasRole(auth.Leader)}
	var err error
	if p.projectChoices, err = s.projectChoices(r); err != nil {
		return err
	}
	f := listFilter(q)
	exportQ := url.Values{}
	for k, v := range q {
		if k != "page" {
			exportQ[k] = v
		}
	}
	p.Export = "/projects/export.xlsx?" + exportQ.Encode()
	_, total, err := project.List(r.Context(), s.db, a, project.Filter{Query: f.Query, Tier: f.Tier, Stage: f.Stage,
		CategoryID: f.CategoryID, LeaderID: f.LeaderID, UnitID: f.UnitID, Flagship: f.Flagship, Limit: 1})
	if err != nil {
		return err
	}
	page, pg := listPager(r, total, projectsPerPage)
	p.Pager = pg
	f.Limit, f.Offset = projectsPerPage, (page-1)*projectsPerPage
	list, _, err := project.List(r.Context(), s.db, a, f)
	if err != nil {
		return err
	}
	j, err := s.judging(r)
	if err != nil {
		return err
	}
	for _, x := range list {
		p.Rows = append(p.Rows, j.row(x))
	}
	return s.render(w, r, http.StatusOK, "project_list", p)
}

type projectShowPage struct {
	Base
	projectRow
	Statuses []milestoneRow
	Stages   []project.StageMove
	Changes  []project.Change
	Problems projectProblems // the project's 堵点/难点 (web/problem.go)
	CanEdit  bool
	Choices  projectChoices
	StageIn  stageInput
	Errors   map[string]string
	Error    string
	Monthly  projectMonthly

	// Instructions are the 批示 written on the project (partials/instructions.html).
	Instructions instructionBlock
}

// projectMonthly is the project's part in 一月一调度: its reports and its
// lights frozen month by month.
type projectMonthly struct {
	Period    report.Period // this month
	Owes      bool
	CanReport bool
	Current   *report.Report // this month's report, nil if not started
	Reports   []*report.Report
	Lights    []report.MonthLight
}

type milestoneRow struct {
	M      project.StoredMilestone
	Status project.MilestoneStatus
	Late   int
}

type stageInput struct{ Stage, OnDate, Note string }

func (s *Server) projectShowData(r *http.Request, p *project.Project) (projectShowPage, error) {
	j, err := s.judging(r)
	if err != nil {
		return projectShowPage{}, err
	}
	pg := projectShowPage{Base: s.base(r, p.Name, "projects"), projectRow: j.row(p), CanEdit: project.CanEdit(actor(r), p),
		StageIn: stageInput{Stage: string(p.Stage.Next()), OnDate: project.FormatDate(j.Today)}}
	for _, m := range p.Milestones {
		st, late := m.Status(j.Today, j.Rules)
		pg.Statuses = append(pg.Statuses, milestoneRow{M: m, Status: st, Late: late})
	}
	if pg.Stages, err = project.StageHistory(r.Context(), s.db, p.ID); err != nil {
		return pg, err
	}
	if pg.Problems, err = s.problemsOf(r, p.ID); err != nil {
		return pg, err
	}
	rows, err := audit.ForObject(r.Context(), s.db, "project", p.ID)
	if err != nil {
		return pg, err
	}
	pg.Changes = project.Changes(rows)
	// The trail keeps user names; show the people's names where the account still exists.
	names := map[string]string{}
	for i, c := range pg.Changes {
		if _, ok := names[c.Who]; !ok {
			names[c.Who] = c.Who
			if u, err := account.ByUsername(r.Context(), s.db, c.Who); err == nil {
				names[c.Who] = u.DisplayName
			}
		}
		pg.Changes[i].Who = names[c.Who]
	}
	for _, st := range project.Stages {
		pg.Choices.Stages = append(pg.Choices.Stages, option{string(st), st.Label()})
	}
	m := &pg.Monthly
	m.Period, m.Owes, m.CanReport = report.PeriodOf(j.Today), report.Owes(p.Tier, p.Stage), report.CanSubmit(actor(r), p)
	if m.Reports, err = report.ForProject(r.Context(), s.db, p.ID); err != nil {
		return pg, err
	}
	for _, rep := range m.Reports {
		if rep.Period == m.Period {
			m.Current = rep
		}
	}
	if m.Lights, err = report.LightHistory(r.Context(), s.db, p.ID); err != nil {
		return pg, err
	}
	pg.Instructions, err = s.instructionBlock(r, instruction.Project, p.ID)
	return pg, err
}

func (s *Server) projectShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := project.View(r.Context(), s.db, actor(r), id)
	if err != nil {
		return err
	}
	pg, err := s.projectShowData(r, p)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "project_show", pg)
}

func (s *Server) projectStage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in := stageInput{Stage: r.PostFormValue("stage"), OnDate: r.PostFormValue("on_date"), Note: r.PostFormValue("note")}
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		_, err := project.SetStage(r.Context(), tx, actor(r), id, project.Stage(in.Stage), in.OnDate, in.Note)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		p, verr := project.View(r.Context(), s.db, actor(r), id)
		if verr != nil {
			return verr
		}
		pg, derr := s.projectShowData(r, p)
		if derr != nil {
			return derr
		}
		pg.StageIn, pg.Errors, pg.Error = in, fields, msg
		return s.render(w, r, http.StatusUnprocessableEntity, "project_show", pg)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, fmt.Sprintf("/projects/%d", id), "阶段已调整为“"+project.Stage(in.Stage).Label()+"”")
}

// The form keeps a few empty rows for new milestones and targets, so it
// works without script.
const (
	spareMilestones = 3
	spareTargets    = 2
)

type projectFormPage struct {
	Base
	projectChoices
	Project *project.Project // nil on create
	In      project.Input
	Errors  map[string]string
	Error   string
}

// HasCoUnit reports whether the form has unit id among its 配合单位.
func (p projectFormPage) HasCoUnit(id string) bool {
	for _, x := range p.In.CoUnitIDs {
		if x == id {
			return true
		}
	}
	return false
}

func (s *Server) projectForm(w http.ResponseWriter, r *http.Request, status int, p projectFormPage) error {
	var err error
	if p.projectChoices, err = s.projectChoices(r); err != nil {
		return err
	}
	// A category taken out of use is still offered to the projects that have it.
	if p.Project != nil && !slices.ContainsFunc(p.Categories, func(o option) bool { return o.Value == strconv.FormatInt(p.Project.CategoryID, 10) }) {
		p.Categories = append(p.Categories, option{strconv.FormatInt(p.Project.CategoryID, 10), p.Project.CategoryName + "（已停用）"})
	}
	for range spareMilestones {
		p.In.Milestones = append(p.In.Milestones, project.MilestoneInput{})
	}
	for range spareTargets {
		p.In.Targets = append(p.In.Targets, project.TargetInput{})
	}
	return s.render(w, r, status, "project_form", p)
}

func (s *Server) projectNew(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if err := project.RequireEditor(a); err != nil {
		return err
	}
	in := project.Input{Tier: string(project.Active), Level: string(project.Town), PlanYear: strconv.Itoa(s.today().Year())}
	if a.HasRole(auth.Leader) && a.PersonID != 0 {
		in.LeaderID = strconv.FormatInt(a.PersonID, 10)
	}
	in.UnitID = strconv.FormatInt(a.UnitID, 10)
	// A node template fills the milestones (a plain link, so it works without script).
	if t, err := strconv.ParseInt(r.URL.Query().Get("template"), 10, 64); err == nil {
		tpls, err := project.NodeTemplates(r.Context(), s.db)
		if err != nil {
			return err
		}
		for _, x := range tpls {
			if x.ID == t {
				for _, n := range x.Nodes {
					in.Milestones = append(in.Milestones, project.MilestoneInput{Name: n})
				}
			}
		}
	}
	return s.projectForm(w, r, http.StatusOK, projectFormPage{Base: s.base(r, "新建项目", "projects"), In: in})
}

// projectInput reads the project form; milestone and target rows are
// numbered fields (milestones.0.name …) so the form needs no script.
func projectInput(r *http.Request) project.Input {
	v := r.PostForm
	in := project.Input{Version: v.Get("version"), Code: v.Get("code"), Name: v.Get("name"), CategoryID: v.Get("category_id"), Level: v.Get("level"),
		Tier: v.Get("tier"), Flagship: v.Get("flagship") != "", ChainLeader: v.Get("chain_leader") != "",
		Investor: v.Get("investor"), InvestorContact: v.Get("investor_contact"), Location: v.Get("location"),
		LocationUnitID: v.Get("location_unit_id"), LandArea: v.Get("land_area"), TotalInvest: v.Get("total_invest"),
		CompletedInvest: v.Get("completed_invest"), LeaderID: v.Get("leader_id"), UnitID: v.Get("unit_id"),
		CoUnitIDs: v["co_unit_ids"], PersonInCharge: v.Get("person_in_charge"), PlannedStart: v.Get("planned_start"),
		PlannedOperating: v.Get("planned_operating"), Description: v.Get("description"), PlanYear: v.Get("plan_year"),
		PlanInvest: v.Get("plan_invest")}
	for i := 0; i < 100; i++ {
		k := func(f string) string { return fmt.Sprintf("milestones.%d.%s", i, f) }
		if _, ok := v[k("name")]; !ok {
			break
		}
		in.Milestones = append(in.Milestones, project.MilestoneInput{ID: v.Get(k("id")), Name: v.Get(k("name")),
			Planned: v.Get(k("planned")), Actual: v.Get(k("actual")), UnitID: v.Get(k("unit_id")), Note: v.Get(k("note"))})
	}
	for i := 0; i < 50; i++ {
		k := func(f string) string { return fmt.Sprintf("targets.%d.%s", i, f) }
		if _, ok := v[k("name")]; !ok {
			break
		}
		in.Targets = append(in.Targets, project.TargetInput{Name: v.Get(k("name")), Value: v.Get(k("value")), Unit: v.Get(k("unit"))})
	}
	return in
}

func (s *Server) projectCreate(w http.ResponseWriter, r *http.Request) error {
	in := projectInput(r)
	var p *project.Project
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		p, err = project.Create(r.Context(), tx, actor(r), in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		return s.projectForm(w, r, http.StatusUnprocessableEntity, projectFormPage{Base: s.base(r, "新建项目", "projects"), In: in, Errors: fields, Error: msg})
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, fmt.Sprintf("/projects/%d", p.ID), "项目已建立，编号 "+p.Code)
}

func (s *Server) projectEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := project.Edit(r.Context(), s.db, actor(r), id)
	if err != nil {
		return err
	}
	return s.projectForm(w, r, http.StatusOK, projectFormPage{Base: s.base(r, "编辑项目", "projects"), Project: p, In: project.InputOf(p, s.today().Year())})
}

func (s *Server) projectUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in := projectInput(r)
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		_, err := project.Update(r.Context(), tx, actor(r), id, in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		p, verr := project.Edit(r.Context(), s.db, actor(r), id)
		if verr != nil {
			return verr
		}
		if stale := fields["version"]; stale != "" {
			in.Refresh(p)
			msg = stale
		}
		return s.projectForm(w, r, http.StatusUnprocessableEntity, projectFormPage{Base: s.base(r, "编辑项目", "projects"), Project: p, In: in, Errors: fields, Error: msg})
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, fmt.Sprintf("/projects/%d", id), "项目已保存")
}
