package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"guatu/account"
	"guatu/apperr"
)

// The JSON API (/api/v1): the same domain functions and the same policy as
// the pages, for integrations (a county platform, a spreadsheet macro).
//
// It authenticates with personal API tokens only (Authorization: Bearer
// gt_…, made on 我的 → 接口令牌) and never reads the session cookie, so a
// page in the browser cannot be made to call it with the user's session:
// there is no CSRF surface, and the CSRF middleware skips exactly the paths
// isAPIPath names. Errors are {"error": {"code", "message", "fields"}},
// mapped from the apperr kinds in one place, apiFail.

// maxAPIBody bounds a request body; a project with a hundred milestones is
// far below it.
const maxAPIBody = 1 << 20

// isAPIPath reports whether the request is for the API: the cleaned path
// lies under /api/. Such requests get no session (loadSession) and no CSRF
// check (csrf); a path that only looks like the API before cleaning
// ("/api/../projects") is not one.
func isAPIPath(r *http.Request) bool {
	return strings.HasPrefix(path.Clean(r.URL.Path)+"/", "/api/")
}

// apiHandlerFunc is an API handler that returns its error to apiFail.
type apiHandlerFunc func(w http.ResponseWriter, r *http.Request) error

// apiMux registers API routes, remembers their patterns (for the tests that
// check every route is in the permission matrix) and the methods of each
// path (for a JSON 405 with Allow).
type apiMux struct {
	s        *Server
	mux      *http.ServeMux
	patterns []string
	methods  map[string][]string // path → methods
}

func (s *Server) newAPIMux() *apiMux {
	return &apiMux{s: s, mux: http.NewServeMux(), methods: map[string][]string{}}
}

func (m *apiMux) handle(method, pattern string, fn apiHandlerFunc) {
	m.mux.Handle(method+" "+pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			m.s.apiFail(w, r, err)
		}
	}))
	m.patterns = append(m.patterns, method+" "+pattern)
	if _, ok := m.methods[pattern]; !ok {
		// Any other method on a known path: 405 in JSON, naming the allowed ones.
		m.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			allowed := m.methods[pattern]
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			m.s.apiFail(w, r, &apiError{status: http.StatusMethodNotAllowed, code: "method_not_allowed",
				msg: "该地址不支持 " + r.Method + " 方法，可用：" + strings.Join(allowed, "、")})
		}))
	}
	m.methods[pattern] = append(m.methods[pattern], method)
}

// handler is the API behind its token check; unknown paths are a JSON 404.
func (m *apiMux) handler() http.Handler {
	m.mux.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.s.apiFail(w, r, apperr.NotFoundf("接口地址不存在"))
	}))
	return m.s.requireToken(m.mux)
}

// requireToken authenticates every API request by its bearer token and
// builds the actor exactly as a session does (account.User.Actor), so the
// API can never do more than the pages. Refused tokens count against the
// client address like failed sign-ins (account.Throttle). A panic becomes a
// JSON 500 here, before the page middleware's HTML one.
func (s *Server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "request_id", state(r).requestID, "panic", p, "stack", string(debug.Stack()))
				s.apiFail(w, r, fmt.Errorf("panic: %v", p))
			}
		}()
		st := state(r)
		secret, ok := bearerToken(r)
		if !ok {
			s.apiFail(w, r, apperr.Unauthorizedf("请在请求头中提供接口令牌：Authorization: Bearer gt_…（在“我的 → 接口令牌”中创建）"))
			return
		}
		if !s.throttle.Take(st.ip, st.security.IPThrottlePerWindow, s.db.Now()) {
			w.Header().Set("Retry-After", "900")
			s.apiFail(w, r, &apiError{status: http.StatusTooManyRequests, code: "too_many_requests", msg: account.ErrThrottled.Error()})
			return
		}
		u, t, err := account.Authenticate(r.Context(), s.db, st.security, secret, st.ip, st.requestID)
		if err != nil {
			switch apperr.KindOf(err) {
			case apperr.Unauthorized:
				w.Header().Set("WWW-Authenticate", `Bearer realm="guatu", error="invalid_token"`)
			case apperr.Internal:
				s.throttle.Refund(st.ip) // our failure, not the client's
			}
			s.apiFail(w, r, err)
			return
		}
		s.throttle.Refund(st.ip)
		st.user = u
		st.actor = u.Actor(st.ip, st.requestID, account.TokenOrigin(t.ID))
		next.ServeHTTP(w, r)
	})
}

// bearerToken reads "Authorization: Bearer <token>" (the scheme in any case).
// A token is never read from the query string: URLs end up in logs.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// apiError is an error only the API has (a malformed body, a wrong method):
// the apperr kinds cover the rest.
type apiError struct {
	status int
	code   string
	msg    string
	fields map[string]string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

// badRequest is a 400 naming what is wrong with the request.
func badRequest(msg string, fields map[string]string) error {
	return &apiError{status: http.StatusBadRequest, code: "bad_request", msg: msg, fields: fields}
}

// apiErrorBody is the one shape of every API error.
type apiErrorBody struct {
	Error apiErrorDetail `json:"error"`
}

type apiErrorDetail struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id"`
}

// apiFail is where every API error ends, as s.fail is for pages: the kind
// decides the status and code; internal errors are logged with the request
// id and shown only as it.
func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	st := state(r)
	d := apiErrorDetail{RequestID: st.requestID}
	status := http.StatusInternalServerError
	var ae *apiError
	if errors.As(err, &ae) {
		status, d.Code, d.Message, d.Fields = ae.status, ae.code, ae.msg, ae.fields
	} else {
		e, _ := apperr.As(err)
		switch apperr.KindOf(err) {
		case apperr.Invalid:
			status, d.Code = http.StatusUnprocessableEntity, "invalid"
		case apperr.NotFound:
			status, d.Code = http.StatusNotFound, "not_found"
		case apperr.Forbidden:
			status, d.Code = http.StatusForbidden, "forbidden"
		case apperr.Conflict:
			status, d.Code = http.StatusConflict, "conflict"
		case apperr.Unauthorized:
			status, d.Code = http.StatusUnauthorized, "unauthenticated"
		}
		if e != nil && status != http.StatusInternalServerError {
			d.Message, d.Fields = e.Msg, e.Fields
		}
	}
	switch status {
	case http.StatusInternalServerError:
		s.log.Error("api request failed", "request_id", st.requestID, "method", r.Method, "path", r.URL.Path, "err", err)
		d.Code, d.Message = "internal", "系统出错了，请联系管理员并提供请求编号 "+st.requestID
	case http.StatusUnauthorized:
		if w.Header().Get("WWW-Authenticate") == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="guatu"`)
		}
	case http.StatusForbidden, http.StatusNotFound:
		s.log.Info("request refused", "request_id", st.requestID, "path", r.URL.Path, "status", status, "user", st.actor.Username)
	}
	s.writeJSON(w, r, status, apiErrorBody{Error: d})
}

// writeJSON encodes v into a buffer first, so an encoding error becomes a
// clean 500 rather than half a document.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		s.log.Error("api encode", "request_id", state(r).requestID, "err", err)
		buf.Reset()
		status = http.StatusInternalServerError
		fmt.Fprintf(&buf, `{"error":{"code":"internal","message":"系统出错了","request_id":%q}}`+"\n", state(r).requestID)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	buf.WriteTo(w) // a write error means the client went away
	return nil
}

// readJSONObject reads the body of a POST or PATCH: it must be declared as
// JSON, fit in maxAPIBody and hold exactly one JSON object.
func readJSONObject(w http.ResponseWriter, r *http.Request) (*jsonObject, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, &apiError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
			msg: "请求体须为 JSON，并带请求头 Content-Type: application/json"}
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &apiError{status: http.StatusRequestEntityTooLarge, code: "too_large",
			msg: fmt.Sprintf("请求体不能超过 %d KB", maxAPIBody/1024)}
	}
	if err != nil {
		return nil, badRequest("读取请求体失败", nil)
	}
	return parseJSONObject(data)
}

// parseJSONObject reads data as one JSON object. It is pure, for the fuzz test.
func parseJSONObject(data []byte) (*jsonObject, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, badRequest("请求体为空，应为一个 JSON 对象", nil)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var members map[string]json.RawMessage
	err := dec.Decode(&members)
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return nil, badRequest(fmt.Sprintf("请求体不是有效的 JSON（第 %d 个字节附近有误）", syntax.Offset), nil)
	case err != nil || members == nil:
		return nil, badRequest("请求体不是有效的 JSON 对象", nil)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badRequest("请求体只能是一个 JSON 对象，其后不能再有内容", nil)
	}
	return &jsonObject{members: members, bad: map[string]string{}}, nil
}

// jsonObject reads the members of a request object one by one, each into
// the string form the domain's Input takes, and collects every member that
// is unknown or of the wrong type (named by its path, e.g.
// "milestones.2.planned") for one 400 answer. It never matches error text.
type jsonObject struct {
	members map[string]json.RawMessage
	prefix  string            // "milestones.2." inside an array
	bad     map[string]string // shared with nested objects
}

func (o *jsonObject) has(k string) bool { _, ok := o.members[k]; return ok }

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func (o *jsonObject) fail(k, msg string) { o.bad[o.prefix+k] = msg }

// only refuses members outside known; readOnly ones get their own message.
func (o *jsonObject) only(known []string, readOnly []string, refused map[string]string) {
	for k := range o.members {
		switch {
		case refused[k] != "":
			o.fail(k, refused[k])
		case slices.Contains(readOnly, k):
			o.fail(k, "只读字段，不能写入")
		case !slices.Contains(known, k):
			o.fail(k, "未知字段")
		}
	}
}

// text reads a string member; null clears it. NUL characters are refused
// (PostgreSQL cannot store them in text).
func (o *jsonObject) text(k string) (string, bool) {
	raw, ok := o.members[k]
	if !ok || isNull(raw) {
		return "", ok
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		o.fail(k, "应为文本（字符串）")
		return "", false
	}
	if strings.ContainsRune(s, 0) {
		o.fail(k, "不能包含空字符（\\u0000）")
		return "", false
	}
	return s, true
}

// integer reads an integer member as its decimal text; null gives "".
func (o *jsonObject) integer(k string) (string, bool) {
	raw, ok := o.members[k]
	if !ok || isNull(raw) {
		return "", ok
	}
	var n int64
	if json.Unmarshal(raw, &n) != nil {
		o.fail(k, "应为整数")
		return "", false
	}
	return strconv.FormatInt(n, 10), true
}

// boolean reads true or false; null is false.
func (o *jsonObject) boolean(k string) (bool, bool) {
	raw, ok := o.members[k]
	if !ok || isNull(raw) {
		return false, ok
	}
	var b bool
	if json.Unmarshal(raw, &b) != nil {
		o.fail(k, "应为 true 或 false")
		return false, false
	}
	return b, true
}

// decimal reads a number written as a JSON number or a string ("1200.5"),
// returned as typed; the domain parses it exactly (no float).
func (o *jsonObject) decimal(k string) (string, bool) {
	raw, ok := o.members[k]
	if !ok || isNull(raw) {
		return "", ok
	}
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		o.fail(k, "应为数字")
		return "", false
	}
	return n.String(), true
}

// integers reads an array of integers.
func (o *jsonObject) integers(k string) ([]string, bool) {
	raw, ok := o.members[k]
	if !ok || isNull(raw) {
		return nil, ok
	}
	var ns []int64
	if json.Unmarshal(raw, &ns) != nil {
		o.fail(k, "应为整数数组")
		return nil, false
	}
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strconv.FormatInt(n, 10)
	}
	return out, true
}

// objects reads an array of objects; null is an empty array.
func (o *jsonObject) objects(k string) ([]*jsonObject, bool) {
	raw, ok := o.members[k]
	if !ok || isNull(raw) {
		return nil, ok
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		o.fail(k, "应为对象数组")
		return nil, false
	}
	out := make([]*jsonObject, 0, len(items))
	for i, item := range items {
		var members map[string]json.RawMessage
		if json.Unmarshal(item, &members) != nil || members == nil {
			o.fail(fmt.Sprintf("%s.%d", k, i), "应为对象")
			continue
		}
		out = append(out, &jsonObject{members: members, prefix: fmt.Sprintf("%s%s.%d.", o.prefix, k, i), bad: o.bad})
	}
	return out, true
}

// err is the 400 for every member refused so far.
func (o *jsonObject) err() error {
	if len(o.bad) == 0 {
		return nil
	}
	return badRequest("请求体中有未知字段或类型不对的字段", o.bad)
}

// queryParams checks a query string against the parameters a route knows:
// a misspelt filter is an error, not a silently wider answer.
func queryParams(r *http.Request, known ...string) error {
	if bad := unknownParams(r, known...); len(bad) > 0 {
		return badRequest("查询参数有误", bad)
	}
	return nil
}

// unknownParams names the parameters outside known, and any given twice.
func unknownParams(r *http.Request, known ...string) map[string]string {
	bad := map[string]string{}
	for k, v := range r.URL.Query() {
		switch {
		case !slices.Contains(known, k):
			bad[k] = "未知参数"
		case len(v) > 1:
			bad[k] = "参数重复"
		}
	}
	return bad
}

// timeOrNull is an instant for JSON: null when unset.
func timeOrNull(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// apiPaging reads ?page= and ?per_page= of a list, adding a message to bad
// for each that is out of range.
func apiPaging(q url.Values, bad map[string]string) (page, perPage int) {
	page, perPage = 1, apiDefaultPerPage
	var err error
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 || page > 1_000_000 {
			bad["page"] = "应为 1 到 1000000 的整数"
		}
	}
	if v := q.Get("per_page"); v != "" {
		if perPage, err = strconv.Atoi(v); err != nil || perPage < 1 || perPage > apiMaxPerPage {
			bad["per_page"] = fmt.Sprintf("应为 1 到 %d 的整数", apiMaxPerPage)
		}
	}
	return page, perPage
}
