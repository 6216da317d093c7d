package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func init() { apiMatrixAreas = append(apiMatrixAreas, problemAPIRoutes) }

// problemAPIRoutes are the API's problem rows: the page matrix's roles
// (pbViews, pbRaise, pbHandle, pbOversee) on the same staged problems.
func problemAPIRoutes() []apiRoute {
	at := func(stage, action string) func(m *matrix, tg target) string {
		return func(m *matrix, tg target) string {
			p, _ := stagedProblem(m.env.DB, tg.unit.ID, m.unique("接口矩阵问题"), stage)
			if action == "" {
				return fmt.Sprintf("/api/v1/problems/%d", p.ID)
			}
			return fmt.Sprintf("/api/v1/problems/%d/%s", p.ID, action)
		}
	}
	body := func(kv ...string) func(*matrix, target) any {
		return func(*matrix, target) any {
			b := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				b[kv[i]] = kv[i+1]
			}
			return b
		}
	}
	const action = "/api/v1/problems/{id}/{action}"
	return []apiRoute{
		{method: "GET", path: "/api/v1/problems", allowed: pbViews},
		{method: "POST", path: "/api/v1/problems", allowed: pbRaise, scoped: true, body: func(m *matrix, tg target) any {
			return map[string]any{"title": m.unique("接口登记"), "category": "land", "source": "site", "unit_id": tg.unit.ID, "limit_days": 10}
		}},
		{method: "GET", path: "/api/v1/problems/{id}", allowed: pbViews, scoped: true, pathFor: at("pending", "")},
		{method: "POST", path: action, allowed: pbHandle, scoped: true, pathFor: at("pending", "sign")},
		{method: "POST", path: action, allowed: pbHandle, scoped: true, pathFor: at("handling", "feedback"), body: body("note", "已对接")},
		{method: "POST", path: action, allowed: pbHandle, scoped: true, pathFor: at("handling", "done"), body: body("note", "已解决")},
		{method: "POST", path: action, allowed: pbHandle, scoped: true, pathFor: at("handling", "extend"),
			body: body("new_deadline", "2026-06-30", "reason", "等待批复")},
		{method: "POST", path: action, allowed: pbOversee, scoped: true, pathFor: at("done", "close")},
		{method: "POST", path: action, allowed: pbOversee, scoped: true, pathFor: at("done", "return"), body: body("reason", "未解决")},
		{method: "POST", path: action, allowed: pbOversee, scoped: true, pathFor: at("waiting", "extend_approve")},
		{method: "POST", path: action, allowed: pbOversee, scoped: true, pathFor: at("waiting", "extend_refuse"), body: body("reason", "够用")},
	}
}

type apiProblemJSON struct {
	ID               int64   `json:"id"`
	Title            string  `json:"title"`
	State            string  `json:"state"`
	Unit             string  `json:"unit"`
	Leader           string  `json:"leader"`
	LeaderID         *int64  `json:"leader_id"`
	Assigned         bool    `json:"assigned"`
	LimitDays        *int    `json:"limit_days"`
	Deadline         *string `json:"deadline"`
	SignBy           string  `json:"sign_by"`
	Urgency          string  `json:"urgency"`
	OverdueDays      int     `json:"overdue_days"`
	ExtensionPending bool    `json:"extension_pending"`
	ClosedOnTime     *bool   `json:"closed_on_time"`
	Reaches          struct {
		Unit, Leader, Chief, Agenda bool
	} `json:"reaches"`
	History []struct {
		Kind       string  `json:"kind"`
		Label      string  `json:"label"`
		By         string  `json:"by"`
		Note       string  `json:"note"`
		DeadlineTo *string `json:"deadline_to"`
	} `json:"history"`
	Extensions []struct {
		To     string `json:"to"`
		Status string `json:"status"`
	} `json:"extensions"`
}

type apiProblemListJSON struct {
	Items []apiProblemJSON `json:"items"`
	Total int              `json:"total"`
}

func TestAPI_ProblemFlow(t *testing.T) {
	env := newAPIEnv(t)
	super, staff, viewer := env.as("supervisor"), env.as("staff"), env.as("viewer")
	var p apiProblemJSON
	res := super.send(t, "POST", "/api/v1/problems", map[string]any{"title": "用海审批迟迟未批", "category": "approval", "source": "meeting",
		"priority": "urgent", "unit_id": env.Units.Econ.ID, "co_unit_ids": []int64{env.Units.Office.ID}, "limit_days": 5,
		"source_type": "meeting_decision", "source_id": 3})
	res.decode(t, http.StatusCreated, &p)
	if res.Header.Get("Location") != fmt.Sprintf("/api/v1/problems/%d", p.ID) || p.State != "pending" || !p.Assigned || p.Leader != "李明" ||
		p.LimitDays == nil || *p.LimitDays != 5 || p.Deadline != nil || p.SignBy != "2026-03-16" || len(p.History) != 1 {
		t.Fatalf("created: %+v %v", p, res.Header)
	}
	one := fmt.Sprintf("/api/v1/problems/%d", p.ID)
	// Sign needs no body.
	staff.send(t, "POST", one+"/sign", nil).decode(t, http.StatusOK, &p)
	if p.State != "handling" || p.Deadline == nil || *p.Deadline != "2026-03-20" || p.History[1].DeadlineTo == nil {
		t.Fatalf("signed: %+v", p)
	}
	var e apiErr
	staff.send(t, "POST", one+"/extend", map[string]any{"new_deadline": "2026-03-19"}).decode(t, http.StatusUnprocessableEntity, &e)
	if e.Error.Fields["new_deadline"] == "" || e.Error.Fields["reason"] != "请写明延期的理由" {
		t.Errorf("extend refused: %+v", e.Error)
	}
	staff.send(t, "POST", one+"/extend", map[string]any{"new_deadline": "2026-04-10", "reason": "等县局批复"}).decode(t, http.StatusOK, &p)
	if !p.ExtensionPending {
		t.Error("the request is not waiting")
	}
	staff.send(t, "POST", one+"/extend_approve", map[string]any{}).decode(t, http.StatusForbidden, &e)
	super.send(t, "POST", one+"/extend_approve", map[string]any{"note": "同意"}).decode(t, http.StatusOK, &p)
	if *p.Deadline != "2026-04-10" || len(p.Extensions) != 1 || p.Extensions[0].Status != "approved" {
		t.Errorf("approved: %+v", p)
	}
	staff.send(t, "POST", one+"/feedback", map[string]any{"note": "已补充材料"}).decode(t, http.StatusOK, &p)
	staff.send(t, "POST", one+"/done", map[string]any{"note": "县局已批复"}).decode(t, http.StatusOK, &p)
	super.send(t, "POST", one+"/return", map[string]any{"reason": ""}).decode(t, http.StatusUnprocessableEntity, &e)
	if e.Error.Fields["reason"] == "" {
		t.Errorf("return without a reason: %+v", e.Error)
	}
	super.send(t, "POST", one+"/close", nil).decode(t, http.StatusOK, &p)
	if p.State != "closed" || p.ClosedOnTime == nil || !*p.ClosedOnTime {
		t.Errorf("closed: %+v", p)
	}
	var kinds []string
	for _, h := range p.History {
		kinds = append(kinds, h.Kind)
	}
	if strings.Join(kinds, " ") != "assigned sign extend extend_approve feedback done close" {
		t.Errorf("history %v", kinds)
	}
	super.send(t, "POST", one+"/close", nil).decode(t, http.StatusConflict, &e)

	// Reading: the viewer sees it; the other town does not.
	viewer.get(t, one).decode(t, http.StatusOK, &p)
	env.as("other").get(t, one).decode(t, http.StatusNotFound, &e)
	var list apiProblemListJSON
	viewer.get(t, "/api/v1/problems?state=closed").decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].ID != p.ID {
		t.Errorf("closed list: %+v", list)
	}
	viewer.get(t, "/api/v1/problems?open=true").decode(t, http.StatusOK, &list)
	if list.Total != 0 {
		t.Errorf("open list: %+v", list)
	}
}

func TestAPI_ProblemListEscalationAndErrors(t *testing.T) {
	env := newAPIEnv(t)
	super := env.as("supervisor")
	var p apiProblemJSON
	super.send(t, "POST", "/api/v1/problems", map[string]any{"title": "村道拓宽占地", "category": "land", "source": "public",
		"unit_id": env.Units.Village1.ID, "deadline": "2026-03-16"}).decode(t, http.StatusCreated, &p)
	// Nine working days on, unsigned and past its deadline: the chief and the meeting hear of it
	// (the village has no 分管领导).
	env.Clock.Set(time.Date(2026, 3, 27, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	var list apiProblemListJSON
	super.get(t, "/api/v1/problems?overdue=true&mine=true").decode(t, http.StatusOK, &list)
	if list.Total != 1 {
		t.Fatalf("overdue: %+v", list)
	}
	x := list.Items[0]
	if x.Urgency != "overdue_long" || x.OverdueDays != 9 || !x.Reaches.Chief || !x.Reaches.Agenda || x.Reaches.Leader || x.LeaderID != nil {
		t.Errorf("escalation: %+v", x)
	}
	var e apiErr
	for _, tc := range []struct {
		method, path string
		body         any
		status       int
		field        string
	}{
		{"GET", "/api/v1/problems?state=open", nil, http.StatusBadRequest, "state"},
		{"GET", "/api/v1/problems?overdue=maybe&colour=red", nil, http.StatusBadRequest, "colour"},
		{"GET", "/api/v1/problems?unit_id=999999", nil, http.StatusBadRequest, "unit_id"},
		{"GET", fmt.Sprintf("/api/v1/problems/%d?x=1", p.ID), nil, http.StatusBadRequest, "x"},
		{"POST", "/api/v1/problems", map[string]any{"title": "x", "state": "closed", "colour": 1}, http.StatusBadRequest, "state"},
		{"POST", "/api/v1/problems", map[string]any{"title": 5}, http.StatusBadRequest, "title"},
		{"POST", "/api/v1/problems", map[string]any{"title": "两种期限", "category": "land", "source": "site", "unit_id": env.Units.Econ.ID,
			"limit_days": 5, "deadline": "2026-04-30"}, http.StatusUnprocessableEntity, "deadline"},
		{"POST", "/api/v1/problems", map[string]any{"title": "", "category": "x"}, http.StatusUnprocessableEntity, "title"},
		{"POST", fmt.Sprintf("/api/v1/problems/%d/delete", p.ID), nil, http.StatusNotFound, ""},
		{"POST", fmt.Sprintf("/api/v1/problems/%d/feedback", p.ID), map[string]any{"note": "x", "files": []int{}}, http.StatusBadRequest, "files"},
		{"POST", fmt.Sprintf("/api/v1/problems/%d/feedback", p.ID), "not json", http.StatusBadRequest, ""},
		{"POST", fmt.Sprintf("/api/v1/problems/%d/feedback", p.ID), map[string]any{"note": "未签收先反馈"}, http.StatusConflict, ""},
		{"DELETE", fmt.Sprintf("/api/v1/problems/%d", p.ID), nil, http.StatusMethodNotAllowed, ""},
	} {
		res := super.send(t, tc.method, tc.path, tc.body)
		res.decode(t, tc.status, &e)
		if tc.field != "" && e.Error.Fields[tc.field] == "" {
			t.Errorf("%s %s: no message for %s: %+v", tc.method, tc.path, tc.field, e.Error)
		}
		e = apiErr{}
	}
	res := super.send(t, "POST", fmt.Sprintf("/api/v1/problems/%d/sign", p.ID), "{}", "Content-Type", "text/plain")
	if res.Status != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain body: %d", res.Status)
	}
}

// FuzzAPIProblemBody sends arbitrary bodies to POST /api/v1/problems and to
// a workflow action: whatever arrives, the answer is a JSON document with a
// 2xx or 4xx status, never a 500 or a panic.
func FuzzAPIProblemBody(f *testing.F) {
	env := newAPIEnv(f)
	super := env.as("supervisor")
	var p apiProblemJSON
	super.send(f, "POST", "/api/v1/problems", map[string]any{"title": "模糊测试问题", "category": "land", "source": "site",
		"unit_id": env.Units.Econ.ID, "limit_days": 3}).decode(f, http.StatusCreated, &p)
	super.send(f, "POST", fmt.Sprintf("/api/v1/problems/%d/sign", p.ID), nil).decode(f, http.StatusOK, &p)
	seed, _ := json.Marshal(map[string]any{"title": "种子", "category": "funding", "source": "report", "unit_id": env.Units.Econ.ID,
		"deadline": "2026-12-31", "co_unit_ids": []int64{env.Units.Office.ID}, "source_type": "report", "source_id": 9})
	for _, s := range []string{string(seed), `{}`, `null`, `[]`, `""`, `{"title":1}`, `{"limit_days":1e309}`, `{"limit_days":-3}`,
		`{"deadline":"2026-02-30","limit_days":"5"}`, `{"co_unit_ids":[0,-5,"x"]}`, `{"source_id":-1,"source_type":"../x"}`,
		`{"note":"\u0000"}`, `{"new_deadline":"9999-99-99","reason":"x"}`, `{"title":"\ud800"}`, `{"a":{"b":[` + strings.Repeat("[", 100) + `}`,
		`{"note":"x"} trailing`} {
		f.Add([]byte(s))
	}
	actions := []string{"feedback", "extend", "done", "extend_refuse"}
	f.Fuzz(func(t *testing.T, body []byte) {
		paths := []string{"/api/v1/problems", fmt.Sprintf("/api/v1/problems/%d/%s", p.ID, actions[len(body)%len(actions)])}
		for _, path := range paths {
			res := super.send(t, "POST", path, string(body))
			if res.Status >= 500 || res.Status < 200 {
				t.Fatalf("POST %s %q: %d %s", path, body, res.Status, res.Body)
			}
			if !json.Valid(res.Body) {
				t.Fatalf("POST %s %q: answer is not JSON: %s", path, body, res.Body)
			}
		}
	})
}
