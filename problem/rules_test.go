package problem

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"guatu/apperr"
	"guatu/auth"
	"guatu/project"
	"guatu/worktime"
)

// TestStep_EveryStateTimesEveryAction walks the whole machine: every state,
// with and without a waiting extension request, against every action. The
// expected outcomes are written out by hand, not derived from the table.
func TestStep_EveryStateTimesEveryAction(t *testing.T) {
	const no = State("—") // the action is refused
	type key struct {
		s       State
		waiting bool
	}
	// want[key] lists the next state of each action in the order of Actions:
	// sign, feedback, done, extend, close, return, extend_approve, extend_refuse.
	want := map[key][8]State{
		{Pending, false}:  {Handling, no, no, no, no, no, no, no},
		{Pending, true}:   {Handling, no, no, no, no, no, no, no},
		{Handling, false}: {no, Handling, Done, Handling, no, no, no, no},
		{Handling, true}:  {no, Handling, Done, no, no, no, Handling, Handling},
		{Done, false}:     {no, no, no, no, Closed, Handling, no, no},
		{Done, true}:      {no, no, no, no, Closed, Handling, no, no},
		{Closed, false}:   {no, no, no, no, no, no, no, no},
		{Closed, true}:    {no, no, no, no, no, no, no, no},
	}
	if len(Actions) != 8 {
		t.Fatalf("%d actions; the table below expects 8", len(Actions))
	}
	for _, s := range States {
		for _, waiting := range []bool{false, true} {
			row, ok := want[key{s, waiting}]
			if !ok {
				t.Fatalf("no expectation for %s (waiting %v)", s, waiting)
			}
			for i, act := range Actions {
				next, ok := Step(s, waiting, act)
				got := next
				if !ok {
					got = no
					if next != s {
						t.Errorf("%s (waiting %v) %s refused but moved to %s", s, waiting, act, next)
					}
				}
				if got != row[i] {
					t.Errorf("%s (waiting %v) %s → %s, want %s", s, waiting, act, got, row[i])
				}
			}
		}
	}
	if _, ok := Step(Handling, false, Action("delete")); ok {
		t.Error("an unknown action was allowed")
	}
}

// TestPermitted_WhoDoesWhat: the unit's staff and the office act for the
// unit, only the office decides, a cooperating unit only reports progress,
// and nobody acts outside their subtree.
func TestPermitted_WhoDoesWhat(t *testing.T) {
	p := &Problem{UnitPath: "/1/3/", CoUnits: []UnitRef{{ID: 5, Path: "/1/5/"}}}
	grant := func(r auth.Role, path string) auth.Actor {
		return auth.Actor{UserID: 9, Grants: []auth.Grant{{Role: r, UnitPath: path}}}
	}
	unit := []Action{ActSign, ActFeedback, ActFinish, ActExtend}
	office := []Action{ActClose, ActReturn, ActApproveExtension, ActRefuseExtension}
	for _, tc := range []struct {
		name    string
		by      auth.Actor
		allowed []Action
	}{
		{"unit staff", grant(auth.Staff, "/1/3/"), unit},
		{"staff above the unit", grant(auth.Staff, "/1/"), unit},
		{"staff of a child unit", grant(auth.Staff, "/1/3/7/"), nil},
		{"staff of the cooperating unit", grant(auth.Staff, "/1/5/"), []Action{ActFeedback}},
		{"staff elsewhere", grant(auth.Staff, "/1/4/"), nil},
		{"supervisor of the town", grant(auth.Supervisor, "/1/"), append(append([]Action{}, unit...), office...)},
		{"supervisor of another town", grant(auth.Supervisor, "/2/"), nil},
		{"chief", grant(auth.Chief, "/1/"), nil},
		{"leader", grant(auth.Leader, "/1/"), nil},
		{"viewer", grant(auth.Viewer, "/1/"), nil},
		{"system", auth.SystemActor("test"), append(append([]Action{}, unit...), office...)},
	} {
		for _, act := range Actions {
			want := false
			for _, a := range tc.allowed {
				want = want || a == act
			}
			if got := Permitted(tc.by, p, act); got != want {
				t.Errorf("%s: %s permitted = %v, want %v", tc.name, act, got, want)
			}
		}
	}
}

func TestCanView(t *testing.T) {
	p := &Problem{UnitPath: "/1/3/", LeaderID: 40, RaisedBy: 77, CoUnits: []UnitRef{{Path: "/1/5/"}}}
	for _, tc := range []struct {
		name string
		by   auth.Actor
		want bool
	}{
		{"viewer of the town", auth.Actor{Grants: []auth.Grant{{Role: auth.Viewer, UnitPath: "/1/"}}}, true},
		{"staff of the cooperating unit", auth.Actor{Grants: []auth.Grant{{Role: auth.Staff, UnitPath: "/1/5/"}}}, true},
		{"staff of another unit", auth.Actor{Grants: []auth.Grant{{Role: auth.Staff, UnitPath: "/1/4/"}}}, false},
		{"its 分管领导 with a narrower grant", auth.Actor{PersonID: 40, Grants: []auth.Grant{{Role: auth.Leader, UnitPath: "/1/9/"}}}, true},
		{"the person without the leader role", auth.Actor{PersonID: 40, Grants: []auth.Grant{{Role: auth.Staff, UnitPath: "/1/9/"}}}, false},
		{"the one who raised it, moved elsewhere", auth.Actor{UserID: 77, Grants: []auth.Grant{{Role: auth.Staff, UnitPath: "/1/9/"}}}, true},
		{"the one who raised it, now an administrator", auth.Actor{UserID: 77, Grants: []auth.Grant{{Role: auth.SysAdmin, UnitPath: "/1/"}}}, false},
		{"an administrator", auth.Actor{Grants: []auth.Grant{{Role: auth.SysAdmin, UnitPath: "/1/"}}}, false},
	} {
		if got := CanView(tc.by, p); got != tc.want {
			t.Errorf("%s: CanView = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The week of 2026-03-16 (Monday) to 2026-03-29, with the Qingming break
// of 2026-04-04..06 further on.
var cal = worktime.New([]worktime.Day{
	{Date: worktime.Date(2026, 4, 4), Kind: worktime.Off},
	{Date: worktime.Date(2026, 4, 5), Kind: worktime.Off},
	{Date: worktime.Date(2026, 4, 6), Kind: worktime.Off},
})

func d(m time.Month, day int) time.Time { return worktime.Date(2026, m, day) }

func TestSignByAndDeadline_CountWorkingDays(t *testing.T) {
	for _, tc := range []struct {
		name        string
		got, want   time.Time
		description string
	}{
		{"assigned on a Monday", SignBy(d(3, 16), cal), d(3, 17), "the next working day"},
		{"assigned on a Friday", SignBy(d(3, 20), cal), d(3, 23), "Monday"},
		{"assigned on a Saturday", SignBy(d(3, 21), cal), d(3, 23), "Monday"},
		{"10 days from a Monday", DeadlineFrom(d(3, 16), 10, cal), d(3, 30), "two weeks on"},
		{"5 days over Qingming", DeadlineFrom(d(4, 1), 5, cal), d(4, 9), "the break does not count"},
	} {
		if !tc.got.Equal(tc.want) {
			t.Errorf("%s: %s, want %s (%s)", tc.name, project.FormatDate(tc.got), project.FormatDate(tc.want), tc.description)
		}
	}
}

// TestJudge_UrgencyAndReach is the escalation table (DESIGN.md §4): due
// soon 3 working days ahead, the 分管领导 at once when missed, the chief and
// the meeting after 7 working days; a problem waiting for 签收 is judged on
// its signing day, where only a miss counts.
func TestJudge_UrgencyAndReach(t *testing.T) {
	handling := func(deadline time.Time) *Problem { return &Problem{State: Handling, Deadline: deadline, LeaderID: 4} }
	for _, tc := range []struct {
		name    string
		p       *Problem
		today   time.Time
		want    worktime.Urgency
		due     time.Time
		overdue int
		reach   Reach
	}{
		{"four working days ahead", handling(d(3, 20)), d(3, 16), worktime.OnTrack, d(3, 20), 0, Reach{}},
		{"three working days ahead", handling(d(3, 19)), d(3, 16), worktime.DueSoon, d(3, 19), 0, Reach{Unit: true}},
		{"three working days over a weekend", handling(d(3, 25)), d(3, 20), worktime.DueSoon, d(3, 25), 0, Reach{Unit: true}},
		{"the deadline day itself", handling(d(3, 16)), d(3, 16), worktime.DueSoon, d(3, 16), 0, Reach{Unit: true}},
		{"a day late", handling(d(3, 16)), d(3, 17), worktime.Overdue, d(3, 16), 1, Reach{Unit: true, Leader: true}},
		{"missed on Friday, seen Sunday", handling(d(3, 20)), d(3, 22), worktime.Overdue, d(3, 20), 0, Reach{Unit: true, Leader: true}},
		{"six working days late", handling(d(3, 16)), d(3, 24), worktime.Overdue, d(3, 16), 6, Reach{Unit: true, Leader: true}},
		{"seven working days late", handling(d(3, 16)), d(3, 25), worktime.OverdueLong, d(3, 16), 7, Reach{Unit: true, Leader: true, Chief: true, Agenda: true}},
		{"late, no 分管领导: the chief at once", &Problem{State: Handling, Deadline: d(3, 16)}, d(3, 18), worktime.Overdue, d(3, 16), 2, Reach{Unit: true, Chief: true}},
		{"signing due tomorrow: no warning", &Problem{State: Pending, SignBy: d(3, 17), LeaderID: 4}, d(3, 16), worktime.OnTrack, d(3, 17), 0, Reach{}},
		{"not signed a day late", &Problem{State: Pending, SignBy: d(3, 17), LeaderID: 4}, d(3, 18), worktime.Overdue, d(3, 17), 1, Reach{Unit: true, Leader: true}},
		{"not signed for 7 working days", &Problem{State: Pending, SignBy: d(3, 17), LeaderID: 4}, d(3, 26), worktime.OverdueLong, d(3, 17), 7, Reach{Unit: true, Leader: true, Chief: true, Agenda: true}},
		{"unsigned, fixed deadline in 2 days", &Problem{State: Pending, SignBy: d(3, 17), Deadline: d(3, 18), LeaderID: 4}, d(3, 16), worktime.DueSoon, d(3, 18), 0, Reach{Unit: true}},
		{"handling, no deadline yet", &Problem{State: Handling}, d(3, 16), worktime.OnTrack, time.Time{}, 0, Reach{}},
		{"done long after the deadline", &Problem{State: Done, Deadline: d(3, 1)}, d(3, 30), worktime.OnTrack, time.Time{}, 0, Reach{}},
		{"closed", &Problem{State: Closed, Deadline: d(3, 1)}, d(3, 30), worktime.OnTrack, time.Time{}, 0, Reach{}},
	} {
		u, due := Judge(tc.p, tc.today, cal)
		if u != tc.want || !due.Equal(tc.due) {
			t.Errorf("%s: %s due %s, want %s due %s", tc.name, u.Label(), project.FormatDate(due), tc.want.Label(), project.FormatDate(tc.due))
		}
		if n := OverdueDays(due, tc.today, cal); n != tc.overdue {
			t.Errorf("%s: %d working days overdue, want %d", tc.name, n, tc.overdue)
		}
		if r := ReachOf(u, tc.p.LeaderID != 0); r != tc.reach {
			t.Errorf("%s: reaches %+v, want %+v", tc.name, r, tc.reach)
		}
	}
}

// A problem never signed for, past both its signing day (by 8 working
// days) and its fixed deadline (by 2), is judged on the worse of the two.
func TestJudge_UnsignedPastBothKeepsTheWorse(t *testing.T) {
	p := &Problem{State: Pending, SignBy: d(3, 10), Deadline: d(3, 18)}
	u, due := Judge(p, d(3, 20), cal)
	if u != worktime.OverdueLong || !due.Equal(d(3, 10)) {
		t.Errorf("%s due %s", u.Label(), project.FormatDate(due))
	}
}

func TestClosedOnTime_JudgesTheLastDoneDay(t *testing.T) {
	p := &Problem{State: Closed, Deadline: d(3, 20)}
	for _, tc := range []struct {
		done   time.Time
		onTime bool
	}{{d(3, 19), true}, {d(3, 20), true}, {d(3, 23), false}} {
		if on, closed := closedOnTime(p, tc.done); on != tc.onTime || !closed {
			t.Errorf("done %s: on time %v closed %v", project.FormatDate(tc.done), on, closed)
		}
	}
	if _, closed := closedOnTime(&Problem{State: Done, Deadline: d(3, 20)}, d(3, 19)); closed {
		t.Error("a problem awaiting 销号 counted as closed")
	}
}

func TestInputValidate(t *testing.T) {
	good := Input{Title: "项目用地指标未落实", Category: "land", Source: "site", UnitID: "3", LimitDays: "10"}
	for _, tc := range []struct {
		name   string
		change func(in *Input)
		fields []string
	}{
		{"good", func(*Input) {}, nil},
		{"a fixed date instead", func(in *Input) { in.LimitDays, in.Deadline = "", "2026-04-30" }, nil},
		{"the form's radio picks the date", func(in *Input) { in.DeadlineKind, in.Deadline = ByDate, "2026-04-30" }, nil},
		{"the form's radio picks the days", func(in *Input) { in.DeadlineKind, in.Deadline = ByWorkdays, "2026-04-30" }, nil},
		{"both without the radio", func(in *Input) { in.Deadline = "2026-04-30" }, []string{"deadline"}},
		{"neither", func(in *Input) { in.LimitDays = "" }, []string{"limit_days"}},
		{"too long a limit", func(in *Input) { in.LimitDays = "251" }, []string{"limit_days"}},
		{"a bad date", func(in *Input) { in.DeadlineKind, in.Deadline = ByDate, "2026-02-30" }, []string{"deadline"}},
		{"an unknown radio", func(in *Input) { in.DeadlineKind = "weeks" }, []string{"deadline_kind"}},
		{"no title", func(in *Input) { in.Title = "  " }, []string{"title"}},
		{"a long title", func(in *Input) { in.Title = strings.Repeat("堵", 81) }, []string{"title"}},
		{"bad choices", func(in *Input) { in.Category, in.Source, in.Priority = "x", "", "high" }, []string{"category", "source", "priority"}},
		{"no unit", func(in *Input) { in.UnitID = "" }, []string{"unit_id"}},
		{"bad references", func(in *Input) { in.ProjectID, in.LeaderID, in.CoUnitIDs = "abc", "-1", []string{"x"} },
			[]string{"project_id", "leader_id", "co_unit_ids"}},
		{"a source id without its type", func(in *Input) { in.SourceID = 4 }, []string{"source_type"}},
		{"a strange source type", func(in *Input) { in.SourceType, in.SourceID = "Meeting Decision", 4 }, []string{"source_type"}},
	} {
		in := good
		tc.change(&in)
		_, err := in.validate()
		got := fieldsOf(err)
		if fmt.Sprint(got) != fmt.Sprint(tc.fields) {
			t.Errorf("%s: fields %v, want %v (%v)", tc.name, got, tc.fields, err)
		}
	}
	f, err := Input{Title: " 征迁 ", Category: "relocation", Source: "meeting", UnitID: "3", CoUnitIDs: []string{"3", "5", "5", ""},
		LimitDays: "5", SourceType: "meeting_decision", SourceID: 12}.validate()
	if err != nil || f.Title != "征迁" || f.Priority != Normal || fmt.Sprint(f.CoUnitIDs) != "[5]" || f.LimitDays != 5 {
		t.Errorf("validated %+v, %v", f, err)
	}
}

func fieldsOf(err error) []string {
	var out []string
	for _, k := range []string{"title", "description", "category", "source", "priority", "source_type", "project_id", "unit_id",
		"leader_id", "co_unit_ids", "deadline_kind", "limit_days", "deadline"} {
		if fieldMessage(err, k) != "" {
			out = append(out, k)
		}
	}
	return out
}

func fieldMessage(err error, k string) string {
	e, ok := apperr.As(err)
	if !ok {
		return ""
	}
	return e.Fields[k]
}

func TestSniff_TheBytesDecide(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	pdf := []byte("%PDF-1.7\n%âãÏÓ\n")
	zip := []byte("PK\x03\x04\x14\x00\x06\x00")
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 40)...)
	for _, tc := range []struct {
		name, file string
		data       []byte
		ext, ctype string
		ok         bool
	}{
		{"a photo", "现场.PNG", png, ".png", "image/png", true},
		{"a photo named as a PDF", "照片.pdf", png, ".png", "image/png", true},
		{"a PDF", "批复.pdf", pdf, ".pdf", "application/pdf", true},
		{"a Word document", "情况说明.docx", zip, ".docx", officeTypes[".docx"], true},
		{"a zip named as an exe", "a.exe", zip, ".zip", "application/zip", true},
		{"an old Excel file", "台账.xls", ole, ".xls", "application/vnd.ms-excel", true},
		{"an old file of no known name", "x", ole, ".doc", "application/msword", true},
		{"plain text", "说明.txt", []byte("道路开挖许可已报县交通局"), ".txt", "text/plain; charset=utf-8", true},
		{"a web page", "a.html", []byte("<html><script>alert(1)</script>"), "", "", false},
		{"an SVG", "a.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>`), "", "", false},
		{"a program", "a.exe", []byte("MZ\x90\x00\x03\x00\x00\x00"), "", "", false},
	} {
		ext, ctype, ok := sniff(tc.file, tc.data)
		if ext != tc.ext || ctype != tc.ctype || ok != tc.ok {
			t.Errorf("%s: %q %q %v, want %q %q %v", tc.name, ext, ctype, ok, tc.ext, tc.ctype, tc.ok)
		}
	}
}

func TestCheckUploads(t *testing.T) {
	pdf := []byte("%PDF-1.4 hello")
	ok, err := checkUploads([]Upload{{Name: `C:\Users\张三\Desktop\批复.PDF`, Data: pdf}, {Name: "照片", Data: []byte("\xff\xd8\xff\xe0\x00\x10JFIF")}})
	if err != nil {
		t.Fatal(err)
	}
	if ok[0].origName != "批复.PDF" || !strings.HasSuffix(ok[0].name, ".pdf") || len(ok[0].name) != 36 {
		t.Errorf("first: %q %q", ok[0].origName, ok[0].name)
	}
	if ok[1].origName != "照片.jpg" || ok[1].name == ok[0].name {
		t.Errorf("second: %q %q", ok[1].origName, ok[1].name)
	}
	for _, tc := range []struct {
		name  string
		files []Upload
		msg   string
	}{
		{"empty", []Upload{{Name: "a.pdf"}}, "空文件"},
		{"too big", []Upload{{Name: "a.pdf", Data: append(pdf, make([]byte, MaxFileSize)...)}}, "超过 10 MB"},
		{"too many", make([]Upload, MaxFiles+1), "最多上传 5 个"},
		{"a script", []Upload{{Name: "a.html", Data: []byte("<html>")}}, "格式不支持"},
	} {
		_, err := checkUploads(tc.files)
		if !strings.Contains(fieldMessage(err, "files"), tc.msg) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if got := cleanName("../../" + strings.Repeat("长", 120) + ".docx\x00"); !strings.HasSuffix(got, ".docx") || len([]rune(got)) != 100 {
		t.Errorf("cleanName: %q", got)
	}
	for _, name := range []string{"", "..", "/", "\x01"} {
		if got := cleanName(name); got != "附件" {
			t.Errorf("cleanName(%q) = %q", name, got)
		}
	}
}

func TestGuessCategory(t *testing.T) {
	for text, want := range map[string]Category{
		"电力增容手续办理进度慢，影响设备调试": Approval, // 手续 names the blockage before 电力
		"施工用水不足，需协调临时供水":     Utilities,
		"项目用地涉及少量林地":         Land,
		"征迁户补偿标准未谈拢":         Relocation,
		"专项债资金未拨付":           Funding,
		"工人不足":               Other,
	} {
		if got := GuessCategory(text); got != want {
			t.Errorf("GuessCategory(%q) = %s, want %s", text, got, want)
		}
	}
}
