package web_test

import (
	"fmt"
	"net/http"
	"testing"
)

func init() { apiMatrixAreas = append(apiMatrixAreas, reportAPIMatrixRoutes) }

func reportAPIMatrixRoutes() []apiRoute {
	return []apiRoute{
		{method: "GET", path: "/api/v1/reports", allowed: rptViews},
		{method: "GET", path: "/api/v1/reports/{id}", allowed: rptViews, scoped: true, pathFor: func(m *matrix, tg target) string {
			r, _ := submittedReport(m.t, m.env, tg.unit, m.unique("接口月报"))
			return fmt.Sprintf("/api/v1/reports/%d", r.ID)
		}},
		{method: "PUT", path: "/api/v1/projects/{id}/reports/{period}", allowed: rptSubmits, scoped: true, pathFor: func(m *matrix, tg target) string {
			return fmt.Sprintf("/api/v1/projects/%d/reports/2026-03", tg.project.ID)
		}, body: func(*matrix, target) any { return map[string]any{"progress": "推进"} }},
		{method: "POST", path: "/api/v1/reports/{id}/return", allowed: rptReviews, scoped: true, pathFor: func(m *matrix, tg target) string {
			r, _ := submittedReport(m.t, m.env, tg.unit, m.unique("接口月报"))
			return fmt.Sprintf("/api/v1/reports/%d/return", r.ID)
		}, body: func(*matrix, target) any { return map[string]any{"reason": "请核实"} }},
	}
}

func TestAPIReports_WriteSubmitReturn(t *testing.T) {
	env := newAPIEnv(t)
	p := reportProject(t, env.Env, env.Units.Econ, "API项目")
	staff, sup, other := env.as("staff"), env.as("supervisor"), env.as("other")
	path := fmt.Sprintf("/api/v1/projects/%d/reports/2026-03", p.ID)

	// A draft, then a submission that is incomplete: the fields are named.
	var rep struct {
		ID              int64  `json:"id"`
		Status          string `json:"status"`
		Version         int    `json:"version"`
		MonthInvestYuan int64  `json:"month_invest_yuan"`
		Problems        []struct {
			Text string `json:"text"`
		} `json:"problems"`
		Versions []struct {
			ReturnReason string `json:"return_reason"`
		} `json:"versions"`
	}
	staff.send(t, "PUT", path, map[string]any{"month_invest_wan": "88.5", "problems": []string{"用地报批慢"}}).decode(t, http.StatusOK, &rep)
	if rep.Status != "draft" || rep.MonthInvestYuan != 885_000 || len(rep.Problems) != 1 {
		t.Fatalf("draft: %+v", rep)
	}
	var bad apiErr
	staff.send(t, "PUT", path, map[string]any{"submit": true}).decode(t, http.StatusUnprocessableEntity, &bad)
	if bad.Error.Fields["progress"] == "" || bad.Error.Fields["next_plan"] == "" {
		t.Errorf("incomplete submission: %+v", bad)
	}
	staff.send(t, "PUT", path, map[string]any{"colour": "red"}).decode(t, http.StatusBadRequest, &bad)
	if bad.Error.Fields["colour"] == "" {
		t.Errorf("unknown member: %+v", bad)
	}
	// Members left out keep the draft: the amount stays, the text is added.
	staff.send(t, "PUT", path, map[string]any{"progress": "基础施工", "next_plan": "主体施工", "submit": true}).decode(t, http.StatusOK, &rep)
	if rep.Status != "submitted" || rep.Version != 1 || rep.MonthInvestYuan != 885_000 {
		t.Fatalf("submitted: %+v", rep)
	}

	// Only the supervision office returns; another town cannot see it.
	if res := staff.send(t, "POST", fmt.Sprintf("/api/v1/reports/%d/return", rep.ID), map[string]any{"reason": "核实"}); res.Status != http.StatusForbidden {
		t.Errorf("staff returning: %d", res.Status)
	}
	if res := other.get(t, fmt.Sprintf("/api/v1/reports/%d", rep.ID)); res.Status != http.StatusNotFound {
		t.Errorf("another town: %d", res.Status)
	}
	sup.send(t, "POST", fmt.Sprintf("/api/v1/reports/%d/return", rep.ID), map[string]any{"reason": "投资数偏大，请核实"}).decode(t, http.StatusOK, &rep)
	if rep.Status != "returned" {
		t.Fatalf("returned: %+v", rep)
	}
	staff.send(t, "PUT", path, map[string]any{"month_invest_wan": 60, "submit": true}).decode(t, http.StatusOK, &rep)
	sup.get(t, fmt.Sprintf("/api/v1/reports/%d", rep.ID)).decode(t, http.StatusOK, &rep)
	if rep.Version != 2 || len(rep.Versions) != 2 || rep.Versions[1].ReturnReason != "投资数偏大，请核实" {
		t.Errorf("versions: %+v", rep)
	}

	// The board.
	var board struct {
		Period string `json:"period"`
		Units  []struct {
			Unit   string `json:"unit"`
			OnTime int    `json:"on_time"`
		} `json:"units"`
		Items []struct {
			Standing string `json:"standing"`
		} `json:"items"`
	}
	sup.get(t, "/api/v1/reports?period=2026-03").decode(t, http.StatusOK, &board)
	if board.Period != "2026-03" || len(board.Units) != 1 || board.Units[0].OnTime != 1 || board.Items[0].Standing != "on_time" {
		t.Errorf("board: %+v", board)
	}
	if res := sup.get(t, "/api/v1/reports?period=2026-13"); res.Status != http.StatusBadRequest {
		t.Errorf("bad period: %d", res.Status)
	}
}
