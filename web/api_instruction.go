package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"guatu/apperr"
	"guatu/db"
	"guatu/instruction"
	"guatu/worktime"
)

// The 批示 API: /api/v1/instructions. The handlers call the domain
// functions the pages call (instruction.List, View, Create, Answer,
// Close), so the permissions, the validation and the audit trail are the
// same. Dates are "YYYY-MM-DD"; each addressed unit comes with its state
// and, while it owes its answer, its urgency.

type apiInstructionPage struct {
	Items   []apiInstruction `json:"items"`
	Total   int              `json:"total"`
	Page    int              `json:"page"`
	PerPage int              `json:"per_page"`
}

type apiInstruction struct {
	ID          int64          `json:"id"`
	TargetType  string         `json:"target_type"`
	TargetID    *int64         `json:"target_id"`
	TargetLabel string         `json:"target_label"`
	Content     string         `json:"content"`
	WrittenOn   string         `json:"written_on"`
	Deadline    string         `json:"deadline"`
	WriterID    *int64         `json:"writer_id"` // the account; null when written by the system
	Writer      string         `json:"writer"`
	Status      string         `json:"status"`
	ClosedAt    *time.Time     `json:"closed_at"`
	ClosedBy    string         `json:"closed_by"`
	CloseNote   string         `json:"close_note"`
	Units       []apiAddressee `json:"units"`
	People      []apiRef       `json:"people"`
	Answers     []apiAnswer    `json:"answers"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

type apiAddressee struct {
	UnitID     int64      `json:"unit_id"`
	Unit       string     `json:"unit"`
	State      string     `json:"state"`   // pending, on_time, late, unanswered
	Urgency    string     `json:"urgency"` // on_track, due_soon, overdue, overdue_long
	AnsweredAt *time.Time `json:"answered_at"`
}

type apiAnswer struct {
	ID      int64     `json:"id"`
	UnitID  int64     `json:"unit_id"`
	Unit    string    `json:"unit"`
	Content string    `json:"content"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// urgencyCode is the urgency's API name.
func urgencyCode(u worktime.Urgency) string {
	switch u {
	case worktime.DueSoon:
		return "due_soon"
	case worktime.Overdue:
		return "overdue"
	case worktime.OverdueLong:
		return "overdue_long"
	}
	return "on_track"
}

// instruction is the JSON of a 批示 judged on today.
func (j judged) instruction(in *instruction.Instruction) apiInstruction {
	out := apiInstruction{ID: in.ID, TargetType: string(in.Target.Type), TargetID: idOrNull(in.Target.ID), TargetLabel: in.Target.Label,
		Content: in.Content, WrittenOn: in.WrittenOn.Format("2006-01-02"), Deadline: in.Deadline.Format("2006-01-02"),
		WriterID: idOrNull(in.WriterID), Writer: in.WriterName, Status: string(in.Status), ClosedAt: timeOrNull(in.ClosedAt),
		ClosedBy: in.ClosedBy, CloseNote: in.CloseNote, CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt,
		Units: []apiAddressee{}, People: []apiRef{}, Answers: []apiAnswer{}}
	for _, st := range in.Standings(j.today, j.cal) {
		out.Units = append(out.Units, apiAddressee{UnitID: st.UnitID, Unit: st.UnitName, State: string(st.State),
			Urgency: urgencyCode(st.Urgency), AnsweredAt: timeOrNull(st.AnsweredAt)})
	}
	for _, p := range in.People {
		out.People = append(out.People, apiRef{ID: p.ID, Name: p.Name})
	}
	for _, a := range in.Answers {
		out.Answers = append(out.Answers, apiAnswer{ID: a.ID, UnitID: a.UnitID, Unit: a.UnitName, Content: a.Content, By: a.ByName, At: a.At})
	}
	return out
}

func (s *Server) writeInstruction(w http.ResponseWriter, r *http.Request, status int, in *instruction.Instruction) error {
	j, err := s.judgedNow(r)
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, status, j.instruction(in))
}

// apiInstructionFilter reads the list's query parameters.
func apiInstructionFilter(r *http.Request) (f instruction.Filter, page, perPage int, err error) {
	bad := unknownParams(r, "box", "q", "unit_id", "status", "target_type", "target_id", "page", "per_page")
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
	f = instruction.Filter{Query: q.Get("q"), UnitID: id("unit_id"), TargetID: id("target_id"),
		Status: instruction.Status(q.Get("status")), TargetType: instruction.TargetType(q.Get("target_type"))}
	switch b := q.Get("box"); b {
	case "", "all":
	default:
		if f.Box = instruction.Box(b); !f.Box.Valid() {
			bad["box"] = "应为 all、mine、todo 或 overdue"
		}
	}
	if f.Status != "" && f.Status != instruction.Open && f.Status != instruction.Closed {
		bad["status"] = "应为 open 或 closed"
	}
	if f.TargetType != "" && !f.TargetType.Valid() {
		bad["target_type"] = "应为 project、report、problem 或 none"
	}
	page, perPage = apiPaging(q, bad)
	if len(bad) > 0 {
		return f, 0, 0, badRequest("查询参数有误", bad)
	}
	return f, page, perPage, nil
}

// apiInstructionList is GET /api/v1/instructions: the 批示 the token's user
// may read, by box (all, mine, todo, overdue) and filters, paged.
func (s *Server) apiInstructionList(w http.ResponseWriter, r *http.Request) error {
	f, page, perPage, err := apiInstructionFilter(r)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = perPage, (page-1)*perPage
	list, total, err := instruction.List(r.Context(), s.db, actor(r), f)
	if f.UnitID != 0 && apperr.KindOf(err) == apperr.NotFound {
		return badRequest("查询参数有误", map[string]string{"unit_id": "单位不存在"})
	}
	if err != nil {
		return err
	}
	j, err := s.judgedNow(r)
	if err != nil {
		return err
	}
	out := apiInstructionPage{Items: make([]apiInstruction, len(list)), Total: total, Page: page, PerPage: perPage}
	for i, in := range list {
		out.Items[i] = j.instruction(in)
	}
	return s.writeJSON(w, r, http.StatusOK, out)
}

// apiInstructionGet is GET /api/v1/instructions/{id}: 404 outside the
// user's view, as on the pages.
func (s *Server) apiInstructionGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := queryParams(r); err != nil {
		return err
	}
	in, err := instruction.View(r.Context(), s.db, actor(r), id)
	if err != nil {
		return err
	}
	return s.writeInstruction(w, r, http.StatusOK, in)
}

// apiInstructionCreate is POST /api/v1/instructions: {"target_type",
// "target_id", "content", "written_on" (default today), "deadline",
// "unit_ids", "person_ids"}; 201 with Location and the 批示.
func (s *Server) apiInstructionCreate(w http.ResponseWriter, r *http.Request) error {
	o, err := readJSONObject(w, r)
	if err != nil {
		return err
	}
	o.only([]string{"target_type", "target_id", "content", "written_on", "deadline", "unit_ids", "person_ids"},
		[]string{"id", "target_label", "writer_id", "writer", "status", "closed_at", "closed_by", "close_note", "units", "people",
			"answers", "created_at", "updated_at"}, nil)
	var in instruction.Input
	in.TargetType, _ = o.text("target_type")
	in.TargetID, _ = o.integer("target_id")
	in.Content, _ = o.text("content")
	in.WrittenOn, _ = o.text("written_on")
	in.Deadline, _ = o.text("deadline")
	in.UnitIDs, _ = o.integers("unit_ids")
	in.PersonIDs, _ = o.integers("person_ids")
	if err := o.err(); err != nil {
		return err
	}
	var out *instruction.Instruction
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		out, err = instruction.Create(r.Context(), tx, actor(r), in)
		return err
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/instructions/%d", out.ID))
	return s.writeInstruction(w, r, http.StatusCreated, out)
}

// apiInstructionAnswer is POST /api/v1/instructions/{id}/answer:
// {"unit_id", "content"}, the page's 反馈; 200 with the 批示.
func (s *Server) apiInstructionAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := readJSONObject(w, r)
	if err != nil {
		return err
	}
	o.only([]string{"unit_id", "content"}, nil, nil)
	var in instruction.AnswerInput
	in.UnitID, _ = o.integer("unit_id")
	in.Content, _ = o.text("content")
	if err := o.err(); err != nil {
		return err
	}
	var out *instruction.Instruction
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		out, err = instruction.Answer(r.Context(), tx, actor(r), id, in)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeInstruction(w, r, http.StatusOK, out)
}

// apiInstructionClose is POST /api/v1/instructions/{id}/close:
// {"close_note"} (may be {}), 已落实; 200 with the 批示.
func (s *Server) apiInstructionClose(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := readJSONObject(w, r)
	if err != nil {
		return err
	}
	o.only([]string{"close_note"}, nil, nil)
	note, _ := o.text("close_note")
	if err := o.err(); err != nil {
		return err
	}
	var out *instruction.Instruction
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		out, err = instruction.Close(r.Context(), tx, actor(r), id, note)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeInstruction(w, r, http.StatusOK, out)
}
