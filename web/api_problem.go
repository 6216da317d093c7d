package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"guatu/apperr"
	"guatu/db"
	"guatu/problem"
	"guatu/project"
	"guatu/worktime"
)

// The problem API: /api/v1/problems, the same domain functions as the
// pages (problem.List, View, Create and one function per workflow action),
// so permissions, validation and the audit trail are the pages'.
//
// A problem's deadline is either limit_days (working days counted from
// 签收) or a fixed deadline date, never both. Attachments are uploaded on
// the pages only; the API lists them with their download address.

type apiProblemPage struct {
	Items   []apiProblem `json:"items"`
	Total   int          `json:"total"`
	Page    int          `json:"page"`
	PerPage int          `json:"per_page"`
}

type apiProblem struct {
	ID               int64          `json:"id"`
	Title            string         `json:"title"`
	Description      string         `json:"description"`
	Category         string         `json:"category"`
	CategoryLabel    string         `json:"category_label"`
	Source           string         `json:"source"`
	SourceLabel      string         `json:"source_label"`
	SourceType       string         `json:"source_type"`
	SourceID         *int64         `json:"source_id"`
	ProjectID        *int64         `json:"project_id"`
	Project          string         `json:"project"`
	Priority         string         `json:"priority"`
	State            string         `json:"state"`
	StateLabel       string         `json:"state_label"`
	UnitID           int64          `json:"unit_id"`
	Unit             string         `json:"unit"`
	CoUnits          []apiRef       `json:"co_units"`
	LeaderID         *int64         `json:"leader_id"`
	Leader           string         `json:"leader"`
	RaisedBy         string         `json:"raised_by"`
	Assigned         bool           `json:"assigned"`
	LimitDays        *int           `json:"limit_days"`
	Deadline         *string        `json:"deadline"`
	SignBy           string         `json:"sign_by"`
	Urgency          string         `json:"urgency"`
	UrgencyLabel     string         `json:"urgency_label"`
	Due              *string        `json:"due"`
	OverdueDays      int            `json:"overdue_days"`
	Reaches          apiReach       `json:"reaches"`
	ExtensionPending bool           `json:"extension_pending"`
	ClosedOnTime     *bool          `json:"closed_on_time"`
	CreatedAt        time.Time      `json:"created_at"`
	SignedAt         *time.Time     `json:"signed_at"`
	DoneAt           *time.Time     `json:"done_at"`
	ClosedAt         *time.Time     `json:"closed_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
	History          []apiEvent     `json:"history,omitzero"`    // one problem only
	Extensions       []apiExtension `json:"extensions,omitzero"` // one problem only
}

type apiReach struct {
	Unit   bool `json:"unit"`
	Leader bool `json:"leader"`
	Chief  bool `json:"chief"`
	Agenda bool `json:"agenda"`
}

type apiEvent struct {
	Kind         string    `json:"kind"`
	Label        string    `json:"label"`
	At           time.Time `json:"at"`
	By           string    `json:"by"`
	Unit         string    `json:"unit"`
	Note         string    `json:"note"`
	FromState    string    `json:"from_state"`
	ToState      string    `json:"to_state"`
	DeadlineFrom *string   `json:"deadline_from"`
	DeadlineTo   *string   `json:"deadline_to"`
	Files        []apiFile `json:"files"`
}

type apiFile struct {
	Name        string `json:"name"`
	FileName    string `json:"file_name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url"` // the page's download address (a signed-in session)
}

type apiExtension struct {
	From         *string    `json:"from"`
	To           *string    `json:"to"`
	Reason       string     `json:"reason"`
	Status       string     `json:"status"`
	RequestedBy  string     `json:"requested_by"`
	RequestedAt  time.Time  `json:"requested_at"`
	DecidedBy    string     `json:"decided_by"`
	DecidedAt    *time.Time `json:"decided_at"`
	DecisionNote string     `json:"decision_note"`
}

// urgencyCodes are the urgencies' JSON names.
var urgencyCodes = map[worktime.Urgency]string{worktime.OnTrack: "on_track", worktime.DueSoon: "due_soon",
	worktime.Overdue: "overdue", worktime.OverdueLong: "overdue_long"}

// problemJSON is the JSON of a judged problem.
func problemJSON(j problem.Judged) apiProblem {
	p := j.P
	out := apiProblem{ID: p.ID, Title: p.Title, Description: p.Description, Category: string(p.Category), CategoryLabel: p.Category.Label(),
		Source: string(p.Source), SourceLabel: p.Source.Label(), SourceType: p.SourceType, SourceID: idOrNull(p.SourceID),
		ProjectID: idOrNull(p.ProjectID), Project: p.ProjectName, Priority: string(p.Priority), State: string(p.State),
		StateLabel: p.State.Label(), UnitID: p.UnitID, Unit: p.UnitName, CoUnits: make([]apiRef, len(p.CoUnits)),
		LeaderID: idOrNull(p.LeaderID), Leader: p.LeaderName, RaisedBy: p.RaisedName, Assigned: p.Assigned,
		Deadline: dateOrNull(p.Deadline), SignBy: project.FormatDate(p.SignBy), Urgency: urgencyCodes[j.Urgency],
		UrgencyLabel: j.Urgency.Label(), Due: dateOrNull(j.Due), OverdueDays: j.OverdueDays,
		ExtensionPending: p.ExtensionPending, CreatedAt: p.CreatedAt, SignedAt: timeOrNull(p.SignedAt), DoneAt: timeOrNull(p.DoneAt),
		ClosedAt: timeOrNull(p.ClosedAt), UpdatedAt: p.UpdatedAt}
	r := problem.ReachOf(j.Urgency, p.LeaderID != 0)
	out.Reaches = apiReach{Unit: r.Unit, Leader: r.Leader, Chief: r.Chief, Agenda: r.Agenda}
	for i, u := range p.CoUnits {
		out.CoUnits[i] = apiRef{ID: u.ID, Name: u.Name}
	}
	if p.LimitDays > 0 {
		out.LimitDays = &p.LimitDays
	}
	if on, closed := p.ClosedOnTime(); closed {
		out.ClosedOnTime = &on
	}
	return out
}

// apiProblemFilter reads the list's query parameters, mirroring
// problem.Filter; a misspelt parameter or value is a 400.
func apiProblemFilter(r *http.Request, today time.Time) (f problem.Filter, page, perPage int, err error) {
	bad := unknownParams(r, "q", "state", "open", "category", "priority", "unit_id", "leader_id", "project_id", "mine",
		"overdue", "page", "per_page")
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
	flag := func(k string) bool {
		switch q.Get(k) {
		case "", "false", "0":
			return false
		case "true", "1":
			return true
		}
		bad[k] = "应为 true 或 false"
		return false
	}
	f = problem.Filter{Query: q.Get("q"), State: problem.State(q.Get("state")), Open: flag("open"),
		Category: problem.Category(q.Get("category")), Priority: problem.Priority(q.Get("priority")),
		UnitID: id("unit_id"), LeaderID: id("leader_id"), ProjectID: id("project_id"), Mine: flag("mine")}
	if flag("overdue") {
		f.OverdueOn = today
	}
	if f.State != "" && !f.State.Valid() {
		bad["state"] = "应为 pending、handling、done 或 closed"
	}
	if f.Category != "" && !f.Category.Valid() {
		bad["category"] = "类别无效"
	}
	if f.Priority != "" && !f.Priority.Valid() {
		bad["priority"] = "应为 normal、urgent 或 critical"
	}
	page, perPage = apiPaging(q, bad)
	if len(bad) > 0 {
		return f, 0, 0, badRequest("查询参数有误", bad)
	}
	return f, page, perPage, nil
}

// apiProblemList is GET /api/v1/problems: the problems the token's user may
// read, filtered and paged, each with where its deadline stands today.
func (s *Server) apiProblemList(w http.ResponseWriter, r *http.Request) error {
	ck, err := s.workClock(r.Context())
	if err != nil {
		return err
	}
	f, page, perPage, err := apiProblemFilter(r, ck.Today)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = perPage, (page-1)*perPage
	list, total, err := problem.List(r.Context(), s.db, actor(r), f)
	if f.UnitID != 0 && apperr.KindOf(err) == apperr.NotFound {
		return badRequest("查询参数有误", map[string]string{"unit_id": "单位不存在"})
	}
	if err != nil {
		return err
	}
	out := apiProblemPage{Items: make([]apiProblem, len(list)), Total: total, Page: page, PerPage: perPage}
	for i, j := range problem.JudgeAll(list, ck.Today, ck.Cal) {
		out.Items[i] = problemJSON(j)
	}
	return s.writeJSON(w, r, http.StatusOK, out)
}

// apiProblemGet is GET /api/v1/problems/{id}: one problem with its history
// and extension requests; 404 outside the user's view.
func (s *Server) apiProblemGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := queryParams(r); err != nil {
		return err
	}
	p, err := problem.View(r.Context(), s.db, actor(r), id)
	if err != nil {
		return err
	}
	return s.writeProblem(w, r, http.StatusOK, p)
}

func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, status int, p *problem.Problem) error {
	ck, err := s.workClock(r.Context())
	if err != nil {
		return err
	}
	out := problemJSON(problem.JudgeAll([]*problem.Problem{p}, ck.Today, ck.Cal)[0])
	events, err := problem.History(r.Context(), s.db, p.ID)
	if err != nil {
		return err
	}
	out.History = make([]apiEvent, len(events))
	for i, e := range events {
		ev := apiEvent{Kind: string(e.Kind), Label: e.Kind.Label(), At: e.At, By: e.ByName, Unit: e.ByUnit, Note: e.Note,
			FromState: string(e.From), ToState: string(e.To), DeadlineFrom: dateOrNull(e.DeadlineFrom),
			DeadlineTo: dateOrNull(e.DeadlineTo), Files: make([]apiFile, len(e.Files))}
		for k, f := range e.Files {
			ev.Files[k] = apiFile{Name: f.Name, FileName: f.OrigName, ContentType: f.ContentType, Size: f.Size,
				URL: fmt.Sprintf("/problems/%d/files/%s", p.ID, f.Name)}
		}
		out.History[i] = ev
	}
	exts, err := problem.Extensions(r.Context(), s.db, p.ID)
	if err != nil {
		return err
	}
	out.Extensions = make([]apiExtension, len(exts))
	for i, x := range exts {
		out.Extensions[i] = apiExtension{From: dateOrNull(x.From), To: dateOrNull(x.To), Reason: x.Reason, Status: string(x.Status),
			RequestedBy: x.RequestedBy, RequestedAt: x.RequestedAt, DecidedBy: x.DecidedBy, DecidedAt: timeOrNull(x.DecidedAt),
			DecisionNote: x.DecisionNote}
	}
	return s.writeJSON(w, r, status, out)
}

// The members of a problem body.
var (
	problemMembers = []string{"title", "description", "category", "source", "priority", "project_id", "unit_id", "co_unit_ids",
		"leader_id", "limit_days", "deadline", "source_type", "source_id"}
	problemReadOnly = []string{"id", "category_label", "source_label", "project", "state", "state_label", "unit", "co_units",
		"leader", "raised_by", "assigned", "sign_by", "urgency", "urgency_label", "due", "overdue_days", "reaches",
		"extension_pending", "closed_on_time", "created_at", "signed_at", "done_at", "closed_at", "updated_at", "history", "extensions"}
)

// parseProblemBody reads a new problem's body into the form's Input, which
// the domain validates exactly as it does the form.
func parseProblemBody(o *jsonObject) (problem.Input, error) {
	o.only(problemMembers, problemReadOnly, nil)
	var in problem.Input
	in.Title, _ = o.text("title")
	in.Description, _ = o.text("description")
	in.Category, _ = o.text("category")
	in.Source, _ = o.text("source")
	in.Priority, _ = o.text("priority")
	in.ProjectID, _ = o.integer("project_id")
	in.UnitID, _ = o.integer("unit_id")
	in.CoUnitIDs, _ = o.integers("co_unit_ids")
	in.LeaderID, _ = o.integer("leader_id")
	in.LimitDays, _ = o.integer("limit_days")
	in.Deadline, _ = o.text("deadline")
	in.SourceType, _ = o.text("source_type")
	if v, ok := o.integer("source_id"); ok && v != "" {
		in.SourceID, _ = strconv.ParseInt(v, 10, 64)
	}
	return in, o.err()
}

// apiProblemCreate is POST /api/v1/problems: 201 with Location and the problem.
func (s *Server) apiProblemCreate(w http.ResponseWriter, r *http.Request) error {
	o, err := readJSONObject(w, r)
	if err != nil {
		return err
	}
	in, err := parseProblemBody(o)
	if err != nil {
		return err
	}
	var p *problem.Problem
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		p, err = problem.Create(r.Context(), tx, actor(r), in)
		return err
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/problems/%d", p.ID))
	return s.writeProblem(w, r, http.StatusCreated, p)
}

// actionMembers are the members each action's body takes, and the form
// field each one fills (the domain names its messages by the form's fields,
// which apiActionFields maps back).
var actionMembers = map[problem.Action]map[string]string{
	problem.ActSign:             {},
	problem.ActFeedback:         {"note": "note"},
	problem.ActFinish:           {"note": "done_note"},
	problem.ActClose:            {"note": "close_note"},
	problem.ActReturn:           {"reason": "reason"},
	problem.ActExtend:           {"new_deadline": "new_deadline", "reason": "ext_reason"},
	problem.ActApproveExtension: {"note": "approve_note"},
	problem.ActRefuseExtension:  {"reason": "refuse_reason"},
}

// apiProblemAction is POST /api/v1/problems/{id}/{action}: one step of the
// workflow (sign, feedback, done, close, return, extend, extend_approve,
// extend_refuse) with its JSON body; 200 with the problem after it. A body
// may be left out where the action needs none (sign).
func (s *Server) apiProblemAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	act := problem.Action(r.PathValue("action"))
	members, ok := actionMembers[act]
	if !ok {
		return apperr.NotFoundf("没有这项操作：可用 sign、feedback、done、close、return、extend、extend_approve、extend_refuse")
	}
	form := map[string]string{}
	if r.ContentLength != 0 || r.Header.Get("Content-Type") != "" {
		o, err := readJSONObject(w, r)
		if err != nil {
			return err
		}
		known := make([]string, 0, len(members))
		for k := range members {
			known = append(known, k)
		}
		slices.Sort(known)
		o.only(known, nil, nil)
		for k, field := range members {
			form[field], _ = o.text(k)
		}
		if err := o.err(); err != nil {
			return err
		}
	}
	in := actionInput{Note: form["note"], DoneNote: form["done_note"], CloseNote: form["close_note"], Reason: form["reason"],
		NewDeadline: form["new_deadline"], ExtReason: form["ext_reason"], ApproveNote: form["approve_note"],
		RefuseReason: form["refuse_reason"]}
	var p *problem.Problem
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		p, err = runAction(r.Context(), tx, actor(r), id, act, in, nil)
		return err
	})
	if err != nil {
		return apiFields(err, func(k string) string {
			for member, field := range members {
				if field == k {
					return member
				}
			}
			return ""
		})
	}
	return s.writeProblem(w, r, http.StatusOK, p)
}
