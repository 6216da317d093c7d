package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/instruction"
	"guatu/problem"
	"guatu/project"
	"guatu/worktime"
)

// problemsPerPage is the length of one page of the problem list.
const problemsPerPage = 30

// problemRow is a problem with where it stands today, and the badge that
// says so.
type problemRow struct {
	problem.Judged
	Badge     string // CSS modifier: ok, soon, late, long, review, closed, closed-late
	BadgeText string
}

// rowOf judges p on today and names its badge.
func rowOf(j problem.Judged) problemRow {
	r := problemRow{Judged: j}
	switch {
	case j.P.State == problem.Done:
		r.Badge, r.BadgeText = "review", "待审核销号"
	case j.P.State == problem.Closed:
		r.Badge, r.BadgeText = "closed", "已销号"
		if on, _ := j.P.ClosedOnTime(); !on {
			r.Badge, r.BadgeText = "closed-late", "逾期办结"
		}
	case j.Urgency == worktime.OverdueLong:
		r.Badge, r.BadgeText = "long", j.StatusText()
	case j.Urgency == worktime.Overdue:
		r.Badge, r.BadgeText = "late", j.StatusText()
	case j.Urgency == worktime.DueSoon:
		r.Badge, r.BadgeText = "soon", "即将到期"
	default:
		r.Badge, r.BadgeText = "ok", "正常"
	}
	return r
}

// workClock is today and the working-day calendar, read once per request.
type workClock struct {
	Today time.Time
	Cal   worktime.Calendar
}

func (s *Server) workClock(ctx context.Context) (workClock, error) {
	cal, err := worktime.Load(ctx, s.db)
	return workClock{Today: problem.DayOf(s.db.Now()), Cal: cal}, err
}

func (c workClock) rows(ps []*problem.Problem) []problemRow {
	out := make([]problemRow, len(ps))
	for i, j := range problem.JudgeAll(ps, c.Today, c.Cal) {
		out[i] = rowOf(j)
	}
	return out
}

// problemChoices are the selects of the list's filters and the form.
type problemChoices struct {
	States, Categories, Sources, Priorities []option
	Leaders                                 []option
	Units                                   []unitOption // the town's units: filters and 配合单位
	RaiseUnits                              []unitOption // where the actor may raise a problem: 责任单位
	Projects                                []option
}

func (s *Server) problemChoices(r *http.Request, withProjects bool) (problemChoices, error) {
	var c problemChoices
	for _, x := range problem.States {
		c.States = append(c.States, option{string(x), x.Label()})
	}
	for _, x := range problem.Categories {
		c.Categories = append(c.Categories, option{string(x), x.Label()})
	}
	for _, x := range problem.Sources {
		c.Sources = append(c.Sources, option{string(x), x.Label()})
	}
	for _, x := range problem.Priorities {
		c.Priorities = append(c.Priorities, option{string(x), x.Label()})
	}
	a := actor(r)
	// A problem involves units beyond a clerk's own (配合单位) and the town's
	// leaders: the project directory spans the actor's whole town.
	dir, err := project.LoadDirectory(r.Context(), s.db, a)
	if err != nil {
		return c, err
	}
	for _, l := range dir.Leaders {
		c.Leaders = append(c.Leaders, option{strconv.FormatInt(l.ID, 10), l.Name + "（" + l.Position + "）"})
	}
	for _, u := range dir.Units {
		if u.Disabled {
			continue
		}
		c.Units = append(c.Units, optionOf(u))
		if auth.Can(a, auth.RaiseProblem, u.Path) {
			c.RaiseUnits = append(c.RaiseUnits, optionOf(u))
		}
	}
	if withProjects {
		ps, _, err := project.List(r.Context(), s.db, a, project.Filter{Sort: "code"})
		if err != nil {
			return c, err
		}
		for _, p := range ps {
			c.Projects = append(c.Projects, option{strconv.FormatInt(p.ID, 10), p.Code + " " + p.Name})
		}
	}
	return c, nil
}

// The list's tabs.
const (
	tabAll     = ""
	tabMine    = "mine"
	tabOverdue = "overdue"
	tabLeader  = "leader"
)

type problemTab struct {
	Label  string
	Href   string
	Active bool
	Count  int // shown when positive (the overdue tab)
}

// leaderLine is one line of the 按领导 summary: a leader's open problems.
type leaderLine struct {
	ID               int64
	Name             string
	Open, Soon, Late int
	LateLong         int
	Href             string
}

type problemListPage struct {
	Base
	problemChoices
	Q        url.Values
	Tab      string
	Tabs     []problemTab
	Rows     []problemRow
	ByLeader []leaderLine // the 按领导 summary, when no leader is chosen
	Pager    pager
	CanRaise bool
	Export   string
	Project  string // the project the list is narrowed to, by name
}

// problemFilter reads the list's tab and filters from the query string; the
// page and its spreadsheet share it, so the export holds exactly the rows
// shown. summary is true on the 按领导 tab with no leader chosen, which
// shows the leaders' open problems.
func problemFilter(q url.Values, a auth.Actor, today time.Time) (f problem.Filter, tab string, summary bool) {
	id := func(k string) int64 { n, _ := strconv.ParseInt(q.Get(k), 10, 64); return max(n, 0) }
	f = problem.Filter{Query: q.Get("q"), State: problem.State(q.Get("state")), Category: problem.Category(q.Get("category")),
		Priority: problem.Priority(q.Get("priority")), UnitID: id("unit"), LeaderID: id("leader"), ProjectID: id("project")}
	tab = q.Get("tab")
	switch tab {
	case tabMine:
		f.Mine = true
	case tabOverdue:
		f.OverdueOn = today
	case tabLeader:
		if f.LeaderID == 0 && q.Get("leader") == "" && a.PersonID != 0 && a.HasRole(auth.Leader) {
			f.LeaderID = a.PersonID // a leader opens the tab on their own problems
		}
		if f.LeaderID == 0 {
			f.Open, summary = true, true
		}
	default:
		tab = tabAll
	}
	return f, tab, summary
}

// problemList is the 问题督办 list: every problem the actor may read, by
// tab and filter, most pressing first, with where each deadline stands.
func (s *Server) problemList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	q := r.URL.Query()
	ck, err := s.workClock(r.Context())
	if err != nil {
		return err
	}
	f, tab, summary := problemFilter(q, a, ck.Today)
	p := problemListPage{Base: s.base(r, "问题督办", "problems"), Q: q, Tab: tab, CanRaise: auth.CanAnywhere(a, auth.RaiseProblem)}
	if p.problemChoices, err = s.problemChoices(r, false); err != nil {
		return err
	}
	if f.ProjectID != 0 {
		if pr, err := project.View(r.Context(), s.db, a, f.ProjectID); err == nil {
			p.Project = pr.Code + " " + pr.Name
		}
	}
	exportQ := url.Values{}
	for k, v := range q {
		if k != "page" {
			exportQ[k] = v
		}
	}
	p.Export = "/problems/export.xlsx?" + exportQ.Encode()
	_, overdue, err := problem.List(r.Context(), s.db, a, problem.Filter{OverdueOn: ck.Today, Limit: 1})
	if err != nil {
		return err
	}
	p.Tabs = problemTabs(q, tab, overdue)
	if summary {
		open, _, err := problem.List(r.Context(), s.db, a, f)
		if err != nil {
			return err
		}
		p.ByLeader = leaderSummary(ck.rows(open), q)
		return s.render(w, r, http.StatusOK, "problem_list", p)
	}
	count := f
	count.Limit = 1
	_, total, err := problem.List(r.Context(), s.db, a, count)
	if err != nil {
		return err
	}
	page, pg := listPager(r, total, problemsPerPage)
	p.Pager = pg
	f.Limit, f.Offset = problemsPerPage, (page-1)*problemsPerPage
	list, _, err := problem.List(r.Context(), s.db, a, f)
	if err != nil {
		return err
	}
	p.Rows = ck.rows(list)
	return s.render(w, r, http.StatusOK, "problem_list", p)
}

// problemTabs builds the tab links; each keeps the other filters.
func problemTabs(q url.Values, active string, overdue int) []problemTab {
	link := func(tab string) string {
		v := url.Values{}
		for k, x := range q {
			if k != "page" && k != "tab" && k != "leader" {
				v[k] = x
			}
		}
		if tab != "" {
			v.Set("tab", tab)
		}
		if len(v) == 0 {
			return "/problems"
		}
		return "/problems?" + v.Encode()
	}
	return []problemTab{
		{Label: "全部", Href: link(tabAll), Active: active == tabAll},
		{Label: "本单位", Href: link(tabMine), Active: active == tabMine},
		{Label: "逾期", Href: link(tabOverdue), Active: active == tabOverdue, Count: overdue},
		{Label: "按领导", Href: link(tabLeader), Active: active == tabLeader},
	}
}

// leaderSummary counts each 分管领导's open problems by where they stand,
// the leaders with the most overdue first; problems of units without one
// come last, under 未明确.
func leaderSummary(rows []problemRow, q url.Values) []leaderLine {
	byID := map[int64]*leaderLine{}
	var order []int64
	for _, r := range rows {
		l, ok := byID[r.P.LeaderID]
		if !ok {
			name := r.P.LeaderName
			if r.P.LeaderID == 0 {
				name = "未明确分管领导"
			}
			l = &leaderLine{ID: r.P.LeaderID, Name: name}
			byID[r.P.LeaderID] = l
			order = append(order, r.P.LeaderID)
		}
		l.Open++
		switch r.Urgency {
		case worktime.DueSoon:
			l.Soon++
		case worktime.Overdue:
			l.Late++
		case worktime.OverdueLong:
			l.Late++
			l.LateLong++
		}
	}
	out := make([]leaderLine, 0, len(order))
	for _, id := range order {
		l := *byID[id]
		if id != 0 {
			v := url.Values{"tab": {tabLeader}, "leader": {strconv.FormatInt(id, 10)}}
			for _, k := range []string{"q", "category", "priority", "unit", "project"} {
				if q.Get(k) != "" {
					v.Set(k, q.Get(k))
				}
			}
			l.Href = "/problems?" + v.Encode()
		}
		out = append(out, l)
	}
	slices.SortStableFunc(out, func(a, b leaderLine) int {
		switch {
		case (a.ID == 0) != (b.ID == 0):
			if a.ID == 0 {
				return 1
			}
			return -1
		case a.Late != b.Late:
			return b.Late - a.Late
		}
		return b.Open - a.Open
	})
	return out
}

// problemExport downloads exactly the rows the list shows (all pages) as
// .xlsx; the summary tab exports the open problems it counts.
func (s *Server) problemExport(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	q := r.URL.Query()
	ck, err := s.workClock(r.Context())
	if err != nil {
		return err
	}
	f, _, _ := problemFilter(q, a, ck.Today)
	list, _, err := problem.List(r.Context(), s.db, a, f)
	if err != nil {
		return err
	}
	day := project.FormatDate(ck.Today)
	var buf bytes.Buffer
	title := fmt.Sprintf("%s问题督办清单（%d 个问题，导出于 %s）", s.townName(r), len(list), day)
	if err := problem.WriteXLSX(&buf, title, problem.JudgeAll(list, ck.Today, ck.Cal)); err != nil {
		return err
	}
	// Exports carry data out of the system: each one is recorded (等保 安全审计).
	if err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		return audit.Record(r.Context(), tx, audit.Entry{Actor: a, Action: audit.ProblemsExported, ObjectType: "problem",
			ObjectName: "问题清单", Note: fmt.Sprintf("导出 %d 个问题；条件：%s", len(list), q.Encode())})
	}); err != nil {
		return err
	}
	attachment(w, xlsxType, "problems-"+day+".xlsx", s.townName(r)+"问题督办清单-"+day+".xlsx")
	_, err = w.Write(buf.Bytes())
	return err
}

type problemFormPage struct {
	Base
	problemChoices
	In     problem.Input
	Errors map[string]string
	Error  string
}

// HasCoUnit reports whether the form has unit id among its 配合单位.
func (p problemFormPage) HasCoUnit(id string) bool { return slices.Contains(p.In.CoUnitIDs, id) }

func (s *Server) problemForm(w http.ResponseWriter, r *http.Request, status int, p problemFormPage) error {
	var err error
	if p.problemChoices, err = s.problemChoices(r, true); err != nil {
		return err
	}
	return s.render(w, r, status, "problem_form", p)
}

// problemNew is the empty form: the actor's own unit responsible, ten
// working days from 签收, and the project when it comes from a project page.
func (s *Server) problemNew(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if err := problem.RequireRaiser(a); err != nil {
		return err
	}
	q := r.URL.Query()
	in := problem.Input{Priority: string(problem.Normal), Source: string(problem.FromSite), DeadlineKind: problem.ByWorkdays,
		LimitDays: "10", ProjectID: q.Get("project")}
	// A unit reports its own problems; the supervision office assigns them
	// to others, so its form starts with no unit chosen.
	if !auth.CanAnywhere(a, auth.SuperProblem) {
		in.UnitID = strconv.FormatInt(a.UnitID, 10)
	}
	if id, err := strconv.ParseInt(in.ProjectID, 10, 64); err == nil {
		// A problem met on a project goes by default to the unit that leads it.
		if p, err := project.View(r.Context(), s.db, a, id); err == nil && auth.Can(a, auth.RaiseProblem, p.UnitPath) {
			in.UnitID = strconv.FormatInt(p.UnitID, 10)
		}
	}
	return s.problemForm(w, r, http.StatusOK, problemFormPage{Base: s.base(r, "登记问题", "problems"), In: in})
}

// problemInput reads the problem form.
func problemInput(r *http.Request) problem.Input {
	v := r.PostForm
	return problem.Input{Title: v.Get("title"), Description: v.Get("description"), Category: v.Get("category"),
		Source: v.Get("source"), Priority: v.Get("priority"), ProjectID: v.Get("project_id"), UnitID: v.Get("unit_id"),
		CoUnitIDs: v["co_unit_ids"], LeaderID: v.Get("leader_id"), DeadlineKind: v.Get("deadline_kind"),
		LimitDays: v.Get("limit_days"), Deadline: v.Get("deadline")}
}

func (s *Server) problemCreate(w http.ResponseWriter, r *http.Request) error {
	in := problemInput(r)
	var p *problem.Problem
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		p, err = problem.Create(r.Context(), tx, actor(r), in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		return s.problemForm(w, r, http.StatusUnprocessableEntity, problemFormPage{Base: s.base(r, "登记问题", "problems"), In: in, Errors: fields, Error: msg})
	}
	if err != nil {
		return err
	}
	what := "问题已上报"
	if p.Assigned {
		what = "问题已交办"
	}
	return s.redirect(w, r, fmt.Sprintf("/problems/%d", p.ID), what+"，等待“"+p.UnitName+"”签收")
}

// actionInput is what the action forms of a problem's page send; each form
// has its own field names, so a refused one comes back filled, with its
// messages beside its fields.
type actionInput struct {
	Note, DoneNote, CloseNote, Reason, NewDeadline, ExtReason, ApproveNote, RefuseReason string
}

func actionInputOf(v url.Values) actionInput {
	return actionInput{Note: v.Get("note"), DoneNote: v.Get("done_note"), CloseNote: v.Get("close_note"), Reason: v.Get("reason"),
		NewDeadline: v.Get("new_deadline"), ExtReason: v.Get("ext_reason"), ApproveNote: v.Get("approve_note"),
		RefuseReason: v.Get("refuse_reason")}
}

// runAction does one workflow action: the pages and the API share it.
func runAction(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, act problem.Action, in actionInput, files []problem.Upload) (*problem.Problem, error) {
	switch act {
	case problem.ActSign:
		return problem.Sign(ctx, tx, by, id)
	case problem.ActFeedback:
		return problem.Feedback(ctx, tx, by, id, in.Note, files)
	case problem.ActFinish:
		return problem.Finish(ctx, tx, by, id, in.DoneNote, files)
	case problem.ActClose:
		return problem.Close(ctx, tx, by, id, in.CloseNote)
	case problem.ActReturn:
		return problem.Return(ctx, tx, by, id, in.Reason)
	case problem.ActExtend:
		return problem.RequestExtension(ctx, tx, by, id, problem.ExtensionInput{NewDeadline: in.NewDeadline, Reason: in.ExtReason})
	case problem.ActApproveExtension:
		return problem.ApproveExtension(ctx, tx, by, id, in.ApproveNote)
	case problem.ActRefuseExtension:
		return problem.RefuseExtension(ctx, tx, by, id, in.RefuseReason)
	}
	return nil, apperr.NotFoundf("没有这项操作")
}

// actionFlash is the message after an action.
func actionFlash(act problem.Action, p *problem.Problem) string {
	switch act {
	case problem.ActSign:
		return "已签收，请于 " + project.FormatDate(p.Deadline) + " 前办结"
	case problem.ActFeedback:
		return "进展已反馈"
	case problem.ActFinish:
		return "已办结，等待督查室审核销号"
	case problem.ActClose:
		return "问题已销号"
	case problem.ActReturn:
		return "已退回“" + p.UnitName + "”重办"
	case problem.ActExtend:
		return "延期申请已提交，等待督查室审批"
	case problem.ActApproveExtension:
		return "已同意延期，新的办结期限为 " + project.FormatDate(p.Deadline)
	case problem.ActRefuseExtension:
		return "已不同意延期，办结期限仍为 " + project.FormatDate(p.Deadline)
	}
	return ""
}

// problemCans are the action forms the page shows: only those that would
// succeed for this user now.
type problemCans struct {
	Sign, Feedback, Done, Extend, Close, Return, Decide bool
}

func (c problemCans) Any() bool {
	return c.Sign || c.Feedback || c.Done || c.Extend || c.Close || c.Return || c.Decide
}

type problemShowPage struct {
	Base
	problemRow
	Events     []problem.Event
	Extensions []problem.Extension
	Waiting    *problem.Extension
	Can        problemCans
	In         actionInput
	Failed     string // the action whose form was refused, which opens it
	Errors     map[string]string
	Error      string
	MaxFileMB  int
	MaxFiles   int
	Accept     string // the file input's hint to the browser; the server decides by the bytes
	Today      string
	// Instructions are the 批示 written on the problem.
	Instructions instructionBlock
}

// FeedbackOpen reports whether the progress form starts open: for the
// unit, whose everyday form it is, unless another form was refused; the
// supervision office, which may report for a unit on paper, opens it itself.
func (p problemShowPage) FeedbackOpen() bool {
	if p.Failed != "" {
		return p.Failed == string(problem.ActFeedback)
	}
	return !problem.Permitted(p.Actor, p.P, problem.ActClose)
}

// FilesError is the attachment message for the form of act: the feedback
// and the done forms both take files, and only the refused one shows it.
func (p problemShowPage) FilesError(act string) string {
	if p.Failed != act {
		return ""
	}
	return p.Errors["files"]
}

func (s *Server) problemShowData(r *http.Request, p *problem.Problem) (problemShowPage, error) {
	ck, err := s.workClock(r.Context())
	if err != nil {
		return problemShowPage{}, err
	}
	a := actor(r)
	pg := problemShowPage{Base: s.base(r, p.Title, "problems"), problemRow: ck.rows([]*problem.Problem{p})[0],
		MaxFileMB: problem.MaxFileSize >> 20, MaxFiles: problem.MaxFiles, Today: project.FormatDate(ck.Today),
		Accept: ".jpg,.jpeg,.png,.gif,.webp,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.wps,.et,.txt,.zip",
		Can: problemCans{Sign: problem.Can(a, p, problem.ActSign), Feedback: problem.Can(a, p, problem.ActFeedback),
			Done: problem.Can(a, p, problem.ActFinish), Extend: problem.Can(a, p, problem.ActExtend),
			Close: problem.Can(a, p, problem.ActClose), Return: problem.Can(a, p, problem.ActReturn),
			Decide: problem.Can(a, p, problem.ActApproveExtension)}}
	if pg.Events, err = problem.History(r.Context(), s.db, p.ID); err != nil {
		return pg, err
	}
	if pg.Extensions, err = problem.Extensions(r.Context(), s.db, p.ID); err != nil {
		return pg, err
	}
	for i := range pg.Extensions {
		if pg.Extensions[i].Status == problem.ExtPending {
			pg.Waiting = &pg.Extensions[i]
		}
	}
	pg.Instructions, err = s.instructionBlock(r, instruction.Problem, p.ID)
	return pg, err
}

func (s *Server) problemShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := problem.View(r.Context(), s.db, actor(r), id)
	if err != nil {
		return err
	}
	pg, err := s.problemShowData(r, p)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "problem_show", pg)
}

// problemUploads reads the files of a multipart action form; an empty file
// input (nothing chosen) sends a nameless empty part, which is skipped.
// Each file is read one byte past the limit, so the domain can say it is too big.
func problemUploads(r *http.Request) ([]problem.Upload, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []problem.Upload
	for _, fh := range r.MultipartForm.File["files"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(f, problem.MaxFileSize+1))
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, problem.Upload{Name: fh.Filename, Data: data})
	}
	return out, nil
}

// problemAction handles the form of one workflow action on a problem's
// page: Post/Redirect/Get on success; the page again with the form filled
// and its messages (422) when the input is refused.
func (s *Server) problemAction(act problem.Action) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		in := actionInputOf(r.PostForm)
		files, err := problemUploads(r)
		if err != nil {
			return err
		}
		var p *problem.Problem
		err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
			p, err = runAction(r.Context(), tx, actor(r), id, act, in, files)
			return err
		})
		if fields, msg, ok := invalid(err); ok {
			cur, verr := problem.View(r.Context(), s.db, actor(r), id)
			if verr != nil {
				return verr
			}
			pg, derr := s.problemShowData(r, cur)
			if derr != nil {
				return derr
			}
			if len(files) > 0 {
				msg += "；所选附件需重新选择"
			}
			pg.In, pg.Errors, pg.Error, pg.Failed = in, fields, msg, string(act)
			return s.render(w, r, http.StatusUnprocessableEntity, "problem_show", pg)
		}
		if err != nil {
			return err
		}
		return s.redirect(w, r, fmt.Sprintf("/problems/%d", id), actionFlash(act, p))
	}
}

// problemFile downloads an attachment, to those who may read its problem.
func (s *Server) problemFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, data, err := problem.OpenFile(r.Context(), s.db, actor(r), id, r.PathValue("name"))
	if err != nil {
		return err
	}
	attachment(w, f.ContentType, f.Name, f.OrigName)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, err = w.Write(data)
	return err
}

// projectProblems is the small list of a project's problems on its page.
type projectProblems struct {
	Rows     []problemRow
	Total    int
	CanRaise bool
}

// problemsOf reads the first problems of a project for its page.
func (s *Server) problemsOf(r *http.Request, projectID int64) (projectProblems, error) {
	a := actor(r)
	out := projectProblems{CanRaise: auth.CanAnywhere(a, auth.RaiseProblem)}
	if !auth.CanAnywhere(a, auth.ViewProblem) {
		return out, nil
	}
	list, total, err := problem.List(r.Context(), s.db, a, problem.Filter{ProjectID: projectID, Limit: 10})
	if err != nil {
		return out, err
	}
	ck, err := s.workClock(r.Context())
	if err != nil {
		return out, err
	}
	out.Rows, out.Total = ck.rows(list), total
	return out, nil
}
