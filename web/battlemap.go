package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"guatu/chart"
	"guatu/org"
	"guatu/project"
	"guatu/report"
)

// battleMap is the data of the 挂图作战 page and poster.
type battleMap struct {
	Year      int
	Group     string // leader, unit, category
	LightOnly project.Light
	Rows      []projectRow
	Summary   battleSummary
	MapTitle  string // e.g. XX镇2026年重点项目挂图作战图
	// MonthLights are the lights frozen at each closed month of the year, by project.
	MonthLights map[int64]map[time.Month]project.Light
	judging
}

type battleSummary struct {
	Total, Green, Yellow, Red int
	ByStage                   []stageCount
	Planned, Completed        int64 // this year's plan and completion, yuan
	Completion, TimeProgress  float64
	HasPlan                   bool
}

type stageCount struct {
	Stage project.Stage
	N     int
}

// loadBattleMap reads the 实施库 projects the actor may see, judges each on
// today, applies the filters of q and groups the rows.
func (s *Server) loadBattleMap(r *http.Request, q url.Values) (battleMap, error) {
	j, err := s.judging(r)
	if err != nil {
		return battleMap{}, err
	}
	today := j.Today
	bm := battleMap{Year: today.Year(), Group: q.Get("group"), LightOnly: project.Light(q.Get("light")), judging: j}
	if y, err := strconv.Atoi(q.Get("year")); err == nil && y >= 2000 && y <= 2100 {
		bm.Year = y
	}
	if bm.Group != "unit" && bm.Group != "category" {
		bm.Group = "leader"
	}
	id := func(k string) int64 { n, _ := strconv.ParseInt(q.Get(k), 10, 64); return n }
	list, _, err := project.List(r.Context(), s.db, actor(r), project.Filter{Tier: project.Active, Stage: project.Stage(q.Get("stage")),
		CategoryID: id("category"), LeaderID: id("leader"), UnitID: id("unit"), Flagship: q.Get("flagship") == "1", Details: true})
	if err != nil {
		return bm, err
	}
	if bm.MonthLights, err = report.YearLights(r.Context(), s.db, bm.Year); err != nil {
		return bm, err
	}
	stages := map[project.Stage]int{}
	for _, p := range list {
		row := j.row(p)
		if bm.LightOnly != "" && row.Light != bm.LightOnly {
			continue
		}
		bm.Rows = append(bm.Rows, row)
		bm.Summary.Total++
		switch row.Light {
		case project.Green:
			bm.Summary.Green++
		case project.Yellow:
			bm.Summary.Yellow++
		case project.Red:
			bm.Summary.Red++
		}
		stages[p.Stage]++
		plan := p.Plan(bm.Year)
		bm.Summary.Planned += plan.Planned
		bm.Summary.Completed += plan.Completed
	}
	for _, st := range project.Stages {
		if n := stages[st]; n > 0 {
			bm.Summary.ByStage = append(bm.Summary.ByStage, stageCount{st, n})
		}
	}
	bm.Summary.Completion, bm.Summary.HasPlan = project.Completion(bm.Summary.Completed, bm.Summary.Planned)
	switch {
	case bm.Year == today.Year():
		bm.Summary.TimeProgress = project.TimeProgress(today)
	case bm.Year < today.Year():
		bm.Summary.TimeProgress = 100
	}
	sort.SliceStable(bm.Rows, func(i, j int) bool {
		gi, gj := groupOf(bm.Group, bm.Rows[i].P), groupOf(bm.Group, bm.Rows[j].P)
		if gi != gj {
			return gi < gj
		}
		return bm.Rows[i].P.Code < bm.Rows[j].P.Code
	})
	bm.MapTitle = fmt.Sprintf("%s%d年重点项目挂图作战图", s.townName(r), bm.Year)
	return bm, nil
}

func groupOf(by string, p *project.Project) string {
	switch by {
	case "unit":
		return "牵头单位：" + p.UnitName
	case "category":
		return "类别：" + p.CategoryName
	}
	if p.LeaderName == "" {
		return "责任领导：未定"
	}
	return "责任领导：" + p.LeaderName
}

// townName is the name of the top unit the actor works in (for titles).
func (s *Server) townName(r *http.Request) string {
	a := actor(r)
	for _, g := range a.Grants {
		first := strings.SplitN(strings.Trim(g.UnitPath, "/"), "/", 2)[0]
		if id, err := strconv.ParseInt(first, 10, 64); err == nil {
			if u, err := org.GetUnit(r.Context(), s.db, id); err == nil {
				return u.Name
			}
		}
	}
	return ""
}

// gantt draws the map's rows as the chart.
func (s *Server) gantt(bm battleMap, width int, title bool) chart.Gantt {
	today := bm.Today
	g := chart.Gantt{Year: bm.Year, Today: today, Width: width, Legend: true}
	if bm.Year == today.Year() {
		g.TimeProgress = project.TimeProgress(today)
	}
	if title {
		g.Title = bm.MapTitle
	}
	rules := bm.Rules
	for _, row := range bm.Rows {
		p := row.P
		var reasons []string
		for _, x := range row.Reasons {
			reasons = append(reasons, x.Light.Label()+"："+x.Text)
		}
		cr := chart.Row{Group: groupOf(bm.Group, p), Label: p.Name, Sub: firstNonEmpty(p.LeaderName, "—") + " · " + p.UnitName,
			Link: fmt.Sprintf("/projects/%d", p.ID), Light: string(row.Light), Reasons: strings.Join(reasons, "\n"),
			Start: p.PlannedStart, End: p.PlannedOperating, MonthLights: map[time.Month]string{}}
		for m, l := range bm.MonthLights[p.ID] {
			cr.MonthLights[m] = string(l)
		}
		if cr.Start.IsZero() {
			cr.Start = p.StageSince
		}
		if cr.End.IsZero() && !cr.Start.IsZero() {
			cr.End = time.Date(bm.Year, 12, 31, 0, 0, 0, 0, time.UTC)
		}
		for _, m := range p.Milestones {
			st, late := m.Status(today, rules)
			date := m.Planned
			title := fmt.Sprintf("%s：计划 %s", m.Name, project.FormatDate(m.Planned))
			if !m.Actual.IsZero() {
				date = m.Actual
				title += "，" + project.FormatDate(m.Actual) + " 完成"
			}
			if late > 0 {
				title += fmt.Sprintf("，已逾期 %d 天", late)
			}
			cr.Markers = append(cr.Markers, chart.Marker{Date: date, Kind: string(st), Title: title + "（" + st.Label() + "）"})
		}
		g.Rows = append(g.Rows, cr)
	}
	return g
}

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}

type battleMapPage struct {
	Base
	projectChoices
	battleMap
	Q        url.Values
	SVG      template.HTML
	Years    []int
	PosterQS string
}

// battleMapPage is 挂图作战: every 实施库 project of the year on one chart.
func (s *Server) battleMapPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	bm, err := s.loadBattleMap(r, q)
	if err != nil {
		return err
	}
	p := battleMapPage{Base: s.base(r, "挂图作战", "battlemap"), battleMap: bm, Q: q}
	if p.projectChoices, err = s.projectChoices(r); err != nil {
		return err
	}
	for y := s.today().Year() - 2; y <= s.today().Year()+1; y++ {
		p.Years = append(p.Years, y)
	}
	// The chart's text is escaped by package chart (esc on every string it
	// writes), and its markup is our own: safe to place as HTML.
	p.SVG = template.HTML(s.gantt(bm, 1400, true).SVG()) //security:allow-html
	p.PosterQS = q.Encode()
	return s.render(w, r, http.StatusOK, "battlemap", p)
}

// battleMapPoster is the same map as one large SVG file for A1/A0 printing.
func (s *Server) battleMapPoster(w http.ResponseWriter, r *http.Request) error {
	bm, err := s.loadBattleMap(r, r.URL.Query())
	if err != nil {
		return err
	}
	svg := s.gantt(bm, 3300, true).SVG()
	attachment(w, "image/svg+xml; charset=utf-8", "battlemap.svg", bm.MapTitle+".svg")
	w.Write([]byte(svg))
	return nil
}
