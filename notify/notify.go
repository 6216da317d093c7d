// Package notify tells people what needs them: a notice goes to the in-app
// inbox of its recipients and, through an outbox, to the DingTalk and WeCom
// group robots that listen for its kind.
//
// Other domain packages call Post inside the transaction of the change the
// notice is about, so a notice exists only if the change commits; a
// scheduled reminder calls Once in the same transaction first, so it is
// sent once even when several servers share the database. Robot messages
// leave later: a Worker sends the outbox with retries, a rate limit per
// robot and a lease per delivery.
package notify

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"guatu/auth"
)

// Kind is the sort of notice; robots choose which kinds they hear.
type Kind string

// The kinds of notice. Each later area posts under its own kind.
const (
	KindReport      Kind = "report"      // monthly reports: 催报, 退回, closing the month
	KindProblem     Kind = "problem"     // problems: 交办, due soon, overdue, escalated, 销号
	KindInstruction Kind = "instruction" // leaders' 批示 and the answers to them
	KindMeeting     Kind = "meeting"     // dispatch meetings and their decisions
	KindBulletin    Kind = "bulletin"    // the quarterly 通报
	KindProject     Kind = "project"     // projects: milestones due or overdue, lights turning red
	KindNotice      Kind = "notice"      // anything else the office announces
	// KindTest marks a robot's test message; it is never posted to an inbox.
	KindTest Kind = "test"
)

// Kinds lists the kinds a robot may subscribe to, in display order.
var Kinds = []Kind{KindReport, KindProblem, KindInstruction, KindMeeting, KindBulletin, KindProject, KindNotice}

// Label is the kind's Chinese name.
func (k Kind) Label() string {
	switch k {
	case KindReport:
		return "月报"
	case KindProblem:
		return "问题"
	case KindInstruction:
		return "批示"
	case KindMeeting:
		return "调度会"
	case KindBulletin:
		return "通报"
	case KindProject:
		return "项目"
	case KindNotice:
		return "通知"
	case KindTest:
		return "测试"
	}
	return string(k)
}

// Valid reports whether k is a kind a notice may be posted under.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Message is a notice to post.
type Message struct {
	Kind  Kind
	Title string // one line, at most MaxTitle characters
	Body  string // plain text; lines are kept
	Link  string // a path inside Guatu ("/projects/12"), or "" for none
	// UnitID is the unit the notice is about. The enabled robots of that
	// unit and of its ancestors that listen for Kind hear it, and so do the
	// 全镇 robots; with 0 only the 全镇 robots do.
	UnitID int64
	// To are the people whose inbox receives it; overlaps are delivered once.
	To []Recipient
	// NoRobots keeps the notice in the inbox: for what concerns one person
	// and should not be read out to a group.
	NoRobots bool
}

// The limits of a message.
const (
	MaxTitle = 80
	MaxBody  = 2000
)

// validate checks a message built by code: a bad one is a programming
// error, reported as an internal error, never to a user.
func (m Message) validate() error {
	var problems []string
	if !m.Kind.Valid() {
		problems = append(problems, fmt.Sprintf("unknown kind %q", m.Kind))
	}
	title := strings.TrimSpace(m.Title)
	if title == "" || utf8.RuneCountInString(title) > MaxTitle || strings.ContainsAny(title, "\r\n") {
		problems = append(problems, "title must be one line of 1 to 80 characters")
	}
	if utf8.RuneCountInString(m.Body) > MaxBody {
		problems = append(problems, "body longer than 2000 characters")
	}
	if m.Link != "" && !localPath(m.Link) {
		problems = append(problems, fmt.Sprintf("link %q is not a path inside the application", m.Link))
	}
	for _, r := range m.To {
		if r.kind == 0 {
			problems = append(problems, "a recipient made without a constructor")
		}
	}
	if len(problems) > 0 {
		return errors.New("notify: bad message: " + strings.Join(problems, "; "))
	}
	return nil
}

// localPath reports whether link is a path on this site: it starts with a
// single slash and holds no scheme, host or control characters, so a notice
// can never send its reader elsewhere.
func localPath(link string) bool {
	if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") || strings.Contains(link, "\\") {
		return false
	}
	for _, r := range link {
		if r < ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

type recipientKind uint8

const (
	toUser recipientKind = iota + 1
	toPerson
	toRoleOn
	toRoleOver
)

// Recipient selects accounts to receive a notice. Make one with ToUser,
// ToPerson, ToRole or ToRoleOver; disabled accounts never receive notices.
type Recipient struct {
	kind recipientKind
	id   int64
	role auth.Role
}

// ToUser is one account.
func ToUser(userID int64) Recipient { return Recipient{kind: toUser, id: userID} }

// ToPerson is the accounts linked to an org person, e.g. the 分管领导 of a
// unit found with org.LeadersOf, or a project's 责任领导.
func ToPerson(personID int64) Recipient { return Recipient{kind: toPerson, id: personID} }

// ToRole is the accounts granted role on the unit itself: ToRole(auth.Staff,
// unit) is that unit's 经办人, not those of the units above or below it.
func ToRole(role auth.Role, unitID int64) Recipient {
	return Recipient{kind: toRoleOn, id: unitID, role: role}
}

// ToRoleOver is the accounts whose grant of role covers the unit (granted
// on it or on an ancestor): ToRoleOver(auth.Chief, unit) is the 主要领导 over
// that unit, ToRoleOver(auth.Supervisor, unit) its 督查室.
func ToRoleOver(role auth.Role, unitID int64) Recipient {
	return Recipient{kind: toRoleOver, id: unitID, role: role}
}

// UnitStaff is the 经办人 of a unit: ToRole(auth.Staff, unitID).
func UnitStaff(unitID int64) Recipient { return ToRole(auth.Staff, unitID) }

// Chiefs is the 主要领导 over a unit: ToRoleOver(auth.Chief, unitID).
func Chiefs(unitID int64) Recipient { return ToRoleOver(auth.Chief, unitID) }

// Notice is a notice as one reader's inbox holds it.
type Notice struct {
	ID        int64
	Kind      Kind
	Title     string
	Body      string
	Link      string
	CreatedAt time.Time
	ReadAt    time.Time // zero while unread
}

// Unread reports whether the reader has not opened the notice yet.
func (n *Notice) Unread() bool { return n.ReadAt.IsZero() }
