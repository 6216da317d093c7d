package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"guatu/apperr"
	"guatu/db"
	"guatu/project"
	"guatu/report"
)

// The monthly reports in the JSON API: the month's board, a report with its
// versions, writing (draft or submit) and 退回 — the same domain functions
// as the pages. Photos are sent through the page form only.

type apiReport struct {
	ID               int64              `json:"id"`
	ProjectID        int64              `json:"project_id"`
	ProjectCode      string             `json:"project_code"`
	ProjectName      string             `json:"project_name"`
	UnitID           int64              `json:"unit_id"`
	Unit             string             `json:"unit"`
	Period           string             `json:"period"`
	Status           string             `json:"status"`
	Version          int                `json:"version"`
	MonthInvestYuan  int64              `json:"month_invest_yuan"`
	Progress         string             `json:"progress"`
	NextPlan         string             `json:"next_plan"`
	FirstSubmittedOn *string            `json:"first_submitted_on"`
	SubmittedAt      *time.Time         `json:"submitted_at"`
	ReturnReason     string             `json:"return_reason,omitempty"`
	MilestonesDone   []apiReached       `json:"milestones_reached"`
	Problems         []apiReportProblem `json:"problems"`
	Photos           []apiPhoto         `json:"photos"`
	Versions         []apiReportVersion `json:"versions,omitempty"`
	UpdatedAt        time.Time          `json:"updated_at"`
}

type apiReached struct {
	MilestoneID int64  `json:"milestone_id"`
	Name        string `json:"name"`
	On          string `json:"on"`
}

type apiReportProblem struct {
	Text      string `json:"text"`
	ProblemID *int64 `json:"problem_id"`
}

type apiPhoto struct {
	URL     string     `json:"url"`
	Width   int        `json:"width"`
	Height  int        `json:"height"`
	TakenAt *time.Time `json:"taken_at"`
}

type apiReportVersion struct {
	Version      int             `json:"version"`
	SubmittedAt  time.Time       `json:"submitted_at"`
	SubmittedBy  string          `json:"submitted_by"`
	ReturnedAt   *time.Time      `json:"returned_at"`
	ReturnReason string          `json:"return_reason,omitempty"`
	Content      report.Snapshot `json:"content"`
}

func apiReportOf(r *report.Report) apiReport {
	out := apiReport{ID: r.ID, ProjectID: r.ProjectID, ProjectCode: r.ProjectCode, ProjectName: r.ProjectName, UnitID: r.UnitID, Unit: r.UnitName,
		Period: r.Period.Key(), Status: string(r.Status), Version: r.Version, MonthInvestYuan: r.MonthInvest, Progress: r.Progress,
		NextPlan: r.NextPlan, FirstSubmittedOn: dateOrNull(r.FirstSubmittedOn), SubmittedAt: timeOrNull(r.SubmittedAt),
		ReturnReason: r.ReturnReason, UpdatedAt: r.UpdatedAt,
		MilestonesDone: []apiReached{}, Problems: []apiReportProblem{}, Photos: []apiPhoto{}}
	if r.Status != report.Returned {
		out.ReturnReason = ""
	}
	for _, m := range r.Reached {
		out.MilestonesDone = append(out.MilestonesDone, apiReached{MilestoneID: m.MilestoneID, Name: m.Name, On: m.On.Format(time.DateOnly)})
	}
	for _, p := range r.Problems {
		x := apiReportProblem{Text: p.Text}
		if p.ProblemID != 0 {
			id := p.ProblemID
			x.ProblemID = &id
		}
		out.Problems = append(out.Problems, x)
	}
	for _, p := range r.Photos {
		out.Photos = append(out.Photos, apiPhoto{URL: "/reports/" + strconv.FormatInt(r.ID, 10) + "/photos/" + p.Name, Width: p.Width, Height: p.Height,
			TakenAt: timeOrNull(p.TakenAt)})
	}
	return out
}

type apiBoardUnit struct {
	UnitID    int64  `json:"unit_id"`
	Unit      string `json:"unit"`
	Due       int    `json:"due"`
	OnTime    int    `json:"on_time"`
	Late      int    `json:"late"`
	Missing   int    `json:"missing"`
	Pending   int    `json:"pending"`
	Returned  int    `json:"returned"`
	Reminders int    `json:"reminders"`
}

type apiBoardRow struct {
	ProjectID   int64      `json:"project_id"`
	ProjectCode string     `json:"project_code"`
	ProjectName string     `json:"project_name"`
	UnitID      int64      `json:"unit_id"`
	Standing    string     `json:"standing"`
	Report      *apiReport `json:"report"`
}

type apiBoard struct {
	Period   string         `json:"period"`
	Deadline string         `json:"deadline"`
	Closed   bool           `json:"closed"`
	Units    []apiBoardUnit `json:"units"`
	Items    []apiBoardRow  `json:"items"`
}

// apiReportBoard is GET /api/v1/reports?period=2026-03: the month's 报送情况.
func (s *Server) apiReportBoard(w http.ResponseWriter, r *http.Request) error {
	if err := queryParams(r, "period"); err != nil {
		return err
	}
	period := report.PeriodOf(s.today())
	if v := r.URL.Query().Get("period"); v != "" {
		p, err := report.ParsePeriod(v)
		if err != nil {
			return badRequest("查询参数有误", map[string]string{"period": err.Error()})
		}
		period = p
	}
	pg, err := s.reportBoardData(r, period)
	if err != nil {
		return err
	}
	b := pg.Board
	out := apiBoard{Period: period.Key(), Deadline: b.Deadline.Format(time.DateOnly), Closed: b.Closed != nil, Units: []apiBoardUnit{}, Items: []apiBoardRow{}}
	for _, u := range b.Units {
		out.Units = append(out.Units, apiBoardUnit{u.UnitID, u.UnitName, u.Due, u.OnTime, u.Late, u.Missing, u.Pending, u.Returned, u.Reminders})
	}
	for _, row := range b.Rows {
		x := apiBoardRow{ProjectID: row.Project.ID, ProjectCode: row.Project.Code, ProjectName: row.Project.Name, UnitID: row.Project.UnitID,
			Standing: string(row.Standing)}
		if row.Report != nil {
			rep := apiReportOf(row.Report)
			x.Report = &rep
		}
		out.Items = append(out.Items, x)
	}
	return s.writeJSON(w, r, http.StatusOK, out)
}

// apiReportGet is GET /api/v1/reports/{id}, with every version.
func (s *Server) apiReportGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rep, _, err := report.View(r.Context(), s.db, actor(r), id)
	if err != nil {
		return err
	}
	versions, err := report.Versions(r.Context(), s.db, id)
	if err != nil {
		return err
	}
	out := apiReportOf(rep)
	for _, v := range versions {
		out.Versions = append(out.Versions, apiReportVersion{Version: v.Version, SubmittedAt: v.SubmittedAt, SubmittedBy: v.SubmittedName,
			ReturnedAt: timeOrNull(v.ReturnedAt), ReturnReason: v.ReturnReason, Content: v.Content})
	}
	return s.writeJSON(w, r, http.StatusOK, out)
}

// apiReportPut is PUT /api/v1/projects/{id}/reports/{period}: writes the
// project's report for the month from a JSON object, as a draft or (with
// "submit": true) submitted. Members left out keep what the report holds.
func (s *Server) apiReportPut(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	period, err := report.ParsePeriod(r.PathValue("period"))
	if err != nil {
		return apperr.NotFoundf("月份应为 2026-03 这样的格式")
	}
	o, err := readJSONObject(w, r)
	if err != nil {
		return err
	}
	o.only([]string{"month_invest_wan", "progress", "next_plan", "milestones_reached", "problems", "submit"},
		[]string{"id", "status", "version", "photos", "versions"}, nil)
	a := actor(r)
	var saved *report.Report
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		// Held from before the stored report is read, so two PUTs at once
		// each merge onto what the other wrote (PostgreSQL; SQLite writes one at a time).
		if err := project.Lock(r.Context(), tx, id); err != nil {
			return err
		}
		in := report.Input{Reached: map[int64]string{}}
		if cur, err := report.Find(r.Context(), tx, id, period); err == nil {
			in = report.InputOf(cur)
		} else if apperr.KindOf(err) != apperr.NotFound {
			return err
		}
		if v, ok := o.decimal("month_invest_wan"); ok {
			in.MonthInvest = v
		}
		if v, ok := o.text("progress"); ok {
			in.Progress = v
		}
		if v, ok := o.text("next_plan"); ok {
			in.NextPlan = v
		}
		if items, ok := o.objects("milestones_reached"); ok {
			in.Reached = map[int64]string{}
			for _, it := range items {
				mid, _ := it.integer("milestone_id")
				on, _ := it.text("on")
				it.only([]string{"milestone_id", "on"}, nil, nil)
				if n, err := strconv.ParseInt(mid, 10, 64); err == nil {
					in.Reached[n] = on
				} else {
					it.fail("milestone_id", "请给出节点编号")
				}
			}
		}
		if raw, ok := o.members["problems"]; ok && !isNull(raw) {
			var lines []string
			if err := json.Unmarshal(raw, &lines); err != nil {
				o.fail("problems", "应为文本数组")
			}
			in.Problems = strings.Join(lines, "\n")
		}
		submit, _ := o.boolean("submit")
		if err := o.err(); err != nil {
			return err
		}
		saved, err = report.Save(r.Context(), tx, a, id, period, in, submit, s.today())
		return err
	})
	if err != nil {
		return err
	}
	full, err := report.Get(r.Context(), s.db, saved.ID)
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, http.StatusOK, apiReportOf(full))
}

// apiReportReturn is POST /api/v1/reports/{id}/return {"reason": "…"}.
func (s *Server) apiReportReturn(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := readJSONObject(w, r)
	if err != nil {
		return err
	}
	o.only([]string{"reason"}, nil, nil)
	reason, _ := o.text("reason")
	if err := o.err(); err != nil {
		return err
	}
	a := actor(r)
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		rep, err := report.Return(r.Context(), tx, a, id, reason)
		if err != nil {
			return err
		}
		return s.notifyReturned(r.Context(), tx, a, rep)
	})
	if err != nil {
		return err
	}
	rep, err := report.Get(r.Context(), s.db, id)
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, http.StatusOK, apiReportOf(rep))
}
