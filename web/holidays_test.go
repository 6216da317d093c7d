package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guatu/web/webtest"
)

func TestHolidays_TheSystemAdministratorKeepsTheCalendar(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, "sysadmin")
	page := c.Get(t, "/admin/holidays?year=2026")
	if page.Status != http.StatusOK || !page.Contains("2026-02-14 六 调休上班 春节") || !page.Contains("放假 33 天（含周末），调休上班 6 天") {
		t.Fatalf("2026: %d %s", page.Status, page.Text())
	}
	if !page.Contains("2027 年的节假日安排尚未录入") {
		t.Error("the missing next year is not pointed out")
	}
	// A weekday cannot be a worked weekend; the form keeps what was typed.
	res := c.PostForm(t, "/admin/holidays", url.Values{"date": {"2027-01-05"}, "kind": {"work"}, "name": {"元旦"}})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("调休上班的日子应是周六或周日") || !strings.Contains(res.Body, `value="2027-01-05"`) {
		t.Fatalf("bad day: %d %s", res.Status, res.Text())
	}
	if res := c.PostForm(t, "/admin/holidays", url.Values{"date": {"2027-01-01"}, "kind": {"off"}, "name": {"元旦"}}); res.Status != http.StatusSeeOther || res.Location != "/admin/holidays?year=2027" {
		t.Fatalf("add: %d %s", res.Status, res.Location)
	}
	if page := c.Get(t, "/admin/holidays?year=2027"); !page.Contains("2027-01-01 五 放假 元旦") {
		t.Errorf("2027 after adding: %s", page.Text())
	}
	if res := c.PostForm(t, "/admin/holidays/delete", url.Values{"date": {"2027-01-01"}}); res.Status != http.StatusSeeOther {
		t.Errorf("delete: %d", res.Status)
	}
	if res := env.Login(t, "auditor").Get(t, "/audit?action=calendar.changed"); !res.Contains("修改节假日安排") {
		t.Error("calendar changes are not audited")
	}
}
