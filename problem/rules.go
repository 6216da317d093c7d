package problem

import (
	"net/http"
	"path"
	"strings"
	"time"

	"guatu/auth"
	"guatu/worktime"
)

// Action is one step of the workflow; each is one domain function.
type Action string

// The actions. The first four belong to the responsible unit, the last
// four to the supervision office (督查室).
const (
	ActSign             Action = "sign"           // 签收: the clock starts
	ActFeedback         Action = "feedback"       // 反馈进展, with attachments
	ActFinish           Action = "done"           // 办结: the unit says it is solved
	ActExtend           Action = "extend"         // 申请延期: a new date and why
	ActClose            Action = "close"          // 审核销号
	ActReturn           Action = "return"         // 退回重办, with the reason
	ActApproveExtension Action = "extend_approve" // 同意延期: the deadline moves
	ActRefuseExtension  Action = "extend_refuse"  // 不同意延期, with the reason
)

// Actions lists every action, the unit's first.
var Actions = []Action{ActSign, ActFeedback, ActFinish, ActExtend, ActClose, ActReturn, ActApproveExtension, ActRefuseExtension}

// Label is the action's Chinese name.
func (a Action) Label() string {
	switch a {
	case ActSign:
		return "签收"
	case ActFeedback:
		return "反馈进展"
	case ActFinish:
		return "办结"
	case ActExtend:
		return "申请延期"
	case ActClose:
		return "销号"
	case ActReturn:
		return "退回重办"
	case ActApproveExtension:
		return "同意延期"
	case ActRefuseExtension:
		return "不同意延期"
	}
	return string(a)
}

// extension says what a step needs of the extension request.
type extension int

const (
	anyRequest  extension = iota // whether or not a request waits
	noRequest                    // only when none waits: one request at a time
	waitingOnly                  // only when one waits for the decision
)

// step is one row of the state machine.
type step struct {
	from, to State
	ext      extension
}

// machine is the whole flow: 待签收 → 办理中 → 已办结（待审核）→ 已销号, with
// 退回重办 back to 办理中, and extension requests decided while 办理中.
// Marking a problem done lets a waiting request lapse (it is withdrawn):
// the unit no longer needs the time.
var machine = map[Action]step{
	ActSign:             {Pending, Handling, anyRequest},
	ActFeedback:         {Handling, Handling, anyRequest},
	ActFinish:           {Handling, Done, anyRequest},
	ActExtend:           {Handling, Handling, noRequest},
	ActClose:            {Done, Closed, anyRequest},
	ActReturn:           {Done, Handling, anyRequest},
	ActApproveExtension: {Handling, Handling, waitingOnly},
	ActRefuseExtension:  {Handling, Handling, waitingOnly},
}

// Step is the state a problem in state s moves to when act is done, given
// whether an extension request is waiting; ok is false when the flow does
// not allow act there.
func Step(s State, requestWaiting bool, act Action) (next State, ok bool) {
	st, known := machine[act]
	if !known || st.from != s {
		return s, false
	}
	switch st.ext {
	case noRequest:
		if requestWaiting {
			return s, false
		}
	case waitingOnly:
		if !requestWaiting {
			return s, false
		}
	}
	return st.to, true
}

// byOffice reports whether act is the supervision office's to take.
func byOffice(act Action) bool {
	return act == ActClose || act == ActReturn || act == ActApproveExtension || act == ActRefuseExtension
}

// Permitted reports whether the actor's roles allow act on the problem,
// whatever its state: the responsible unit's staff (and the supervision
// office, which may act for a unit that answers on paper) sign, report,
// finish and ask for time; staff of a cooperating unit may add progress
// notes too, since they do part of the work; only the supervision office
// closes, returns and decides on extensions.
func Permitted(by auth.Actor, p *Problem, act Action) bool {
	if byOffice(act) {
		return auth.Can(by, auth.SuperProblem, p.UnitPath)
	}
	if auth.Can(by, auth.HandleProblem, p.UnitPath) {
		return true
	}
	if act == ActFeedback {
		for _, u := range p.CoUnits {
			if auth.Can(by, auth.HandleProblem, u.Path) {
				return true
			}
		}
	}
	return false
}

// Can reports whether the actor may do act on the problem now: their
// roles allow it and the flow does. Pages use it to show only the forms
// that would succeed.
func Can(by auth.Actor, p *Problem, act Action) bool {
	_, ok := Step(p.State, p.ExtensionPending, act)
	return ok && Permitted(by, p, act)
}

// CanView reports whether the actor may read the problem: its responsible
// or a cooperating unit is in their view, they are its 分管领导, or they
// raised it.
func CanView(by auth.Actor, p *Problem) bool {
	if auth.Can(by, auth.ViewProblem, p.UnitPath) {
		return true
	}
	if by.PersonID != 0 && p.LeaderID == by.PersonID && by.HasRole(auth.Leader) {
		return true
	}
	if by.UserID != 0 && p.RaisedBy == by.UserID && auth.CanAnywhere(by, auth.ViewProblem) {
		return true
	}
	for _, u := range p.CoUnits {
		if auth.Can(by, auth.ViewProblem, u.Path) {
			return true
		}
	}
	return false
}

// SignDays is the time a unit has to sign for a problem: by the end of the
// next working day after it was assigned. Signing is one click; a problem
// left unsigned longer is overdue like a missed deadline.
const SignDays = 1

// SignBy is the last day to sign for a problem assigned on day assigned.
func SignBy(assigned time.Time, cal worktime.Calendar) time.Time {
	return cal.AddWorkdays(assigned, SignDays)
}

// DeadlineFrom is the deadline of a problem allowed limit working days,
// signed on day signed: the clock starts at 签收 (DESIGN.md §4), so the
// first of those days is the working day after it.
func DeadlineFrom(signed time.Time, limit int, cal worktime.Calendar) time.Time {
	return cal.AddWorkdays(signed, limit)
}

// Judge is where an open problem stands on today and the day it is judged
// against. A problem being handled is judged on its deadline (DESIGN.md §4:
// due soon 3 working days ahead, escalated when missed). One waiting for
// 签收 is judged on its signing day, where only a miss counts (a warning
// ahead of a one-click act would be noise), and on its deadline when a
// fixed one was set. A done problem waits on the supervision office and a
// closed one on nobody: neither escalates.
func Judge(p *Problem, today time.Time, cal worktime.Calendar) (u worktime.Urgency, due time.Time) {
	switch p.State {
	case Handling:
		if p.Deadline.IsZero() {
			return worktime.OnTrack, time.Time{}
		}
		return worktime.UrgencyOf(p.Deadline, today, cal), p.Deadline
	case Pending:
		u, due = worktime.UrgencyOf(p.SignBy, today, cal), p.SignBy
		if u == worktime.DueSoon {
			u = worktime.OnTrack
		}
		if !p.Deadline.IsZero() {
			if du := worktime.UrgencyOf(p.Deadline, today, cal); du > u {
				u, due = du, p.Deadline
			}
		}
		return u, due
	}
	return worktime.OnTrack, time.Time{}
}

// Reach is who an escalation brings a problem to (DESIGN.md §4, 一级抓一级).
type Reach struct {
	Unit   bool // the responsible unit is reminded: from 3 working days before the deadline
	Leader bool // the 分管领导: at once when the deadline is missed
	Chief  bool // the 主要领导: after 7 working days overdue
	Agenda bool // the next dispatch meeting takes it up, with the chief
}

// ReachOf is whom an urgency reaches; each level keeps the ones below it
// informed. A problem whose unit has no 分管领导 goes to the chief from the
// first overdue day: the chain must not stop at an empty link.
func ReachOf(u worktime.Urgency, hasLeader bool) Reach {
	switch u {
	case worktime.DueSoon:
		return Reach{Unit: true}
	case worktime.Overdue:
		return Reach{Unit: true, Leader: hasLeader, Chief: !hasLeader}
	case worktime.OverdueLong:
		return Reach{Unit: true, Leader: hasLeader, Chief: true, Agenda: true}
	}
	return Reach{}
}

// OverdueDays counts the working days an open problem is past due on
// today (0 when it is not).
func OverdueDays(due, today time.Time, cal worktime.Calendar) int {
	if due.IsZero() || !today.After(due) {
		return 0
	}
	return cal.WorkdaysBetween(due, today)
}

// closedOnTime is Problem.ClosedOnTime with the day of the last 办结 given.
func closedOnTime(p *Problem, done time.Time) (onTime, closed bool) {
	if p.State != Closed || p.Deadline.IsZero() {
		return false, p.State == Closed
	}
	return !done.After(p.Deadline), true
}

// fileKind is an accepted type of attachment: what the bytes must look
// like, the extensions a name may keep, and the type it is served as.
type fileKind struct {
	sniffed     string   // http.DetectContentType's answer
	extensions  []string // allowed name endings; the first is the default
	contentType func(ext string) string
}

func fixed(t string) func(string) string { return func(string) string { return t } }

// officeTypes are the served types of the Office formats, which all sniff
// as ZIP (the OOXML ones) or as nothing at all (the old OLE ones).
var officeTypes = map[string]string{
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".zip":  "application/zip",
	".doc":  "application/msword",
	".xls":  "application/vnd.ms-excel",
	".ppt":  "application/vnd.ms-powerpoint",
	".wps":  "application/vnd.ms-works",
	".et":   "application/vnd.ms-excel",
}

func officeType(ext string) string { return officeTypes[ext] }

// fileKinds are the attachments a problem takes: photos, PDFs, Office and
// WPS documents, plain text. The type is decided by the bytes, never by the
// name or the browser's claim, and served with that type as a download.
var fileKinds = []fileKind{
	{"image/jpeg", []string{".jpg", ".jpeg"}, fixed("image/jpeg")},
	{"image/png", []string{".png"}, fixed("image/png")},
	{"image/gif", []string{".gif"}, fixed("image/gif")},
	{"image/webp", []string{".webp"}, fixed("image/webp")},
	{"application/pdf", []string{".pdf"}, fixed("application/pdf")},
	{"application/zip", []string{".zip", ".docx", ".xlsx", ".pptx"}, officeType},
	{"text/plain; charset=utf-8", []string{".txt"}, fixed("text/plain; charset=utf-8")},
	{oleType, []string{".doc", ".xls", ".ppt", ".wps", ".et"}, officeType},
}

// oleType stands for the old Office (and WPS) files, which
// DetectContentType does not know: they begin with the OLE2 signature.
const oleType = "application/x-ole-storage"

var oleSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// sniff decides an attachment's type from its bytes, the extension its
// stored name gets (the uploaded one when it fits the type) and the type it
// is served as; ok is false for a type not accepted.
func sniff(name string, data []byte) (ext, contentType string, ok bool) {
	t := http.DetectContentType(data)
	if len(data) >= len(oleSignature) && string(data[:len(oleSignature)]) == string(oleSignature) {
		t = oleType
	}
	given := strings.ToLower(path.Ext(strings.ReplaceAll(name, "\\", "/")))
	for _, k := range fileKinds {
		if k.sniffed != t {
			continue
		}
		ext = k.extensions[0]
		for _, e := range k.extensions {
			if e == given {
				ext = e
			}
		}
		return ext, k.contentType(ext), true
	}
	return "", "", false
}

// categoryWords are the words a problem written in a line (a monthly
// report's 遇到的问题, a meeting decision) is sorted by, in this order: the
// first category with a word in the text is taken; the office can see the
// text and the category side by side.
var categoryWords = []struct {
	c     Category
	words []string
}{
	{Relocation, []string{"征迁", "拆迁", "征收", "迁坟", "补偿"}},
	{Land, []string{"用地", "土地", "林地", "耕地", "海域", "供地", "指标"}},
	{Planning, []string{"规划", "设计方案", "红线"}},
	{Approval, []string{"审批", "手续", "许可", "备案", "批复", "环评", "验收"}},
	{Funding, []string{"资金", "融资", "贷款", "拨付", "专项债", "付款"}},
	{Utilities, []string{"用电", "电力", "供电", "用水", "供水", "道路", "燃气", "管网", "水电"}},
	{Policy, []string{"政策"}},
}

// GuessCategory sorts a problem written in free text into a category, by
// the first words that name one; Other when none does.
func GuessCategory(text string) Category {
	for _, cw := range categoryWords {
		for _, w := range cw.words {
			if strings.Contains(text, w) {
				return cw.c
			}
		}
	}
	return Other
}
