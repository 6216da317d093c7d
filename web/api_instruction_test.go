package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// The 批示 API's rows of the API permission matrix: the pages' expectations
// (instruction_test.go), for the roles that may hold a token.
func init() { apiMatrixAreas = append(apiMatrixAreas, instrAPIMatrixRoutes) }

func instrAPIMatrixRoutes() []apiRoute {
	fresh := func(suffix string) func(m *matrix, tg target) string {
		return func(m *matrix, tg target) string {
			return fmt.Sprintf("/api/v1/instructions/%d%s", freshInstruction(m.env, tg.unit, m.unique("接口矩阵批示")), suffix)
		}
	}
	return []apiRoute{
		{method: "GET", path: "/api/v1/instructions", allowed: instrViews},
		{method: "POST", path: "/api/v1/instructions", allowed: instrWriters, scoped: true, body: func(m *matrix, tg target) any {
			return map[string]any{"content": m.unique("接口批示"), "deadline": "2026-03-31", "unit_ids": []int64{tg.unit.ID}}
		}},
		{method: "GET", path: "/api/v1/instructions/{id}", allowed: instrViews, scoped: true, pathFor: fresh("")},
		{method: "POST", path: "/api/v1/instructions/{id}/answer", allowed: instrAnswers, scoped: true, pathFor: fresh("/answer"),
			body: func(m *matrix, tg target) any { return map[string]any{"unit_id": tg.unit.ID, "content": "已落实"} }},
		{method: "POST", path: "/api/v1/instructions/{id}/close", allowed: instrClosers, scoped: true, pathFor: fresh("/close"),
			body: func(*matrix, target) any { return map[string]any{} }},
	}
}

// apiInstructionJSON is the part of a 批示 answer the tests read.
type apiInstructionJSON struct {
	ID          int64   `json:"id"`
	TargetType  string  `json:"target_type"`
	TargetID    *int64  `json:"target_id"`
	TargetLabel string  `json:"target_label"`
	Content     string  `json:"content"`
	WrittenOn   string  `json:"written_on"`
	Deadline    string  `json:"deadline"`
	Writer      string  `json:"writer"`
	Status      string  `json:"status"`
	ClosedAt    *string `json:"closed_at"`
	CloseNote   string  `json:"close_note"`
	Units       []struct {
		UnitID     int64   `json:"unit_id"`
		Unit       string  `json:"unit"`
		State      string  `json:"state"`
		Urgency    string  `json:"urgency"`
		AnsweredAt *string `json:"answered_at"`
	} `json:"units"`
	People []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"people"`
	Answers []struct {
		Unit    string `json:"unit"`
		Content string `json:"content"`
		By      string `json:"by"`
	} `json:"answers"`
}

func TestAPI_InstructionWriteAnswerClose(t *testing.T) {
	env := newAPIEnv(t)
	p := instrProject(t, env.Env)
	chief, staff, village := env.as("chief"), env.as("staff"), env.as("village")

	body := map[string]any{"target_type": "project", "target_id": p.ID, "content": "请经发办、东岙村本周内报送用海手续进展",
		"deadline": "2026-03-18", "unit_ids": []int64{env.Units.Econ.ID, env.Units.Village1.ID}, "person_ids": []int64{env.Leader.ID}}
	res := chief.send(t, "POST", "/api/v1/instructions", body)
	var in apiInstructionJSON
	res.decode(t, http.StatusCreated, &in)
	if res.Header.Get("Location") != fmt.Sprintf("/api/v1/instructions/%d", in.ID) || in.TargetType != "project" || *in.TargetID != p.ID ||
		in.TargetLabel != p.Code+" 深海养殖基地" || in.WrittenOn != "2026-03-15" || in.Deadline != "2026-03-18" || in.Writer != "王书记" ||
		in.Status != "open" || in.ClosedAt != nil || len(in.Units) != 2 || len(in.People) != 1 || in.People[0].Name != "李明" {
		t.Fatalf("created %+v (%s)", in, res.Header.Get("Location"))
	}
	for _, u := range in.Units {
		// Sunday the 15th → Wednesday the 18th is 3 working days.
		if u.State != "pending" || u.Urgency != "due_soon" || u.AnsweredAt != nil {
			t.Errorf("unit %+v", u)
		}
	}
	one := fmt.Sprintf("/api/v1/instructions/%d", in.ID)

	// Bad bodies: unknown and read-only members, wrong types, a form error by field.
	chief.send(t, "POST", "/api/v1/instructions", map[string]any{"content": "x", "status": "closed", "colour": "red", "unit_ids": "3"}).
		wantErr(t, http.StatusBadRequest, "bad_request", "未知字段", "status", "只读", "colour", "未知字段", "unit_ids", "整数数组")
	chief.send(t, "POST", "/api/v1/instructions", map[string]any{"content": "", "deadline": "2026-03-01", "unit_ids": []int64{}}).
		wantErr(t, http.StatusUnprocessableEntity, "invalid", "", "content", "请填写批示内容", "deadline", "不能早于今天", "unit_ids", "至少选择")
	staff.send(t, "POST", "/api/v1/instructions", body).wantErr(t, http.StatusForbidden, "forbidden", "主要领导和分管领导")

	// Answers: the unit's clerk, for its own unit only.
	chief.send(t, "POST", one+"/answer", map[string]any{"unit_id": env.Units.Econ.ID, "content": "代答"}).wantErr(t, http.StatusForbidden, "forbidden", "")
	staff.send(t, "POST", one+"/answer", map[string]any{"unit_id": env.Units.Village1.ID, "content": "代村里答"}).wantErr(t, http.StatusForbidden, "forbidden", "东岙村")
	staff.send(t, "POST", one+"/answer", map[string]any{"unit_id": env.Units.Econ.ID, "content": " "}).
		wantErr(t, http.StatusUnprocessableEntity, "invalid", "", "content", "请填写反馈内容")
	staff.send(t, "POST", one+"/answer", map[string]any{"unit_id": "econ"}).wantErr(t, http.StatusBadRequest, "bad_request", "", "unit_id", "整数")
	res = staff.send(t, "POST", one+"/answer", map[string]any{"unit_id": env.Units.Econ.ID, "content": "已与海洋局对接"})
	res.decode(t, http.StatusOK, &in)
	if in.Units[0].State != "on_time" || in.Units[0].Urgency != "on_track" || in.Units[0].AnsweredAt == nil || len(in.Answers) != 1 ||
		in.Answers[0].By != "钱经办" || in.Answers[0].Unit != "经发办" {
		t.Errorf("after the answer %+v", in)
	}

	// Lists by box; a misspelt parameter is an error, not a wider answer.
	var page struct {
		Items []apiInstructionJSON `json:"items"`
		Total int                  `json:"total"`
	}
	village.get(t, "/api/v1/instructions?box=todo").decode(t, http.StatusOK, &page)
	if page.Total != 1 || page.Items[0].ID != in.ID {
		t.Errorf("village todo %+v", page)
	}
	staff.get(t, "/api/v1/instructions?box=todo").decode(t, http.StatusOK, &page)
	if page.Total != 0 {
		t.Errorf("staff todo after answering: %d", page.Total)
	}
	chief.get(t, fmt.Sprintf("/api/v1/instructions?box=mine&target_type=project&target_id=%d&status=open", p.ID)).decode(t, http.StatusOK, &page)
	if page.Total != 1 {
		t.Errorf("chief mine: %d", page.Total)
	}
	chief.get(t, "/api/v1/instructions?box=late&status=done&unit_id=x&per_page=0&sort=deadline").wantErr(t, http.StatusBadRequest, "bad_request", "",
		"box", "mine", "status", "open", "unit_id", "正整数", "per_page", "1 到", "sort", "未知参数")
	chief.get(t, "/api/v1/instructions?unit_id=999999").wantErr(t, http.StatusBadRequest, "bad_request", "", "unit_id", "单位不存在")
	env.as("other").get(t, one).wantErr(t, http.StatusNotFound, "not_found", "批示不存在")
	chief.get(t, one+"?x=1").wantErr(t, http.StatusBadRequest, "bad_request", "", "x", "未知参数")

	// The writer closes it; then it takes no answers and cannot be closed again.
	staff.send(t, "POST", one+"/close", map[string]any{}).wantErr(t, http.StatusForbidden, "forbidden", "")
	res = chief.send(t, "POST", one+"/close", map[string]any{"close_note": "已报批"})
	res.decode(t, http.StatusOK, &in)
	if in.Status != "closed" || in.ClosedAt == nil || in.CloseNote != "已报批" {
		t.Errorf("closed %+v", in)
	}
	for _, u := range in.Units {
		if u.Unit == "东岙村" && (u.State != "unanswered" || u.Urgency != "on_track") {
			t.Errorf("village after closing: %+v", u)
		}
	}
	chief.send(t, "POST", one+"/close", map[string]any{}).wantErr(t, http.StatusConflict, "conflict", "已经落实")
	village.send(t, "POST", one+"/answer", map[string]any{"unit_id": env.Units.Village1.ID, "content": "迟了"}).wantErr(t, http.StatusConflict, "conflict", "不再接收")
	chief.send(t, "DELETE", one, nil).wantErr(t, http.StatusMethodNotAllowed, "method_not_allowed", "GET")
}

// FuzzAPIInstructionBody: whatever body arrives, creating or answering a
// 批示 answers JSON with a 2xx or 4xx status, never a 500 or a panic.
func FuzzAPIInstructionBody(f *testing.F) {
	env := newAPIEnv(f)
	chief, staff := env.as("chief"), env.as("staff")
	var in apiInstructionJSON
	chief.send(f, "POST", "/api/v1/instructions", map[string]any{"content": "种子", "deadline": "2026-03-31",
		"unit_ids": []int64{env.Units.Econ.ID}}).decode(f, http.StatusCreated, &in)
	seed, _ := json.Marshal(map[string]any{"content": "请报", "deadline": "2026-03-31", "unit_ids": []int64{env.Units.Econ.ID}})
	for _, s := range []string{string(seed), `{}`, `null`, `[]`, `{"unit_ids":[0,-1,9223372036854775807]}`, `{"target_type":"project","target_id":-5}`,
		`{"content":"\u0000"}`, `{"deadline":"9999-99-99","written_on":"0000-01-01"}`, `{"unit_id":1e400}`, `{"content":"` + strings.Repeat("批", 3000) + `"}`,
		`{"person_ids":[1,1,1]}`, `{"a":` + strings.Repeat("[", 200) + `}`} {
		f.Add([]byte(s))
	}
	answer := fmt.Sprintf("/api/v1/instructions/%d/answer", in.ID)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, req := range []struct {
			c    *apiClient
			path string
		}{{chief, "/api/v1/instructions"}, {staff, answer}} {
			res := req.c.send(t, "POST", req.path, string(body))
			if res.Status >= 500 || res.Status < 200 || !json.Valid(res.Body) {
				t.Fatalf("POST %s %q: %d %s", req.path, body, res.Status, res.Body)
			}
		}
	})
}
