package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"guatu/apperr"
	"guatu/auth"
	"guatu/db"
	"guatu/meeting"
	"guatu/project"
	"guatu/report"
)

// The dispatch meeting (调度会): its agenda built from the month's data,
// attendance, decisions that become 交办, and the 纪要 printed on A4.

type meetingListPage struct {
	Base
	Meetings []*meeting.Meeting
	CanRun   bool
	In       meeting.Input
	Errors   map[string]string
	Error    string
}

func (s *Server) meetingList(w http.ResponseWriter, r *http.Request) error {
	pg, err := s.meetingListData(r)
	if err != nil {
		return err
	}
	today := s.today()
	pg.In = meeting.Input{Period: report.PeriodOf(today).Key(), HeldOn: today.Format(time.DateOnly)}
	return s.render(w, r, http.StatusOK, "meeting_list", pg)
}

func (s *Server) meetingListData(r *http.Request) (meetingListPage, error) {
	a := actor(r)
	if !auth.CanAnywhere(a, auth.ViewReport) {
		return meetingListPage{}, apperr.Forbiddenf("您的角色不能查看调度会")
	}
	list, err := meeting.List(r.Context(), s.db, a)
	return meetingListPage{Base: s.base(r, "调度会", "meetings"), Meetings: list, CanRun: auth.CanAnywhere(a, auth.RunMeeting)}, err
}

func meetingInput(r *http.Request) meeting.Input {
	f := r.PostForm
	return meeting.Input{Period: f.Get("period"), Title: f.Get("title"), HeldOn: f.Get("held_on"), Place: f.Get("place"),
		Host: f.Get("host"), Recorder: f.Get("recorder"), Summary: f.Get("summary")}
}

func (s *Server) meetingCreate(w http.ResponseWriter, r *http.Request) error {
	in := meetingInput(r)
	var m *meeting.Meeting
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		m, err = meeting.Create(r.Context(), tx, actor(r), in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		pg, err := s.meetingListData(r)
		if err != nil {
			return err
		}
		pg.In, pg.Errors, pg.Error = in, fields, msg
		return s.render(w, r, http.StatusUnprocessableEntity, "meeting_list", pg)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, fmt.Sprintf("/meetings/%d", m.ID), "调度会已建立，议程已按本月数据生成")
}

// agenda is what the meeting looks at, assembled from the month's data.
type agenda struct {
	Period       report.Period
	Frozen       bool // the month is closed: the lights are the frozen ones
	Board        *report.Board
	Planned      int64
	Completed    int64
	Completion   float64
	HasPlan      bool
	TimeProgress float64
	Counts       map[string]int // by light: "red", "yellow", "green"
	PrevCounts   map[string]int
	HasPrev      bool
	Worse        []agendaProject // lights worse than last month
	Better       []agendaProject
	Red, Yellow  []agendaProject
	LateUnits    []report.UnitLine
	Problems     agendaProblems
}

// agendaProject is a project on the agenda with its light, reasons, last
// month's light and its latest report.
type agendaProject struct {
	projectRow
	Prev   project.Light
	Latest *report.Report
}

func lightRank(l project.Light) int {
	switch l {
	case project.Red:
		return 2
	case project.Yellow:
		return 1
	}
	return 0
}

// buildAgenda assembles the meeting's agenda for its month from what the
// actor may read: figures, lights and their change, red and yellow
// projects, problems, and late units.
func (s *Server) buildAgenda(r *http.Request, m *meeting.Meeting) (agenda, error) {
	ctx := r.Context()
	a := actor(r)
	ag := agenda{Period: m.Period, Counts: map[string]int{}, PrevCounts: map[string]int{}}
	j, err := s.judging(r)
	if err != nil {
		return ag, err
	}
	cfg, cal, err := s.cycle(r)
	if err != nil {
		return ag, err
	}
	if ag.Board, err = report.LoadBoard(ctx, s.db, a, m.UnitID, m.Period, j.Today, cfg, cal); err != nil {
		return ag, err
	}
	for _, u := range ag.Board.Units {
		if u.Missing > 0 || u.Late > 0 || u.Returned > 0 {
			ag.LateUnits = append(ag.LateUnits, u)
		}
	}
	// The meeting's own town: the agenda (and its printed 纪要) is the same
	// whoever opens it, within what they may read.
	projects, _, err := project.List(ctx, s.db, a, project.Filter{Tier: project.Active, UnitID: m.UnitID, Details: true})
	if err != nil {
		return ag, err
	}
	frozen, err := report.MonthLights(ctx, s.db, m.Period)
	if err != nil {
		return ag, err
	}
	prev, err := report.MonthLights(ctx, s.db, m.Period.Prev())
	if err != nil {
		return ag, err
	}
	ag.Frozen, ag.HasPrev = len(frozen) > 0, len(prev) > 0
	at := m.Period.Last()
	if j.Today.Before(at) {
		at = j.Today
	}
	ag.TimeProgress = project.TimeProgress(at)
	for _, p := range projects {
		plan := p.Plan(m.Period.Year)
		if f, ok := frozen[p.ID]; ok {
			plan.Planned, plan.Completed = f.PlannedYear, f.CompletedYear // as the month closed
		}
		ag.Planned += plan.Planned
		ag.Completed += plan.Completed
		row := j.row(p)
		if f, ok := frozen[p.ID]; ok {
			// A closed month is discussed with the lights it was frozen with.
			row.Light, row.Reasons = f.Light, nil
			for _, text := range f.Reasons {
				row.Reasons = append(row.Reasons, project.Reason{Light: f.Light, Text: text})
			}
		}
		ap := agendaProject{projectRow: row}
		if f, ok := prev[p.ID]; ok {
			ap.Prev = f.Light
			ag.PrevCounts[string(f.Light)]++
			switch {
			case lightRank(row.Light) > lightRank(f.Light):
				ag.Worse = append(ag.Worse, ap)
			case lightRank(row.Light) < lightRank(f.Light):
				ag.Better = append(ag.Better, ap)
			}
		}
		ag.Counts[string(row.Light)]++
		if row.Light == project.Green {
			continue
		}
		// The latest report submitted for the month or before (a draft is
		// the unit's, not yet a report).
		if ap.Latest, err = report.Latest(ctx, s.db, p.ID, m.Period.Next()); err != nil {
			return ag, err
		}
		if row.Light == project.Red {
			ag.Red = append(ag.Red, ap)
		} else {
			ag.Yellow = append(ag.Yellow, ap)
		}
	}
	if ag.Planned > 0 {
		ag.HasPlan = true
		ag.Completion = float64(ag.Completed) * 100 / float64(ag.Planned)
	}
	ag.Problems, err = s.agendaProblems(r, m)
	return ag, err
}

type meetingPage struct {
	Base
	M        *meeting.Meeting
	Agenda   agenda
	CanRun   bool
	In       meeting.Input
	Choices  projectChoices
	Presence []meeting.Presence
	// Attendees are the attendance lines of the form: those recorded, then
	// blank lines to add more.
	Attendees []meeting.Attendee
	Decision  meeting.DecisionInput // the decision form as typed, when refused
	Errors    map[string]string
	Error     string
}

// Decisions lists the decisions on one item of the agenda.
func (pg meetingPage) Decisions(itemType string, itemID int64) []meeting.Decision {
	var out []meeting.Decision
	for _, d := range pg.M.Decisions {
		if d.ItemType == itemType && d.ItemID == itemID {
			out = append(out, d)
		}
	}
	return out
}

// decideItem is the data of the "decide" partial: one agenda item of the
// page, and the unit and leader a 交办 on it goes to by default.
type decideItem struct {
	Page             meetingPage
	Type             string
	ID               int64
	Name             string
	UnitID, LeaderID string
}

func decideOn(pg meetingPage, itemType string, id int64, name string, unitID, leaderID int64) decideItem {
	str := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	return decideItem{Page: pg, Type: itemType, ID: id, Name: name, UnitID: str(unitID), LeaderID: str(leaderID)}
}

// agendaRows and problemRows pair a list of the agenda with its page, for
// the partials that record decisions on each row.
type agendaRowsData struct {
	Page meetingPage
	Rows []agendaProject
}

type problemRowsData struct {
	Page meetingPage
	Rows []problemItem
}

func agendaRows(pg meetingPage, rows []agendaProject) agendaRowsData { return agendaRowsData{pg, rows} }
func problemRows(pg meetingPage, rows []problemItem) problemRowsData {
	return problemRowsData{pg, rows}
}

func (s *Server) meetingData(r *http.Request) (meetingPage, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return meetingPage{}, err
	}
	a := actor(r)
	m, err := meeting.View(r.Context(), s.db, a, id)
	if err != nil {
		return meetingPage{}, err
	}
	pg := meetingPage{Base: s.base(r, m.Title, "meetings"), M: m, CanRun: meeting.CanRun(a, m), In: meeting.InputOf(m), Presence: meeting.Presences}
	if pg.Agenda, err = s.buildAgenda(r, m); err != nil {
		return pg, err
	}
	if pg.CanRun {
		if pg.Choices, err = s.projectChoices(r); err != nil {
			return pg, err
		}
	}
	pg.Attendees = append(slices.Clone(m.Attendees), make([]meeting.Attendee, 5)...)
	return pg, nil
}

func (s *Server) meetingShow(w http.ResponseWriter, r *http.Request) error {
	pg, err := s.meetingData(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "meeting_show", pg)
}

// meetingFail re-renders the meeting page with a refused form.
func (s *Server) meetingFail(w http.ResponseWriter, r *http.Request, fields map[string]string, msg string, fill func(*meetingPage)) error {
	pg, err := s.meetingData(r)
	if err != nil {
		return err
	}
	pg.Errors, pg.Error = fields, msg
	fill(&pg)
	return s.render(w, r, http.StatusUnprocessableEntity, "meeting_show", pg)
}

func (s *Server) meetingUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in := meetingInput(r)
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		_, err := meeting.Update(r.Context(), tx, actor(r), id, in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		return s.meetingFail(w, r, fields, msg, func(pg *meetingPage) { pg.In = in })
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, fmt.Sprintf("/meetings/%d", id), "会议信息已保存")
}

func (s *Server) meetingAttendance(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := r.PostForm
	var lines []meeting.AttendeeInput
	for i := 0; i < 200; i++ {
		key := func(field string) string { return fmt.Sprintf("attendees.%d.%s", i, field) }
		if _, ok := f[key("name")]; !ok {
			break
		}
		lines = append(lines, meeting.AttendeeInput{PersonID: f.Get(key("person_id")), Name: f.Get(key("name")), UnitName: f.Get(key("unit_name")),
			Status: f.Get(key("status")), Note: f.Get(key("note"))})
	}
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error { return meeting.SetAttendance(r.Context(), tx, actor(r), id, lines) })
	if fields, msg, ok := invalid(err); ok {
		return s.meetingFail(w, r, fields, msg, func(pg *meetingPage) {
			pg.Attendees = nil
			for _, l := range lines {
				pid, _ := strconv.ParseInt(l.PersonID, 10, 64)
				pg.Attendees = append(pg.Attendees, meeting.Attendee{PersonID: pid, Name: l.Name, UnitName: l.UnitName, Status: meeting.Presence(l.Status), Note: l.Note})
			}
		})
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, fmt.Sprintf("/meetings/%d#attendance", id), "出席情况已保存")
}

func (s *Server) meetingDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := r.PostForm
	in := meeting.DecisionInput{ItemType: f.Get("item_type"), ItemID: f.Get("item_id"), ItemName: f.Get("item_name"), Text: f.Get("text"),
		Assign: f.Get("assign") == "1", Title: f.Get("title"), UnitID: f.Get("unit_id"), LeaderID: f.Get("leader_id"), Due: f.Get("due"),
		Category: f.Get("category")}
	var d meeting.Decision
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		d, err = meeting.AddDecision(r.Context(), tx, actor(r), id, in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		return s.meetingFail(w, r, fields, msg, func(pg *meetingPage) { pg.Decision = in })
	}
	if err != nil {
		return err
	}
	flash := "会议决定已记录"
	if d.ProblemID != 0 {
		flash = "会议决定已记录并交办，承办单位将收到通知"
	}
	return s.redirect(w, r, fmt.Sprintf("/meetings/%d#decisions", id), flash)
}

func (s *Server) meetingDecisionDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	did, err := pathID(r, "did")
	if err != nil {
		return err
	}
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error { return meeting.DeleteDecision(r.Context(), tx, actor(r), id, did) })
	return s.finish(w, r, err, fmt.Sprintf("/meetings/%d#decisions", id), "已删除")
}

type minutesPage struct {
	Base
	M       *meeting.Meeting
	Agenda  agenda
	Present []meeting.Attendee
	Leave   []meeting.Attendee
	Absent  []meeting.Attendee
	Assigns []minutesAssign
}

// minutesAssign is a 交办 listed at the end of the 纪要.
type minutesAssign struct {
	Decision meeting.Decision
	Problem  assignedWork
}

// minutesData is the 纪要 of the meeting in the path: the page prints it on
// A4 and meetingMinutesDocx writes it as Word, both from this.
func (s *Server) minutesData(r *http.Request) (minutesPage, error) {
	pg, err := s.meetingData(r)
	if err != nil {
		return minutesPage{}, err
	}
	mp := minutesPage{Base: pg.Base, M: pg.M, Agenda: pg.Agenda}
	mp.Title = pg.M.Title + "纪要"
	for _, at := range pg.M.Attendees {
		switch at.Status {
		case meeting.Leave:
			mp.Leave = append(mp.Leave, at)
		case meeting.Absent:
			mp.Absent = append(mp.Absent, at)
		default:
			mp.Present = append(mp.Present, at)
		}
	}
	for _, d := range pg.M.Decisions {
		if d.ProblemID == 0 {
			continue
		}
		work, err := s.assignedWork(r, d.ProblemID)
		if err != nil {
			return minutesPage{}, err
		}
		mp.Assigns = append(mp.Assigns, minutesAssign{Decision: d, Problem: work})
	}
	return mp, nil
}

// meetingMinutes is the 纪要, laid out to print on A4.
func (s *Server) meetingMinutes(w http.ResponseWriter, r *http.Request) error {
	mp, err := s.minutesData(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "meeting_minutes", mp)
}

// The wording of the 纪要 is written here once, for the printed page and the
// Word file alike.

// minutesLine is one line of the 纪要's header: 时间, 地点, 出席 ….
type minutesLine struct{ Label, Text string }

// Meta lists the header lines, leaving out those with nothing recorded
// (出席 always shows, as "—" when nobody is recorded).
func (mp minutesPage) Meta() []minutesLine {
	names := func(list []meeting.Attendee, aside func(meeting.Attendee) string) string {
		parts := make([]string, len(list))
		for i, a := range list {
			parts[i] = a.Name
			if x := aside(a); x != "" {
				parts[i] += "（" + x + "）"
			}
		}
		return strings.Join(parts, "、")
	}
	m := mp.M
	lines := []minutesLine{{"时　间", m.HeldOn.Format("2006年1月2日")}}
	if m.Place != "" {
		lines = append(lines, minutesLine{"地　点", m.Place})
	}
	if m.Host != "" {
		lines = append(lines, minutesLine{"主持人", m.Host})
	}
	present := names(mp.Present, func(a meeting.Attendee) string { return a.UnitName })
	if present == "" {
		present = "—"
	}
	lines = append(lines, minutesLine{"出　席", present})
	if len(mp.Leave) > 0 {
		lines = append(lines, minutesLine{"请　假", names(mp.Leave, func(a meeting.Attendee) string { return a.Note })})
	}
	if len(mp.Absent) > 0 {
		lines = append(lines, minutesLine{"缺　席", names(mp.Absent, func(meeting.Attendee) string { return "" })})
	}
	if m.Recorder != "" {
		lines = append(lines, minutesLine{"记　录", m.Recorder})
	}
	return lines
}

// Opening is the sentence that opens the 纪要.
func (mp minutesPage) Opening() string {
	m := mp.M
	return fmt.Sprintf("%s，%s召开%s，听取%s重点项目推进情况汇报，研究解决项目推进中的困难和问题。现纪要如下：",
		m.HeldOn.Format("1月2日"), m.UnitName, m.Title, m.Period.Label())
}

// Progress is the paragraph on the month's figures: reports, investment
// against the plan and the time, lights, and the red projects by name.
func (mp minutesPage) Progress() string {
	ag := mp.Agenda
	var b strings.Builder
	t := ag.Board.Total
	fmt.Fprintf(&b, "本月应报月报 %d 份，按时报送 %d 份、逾期报送 %d 份、逾期未报 %d 份。", t.Due, t.OnTime, t.Late, t.Missing)
	if ag.HasPlan {
		fmt.Fprintf(&b, "实施库项目年度计划投资 %s 万元，已完成 %s 万元，完成率 %.1f%%，时序进度 %.1f%%。",
			project.Wan(ag.Planned), project.Wan(ag.Completed), ag.Completion, ag.TimeProgress)
	}
	fmt.Fprintf(&b, "亮红灯项目 %d 个、黄灯 %d 个、绿灯 %d 个", ag.Counts["red"], ag.Counts["yellow"], ag.Counts["green"])
	if ag.HasPrev {
		fmt.Fprintf(&b, "（上月分别为 %d、%d、%d 个）", ag.PrevCounts["red"], ag.PrevCounts["yellow"], ag.PrevCounts["green"])
	}
	b.WriteString("。")
	if len(ag.Red) > 0 {
		names := make([]string, len(ag.Red))
		for i, x := range ag.Red {
			names[i] = x.P.Name
		}
		b.WriteString("红灯项目：" + strings.Join(names, "、") + "。")
	}
	return b.String()
}

// DecisionLines are the decisions, each after the name of its item.
func (mp minutesPage) DecisionLines() []string {
	out := make([]string, len(mp.M.Decisions))
	for i, d := range mp.M.Decisions {
		out[i] = d.Text
		if d.ItemName != "" {
			out[i] = d.ItemName + "：" + d.Text
		}
	}
	return out
}

// AssignHeader is the header of the table of 交办.
func (minutesPage) AssignHeader() []string {
	return []string{"序号", "交办事项", "承办单位", "分管领导", "办结时限"}
}

// AssignRows are the rows of the table of 交办, one a 交办.
func (mp minutesPage) AssignRows() [][]string {
	rows := make([][]string, len(mp.Assigns))
	for i, x := range mp.Assigns {
		title, leader := x.Problem.Title, x.Problem.LeaderName
		if title == "" {
			title = x.Decision.Text
		}
		if leader == "" {
			leader = "—"
		}
		rows[i] = []string{strconv.Itoa(i + 1), title, x.Problem.UnitName, leader, project.FormatDate(x.Problem.Due)}
	}
	return rows
}

// AssignNote follows the table of 交办.
func (minutesPage) AssignNote() string {
	return "请各承办单位按时限办理，在“问题督办”中签收、反馈进展；逾期未办结的，按规定提请分管领导、主要领导督办。"
}
