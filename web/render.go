package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"guatu/account"
	"guatu/apperr"
	"guatu/auth"
	"guatu/notify"
	"guatu/project"
)

// Base is what every page carries: who is signed in, the navigation, the
// CSRF token for forms, the flash message and the title.
type Base struct {
	Title     string
	Active    string // the navigation key to highlight
	User      *account.User
	Actor     auth.Actor
	CSRF      string
	Flash     string
	FlashErr  bool
	Nav       []NavItem
	RequestID string
	Demo      bool
	Version   string
	Gated     bool // the user must change password or enrol TOTP first: no navigation
	Unread    int  // unread notices in the user's inbox: the badge on 消息
}

// option is one choice of a select.
type option struct {
	Value, Label string
}

// pager is the data of the "pager" partial.
type pager struct {
	Page, Pages, Total int
	Prev, Next         string
}

// newPager builds the pager of a list of total rows shown perPage at a
// time; link gives the address of page n.
func newPager(page, total, perPage int, link func(n int) string) pager {
	return pager{Page: page, Pages: (total + perPage - 1) / perPage, Total: total, Prev: link(page - 1), Next: link(page + 1)}
}

// pageParam reads ?page=, at least 1 and bounded so an offset cannot overflow.
func pageParam(r *http.Request) int {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	return min(max(page, 1), 1_000_000)
}

// NavItem is one entry of the left navigation.
type NavItem struct {
	Key, Label, Href, Icon string
}

// base builds the Base for a request.
func (s *Server) base(r *http.Request, title, active string) Base {
	st := state(r)
	b := Base{Title: title, Active: active, CSRF: st.csrf, RequestID: st.requestID, Demo: s.demo, Version: s.version}
	if st.user != nil {
		b.User = st.user
		b.Actor = st.actor
		b.Gated = st.gate != account.GateNone
		if !b.Gated {
			b.Nav = navFor(st.actor)
			n, err := notify.UnreadCount(r.Context(), s.db, st.actor)
			if err != nil {
				// The badge is a convenience: the page is still worth showing without it.
				s.log.Warn("unread count", "request_id", st.requestID, "err", err)
			}
			b.Unread = n
		}
	}
	b.Flash, b.FlashErr = st.flash, st.flashErr
	return b
}

// navFor lists only what the actor can open: no dead links.
func navFor(a auth.Actor) []NavItem {
	var nav []NavItem
	add := func(act auth.Action, it NavItem) {
		if auth.CanAnywhere(a, act) {
			nav = append(nav, it)
		}
	}
	add(auth.ViewDashboard, NavItem{"home", "工作台", "/", "home"})
	nav = append(nav, NavItem{"inbox", "消息", "/inbox", "bell"}) // everyone has an inbox
	add(auth.ViewProject, NavItem{"battlemap", "挂图作战", "/battlemap", "battlemap"})
	add(auth.ViewProject, NavItem{"projects", "项目台账", "/projects", "projects"})
	add(auth.ViewReport, NavItem{"reports", "月报调度", "/reports", "calendar"})
	add(auth.ViewReport, NavItem{"meetings", "调度会", "/meetings", "people"})
	add(auth.ReadBulletin, NavItem{"bulletins", "季度通报", "/bulletins", "bulletin"})
	add(auth.ViewProblem, NavItem{"problems", "问题督办", "/problems", "audit"})
	add(auth.ViewInstr, NavItem{"instructions", "领导批示", "/instructions", "audit"})
	add(auth.ProjectRules, NavItem{"project-settings", "项目设置", "/settings/projects", "sliders"})
	add(auth.ManageChannels, NavItem{"robots", "群机器人", "/settings/robots", "robot"})
	add(auth.ViewOrg, NavItem{"org", "组织机构", "/org", "org"})
	add(auth.ViewOrg, NavItem{"people", "人员", "/org/people", "people"})
	add(auth.ViewAccounts, NavItem{"users", "账号与角色", "/admin/users", "users"})
	add(auth.ManageSecurity, NavItem{"security", "安全设置", "/admin/security", "shield"})
	add(auth.EditCalendar, NavItem{"holidays", "节假日安排", "/admin/holidays", "calendar"})
	add(auth.ViewAudit, NavItem{"audit", "审计日志", "/audit", "audit"})
	nav = append(nav, NavItem{"me", "我的", "/me", "me"})
	return nav
}

func (s *Server) funcs(assets map[string]string) template.FuncMap {
	return template.FuncMap{
		"asset": func(p string) string { return "/static/" + p + "?v=" + assets[p] },
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(s.loc).Format("2006-01-02 15:04")
		},
		"datetimeSec": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(s.loc).Format("2006-01-02 15:04:05")
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(s.loc).Format("2006-01-02")
		},
		"add":    func(a, b int) int { return a + b },
		"sub":    func(a, b int) int { return a - b },
		"indent": func(depth int) int { return depth * 20 },
		"itoa":   func(i int64) string { return strconv.FormatInt(i, 10) },
		"query": func(kv ...string) template.URL {
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] != "" {
					v.Set(kv[i], kv[i+1])
				}
			}
			if len(v) == 0 {
				return ""
			}
			return template.URL("?" + v.Encode()) //security:allow-html: built from url.Values, which escapes
		},
		"roleLabel": func(r auth.Role) string { return r.Label() },
		// fieldKey names a numbered form field: milestones.0.name.
		"fieldKey": func(group string, i int, field string) string { return fmt.Sprintf("%s.%d.%s", group, i, field) },
		"wan":      project.Wan,
		"ymd":      project.FormatDate,
		"weekday": func(t time.Time) string {
			return [...]string{"日", "一", "二", "三", "四", "五", "六"}[t.Weekday()]
		},
		"can": func(a auth.Actor, act string, path string) bool {
			return auth.Can(a, auth.Action(act), path)
		},
		"canAny":      func(a auth.Actor, act string) bool { return auth.CanAnywhere(a, auth.Action(act)) },
		"decideOn":    decideOn,
		"agendaRows":  agendaRows,
		"problemRows": problemRows,
	}
}

// render writes a page: executed into a buffer first, so a template error
// becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) error {
	t, err := s.page(page)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w) // a write error means the client went away
	return nil
}

// errorPage is the data of the 403/404/409/500 pages.
type errorPage struct {
	Base
	Status  int
	Heading string
	Message string
}

// fail is where every handler error ends: user errors get their page and
// message, anything else is logged with the request id and shown only as it.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	st := state(r)
	ae, _ := apperr.As(err)
	kind := apperr.KindOf(err)
	status, heading, msg := http.StatusInternalServerError, "系统出错了", ""
	switch kind {
	case apperr.Unauthorized:
		s.clearSessionCookie(w, r)
		s.setFlash(w, r, ae.Msg, true)
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	case apperr.NotFound:
		status, heading, msg = http.StatusNotFound, "找不到该页面", ae.Msg
	case apperr.Forbidden:
		status, heading, msg = http.StatusForbidden, "没有权限", ae.Msg
	case apperr.Conflict:
		status, heading, msg = http.StatusConflict, "操作未完成", ae.Msg
	case apperr.Invalid:
		status, heading, msg = http.StatusUnprocessableEntity, "填写有误", ae.Msg
	default:
		s.log.Error("request failed", "request_id", st.requestID, "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusForbidden || status == http.StatusNotFound {
		s.log.Info("request refused", "request_id", st.requestID, "path", r.URL.Path, "status", status, "user", st.actor.Username)
	}
	data := errorPage{Base: s.base(r, heading, ""), Status: status, Heading: heading, Message: msg}
	if rerr := s.render(w, r, status, "error", data); rerr != nil {
		s.log.Error("error page failed", "request_id", st.requestID, "err", rerr)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "%s（请求编号 %s）\n", heading, st.requestID)
	}
}

// notFound is the 404 for unknown paths.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, apperr.NotFoundf("您访问的地址不存在，请从左侧导航进入"))
}

// handlerFunc is a handler that returns its error to s.fail.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) h(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// redirect finishes a successful POST: flash, then 303 See Other (Post/Redirect/Get).
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, to, flash string) error {
	if flash != "" {
		s.setFlash(w, r, flash, false)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// invalid reports whether err is a form error to re-render, returning its fields.
func invalid(err error) (map[string]string, string, bool) {
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.Invalid {
		return nil, "", false
	}
	msg := ae.Msg
	if len(ae.Fields) > 0 {
		msg = "请按提示修改标红的内容"
	}
	return ae.Fields, msg, true
}

// pathID reads a numeric id from the path; a malformed one is a 404.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("记录不存在")
	}
	return id, nil
}

// attachment sets the headers of a download: its type, no caching, and its
// name — an ASCII fallback for old clients, then the Chinese name as
// filename* (RFC 6266, RFC 5987).
func attachment(w http.ResponseWriter, contentType, fallback, name string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", `attachment; filename="`+fallback+`"; filename*=UTF-8''`+rfc5987(name))
	h.Set("Cache-Control", "no-store")
}

// rfc5987 percent-encodes a filename for Content-Disposition's filename*.
func rfc5987(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
