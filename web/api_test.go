package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"guatu/account"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/project"
	"guatu/web/webtest"
)

// apiClient calls the JSON API with a bearer token (or none).
type apiClient struct {
	env   *webtest.Env
	token string
	http  *http.Client
}

func newAPIClient(env *webtest.Env, token string) *apiClient {
	return &apiClient{env: env, token: token, http: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// apiToken makes a personal API token for a seeded account.
func apiToken(t testing.TB, env *webtest.Env, username string) string {
	t.Helper()
	u, err := account.ByUsername(context.Background(), env.DB, username)
	if err != nil {
		t.Fatal(err)
	}
	var secret string
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		var err error
		secret, _, err = account.CreateToken(ctx, tx, u.Actor("127.0.0.1", "test", "ui"),
			account.TokenInput{Name: "测试对接", Days: "90", Password: webtest.Password})
		return err
	})
	return secret
}

func (env *apiEnv) as(username string) *apiClient {
	return newAPIClient(env.Env, apiToken(env.t, env.Env, username))
}

type apiEnv struct {
	*webtest.Env
	t testing.TB
}

func newAPIEnv(t testing.TB) *apiEnv { return &apiEnv{Env: webtest.New(t), t: t} }

type apiRes struct {
	Status int
	Header http.Header
	Body   []byte
}

// apiErr is the decoded error body.
type apiErr struct {
	Error struct {
		Code      string            `json:"code"`
		Message   string            `json:"message"`
		Fields    map[string]string `json:"fields"`
		RequestID string            `json:"request_id"`
	} `json:"error"`
}

// send makes a request; body is JSON-encoded unless it is a string (sent as is).
func (c *apiClient) send(t testing.TB, method, path string, body any, header ...string) *apiRes {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.env.HTTP.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &apiRes{Status: res.StatusCode, Header: res.Header, Body: data}
}

func (c *apiClient) get(t testing.TB, path string) *apiRes {
	t.Helper()
	return c.send(t, "GET", path, nil)
}

// decode reads the body into v and fails the test unless the status is want.
func (r *apiRes) decode(t testing.TB, want int, v any) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json; charset=utf-8") {
		t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	if v != nil {
		if err := json.Unmarshal(r.Body, v); err != nil {
			t.Fatalf("body is not the JSON expected: %v: %s", err, r.Body)
		}
	}
}

// wantErr checks an error answer's status, code and (optionally) a message
// fragment and field messages.
func (r *apiRes) wantErr(t testing.TB, status int, code, msg string, fields ...string) apiErr {
	t.Helper()
	var e apiErr
	r.decode(t, status, &e)
	if e.Error.Code != code || !strings.Contains(e.Error.Message, msg) || e.Error.RequestID == "" {
		t.Errorf("error = %+v, want code %q with %q", e.Error, code, msg)
	}
	for i := 0; i+1 < len(fields); i += 2 {
		if got := e.Error.Fields[fields[i]]; !strings.Contains(got, fields[i+1]) || got == "" {
			t.Errorf("field %s = %q, want %q (all %v)", fields[i], got, fields[i+1], e.Error.Fields)
		}
	}
	return e
}

// apiProjectJSON is the part of a project answer the tests read.
type apiProjectJSON struct {
	ID                  int64   `json:"id"`
	Code                string  `json:"code"`
	Name                string  `json:"name"`
	CategoryID          int64   `json:"category_id"`
	Tier                string  `json:"tier"`
	Stage               string  `json:"stage"`
	Investor            string  `json:"investor"`
	LandAreaMu          float64 `json:"land_area_mu"`
	TotalInvestYuan     int64   `json:"total_invest_yuan"`
	CompletedInvestYuan int64   `json:"completed_invest_yuan"`
	LeaderID            *int64  `json:"leader_id"`
	Leader              string  `json:"leader"`
	UnitID              int64   `json:"unit_id"`
	Unit                string  `json:"unit"`
	CoUnits             []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"co_units"`
	PlannedStart *string `json:"planned_start"`
	YearPlans    []struct {
		Year        int   `json:"year"`
		PlannedYuan int64 `json:"planned_yuan"`
	} `json:"year_plans"`
	Targets []struct {
		Name, Value, Unit string
	} `json:"targets"`
	Milestones   []apiMilestoneJSON `json:"milestones"`
	Light        string             `json:"light"`
	LightReasons []struct {
		Light, Text string
	} `json:"light_reasons"`
	Stall *struct {
		Pattern string `json:"pattern"`
		Days    int    `json:"days"`
	} `json:"stall"`
}

type apiMilestoneJSON struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Planned     *string `json:"planned"`
	Actual      *string `json:"actual"`
	UnitID      *int64  `json:"unit_id"`
	Status      string  `json:"status"`
	OverdueDays int     `json:"overdue_days"`
}

type apiListJSON struct {
	Items   []apiProjectJSON `json:"items"`
	Total   int              `json:"total"`
	Page    int              `json:"page"`
	PerPage int              `json:"per_page"`
}

// newProjectBody is a complete project for 经发办, as an integration would send it.
func newProjectBody(env *webtest.Env, name string) map[string]any {
	return map[string]any{
		"name": name, "category_id": 1, "tier": "active", "level": "town",
		"unit_id": env.Units.Econ.ID, "leader_id": env.Leader.ID, "co_unit_ids": []int64{env.Units.Office.ID},
		"total_invest_yuan": 520001234, "plan_invest_wan": "8000", "land_area_mu": 35.5,
		"planned_start": "2026-04-01", "planned_operating": "2027-12-31", "investor": "蓝海集团",
		"milestones": []map[string]any{
			{"name": "签约", "planned": "2026-01-10", "actual": "2026-01-09"},
			{"name": "供地", "planned": "2026-01-20"},
		},
		"targets": []map[string]any{{"name": "年产值", "value": "8000", "unit": "万元"}},
	}
}

func ptr(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

func TestAPI_NeedsABearerTokenNotTheSession(t *testing.T) {
	env := newAPIEnv(t)
	// No token: 401 in JSON, with the challenge and every security header.
	anon := newAPIClient(env.Env, "")
	res := anon.get(t, "/api/v1/projects")
	res.wantErr(t, http.StatusUnauthorized, "unauthenticated", "Authorization: Bearer")
	for h, want := range map[string]string{"WWW-Authenticate": `Bearer realm="guatu"`, "Cache-Control": "no-store",
		"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'self'", "X-Frame-Options": "DENY"} {
		if got := res.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if res.Header.Get("Set-Cookie") != "" {
		t.Errorf("the API set a cookie: %s", res.Header.Get("Set-Cookie"))
	}
	// A signed-in browser's cookie is not accepted.
	browser := env.Login(t, "chief")
	if res := browser.Get(t, "/api/v1/projects"); res.Status != http.StatusUnauthorized {
		t.Errorf("session cookie on the API: %d %s", res.Status, res.Body)
	}
	// Unknown paths answer 401 too before anything else (deny by default), then 404 in JSON.
	anon.get(t, "/api/v1/nothing").wantErr(t, http.StatusUnauthorized, "unauthenticated", "")
	chief := env.as("chief")
	chief.get(t, "/api/v1/nothing").wantErr(t, http.StatusNotFound, "not_found", "接口地址不存在")
	// Other schemes and a token in the query string are not read.
	chief.send(t, "GET", "/api/v1/projects", nil, "Authorization", "Basic "+chief.token).wantErr(t, http.StatusUnauthorized, "unauthenticated", "")
	anon.get(t, "/api/v1/projects?access_token="+chief.token).wantErr(t, http.StatusUnauthorized, "unauthenticated", "")
	// The scheme is case-insensitive.
	if res := chief.send(t, "GET", "/api/v1/projects", nil, "Authorization", "bearer "+chief.token); res.Status != http.StatusOK {
		t.Errorf("lower-case bearer: %d", res.Status)
	}
	// A token that is not one: 401 invalid_token, and the refusal is audited.
	bad := newAPIClient(env.Env, "gt_"+strings.Repeat("A", 43))
	res = bad.get(t, "/api/v1/projects")
	res.wantErr(t, http.StatusUnauthorized, "unauthenticated", "令牌无效")
	if got := res.Header.Get("WWW-Authenticate"); !strings.Contains(got, `error="invalid_token"`) {
		t.Errorf("WWW-Authenticate = %q", got)
	}
	rows, _, err := audit.List(t.Context(), env.DB, env.Actor("auditor"), audit.Filter{Action: audit.TokenRefused})
	if err != nil || len(rows) == 0 || rows[0].Origin != "api" {
		t.Errorf("refusal not audited: %v %v", rows, err)
	}
}

func TestAPI_TokenStatesAndAccounts(t *testing.T) {
	env := newAPIEnv(t)
	staff := env.as("staff")
	if res := staff.get(t, "/api/v1/projects"); res.Status != http.StatusOK {
		t.Fatalf("live token: %d %s", res.Status, res.Body)
	}
	// Expired: 401.
	env.Clock.Advance(91 * 24 * time.Hour)
	staff.get(t, "/api/v1/projects").wantErr(t, http.StatusUnauthorized, "unauthenticated", "令牌已过期")
	env.Clock.Set(dbtest.Now)

	// A user who must change their password: 403 until they do.
	viewer := env.as("viewer")
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET must_change_password = TRUE WHERE username = 'viewer'`)
		return err
	})
	viewer.get(t, "/api/v1/projects").wantErr(t, http.StatusForbidden, "forbidden", "须先登录网页修改密码")

	// Disabling the account revokes its tokens: 401, and enabling it again does not bring them back.
	village := env.as("village")
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		_, err := account.SetDisabled(ctx, tx, env.Actor("sysadmin"), env.Users["village"].ID, true)
		return err
	})
	village.get(t, "/api/v1/projects").wantErr(t, http.StatusUnauthorized, "unauthenticated", "令牌已撤销")
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		_, err := account.SetDisabled(ctx, tx, env.Actor("sysadmin"), env.Users["village"].ID, false)
		return err
	})
	village.get(t, "/api/v1/projects").wantErr(t, http.StatusUnauthorized, "unauthenticated", "令牌已撤销")

	// A token that later belongs to an administrator: 403.
	leader := env.as("leader")
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		return account.Grant(ctx, tx, auth.SystemActor("test"), env.Users["leader"].ID, auth.Auditor, env.Units.Town.ID)
	})
	leader.get(t, "/api/v1/projects").wantErr(t, http.StatusForbidden, "forbidden", "管理员账号")
}

func TestAPI_BadTokensCountTowardsTheAddressThrottle(t *testing.T) {
	env := newAPIEnv(t)
	good := env.as("staff")
	bad := newAPIClient(env.Env, "gt_"+strings.Repeat("B", 43))
	for i := range 20 { // the default: 20 failures per address per 15 minutes
		if res := bad.get(t, "/api/v1/projects"); res.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, res.Status)
		}
	}
	res := bad.get(t, "/api/v1/projects")
	res.wantErr(t, http.StatusTooManyRequests, "too_many_requests", "失败次数过多")
	if res.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	// The address is blocked for good tokens too, as for sign-ins, until the window passes.
	good.get(t, "/api/v1/projects").wantErr(t, http.StatusTooManyRequests, "too_many_requests", "")
	env.Clock.Advance(16 * time.Minute)
	if res := good.get(t, "/api/v1/projects"); res.Status != http.StatusOK {
		t.Errorf("after the window: %d", res.Status)
	}
}

func TestAPI_NoCSRFCheckButNoCookieEither(t *testing.T) {
	env := newAPIEnv(t)
	staff := env.as("staff")
	// A cross-site POST with a token (a server-side integration would send neither header) is not blocked:
	// the API reads no cookie, so a forged request carries no credential.
	res := staff.send(t, "POST", "/api/v1/projects", newProjectBody(env.Env, "跨站头也能建"), "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if res.Status != http.StatusCreated {
		t.Fatalf("POST with a token and cross-site headers: %d %s", res.Status, res.Body)
	}
	// The exemption is exactly the API: a page path dressed up as one still needs the form token.
	browser := env.Login(t, "staff")
	form := url.Values{"name": {"绕过"}, "category_id": {"1"}, "unit_id": {fmt.Sprint(env.Units.Econ.ID)}}
	req, _ := http.NewRequest("POST", env.HTTP.URL+"/api/../projects", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res := browser.Do(t, req); res.Status != http.StatusForbidden {
		t.Errorf("POST /api/../projects without a CSRF token: %d", res.Status)
	}
}

func TestAPI_ProjectCreateGetAndAudit(t *testing.T) {
	env := newAPIEnv(t)
	staff := env.as("staff")
	res := staff.send(t, "POST", "/api/v1/projects", newProjectBody(env.Env, "XX湾蓝色经济产业园"))
	var p apiProjectJSON
	res.decode(t, http.StatusCreated, &p)
	if loc := res.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/projects/%d", p.ID) {
		t.Errorf("Location = %q", loc)
	}
	if p.Code != "2026-001" || p.Name != "XX湾蓝色经济产业园" || p.TotalInvestYuan != 520001234 || p.LandAreaMu != 35.5 ||
		p.Unit != "经发办" || p.Leader != "李明" || len(p.CoUnits) != 1 || p.CoUnits[0].Name != "党政办" || p.Stage != "planning" ||
		ptr(p.PlannedStart) != "2026-04-01" || len(p.Targets) != 1 || len(p.YearPlans) != 1 || p.YearPlans[0].PlannedYuan != 80000000 {
		t.Errorf("created project: %+v", p)
	}
	// 2026-03-15: 供地 54 days overdue and no investment yet: red, with the reasons.
	if p.Light != "red" || len(p.LightReasons) < 2 || !strings.Contains(p.LightReasons[0].Text, "供地") {
		t.Errorf("light %s %v", p.Light, p.LightReasons)
	}
	if len(p.Milestones) != 2 || p.Milestones[0].Status != "done" || p.Milestones[1].Status != "overdue" || p.Milestones[1].OverdueDays != 54 {
		t.Errorf("milestones %+v", p.Milestones)
	}
	// Read back, and the page shows the same project.
	var got apiProjectJSON
	staff.get(t, fmt.Sprintf("/api/v1/projects/%d", p.ID)).decode(t, http.StatusOK, &got)
	if got.ID != p.ID || len(got.Milestones) != 2 {
		t.Errorf("GET: %+v", got)
	}
	if page := env.Login(t, "staff").Get(t, fmt.Sprintf("/projects/%d", p.ID)); !page.Contains("XX湾蓝色经济产业园") {
		t.Errorf("the page does not show the project made through the API")
	}
	// The audit trail names the user and the token.
	rows, err := audit.ForObject(t.Context(), env.DB, "project", p.ID)
	if err != nil || len(rows) != 1 || rows[0].Action != audit.ProjectCreated || rows[0].Username != "staff" ||
		!regexp.MustCompile(`^api:token:\d+$`).MatchString(rows[0].Origin) {
		t.Errorf("audit: %+v %v", rows, err)
	}
	first, _, err := audit.List(t.Context(), env.DB, env.Actor("auditor"), audit.Filter{Action: audit.TokenFirstUsed})
	if err != nil || len(first) != 1 || first[0].Username != "staff" {
		t.Errorf("first use: %+v %v", first, err)
	}
	// Money may be given in 万元 instead, as a string or a number (never as a float of yuan).
	body := newProjectBody(env.Env, "万元项目")
	delete(body, "total_invest_yuan")
	body["total_invest_wan"] = "52000.1234"
	staff.send(t, "POST", "/api/v1/projects", body).decode(t, http.StatusCreated, &got)
	if got.TotalInvestYuan != 520001234 {
		t.Errorf("52000.1234 万元 = %d yuan", got.TotalInvestYuan)
	}
}

func TestAPI_ErrorAnswers(t *testing.T) {
	env := newAPIEnv(t)
	staff := env.as("staff")
	var p apiProjectJSON
	staff.send(t, "POST", "/api/v1/projects", newProjectBody(env.Env, "甲项目")).decode(t, http.StatusCreated, &p)
	one := fmt.Sprintf("/api/v1/projects/%d", p.ID)

	// 422: the domain's field messages under the JSON names.
	staff.send(t, "POST", "/api/v1/projects", map[string]any{"land_area_mu": "12.345", "total_invest_yuan": -5}).wantErr(t,
		http.StatusUnprocessableEntity, "invalid", "请检查", "name", "请填写项目名称", "category_id", "请选择项目类别",
		"unit_id", "请选择牵头单位", "land_area_mu", "两位小数", "total_invest_yuan", "不能为负数")
	staff.send(t, "PATCH", one, map[string]any{"milestones": []map[string]any{{"name": "节点", "planned": "2026-02-30"}}}).wantErr(t,
		http.StatusUnprocessableEntity, "invalid", "", "milestones.0.planned", "日期格式")
	// 400: not JSON, not an object, more than one, unknown, read-only or mistyped members, both money forms.
	staff.send(t, "POST", "/api/v1/projects", `{"name": `).wantErr(t, http.StatusBadRequest, "bad_request", "不是有效的 JSON")
	staff.send(t, "POST", "/api/v1/projects", `[1,2]`).wantErr(t, http.StatusBadRequest, "bad_request", "JSON 对象")
	staff.send(t, "POST", "/api/v1/projects", `null`).wantErr(t, http.StatusBadRequest, "bad_request", "JSON 对象")
	staff.send(t, "POST", "/api/v1/projects", ``).wantErr(t, http.StatusBadRequest, "bad_request", "请求体为空")
	staff.send(t, "POST", "/api/v1/projects", `{} {}`).wantErr(t, http.StatusBadRequest, "bad_request", "只能是一个")
	staff.send(t, "POST", "/api/v1/projects", map[string]any{"nmae": "错字", "id": 5, "category_id": "一",
		"milestones": []map[string]any{{"name": "x", "plannd": "2026-01-01", "status": "done"}}, "flagship": "yes",
		"total_invest_yuan": 1.5}).wantErr(t,
		http.StatusBadRequest, "bad_request", "未知字段", "nmae", "未知字段", "id", "只读", "category_id", "整数",
		"milestones.0.plannd", "未知字段", "milestones.0.status", "只读", "flagship", "true 或 false", "total_invest_yuan", "整数")
	staff.send(t, "POST", "/api/v1/projects", map[string]any{"name": "x", "total_invest_yuan": 1, "total_invest_wan": 1}).wantErr(t,
		http.StatusBadRequest, "bad_request", "", "total_invest_wan", "只能填写其一")
	staff.send(t, "PATCH", one, map[string]any{"stage": "signed"}).wantErr(t, http.StatusBadRequest, "bad_request", "", "stage", "/stage")
	staff.send(t, "PATCH", one, map[string]any{"name": "a\u0000b"}).wantErr(t, http.StatusBadRequest, "bad_request", "", "name", "空字符")
	staff.get(t, "/api/v1/projects?per_page=5001&tier=x&colour=red").wantErr(t, http.StatusBadRequest, "bad_request", "查询参数",
		"per_page", "5000", "tier", "active", "colour", "未知参数")
	// 415 and 413.
	staff.send(t, "POST", "/api/v1/projects", "name=x", "Content-Type", "application/x-www-form-urlencoded").wantErr(t,
		http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type: application/json")
	big := `{"description": "` + strings.Repeat("长", 400_000) + `"}`
	staff.send(t, "POST", "/api/v1/projects", big).wantErr(t, http.StatusRequestEntityTooLarge, "too_large", "1024 KB")
	// 404: malformed, missing, or outside the user's view (the same answer: existence is not revealed).
	staff.get(t, "/api/v1/projects/abc").wantErr(t, http.StatusNotFound, "not_found", "")
	staff.get(t, "/api/v1/projects/999999").wantErr(t, http.StatusNotFound, "not_found", "项目不存在")
	village := env.as("village")
	village.get(t, one).wantErr(t, http.StatusNotFound, "not_found", "项目不存在")
	village.send(t, "PATCH", one, map[string]any{"name": "改"}).wantErr(t, http.StatusNotFound, "not_found", "项目不存在")
	staff.get(t, one+"/milestones/1").wantErr(t, http.StatusMethodNotAllowed, "method_not_allowed", "PATCH")
	// 403: the viewer reads it but may not change it.
	viewer := env.as("viewer")
	viewer.get(t, one).decode(t, http.StatusOK, nil)
	viewer.send(t, "PATCH", one, map[string]any{"name": "改"}).wantErr(t, http.StatusForbidden, "forbidden", "无权修改")
	viewer.send(t, "POST", "/api/v1/projects", newProjectBody(env.Env, "查看者新建")).wantErr(t, http.StatusForbidden, "forbidden", "无权")
	// A milestone's unit that does not exist is named, like any other field.
	staff.send(t, "POST", one+"/milestones", map[string]any{"name": "验收", "unit_id": 999999}).wantErr(t,
		http.StatusUnprocessableEntity, "invalid", "", "unit_id", "责任单位不存在")
	// 405 with Allow.
	res := staff.send(t, "PUT", one, map[string]any{})
	res.wantErr(t, http.StatusMethodNotAllowed, "method_not_allowed", "PUT")
	if allow := res.Header.Get("Allow"); allow != "GET, PATCH" {
		t.Errorf("Allow = %q", allow)
	}
}

func TestAPI_InternalErrorShowsOnlyTheRequestID(t *testing.T) {
	env := newAPIEnv(t)
	staff := env.as("staff")
	staff.send(t, "POST", "/api/v1/projects", newProjectBody(env.Env, "甲项目")).decode(t, http.StatusCreated, nil)
	// Break the table the list reads: a 500 with the request id and nothing of the cause.
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `ALTER TABLE milestones RENAME TO milestones_gone`)
		return err
	})
	res := staff.get(t, "/api/v1/projects")
	e := res.wantErr(t, http.StatusInternalServerError, "internal", "请求编号")
	if !strings.Contains(e.Error.Message, e.Error.RequestID) || strings.Contains(string(res.Body), "milestones") {
		t.Errorf("500 body: %s", res.Body)
	}
	if res.Header.Get("X-Request-Id") != e.Error.RequestID {
		t.Errorf("request id header %q, body %q", res.Header.Get("X-Request-Id"), e.Error.RequestID)
	}
}

func TestAPI_PatchMerges(t *testing.T) {
	env := newAPIEnv(t)
	staff := env.as("staff")
	var p apiProjectJSON
	staff.send(t, "POST", "/api/v1/projects", newProjectBody(env.Env, "合并项目")).decode(t, http.StatusCreated, &p)
	one := fmt.Sprintf("/api/v1/projects/%d", p.ID)

	// Only the members given change; amounts keep every yuan (the form's 万元 rounding does not touch them).
	var got apiProjectJSON
	staff.send(t, "PATCH", one, map[string]any{"name": "合并项目（二期）", "completed_invest_yuan": 1234567}).decode(t, http.StatusOK, &got)
	if got.Name != "合并项目（二期）" || got.TotalInvestYuan != 520001234 || got.CompletedInvestYuan != 1234567 ||
		got.Investor != "蓝海集团" || len(got.Milestones) != 2 || len(got.CoUnits) != 1 || got.LandAreaMu != 35.5 ||
		len(got.YearPlans) != 1 || got.YearPlans[0].PlannedYuan != 80000000 || got.Code != p.Code {
		t.Errorf("after PATCH: %+v", got)
	}
	// null clears a member.
	staff.send(t, "PATCH", one, map[string]any{"investor": nil, "leader_id": nil}).decode(t, http.StatusOK, &got)
	if got.Investor != "" || got.LeaderID != nil || got.Name != "合并项目（二期）" {
		t.Errorf("after null: %+v", got)
	}
	// milestones, when given, is the whole list: kept by id, new ones added, the rest removed.
	keep := p.Milestones[1]
	staff.send(t, "PATCH", one, map[string]any{"milestones": []map[string]any{
		{"id": keep.ID, "name": "供地", "planned": "2026-01-20", "actual": "2026-03-01"},
		{"name": "开工", "planned": "2026-05-01"},
	}}).decode(t, http.StatusOK, &got)
	if len(got.Milestones) != 2 || got.Milestones[0].ID != keep.ID || got.Milestones[0].Status != "done_late" || got.Milestones[1].Name != "开工" {
		t.Errorf("milestones after PATCH: %+v", got.Milestones)
	}
	// An empty patch changes nothing and records nothing.
	before, _ := audit.ForObject(t.Context(), env.DB, "project", p.ID)
	staff.send(t, "PATCH", one, map[string]any{}).decode(t, http.StatusOK, &got)
	after, _ := audit.ForObject(t.Context(), env.DB, "project", p.ID)
	if len(after) != len(before) || len(before) != 4 {
		t.Errorf("audit records %d → %d, want 4 and no more", len(before), len(after))
	}
	// Each change went through project.Update, so the history reads like the form's.
	if page := env.Login(t, "staff").Get(t, fmt.Sprintf("/projects/%d", p.ID)); !page.Contains("把 项目名称 从 合并项目 改为 合并项目（二期）") {
		t.Errorf("history: %s", page.Text())
	}
}

func TestAPI_StageAndList(t *testing.T) {
	env := newAPIEnv(t)
	staff := env.as("staff")
	var a, b apiProjectJSON
	staff.send(t, "POST", "/api/v1/projects", newProjectBody(env.Env, "甲项目")).decode(t, http.StatusCreated, &a)
	body := newProjectBody(env.Env, "乙项目")
	body["tier"], body["stage"], body["stage_since"], body["flagship"] = "rolling", "signed", "2025-10-01", true
	staff.send(t, "POST", "/api/v1/projects", body).decode(t, http.StatusCreated, &b)
	if b.Stage != "signed" || b.Stall == nil || b.Stall.Pattern != "signed_not_landed" || b.Stall.Days != 165 {
		t.Errorf("stall: %+v", b.Stall)
	}
	// Stage moves go through SetStage: dated (today by default), with the reason where one is needed.
	var got apiProjectJSON
	staff.send(t, "POST", fmt.Sprintf("/api/v1/projects/%d/stage", a.ID), map[string]any{"stage": "negotiating"}).decode(t, http.StatusOK, &got)
	if got.Stage != "negotiating" {
		t.Errorf("stage %s", got.Stage)
	}
	staff.send(t, "POST", fmt.Sprintf("/api/v1/projects/%d/stage", a.ID), map[string]any{"stage": "stalled"}).wantErr(t,
		http.StatusUnprocessableEntity, "invalid", "", "note", "须写明原因")

	var list apiListJSON
	staff.get(t, "/api/v1/projects").decode(t, http.StatusOK, &list)
	if list.Total != 2 || list.Page != 1 || list.PerPage != 50 || len(list.Items) != 2 || list.Items[0].Milestones != nil {
		t.Errorf("list: %+v", list)
	}
	staff.get(t, "/api/v1/projects?include=milestones&tier=rolling&flagship=true&sort=name").decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].ID != b.ID || len(list.Items[0].Milestones) != 2 {
		t.Errorf("filtered list: %+v", list)
	}
	staff.get(t, "/api/v1/projects?per_page=1&page=2").decode(t, http.StatusOK, &list)
	if list.Total != 2 || len(list.Items) != 1 || list.Items[0].ID != b.ID {
		t.Errorf("page 2: %+v", list)
	}
	staff.get(t, "/api/v1/projects?q=甲&stage=negotiating&unit_id="+fmt.Sprint(env.Units.Econ.ID)).decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].ID != a.ID {
		t.Errorf("search: %+v", list)
	}
	staff.get(t, "/api/v1/projects?unit_id=999999").wantErr(t, http.StatusBadRequest, "bad_request", "", "unit_id", "单位不存在")
	// The village clerk sees none of 经发办's projects.
	env.as("village").get(t, "/api/v1/projects").decode(t, http.StatusOK, &list)
	if list.Total != 0 || list.Items == nil {
		t.Errorf("village list: %+v (items must be [], not null)", list)
	}
	// The list is for the project roles only: an administrator's token cannot exist, so no one else asks.
}

func TestAPI_Milestones(t *testing.T) {
	env := newAPIEnv(t)
	staff := env.as("staff")
	var p apiProjectJSON
	staff.send(t, "POST", "/api/v1/projects", newProjectBody(env.Env, "节点项目")).decode(t, http.StatusCreated, &p)
	base := fmt.Sprintf("/api/v1/projects/%d/milestones", p.ID)

	var m apiMilestoneJSON
	res := staff.send(t, "POST", base, map[string]any{"name": "开工", "planned": "2026-03-20", "unit_id": env.Units.Econ.ID})
	res.decode(t, http.StatusCreated, &m)
	if m.Name != "开工" || m.Status != "due_soon" || m.ID == 0 || *m.UnitID != env.Units.Econ.ID {
		t.Errorf("created milestone %+v", m)
	}
	if loc := res.Header.Get("Location"); loc != fmt.Sprintf("%s/%d", base, m.ID) {
		t.Errorf("Location %q", loc)
	}
	staff.send(t, "POST", base, map[string]any{"planned": "2026-04-01"}).wantErr(t, http.StatusUnprocessableEntity, "invalid", "", "name", "请填写节点名称")
	staff.send(t, "POST", base, map[string]any{"name": "验收", "planned": "2026-13-01"}).wantErr(t, http.StatusUnprocessableEntity, "invalid", "", "planned", "日期格式")
	staff.send(t, "POST", base, map[string]any{"name": "验收", "id": 5}).wantErr(t, http.StatusBadRequest, "bad_request", "", "id", "只读")

	// Reached: set the actual date only.
	staff.send(t, "PATCH", fmt.Sprintf("%s/%d", base, m.ID), map[string]any{"actual": "2026-03-14"}).decode(t, http.StatusOK, &m)
	if m.Status != "done" || ptr(m.Actual) != "2026-03-14" || ptr(m.Planned) != "2026-03-20" || m.Name != "开工" {
		t.Errorf("patched %+v", m)
	}
	staff.send(t, "PATCH", fmt.Sprintf("%s/%d", base, m.ID), map[string]any{"name": ""}).wantErr(t, http.StatusUnprocessableEntity, "invalid", "", "name", "请填写节点名称")
	staff.send(t, "PATCH", fmt.Sprintf("%s/%d", base, 999999), map[string]any{"actual": "2026-03-14"}).wantErr(t, http.StatusNotFound, "not_found", "时间节点不存在")
	staff.send(t, "PATCH", fmt.Sprintf("%s/%d", base, 999999), map[string]any{}).wantErr(t, http.StatusNotFound, "not_found", "时间节点不存在")
	staff.send(t, "PATCH", fmt.Sprintf("%s/%d", base, m.ID), map[string]any{}).decode(t, http.StatusOK, &m) // no change, no record
	if m.Status != "done" {
		t.Errorf("empty patch: %+v", m)
	}

	var list struct {
		Items []apiMilestoneJSON `json:"items"`
	}
	staff.get(t, base).decode(t, http.StatusOK, &list)
	if len(list.Items) != 3 || list.Items[2].ID != m.ID {
		t.Errorf("list %+v", list.Items)
	}
	// Remove one: 204, and it is gone; removing it again is 404.
	if res := staff.send(t, "DELETE", fmt.Sprintf("%s/%d", base, list.Items[0].ID), nil); res.Status != http.StatusNoContent || len(res.Body) != 0 {
		t.Fatalf("DELETE: %d %s", res.Status, res.Body)
	}
	staff.send(t, "DELETE", fmt.Sprintf("%s/%d", base, list.Items[0].ID), nil).wantErr(t, http.StatusNotFound, "not_found", "")
	staff.get(t, base).decode(t, http.StatusOK, &list)
	if len(list.Items) != 2 {
		t.Errorf("after DELETE: %+v", list.Items)
	}
	// Every change is a project update in the trail, as from the form.
	rows, err := audit.ForObject(t.Context(), env.DB, "project", p.ID)
	if err != nil || len(rows) != 4 || rows[3].Action != audit.ProjectUpdated {
		t.Errorf("audit %d rows: %v", len(rows), err)
	}
	// The viewer reads the milestones but changes none.
	viewer := env.as("viewer")
	viewer.get(t, base).decode(t, http.StatusOK, nil)
	viewer.send(t, "PATCH", fmt.Sprintf("%s/%d", base, m.ID), map[string]any{"actual": "2026-03-15"}).wantErr(t, http.StatusForbidden, "forbidden", "")
	viewer.send(t, "DELETE", fmt.Sprintf("%s/%d", base, m.ID), nil).wantErr(t, http.StatusForbidden, "forbidden", "")
}

func TestAPITokenPage_CreateShowOnceListRevoke(t *testing.T) {
	env := newAPIEnv(t)
	c := env.Login(t, "staff")
	res := c.Get(t, "/me")
	wantText(t, res, "接口令牌", "管理接口令牌")
	res = c.Get(t, "/me/tokens")
	wantStatus(t, res, http.StatusOK, "")
	wantText(t, res, "创建令牌", "还没有令牌", "Authorization: Bearer")

	// Mistakes come back beside their fields; the password is never sent back.
	res = c.PostForm(t, "/me/tokens", url.Values{"name": {""}, "days": {"7"}, "password": {webtest.Password}})
	wantStatus(t, res, http.StatusUnprocessableEntity, "")
	wantText(t, res, "请填写用途", "请选择有效期")
	res = c.PostForm(t, "/me/tokens", url.Values{"name": {"县平台对接"}, "days": {"90"}, "password": {"wrong"}})
	wantStatus(t, res, http.StatusUnprocessableEntity, "")
	wantText(t, res, "登录密码不正确")
	if !strings.Contains(res.Body, `value="县平台对接"`) || strings.Contains(res.Body, `value="wrong"`) {
		t.Error("refused form does not keep the name, or echoes the password")
	}

	// Created: the secret is on this response only, in a readonly field, with a warning and an example.
	res = c.PostForm(t, "/me/tokens", url.Values{"name": {"县平台对接"}, "days": {"180"}, "password": {webtest.Password}})
	wantStatus(t, res, http.StatusOK, "")
	wantText(t, res, "只显示这一次", "县平台对接", "2026-09-11")
	m := regexp.MustCompile(`value="(gt_[A-Za-z0-9_-]{43})" readonly`).FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatalf("no secret in a readonly field: %s", res.Text())
	}
	secret := m[1]
	if !strings.Contains(res.Body, "Authorization: Bearer "+secret) {
		t.Error("no curl example with the new token")
	}
	if res.Header.Get("Cache-Control") != "no-store" || strings.Contains(res.Header.Get("Set-Cookie"), secret) {
		t.Error("the secret page may be cached, or the secret went into a cookie")
	}
	// It works, and the list shows its prefix and last use, never the secret again.
	if res := newAPIClient(env.Env, secret).get(t, "/api/v1/projects"); res.Status != http.StatusOK {
		t.Fatalf("new token: %d", res.Status)
	}
	list := c.Get(t, "/me/tokens")
	if strings.Contains(list.Body, secret) || !strings.Contains(list.Body, secret[:11]+"…") {
		t.Error("the list shows the secret, or not its prefix")
	}
	wantText(t, list, "县平台对接", "有效", "2026-03-15 09:00", "127.0.0.1")
	// Only a hash is stored.
	var stored string
	if err := env.DB.QueryRowContext(t.Context(), `SELECT token_hash FROM api_tokens`).Scan(&stored); err != nil || stored != account.HashToken(secret) {
		t.Errorf("stored %q, %v", stored, err)
	}
	// Revoke: the token stops working at once.
	id := regexp.MustCompile(`name="token" value="(\d+)"`).FindStringSubmatch(list.Body)
	if id == nil {
		t.Fatal("no revoke button")
	}
	wantStatus(t, c.PostForm(t, "/me/tokens/revoke", url.Values{"token": {id[1]}}), http.StatusSeeOther, "/me/tokens")
	newAPIClient(env.Env, secret).get(t, "/api/v1/projects").wantErr(t, http.StatusUnauthorized, "unauthenticated", "令牌已撤销")
	wantText(t, c.Get(t, "/me/tokens"), "令牌已撤销", "已撤销", "本人撤销")
	// Another user cannot revoke it (nor learn it exists): the same "not found" answer.
	res = env.Login(t, "chief").PostForm(t, "/me/tokens/revoke", url.Values{"token": {id[1]}})
	wantStatus(t, res, http.StatusSeeOther, "/me/tokens")
	for _, a := range []audit.Action{audit.TokenCreated, audit.TokenRevoked, audit.TokenFirstUsed} {
		rows, _, err := audit.List(t.Context(), env.DB, env.Actor("auditor"), audit.Filter{Action: a})
		if err != nil || len(rows) != 1 {
			t.Errorf("%s: %d records, %v", a, len(rows), err)
		}
	}
}

func TestAPITokenPage_AdministratorsHoldNoTokens(t *testing.T) {
	env := newAPIEnv(t)
	for _, name := range []string{"sysadmin", "secadmin", "auditor"} {
		c := env.Login(t, name)
		wantText(t, c.Get(t, "/me"), "管理员账号不能使用接口令牌")
		wantText(t, c.Get(t, "/me/tokens"), "您的账号是管理员账号，不能创建接口令牌")
		res := c.PostForm(t, "/me/tokens", url.Values{"name": {"对接"}, "days": {"30"}, "password": {webtest.Password}})
		wantStatus(t, res, http.StatusForbidden, "")
	}
}

func TestAPITokenPage_TenLiveTokensAtMost(t *testing.T) {
	env := newAPIEnv(t)
	for range account.MaxLiveTokens {
		apiToken(t, env.Env, "staff")
	}
	c := env.Login(t, "staff")
	wantText(t, c.Get(t, "/me/tokens"), "达到上限 10 个")
	res := c.PostForm(t, "/me/tokens", url.Values{"name": {"第十一个"}, "days": {"30"}, "password": {webtest.Password}})
	wantStatus(t, res, http.StatusUnprocessableEntity, "")
	wantText(t, res, "最多同时持有 10 个有效令牌")
}

func TestAPITokenPage_WrongPasswordsLockTheAccount(t *testing.T) {
	env := newAPIEnv(t)
	c := env.Login(t, "staff")
	var res *webtest.Response
	for range 5 {
		res = c.PostForm(t, "/me/tokens", url.Values{"name": {"对接"}, "days": {"30"}, "password": {"wrong"}})
	}
	wantStatus(t, res, http.StatusSeeOther, "/login")
	if res := c.Get(t, "/me/tokens"); res.Status != http.StatusSeeOther {
		t.Errorf("session still alive after lockout: %d", res.Status)
	}
}

// The API's permission matrix, like TestPermissionMatrix for the pages:
// every API route × every project role × a target project in the role's own
// unit, a child, a sibling and another town. The expectations are the page
// matrix's (prjViews, prjEdits), written out, not derived from the policy.
// The three administrators can hold no token at all
// (TestAPITokenPage_AdministratorsHoldNoTokens, account.TestAuthenticate_Refusals).

type apiRoute struct {
	method, path string // {project}, {milestone}
	body         func(m *matrix, tg target) any
	// fresh makes a milestone just for this request (for DELETE).
	fresh   bool
	allowed []auth.Role
	scoped  bool
	// pathFor, when set, builds the request path for a target (creating
	// whatever record the route acts on); path is then the registered pattern.
	pathFor func(m *matrix, tg target) string
}

// apiMatrixAreas adds the API routes of later areas, as matrixAreas does
// for the pages: each area's test file appends its function in an init.
var apiMatrixAreas []func() []apiRoute

func apiRoutesUnderTest() []apiRoute {
	rows := projectAPIRoutes()
	for _, area := range apiMatrixAreas {
		rows = append(rows, area()...)
	}
	return rows
}

func projectAPIRoutes() []apiRoute {
	return []apiRoute{
		{method: "GET", path: "/api/v1/projects", allowed: prjViews},
		{method: "POST", path: "/api/v1/projects", allowed: prjEdits, scoped: true, body: func(m *matrix, tg target) any {
			return map[string]any{"name": m.unique("接口新项目"), "category_id": 1, "unit_id": tg.unit.ID}
		}},
		{method: "GET", path: "/api/v1/projects/{project}", allowed: prjViews, scoped: true},
		{method: "PATCH", path: "/api/v1/projects/{project}", allowed: prjEdits, scoped: true, body: func(m *matrix, tg target) any {
			return map[string]any{"description": m.unique("接口修改")}
		}},
		{method: "POST", path: "/api/v1/projects/{project}/stage", allowed: prjEdits, scoped: true, body: func(*matrix, target) any {
			return map[string]any{"stage": "negotiating"}
		}},
		{method: "GET", path: "/api/v1/projects/{project}/milestones", allowed: prjViews, scoped: true},
		{method: "POST", path: "/api/v1/projects/{project}/milestones", allowed: prjEdits, scoped: true, body: func(m *matrix, tg target) any {
			return map[string]any{"name": m.unique("接口节点"), "planned": "2026-06-30"}
		}},
		{method: "PATCH", path: "/api/v1/projects/{project}/milestones/{milestone}", allowed: prjEdits, scoped: true, body: func(*matrix, target) any {
			return map[string]any{"actual": "2026-03-10"}
		}},
		{method: "DELETE", path: "/api/v1/projects/{project}/milestones/{milestone}", allowed: prjEdits, scoped: true, fresh: true},
	}
}

// addMilestone gives the target project one more milestone (as the system) and returns its id.
func addMilestone(t *testing.T, m *matrix, p *project.Project, name string) int64 {
	t.Helper()
	var id int64
	m.env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		cur, err := project.Get(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		in := project.InputOf(cur, 2026)
		in.Milestones = append(in.Milestones, project.MilestoneInput{Name: name, Planned: "2026-05-01"})
		after, err := project.Update(ctx, tx, auth.SystemActor("test"), p.ID, in)
		if err != nil {
			return err
		}
		id = after.Milestones[len(after.Milestones)-1].ID
		return nil
	})
	return id
}

func TestAPIPermissionMatrix(t *testing.T) {
	m := newMatrix(t)
	projectRoles := []auth.Role{auth.Chief, auth.Leader, auth.Supervisor, auth.Staff, auth.Viewer}
	clients := map[auth.Role]*apiClient{}
	for _, role := range projectRoles {
		clients[role] = newAPIClient(m.env, apiToken(t, m.env, "m_"+string(role)))
	}
	milestones := map[placement]int64{}
	for _, p := range []placement{own, child, sibling, other} {
		milestones[p] = addMilestone(t, m, m.targets[p].project, "矩阵节点")
	}
	covered := map[string]bool{}
	for _, rt := range apiRoutesUnderTest() {
		covered[rt.method+" "+rt.path] = true
		places := []placement{own}
		if rt.scoped {
			places = []placement{own, child, sibling, other}
		}
		for _, p := range places {
			tg := m.targets[p]
			for _, role := range projectRoles {
				mid := milestones[p]
				if rt.fresh {
					mid = addMilestone(t, m, tg.project, m.unique("待删节点"))
				}
				path := strings.NewReplacer("{project}", fmt.Sprint(tg.project.ID), "{milestone}", fmt.Sprint(mid)).Replace(rt.path)
				if rt.pathFor != nil {
					path = rt.pathFor(m, tg)
				}
				var body any
				if rt.body != nil {
					body = rt.body(m, tg)
				}
				res := clients[role].send(t, rt.method, path, body)
				want := slices.Contains(rt.allowed, role) && (!rt.scoped || p == own || p == child)
				var got bool
				switch res.Status {
				case http.StatusOK, http.StatusCreated, http.StatusNoContent, http.StatusUnprocessableEntity, http.StatusConflict:
					got = true
				case http.StatusForbidden, http.StatusNotFound:
					got = false
				default:
					t.Errorf("%s %s as %s on %s: unexpected %d %s", rt.method, rt.path, role, p, res.Status, res.Body)
					continue
				}
				if got != want {
					t.Errorf("%s %s as %s on %s target: allowed = %v, want %v (%d %s)", rt.method, rt.path, role, p, got, want, res.Status, res.Body)
				}
			}
		}
	}
	// The list holds exactly the targets in the role's view: own and child, never sibling or other.
	for _, role := range projectRoles {
		var list apiListJSON
		clients[role].get(t, "/api/v1/projects?per_page=5000").decode(t, http.StatusOK, &list)
		seen := map[int64]bool{}
		for _, x := range list.Items {
			seen[x.ID] = true
		}
		for p, tg := range m.targets {
			if want := p == own || p == child; seen[tg.project.ID] != want {
				t.Errorf("list as %s: %s target listed = %v, want %v", role, p, seen[tg.project.ID], want)
			}
		}
	}
	// The matrix must name every API route the server has.
	for _, r := range m.env.Server.APIRoutes() {
		if covered[r] { // a later area's row names its registered pattern
			continue
		}
		r = strings.NewReplacer("{id}", "{project}", "{mid}", "{milestone}").Replace(r)
		if !covered[r] {
			t.Errorf("API route %s is not in the API permission matrix", r)
		}
	}
}

// FuzzAPIProjectBody sends arbitrary bodies to POST /api/v1/projects and
// PATCH /api/v1/projects/{id}: whatever arrives, the answer is a JSON
// document with a 2xx or 4xx status, never a 500 or a panic.
func FuzzAPIProjectBody(f *testing.F) {
	env := newAPIEnv(f)
	staff := env.as("staff")
	var p apiProjectJSON
	staff.send(f, "POST", "/api/v1/projects", newProjectBody(env.Env, "模糊测试项目")).decode(f, http.StatusCreated, &p)
	one := fmt.Sprintf("/api/v1/projects/%d", p.ID)
	seed, _ := json.Marshal(newProjectBody(env.Env, "种子项目"))
	for _, s := range []string{string(seed), `{}`, `null`, `[]`, `""`, `{"name":1}`, `{"name":"x","category_id":1,"unit_id":4}`,
		`{"total_invest_wan":"1e309"}`, `{"total_invest_yuan":9223372036854775807,"plan_invest_wan":"-0"}`,
		`{"milestones":[{"id":-1,"name":"a","planned":"2026-02-29"}]}`, `{"milestones":[1,2]}`, `{"targets":null,"co_unit_ids":[0,-5]}`,
		`{"land_area_mu":"99999999999.99"}`, `{"plan_year":99999999999,"plan_invest_yuan":1}`, `{"name":"\ud800"}`,
		`{"stage":"stalled","stage_since":"2030-01-01"}`, `{"a":{"b":[` + strings.Repeat("[", 100) + `}`, `{"name":"x"} trailing`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, req := range []struct{ method, path string }{{"POST", "/api/v1/projects"}, {"PATCH", one}, {"POST", one + "/milestones"}} {
			res := staff.send(t, req.method, req.path, string(body))
			if res.Status >= 500 || res.Status < 200 {
				t.Fatalf("%s %s %q: %d %s", req.method, req.path, body, res.Status, res.Body)
			}
			if !json.Valid(res.Body) {
				t.Fatalf("%s %s %q: answer is not JSON: %s", req.method, req.path, body, res.Body)
			}
		}
	})
}
