// Package auth is who is acting and what they may do: the Actor, the roles,
// the actions and the one policy function Can that every domain function asks.
//
// It is pure (no database): accounts, passwords and sessions live in package
// account, which builds Actors. Keeping the policy free of storage lets audit,
// org and every later domain package import it without import cycles.
package auth

import (
	"strings"
)

// Role is a role granted to an account on a unit subtree.
type Role string

// The roles (DESIGN.md §1). The last three are the separated administrators
// (三员分立): no account holds two of them.
const (
	Chief      Role = "chief"
	Leader     Role = "leader"
	Supervisor Role = "supervisor"
	Staff      Role = "staff"
	Viewer     Role = "viewer"
	SysAdmin   Role = "sysadmin"
	SecAdmin   Role = "secadmin"
	Auditor    Role = "auditor"
)

// Roles lists every role in display order.
var Roles = []Role{Chief, Leader, Supervisor, Staff, Viewer, SysAdmin, SecAdmin, Auditor}

// Label is the role's Chinese name.
func (r Role) Label() string {
	switch r {
	case Chief:
		return "主要领导"
	case Leader:
		return "分管领导"
	case Supervisor:
		return "督查室"
	case Staff:
		return "经办人"
	case Viewer:
		return "查看"
	case SysAdmin:
		return "系统管理员"
	case SecAdmin:
		return "安全管理员"
	case Auditor:
		return "审计管理员"
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// IsAdmin reports whether r is one of the three separated administrator roles.
func (r Role) IsAdmin() bool { return r == SysAdmin || r == SecAdmin || r == Auditor }

// Grant is one role on one unit; it covers the unit and everything under it.
type Grant struct {
	Role     Role
	UnitID   int64
	UnitPath string // '/1/4/': the unit's path in the tree
	UnitName string
}

// Covers reports whether the grant's subtree contains the unit with the given path.
func (g Grant) Covers(unitPath string) bool {
	return g.UnitPath != "" && strings.HasPrefix(unitPath, g.UnitPath)
}

// Actor is the person (or the system) doing something, with where the
// request came from for the audit trail.
type Actor struct {
	UserID    int64
	Username  string
	Name      string
	UnitID    int64
	UnitName  string
	PersonID  int64 // the org person the account belongs to (0 if none): a leader's projects are theirs
	Grants    []Grant
	IP        string
	RequestID string
	Origin    string // "ui", "api", "cli", "job"
	// System is true for the command line and background jobs run by the
	// operator of the server; it passes every check and is audited as such.
	System bool
}

// SystemActor is the actor for command-line operations and scheduled jobs.
func SystemActor(origin string) Actor {
	return Actor{Username: "system", Name: "系统", Origin: origin, System: true}
}

// HasRole reports whether any grant gives the actor role r.
func (a Actor) HasRole(r Role) bool {
	for _, g := range a.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}

// IsAdmin reports whether the actor holds one of the administrator roles;
// such accounts must use a second factor (except in the demo).
func (a Actor) IsAdmin() bool {
	for _, g := range a.Grants {
		if g.Role.IsAdmin() {
			return true
		}
	}
	return false
}

// Action is something an actor may do to a unit (or to a record owned by one).
type Action string

// The actions. Each later capability adds its own, with its row in policy.
const (
	ViewOrg        Action = "org.view"        // see units and people
	ManageOrg      Action = "org.manage"      // create, edit, move and disable units and people
	ViewAccounts   Action = "account.view"    // list accounts and their roles
	ManageAccounts Action = "account.manage"  // create, disable, reset passwords, unlock
	GrantRoles     Action = "account.grant"   // grant and revoke roles
	ManageSecurity Action = "security.manage" // security settings, end others' sessions
	ViewAudit      Action = "audit.view"      // read and export the audit trail
	ViewDashboard  Action = "dashboard.view"  // the work overview
	ViewProject    Action = "project.view"    // read projects led or co-run by units in scope
	EditProject    Action = "project.edit"    // create and change projects led by units in scope
	ProjectRules   Action = "project.rules"   // the light thresholds, the category list and the node templates
	EditCalendar   Action = "calendar.edit"   // the holidays and 调休 days of the working-day calendar

	// 一月一调度 (issue 4).
	ViewReport     Action = "report.view"        // read monthly reports and the 报送情况 board
	SubmitReport   Action = "report.submit"      // write, save and submit a unit's monthly report
	ReviewReport   Action = "report.review"      // 退回 a report, send 催报, close a month, the report deadline setting
	RunMeeting     Action = "meeting.run"        // prepare dispatch meetings, record attendance and decisions (交办)
	ViewProblem    Action = "problem.view"       // read problems (堵点、难点)
	RaiseProblem   Action = "problem.raise"      // report a problem met at the front line, for a unit in scope
	HandleProblem  Action = "problem.handle"     // 签收, 反馈, 办结 and 申请延期 as the responsible unit
	SuperProblem   Action = "problem.oversee"    // 交办, 审核销号, 退回重办, approve or refuse an extension
	ViewInstr      Action = "instruction.view"   // read leaders' 批示 and their answers
	WriteInstr     Action = "instruction.write"  // write a 批示 to units and people
	AnswerInstr    Action = "instruction.answer" // answer (反馈) a 批示 addressed to one's unit
	ManageChannels Action = "notify.channels"    // DingTalk and WeCom robots: add, test, disable

	// 一季一通报 (issue 5).
	ReadBulletin  Action = "bulletin.read"   // read issued bulletins of one's town
	DraftBulletin Action = "bulletin.drafts" // read bulletins still in draft
	WriteBulletin Action = "bulletin.write"  // generate, edit, issue and correct bulletins; the scoring weights
)

// policy says which roles may do which action inside their subtree. It is
// the whole permission model in one table; the permission-matrix test walks it.
var policy = map[Action][]Role{
	ViewOrg:        {Chief, Leader, Supervisor, Staff, Viewer, SysAdmin, SecAdmin, Auditor},
	ManageOrg:      {SysAdmin},
	ViewAccounts:   {SysAdmin, SecAdmin, Auditor},
	ManageAccounts: {SysAdmin},
	GrantRoles:     {SecAdmin},
	ManageSecurity: {SecAdmin},
	ViewAudit:      {Auditor},
	ViewDashboard:  {Chief, Leader, Supervisor, Staff, Viewer},
	ViewProject:    {Chief, Leader, Supervisor, Staff, Viewer},
	// A leader edits only the projects they are 责任领导 of: a record rule,
	// which package project adds on top of this table.
	EditProject: {Chief, Supervisor, Staff},
	// The rules that colour every project are the supervision office's
	// (DESIGN.md §4), with the chief above it.
	ProjectRules: {Chief, Supervisor},
	// The calendar is system data that every deadline depends on.
	EditCalendar: {SysAdmin},

	// Every working role reads the monthly loop; units report and answer for
	// themselves, the supervision office runs the cycle (DESIGN.md §1). The
	// office may also enter a report for a unit that sent it on paper.
	ViewReport:   {Chief, Leader, Supervisor, Staff, Viewer},
	SubmitReport: {Supervisor, Staff},
	ReviewReport: {Supervisor},
	RunMeeting:   {Supervisor},
	ViewProblem:  {Chief, Leader, Supervisor, Staff, Viewer},
	// Problems are found at the front line (问题在一线发现): anyone who works
	// the projects may raise one.
	RaiseProblem:  {Chief, Leader, Supervisor, Staff},
	HandleProblem: {Supervisor, Staff},
	SuperProblem:  {Supervisor},
	ViewInstr:     {Chief, Leader, Supervisor, Staff, Viewer},
	WriteInstr:    {Chief, Leader},
	AnswerInstr:   {Supervisor, Staff},
	// Which group hears what is the office's call; the webhook is system data.
	ManageChannels: {Supervisor, SysAdmin},

	// The office drafts and issues the 通报, the chief signs it; leaders and
	// county viewers read drafts too. Units read what was issued to them:
	// package bulletin lets a unit read its town's issued bulletins, a
	// record rule on top of this table (the town is above the unit).
	ReadBulletin:  {Chief, Leader, Supervisor, Staff, Viewer},
	DraftBulletin: {Chief, Leader, Supervisor, Viewer},
	WriteBulletin: {Chief, Supervisor},
}

// Allowed reports whether role r may ever do act (somewhere).
func Allowed(r Role, act Action) bool {
	for _, x := range policy[act] {
		if x == r {
			return true
		}
	}
	return false
}

// Can reports whether the actor may do act on the unit with path unitPath.
// Domain functions call it; pages call it only to hide buttons.
func Can(a Actor, act Action, unitPath string) bool {
	if a.System {
		return true
	}
	for _, g := range a.Grants {
		if Allowed(g.Role, act) && g.Covers(unitPath) {
			return true
		}
	}
	return false
}

// CanAnywhere reports whether the actor may do act on at least some unit;
// navigation uses it to show only what the actor can open.
func CanAnywhere(a Actor, act Action) bool {
	if a.System {
		return true
	}
	for _, g := range a.Grants {
		if Allowed(g.Role, act) {
			return true
		}
	}
	return false
}

// ScopePaths returns the unit paths under which the actor may do act; list
// queries restrict themselves to these subtrees. Nested paths are collapsed.
func ScopePaths(a Actor, act Action) []string {
	var paths []string
	for _, g := range a.Grants {
		if Allowed(g.Role, act) && g.UnitPath != "" { // an empty path covers nothing, as in Covers
			paths = append(paths, g.UnitPath)
		}
	}
	// Drop paths inside another path of the list.
	var out []string
	for i, p := range paths {
		inside := false
		for j, q := range paths {
			if i != j && strings.HasPrefix(p, q) && (p != q || j < i) {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, p)
		}
	}
	return out
}
