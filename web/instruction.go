package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"guatu/auth"
	"guatu/db"
	"guatu/instruction"
	"guatu/org"
	"guatu/project"
	"guatu/worktime"
)

// Leaders' 批示 (issue 4 §6): the list with its tabs, the form, the page
// with every unit's answers and the answer and close forms, and the block
// that item pages (projects now; reports and problems as they come) show.

// instructionsPerPage is the length of one page of the list.
const instructionsPerPage = 30

// defaultFeedbackDays is the deadline the form proposes, in working days:
// a week is the usual time a unit is given to report back.
const defaultFeedbackDays = 5

// standingView is an addressed unit as a page shows it.
type standingView struct {
	instruction.Standing
	Answers []instruction.Reply
	Leaders string // the 分管领导 an overdue answer has reached (detail page only)
}

// Badge is the unit's state in words, with the urgency while it owes.
func (v standingView) Badge() string {
	if v.State == instruction.Pending && v.Urgency != worktime.OnTrack {
		return v.State.Label() + " · " + v.Urgency.Label()
	}
	return v.State.Label()
}

// Class is the badge's colour: the milestone classes, which mean the same.
func (v standingView) Class() string {
	switch {
	case v.State == instruction.OnTime:
		return "ms-done"
	case v.State == instruction.Late:
		return "ms-done_late"
	case v.Urgency >= worktime.Overdue:
		return "ms-overdue"
	case v.Urgency == worktime.DueSoon:
		return "ms-due_soon"
	}
	return "ms-pending"
}

// ReachesChief reports whether the unit's missing answer has reached the
// 主要领导 (overdue by 7 working days, DESIGN.md §4).
func (v standingView) ReachesChief() bool { return v.Urgency == worktime.OverdueLong }

// instructionView is a 批示 judged on today.
type instructionView struct {
	*instruction.Instruction
	Standings []standingView
	Summary   instruction.Summary
}

// Excerpt is the start of the text, for lists.
func (v instructionView) Excerpt() string {
	const n = 60
	if r := []rune(v.Content); len(r) > n {
		return string(r[:n]) + "…"
	}
	return v.Content
}

// Overdue reports whether some unit owes an answer past the deadline.
func (v instructionView) Overdue() bool { return v.Summary.Urgency >= worktime.Overdue }

// judged judges 批示 on today with the working-day calendar.
type judged struct {
	today time.Time
	cal   worktime.Calendar
}

func (s *Server) judgedNow(r *http.Request) (judged, error) {
	cal, err := worktime.Load(r.Context(), s.db)
	return judged{today: s.today(), cal: cal}, err
}

func (j judged) view(in *instruction.Instruction) instructionView {
	st := in.Standings(j.today, j.cal)
	v := instructionView{Instruction: in, Summary: instruction.Summarise(st), Standings: make([]standingView, len(st))}
	for i, x := range st {
		v.Standings[i] = standingView{Standing: x, Answers: in.AnswersOf(x.UnitID)}
	}
	return v
}

// instructionBlock is the data of the "instructions" partial: the 批示
// written on one item, and the way to write another.
type instructionBlock struct {
	Items    []instructionView
	CanWrite bool
	NewHref  string
}

// instructionBlock reads the block for an item's page.
func (s *Server) instructionBlock(r *http.Request, t instruction.TargetType, id int64) (instructionBlock, error) {
	b := instructionBlock{CanWrite: auth.CanAnywhere(actor(r), auth.WriteInstr),
		NewHref: fmt.Sprintf("/instructions/new?target_type=%s&target_id=%d", t, id)}
	list, err := instruction.ListFor(r.Context(), s.db, actor(r), string(t), id)
	if err != nil || len(list) == 0 {
		return b, err
	}
	j, err := s.judgedNow(r)
	if err != nil {
		return b, err
	}
	for _, in := range list {
		b.Items = append(b.Items, j.view(in))
	}
	return b, nil
}

// tab is one of the list's boxes.
type tab struct {
	Label, Href string
	Active      bool
}

type instructionListPage struct {
	Base
	Q           url.Values
	Tabs        []tab
	Rows        []instructionView
	Pager       pager
	Units       []unitOption
	Statuses    []option
	TargetTypes []option
	CanWrite    bool
}

// instructionFilter reads the list's filters from the query string.
func instructionFilter(q url.Values) instruction.Filter {
	f := instruction.Filter{Box: instruction.Box(q.Get("box")), Query: q.Get("q"), Status: instruction.Status(q.Get("status")),
		TargetType: instruction.TargetType(q.Get("target_type"))}
	if !f.Box.Valid() {
		f.Box = instruction.All
	}
	if f.Status != instruction.Open && f.Status != instruction.Closed {
		f.Status = ""
	}
	if !f.TargetType.Valid() {
		f.TargetType = ""
	}
	f.UnitID, _ = strconv.ParseInt(q.Get("unit"), 10, 64)
	return f
}

// instructionList is GET /instructions: the 批示 the actor may read, by tab.
func (s *Server) instructionList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	q := r.URL.Query()
	f := instructionFilter(q)
	p := instructionListPage{Base: s.base(r, "领导批示", "instructions"), Q: q, CanWrite: auth.CanAnywhere(a, auth.WriteInstr)}
	for _, b := range instruction.Boxes {
		tq := url.Values{}
		if b != instruction.All {
			tq.Set("box", string(b))
		}
		href := "/instructions"
		if len(tq) > 0 {
			href += "?" + tq.Encode()
		}
		p.Tabs = append(p.Tabs, tab{Label: b.Label(), Href: href, Active: b == f.Box})
	}
	page := pageParam(r)
	f.Limit, f.Offset = instructionsPerPage, (page-1)*instructionsPerPage
	list, total, err := instruction.List(r.Context(), s.db, a, f)
	if err != nil {
		return err
	}
	if len(list) == 0 && total > 0 { // a page past the end shows the last one
		f.Offset = (total - 1) / instructionsPerPage * instructionsPerPage
		if list, total, err = instruction.List(r.Context(), s.db, a, f); err != nil {
			return err
		}
	}
	_, p.Pager = listPager(r, total, instructionsPerPage)
	j, err := s.judgedNow(r)
	if err != nil {
		return err
	}
	for _, in := range list {
		p.Rows = append(p.Rows, j.view(in))
	}
	if p.Units, err = s.unitOptions(r, func(u *org.Unit) bool { return auth.Can(a, auth.ViewInstr, u.Path) }); err != nil {
		return err
	}
	for _, st := range []instruction.Status{instruction.Open, instruction.Closed} {
		p.Statuses = append(p.Statuses, option{string(st), st.Label()})
	}
	for _, t := range instruction.TargetTypes {
		p.TargetTypes = append(p.TargetTypes, option{string(t), t.Label()})
	}
	return s.render(w, r, http.StatusOK, "instruction_list", p)
}

type instructionFormPage struct {
	Base
	In     instruction.Input
	Target instruction.Target
	Units  []unitOption
	People []option
	Errors map[string]string
	Error  string
}

// HasUnit reports whether the form has unit id among its addressees.
func (p instructionFormPage) HasUnit(id string) bool { return contains(p.In.UnitIDs, id) }

// HasPerson reports whether the form names person id.
func (p instructionFormPage) HasPerson(id string) bool { return contains(p.In.PersonIDs, id) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// instructionForm renders the form with the units and people the actor may
// address, and the item it is written on.
func (s *Server) instructionForm(w http.ResponseWriter, r *http.Request, status int, p instructionFormPage) error {
	a := actor(r)
	var err error
	typ := instruction.TargetType(p.In.TargetType)
	if typ == "" {
		typ = instruction.None
	}
	id, _ := strconv.ParseInt(p.In.TargetID, 10, 64)
	if p.Target, _, err = instruction.ResolveTarget(r.Context(), s.db, a, typ, id); err != nil {
		return err
	}
	if p.Units, err = s.unitOptions(r, func(u *org.Unit) bool { return !u.Disabled && auth.Can(a, auth.WriteInstr, u.Path) }); err != nil {
		return err
	}
	people, _, err := org.People(r.Context(), s.db, a, org.PeopleFilter{})
	if err != nil {
		return err
	}
	for _, x := range people {
		if auth.Can(a, auth.WriteInstr, x.UnitPath) {
			label := x.Name + "（" + x.UnitName
			if x.Position != "" {
				label += " · " + x.Position
			}
			p.People = append(p.People, option{strconv.FormatInt(x.ID, 10), label + "）"})
		}
	}
	return s.render(w, r, status, "instruction_form", p)
}

// instructionNew is GET /instructions/new; ?target_type=&target_id= writes
// it on an item, with the item's units ticked.
func (s *Server) instructionNew(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if err := instruction.RequireWriter(a); err != nil {
		return err
	}
	q := r.URL.Query()
	in := instruction.Input{TargetType: q.Get("target_type"), TargetID: q.Get("target_id"), WrittenOn: project.FormatDate(s.today())}
	typ := instruction.TargetType(in.TargetType)
	if typ == "" {
		typ, in.TargetType = instruction.None, string(instruction.None)
	}
	id, _ := strconv.ParseInt(in.TargetID, 10, 64)
	_, units, err := instruction.ResolveTarget(r.Context(), s.db, a, typ, id)
	if err != nil {
		return err
	}
	for _, u := range units {
		in.UnitIDs = append(in.UnitIDs, strconv.FormatInt(u, 10))
	}
	cal, err := worktime.Load(r.Context(), s.db)
	if err != nil {
		return err
	}
	in.Deadline = project.FormatDate(cal.AddWorkdays(s.today(), defaultFeedbackDays))
	return s.instructionForm(w, r, http.StatusOK, instructionFormPage{Base: s.base(r, "写批示", "instructions"), In: in})
}

func instructionInput(r *http.Request) instruction.Input {
	v := r.PostForm
	return instruction.Input{TargetType: v.Get("target_type"), TargetID: v.Get("target_id"), Content: v.Get("content"),
		WrittenOn: v.Get("written_on"), Deadline: v.Get("deadline"), UnitIDs: v["unit_ids"], PersonIDs: v["person_ids"]}
}

// instructionCreate is POST /instructions.
func (s *Server) instructionCreate(w http.ResponseWriter, r *http.Request) error {
	in := instructionInput(r)
	var out *instruction.Instruction
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		out, err = instruction.Create(r.Context(), tx, actor(r), in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		return s.instructionForm(w, r, http.StatusUnprocessableEntity, instructionFormPage{Base: s.base(r, "写批示", "instructions"),
			In: in, Errors: fields, Error: msg})
	}
	if err != nil {
		return err
	}
	to := fmt.Sprintf("/instructions/%d", out.ID)
	if out.Target.Type == instruction.Project {
		to = out.Target.Href() + "#instructions" // back to the item it was written from
	}
	return s.redirect(w, r, to, fmt.Sprintf("批示已发出，请%d个单位于 %s 前反馈", len(out.Units), project.FormatDate(out.Deadline)))
}

type instructionShowPage struct {
	Base
	instructionView
	AnswerUnits []option
	CanClose    bool
	AnswerIn    instruction.AnswerInput
	CloseIn     string // the close form's note as typed
	Errors      map[string]string
	Error       string
}

func (s *Server) instructionShowData(r *http.Request, in *instruction.Instruction) (instructionShowPage, error) {
	a := actor(r)
	j, err := s.judgedNow(r)
	if err != nil {
		return instructionShowPage{}, err
	}
	p := instructionShowPage{Base: s.base(r, "领导批示", "instructions"), instructionView: j.view(in), CanClose: instruction.CanClose(a, in)}
	for i, st := range p.Standings {
		if st.Urgency < worktime.Overdue {
			continue
		}
		leaders, err := org.LeadersOf(r.Context(), s.db, st.UnitID)
		if err != nil {
			return p, err
		}
		names := make([]string, len(leaders))
		for k, l := range leaders {
			names[k] = l.Name
		}
		p.Standings[i].Leaders = strings.Join(names, "、")
	}
	for _, u := range instruction.AnswerableUnits(a, in) {
		p.AnswerUnits = append(p.AnswerUnits, option{strconv.FormatInt(u.UnitID, 10), u.UnitName})
	}
	// The form proposes the first unit the actor answers for that still owes.
	for _, st := range p.Standings {
		if st.State == instruction.Pending && p.AnswerIn.UnitID == "" && contains(optionValues(p.AnswerUnits), strconv.FormatInt(st.UnitID, 10)) {
			p.AnswerIn.UnitID = strconv.FormatInt(st.UnitID, 10)
		}
	}
	return p, nil
}

func optionValues(opts []option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value
	}
	return out
}

// instructionShow is GET /instructions/{id}.
func (s *Server) instructionShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := instruction.View(r.Context(), s.db, actor(r), id)
	if err != nil {
		return err
	}
	p, err := s.instructionShowData(r, in)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "instruction_show", p)
}

// instructionRefused re-renders the page with a refused form's input.
func (s *Server) instructionRefused(w http.ResponseWriter, r *http.Request, id int64, fill func(p *instructionShowPage)) error {
	in, err := instruction.View(r.Context(), s.db, actor(r), id)
	if err != nil {
		return err
	}
	p, err := s.instructionShowData(r, in)
	if err != nil {
		return err
	}
	fill(&p)
	return s.render(w, r, http.StatusUnprocessableEntity, "instruction_show", p)
}

// instructionAnswer is POST /instructions/{id}/answer.
func (s *Server) instructionAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in := instruction.AnswerInput{UnitID: r.PostFormValue("unit_id"), Content: r.PostFormValue("content")}
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		_, err := instruction.Answer(r.Context(), tx, actor(r), id, in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		return s.instructionRefused(w, r, id, func(p *instructionShowPage) { p.AnswerIn, p.Errors, p.Error = in, fields, msg })
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, fmt.Sprintf("/instructions/%d", id), "反馈已提交")
}

// instructionClose is POST /instructions/{id}/close.
func (s *Server) instructionClose(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	note := r.PostFormValue("close_note")
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		_, err := instruction.Close(r.Context(), tx, actor(r), id, note)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		return s.instructionRefused(w, r, id, func(p *instructionShowPage) { p.CloseIn, p.Errors, p.Error = note, fields, msg })
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, fmt.Sprintf("/instructions/%d", id), "批示已标记为已落实")
}
