package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guatu/account"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/web/webtest"
)

func TestAudit_AuditorSeesSignInsAndTheChainStatus(t *testing.T) {
	env := webtest.New(t)
	env.Login(t, "chief")
	c := env.Anonymous(t)
	c.PostForm(t, "/login", url.Values{"username": {"chief"}, "password": {"Wrong-password-99"}})
	auditor := env.Login(t, "auditor")

	res := auditor.Get(t, "/audit")
	if res.Status != http.StatusOK {
		t.Fatalf("GET /audit = %d", res.Status)
	}
	for _, want := range []string{"哈希链完整", "登录", "登录失败", "失败", "127.0.0.1", "2026-03-15 09:00:00"} {
		if !res.Contains(want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
	if !strings.Contains(res.Body, "<code>chief</code>") {
		t.Error("chief's sign-in is not listed")
	}

	// Filters: user prefix and action.
	res = auditor.Get(t, "/audit?user=chi&action="+string(audit.LoginFailed))
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "<code>chief</code>") || strings.Contains(res.Body, "<code>auditor</code>") {
		t.Errorf("user filter: %s", res.Text())
	}
	if !strings.Contains(res.Body, `value="auth.login_failed" selected`) {
		t.Error("the action filter is not kept")
	}
	res = auditor.Get(t, "/audit?outcome=failure")
	if strings.Contains(res.Body, "tag green") {
		t.Error("outcome=failure lists successes")
	}

	// The end date includes that whole day (the clock is 2026-03-15 09:00 in Shanghai).
	if res := auditor.Get(t, "/audit?from=2026-03-15&to=2026-03-15"); !strings.Contains(res.Body, "<code>chief</code>") {
		t.Errorf("to=2026-03-15 excludes that day: %s", res.Text())
	}
	if res := auditor.Get(t, "/audit?to=2026-03-14"); !res.Contains("没有符合条件的记录") {
		t.Errorf("to=2026-03-14 lists later records: %s", res.Text())
	}
	if res := auditor.Get(t, "/audit?from=2026-3-x"); res.Status != http.StatusUnprocessableEntity || !res.Contains("日期格式应为") {
		t.Errorf("bad date = %d", res.Status)
	}
}

func TestAudit_ShowsChangesReadably(t *testing.T) {
	env := webtest.New(t)
	env.SetSecurity(t, func(s *account.Security) { s.LockoutThreshold = 6 })
	auditor := env.Login(t, "auditor")
	res := auditor.Get(t, "/audit?action="+string(audit.SettingsChanged))
	if res.Status != http.StatusOK {
		t.Fatalf("GET = %d", res.Status)
	}
	// Setting keys get their Chinese names; the changed one is marked.
	if !strings.Contains(res.Body, `<tr class="changed"><td>连续登录失败锁定次数</td><td>5</td><td>6</td></tr>`) {
		t.Errorf("settings change not shown field by field: %s", res.Text())
	}
}

func TestAudit_ShowsABrokenChainInRed(t *testing.T) {
	env := webtest.New(t)
	auditor := env.Login(t, "auditor")
	// Someone with direct database access drops the append-only triggers
	// and alters a stored record behind the trail's back.
	stmts := []string{`DROP TRIGGER audit_log_no_update`}
	if env.DB.Dialect() == db.Postgres {
		stmts = []string{`DROP TRIGGER audit_log_guard ON audit_log`}
	}
	stmts = append(stmts, `UPDATE audit_log SET object_name = 'forged' WHERE id = 2`)
	for _, q := range stmts {
		if _, err := env.DB.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	res := auditor.Get(t, "/audit")
	if res.Status != http.StatusOK || !res.Contains("哈希链校验未通过") || !res.Contains("首个异常记录编号：2") {
		t.Fatalf("broken chain not reported: %d %s", res.Status, res.Text())
	}
	if !strings.Contains(res.Body, `class="bad-text"`) {
		t.Error("the problem is not shown in red")
	}
}

func TestAudit_OnlyForTheAuditor(t *testing.T) {
	env := webtest.New(t)
	for _, who := range []string{"chief", "sysadmin", "secadmin", "staff", "viewer"} {
		c := env.Login(t, who)
		for _, p := range []string{"/audit", "/audit/export.csv"} {
			if res := c.Get(t, p); res.Status != http.StatusForbidden {
				t.Errorf("%s GET %s = %d, want 403", who, p, res.Status)
			}
		}
	}
	if n := auditCount(t, env, audit.AuditExported); n != 0 {
		t.Errorf("refused exports were recorded: %d", n)
	}
}

func TestAudit_ExportIsCSVWithBOMAndIsRecorded(t *testing.T) {
	env := webtest.New(t)
	env.Login(t, "chief")
	auditor := env.Login(t, "auditor")
	res := auditor.Get(t, "/audit/export.csv?action="+string(audit.LoginOK))
	if res.Status != http.StatusOK {
		t.Fatalf("export = %d %s", res.Status, res.Text())
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if !strings.HasPrefix(res.Body, "\ufeff编号,时间（北京时间）,用户名") {
		t.Fatalf("no BOM and Chinese header: %q", res.Body[:min(len(res.Body), 80)])
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Header plus the two sign-ins (chief, auditor); all of them are sign-ins.
	if len(records) != 3 {
		t.Fatalf("rows = %d: %v", len(records), records)
	}
	for _, r := range records[1:] {
		if r[7] != "登录" || r[8] != string(audit.LoginOK) {
			t.Errorf("row = %v", r)
		}
	}

	rows, _, err := audit.List(context.Background(), env.DB, auth.SystemActor("test"), audit.Filter{Action: audit.AuditExported})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Username != "auditor" || !strings.Contains(rows[0].Decoded().Note, "导出 2 条") ||
		!strings.Contains(rows[0].Decoded().Note, "操作 登录") {
		t.Fatalf("export record = %+v", rows)
	}
	if v, err := audit.Verify(context.Background(), env.DB); err != nil || !v.OK {
		t.Errorf("chain after export: %+v %v", v, err)
	}
}

func TestAudit_ExportNeutralisesFormulas(t *testing.T) {
	env := webtest.New(t)
	// A failed sign-in records the typed username as given: make it a formula.
	c := env.Anonymous(t)
	c.PostForm(t, "/login", url.Values{"username": {"=cmd|' /C calc'!A0"}, "password": {"Wrong-password-99"}})
	auditor := env.Login(t, "auditor")
	res := auditor.Get(t, "/audit/export.csv?action="+string(audit.LoginFailed))
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff"))).ReadAll()
	if err != nil || len(records) != 2 {
		t.Fatalf("records = %v, %v", records, err)
	}
	if got := records[1][2]; !strings.HasPrefix(got, "'=") {
		t.Errorf("username cell = %q, want it prefixed with a quote", got)
	}
}
