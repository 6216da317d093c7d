package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"guatu/apperr"
	"guatu/audit"
	"guatu/db"
)

// The audit trail pages of the audit administrator: the filtered list with
// the chain's integrity at the top, and the CSV export (itself audited).
// audit.List refuses everyone else.

// auditPageSize is the rows per page of the audit list.
const auditPageSize = 50

// auditObjectTypes names the object types recorded so far, for the filter.
var auditObjectTypes = []option{
	{"user", "账号"}, {"unit", "单位"}, {"person", "人员"}, {"settings", "设置"}, {"audit", "审计日志"},
	{"instruction", "批示"},
}

func objectTypeLabel(t string) string {
	for _, o := range auditObjectTypes {
		if o.Value == t {
			return o.Label
		}
	}
	return t
}

func outcomeLabel(o string) string {
	if o == audit.Failure {
		return "失败"
	}
	return "成功"
}

// auditQuery is the filter as typed in the query string.
type auditQuery struct {
	From, To, User, Action, ObjectType, ObjectID, Outcome string
}

// values is the filter as a query string (empty fields left out).
func (q auditQuery) values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"from", q.From}, {"to", q.To}, {"user", q.User}, {"action", q.Action},
		{"object_type", q.ObjectType}, {"object_id", q.ObjectID}, {"outcome", q.Outcome}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// describe is the filter in words, for the export's own audit record.
func (q auditQuery) describe() string {
	var parts []string
	add := func(label, v string) {
		if v != "" {
			parts = append(parts, label+" "+v)
		}
	}
	add("起始日期", q.From)
	add("截止日期", q.To)
	add("用户", q.User)
	if q.Action != "" {
		add("操作", audit.Action(q.Action).Label())
	}
	if q.ObjectType != "" {
		add("对象类型", objectTypeLabel(q.ObjectType))
	}
	add("对象编号", q.ObjectID)
	if q.Outcome != "" {
		add("结果", outcomeLabel(q.Outcome))
	}
	if len(parts) == 0 {
		return "全部记录"
	}
	return strings.Join(parts, "，")
}

// parseAuditQuery reads the filter. Dates are calendar days in the
// deployment's zone (Asia/Shanghai), and the end day is included whole.
// A malformed value is reported and left out of the filter.
func parseAuditQuery(v url.Values, loc *time.Location) (auditQuery, audit.Filter, map[string]string) {
	q := auditQuery{
		From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to")), User: strings.TrimSpace(v.Get("user")),
		Action: strings.TrimSpace(v.Get("action")), ObjectType: strings.TrimSpace(v.Get("object_type")),
		ObjectID: strings.TrimSpace(v.Get("object_id")), Outcome: strings.TrimSpace(v.Get("outcome")),
	}
	var f audit.Filter
	errs := map[string]string{}
	day := func(field, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", s, loc)
		if err != nil {
			errs[field] = "日期格式应为 2026-03-15"
		}
		return t
	}
	f.From = day("from", q.From)
	if to := day("to", q.To); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		errs["to"] = "截止日期不能早于起始日期"
		f.To = time.Time{}
	}
	f.User = q.User
	f.Action = audit.Action(q.Action)
	f.ObjectType = q.ObjectType
	if q.ObjectID != "" {
		id, err := strconv.ParseInt(q.ObjectID, 10, 64)
		if err != nil || id <= 0 {
			errs["object_id"] = "对象编号应为正整数"
		} else {
			f.ObjectID = id
		}
	}
	switch q.Outcome {
	case "", "success", audit.Failure:
		f.Outcome = q.Outcome
	default:
		q.Outcome = ""
	}
	return q, f, errs
}

// auditChange is one field of a record's before/after detail.
type auditChange struct {
	Field, Before, After string
	Changed              bool
}

// auditRow is a record as the page shows it.
type auditRow struct {
	audit.Row
	ActionLabel string
	TypeLabel   string
	Failed      bool
	Changes     []auditChange // when before/after are objects: field by field
	Before      string        // otherwise: indented JSON
	After       string
	Note        string
}

// HasDetail reports whether the row has anything to show under 详情.
func (r auditRow) HasDetail() bool {
	return len(r.Changes) > 0 || r.Before != "" || r.After != "" || r.Note != ""
}

// readable turns a stored JSON value into text for a person: strings as
// they are, booleans as 是/否, lists joined with 、.
func readable(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		if x == "" {
			return "（空）"
		}
		return x
	case bool:
		if x {
			return "是"
		}
		return "否"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		if len(x) == 0 {
			return "（无）"
		}
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = readable(e)
		}
		return strings.Join(parts, "、")
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func prettyJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}

// newAuditRow decodes a record's detail. Objects on both sides (or one)
// become a field table with the changed fields marked; anything else is
// shown as indented JSON.
func newAuditRow(r audit.Row, labels map[string]string) auditRow {
	out := auditRow{Row: r, ActionLabel: r.Action.Label(), TypeLabel: objectTypeLabel(r.ObjectType), Failed: r.Outcome == audit.Failure}
	d := r.Decoded()
	out.Note = d.Note
	var before, after map[string]any
	okB := len(d.Before) == 0 || json.Unmarshal(d.Before, &before) == nil
	okA := len(d.After) == 0 || json.Unmarshal(d.After, &after) == nil
	if !okB || !okA || (before == nil && after == nil) {
		out.Before, out.After = prettyJSON(d.Before), prettyJSON(d.After)
		return out
	}
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		c := auditChange{Field: k}
		if l, ok := labels[k]; ok {
			c.Field = l
		}
		bv, inB := before[k]
		av, inA := after[k]
		if before != nil && inB {
			c.Before = readable(bv)
		}
		if after != nil && inA {
			c.After = readable(av)
		}
		c.Changed = before != nil && after != nil && c.Before != c.After
		out.Changes = append(out.Changes, c)
	}
	// What changed is what the auditor looks for: it comes first.
	sort.SliceStable(out.Changes, func(i, j int) bool { return out.Changes[i].Changed && !out.Changes[j].Changed })
	return out
}

func newAuditPager(q auditQuery, page, total int) pager {
	return newPager(page, total, auditPageSize, func(n int) string {
		v := q.values()
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return "/audit"
		}
		return "/audit?" + v.Encode()
	})
}

type auditPage struct {
	Base
	Q           auditQuery
	Errors      map[string]string
	Actions     []option
	ObjectTypes []option
	Rows        []auditRow
	Pager       pager
	Chain       audit.Verification
	ExportURL   string
	Filtered    bool
}

func (s *Server) auditList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q, f, errs := parseAuditQuery(r.URL.Query(), s.loc)
	page := pageParam(r) // a page past the end is empty
	f.Limit, f.Offset = auditPageSize, (page-1)*auditPageSize
	rows, total, err := audit.List(ctx, s.db, actor(r), f)
	if err != nil {
		return err
	}
	p := auditPage{Base: s.base(r, "审计日志", "audit"), Q: q, Errors: errs, ObjectTypes: auditObjectTypes,
		Pager: newAuditPager(q, page, total), Filtered: len(q.values()) > 0}
	if p.Chain, err = audit.Verify(ctx, s.db); err != nil {
		return err
	}
	for _, a := range audit.Actions() {
		p.Actions = append(p.Actions, option{Value: string(a), Label: a.Label()})
	}
	labels := securityLabels()
	for _, row := range rows {
		p.Rows = append(p.Rows, newAuditRow(row, labels))
	}
	p.ExportURL = "/audit/export.csv"
	if v := q.values(); len(v) > 0 {
		p.ExportURL += "?" + v.Encode()
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, "audit", p)
}

// csvCell keeps a value from being read as a formula by Excel or WPS
// (CSV injection): a leading = + - @ or control character gets a quote mark.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// auditExport sends every record matching the filter as CSV. The export is
// recorded in the trail in the same transaction that reads the rows, so the
// recorded count is exactly what was handed out.
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := actor(r)
	q, f, errs := parseAuditQuery(r.URL.Query(), s.loc)
	var rows []audit.Row
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if rows, _, err = audit.List(ctx, tx, a, f); err != nil {
			return err
		}
		if len(errs) > 0 {
			return apperr.Invalidf("筛选条件有误，请回到审计日志页修改后再导出")
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: a, Action: audit.AuditExported, ObjectType: "audit",
			ObjectName: "审计记录", Note: fmt.Sprintf("筛选条件：%s；导出 %d 条", q.describe(), len(rows))})
	})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // the BOM makes Excel read the file as UTF-8
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	cw.Write([]string{"编号", "时间（北京时间）", "用户名", "用户编号", "来源地址", "渠道", "请求编号", "操作", "操作代码",
		"对象类型", "对象编号", "对象名称", "结果", "变更前", "变更后", "备注", "哈希"})
	for _, row := range rows {
		d := row.Decoded()
		objectID := ""
		if row.ObjectID != 0 {
			objectID = strconv.FormatInt(row.ObjectID, 10)
		}
		cw.Write([]string{
			strconv.FormatInt(row.ID, 10), row.At.In(s.loc).Format("2006-01-02 15:04:05"), csvCell(row.Username),
			strconv.FormatInt(row.UserID, 10), csvCell(row.ClientIP), row.Origin, row.RequestID, row.Action.Label(),
			string(row.Action), objectTypeLabel(row.ObjectType), objectID, csvCell(row.ObjectName),
			outcomeLabel(row.Outcome), csvCell(string(d.Before)), csvCell(string(d.After)), csvCell(d.Note), row.Hash,
		})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	stamp := s.db.Now().In(s.loc).Format("20060102-150405")
	attachment(w, "text/csv; charset=utf-8", "audit-"+stamp+".csv", "审计记录-"+stamp+".csv")
	w.WriteHeader(http.StatusOK)
	buf.WriteTo(w) // a write error means the client went away
	return nil
}
