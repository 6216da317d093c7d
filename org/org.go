// Package org is the organisation: a tree of units (县 → 镇 → 党政班子,
// 部门, 所站, 村, 社区 → 组), the people in them, and which units each leader
// is in charge of (分管), which escalation later follows.
package org

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"guatu/apperr"
)

// Kind is the sort of unit.
type Kind string

// The unit kinds, in the order a tree usually shows them.
const (
	County    Kind = "county"
	Town      Kind = "town"
	Committee Kind = "committee"
	Office    Kind = "office"
	Station   Kind = "station"
	Village   Kind = "village"
	Community Kind = "community"
	Group     Kind = "group"
)

// Kinds lists every kind in display order.
var Kinds = []Kind{County, Town, Committee, Office, Station, Village, Community, Group}

// Label is the kind's Chinese name.
func (k Kind) Label() string {
	switch k {
	case County:
		return "县"
	case Town:
		return "镇"
	case Committee:
		return "党政班子"
	case Office:
		return "部门（办）"
	case Station:
		return "所站"
	case Village:
		return "村"
	case Community:
		return "社区"
	case Group:
		return "组"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Unit is one node of the organisation tree.
type Unit struct {
	ID        int64
	ParentID  int64 // 0 for a root
	Kind      Kind
	Name      string
	Path      string // '/1/4/17/'
	SortOrder int64
	Phone     string
	Note      string
	Disabled  bool
	CreatedAt time.Time
	UpdatedAt time.Time
	// Filled by tree queries.
	Depth       int
	ParentName  string
	PeopleCount int
}

// Depth of a path: '/1/' is 0, '/1/4/' is 1.
func pathDepth(p string) int { return strings.Count(p, "/") - 2 }

// ChildPath is the path a child with id would have under p.
func childPath(parentPath string, id int64) string {
	if parentPath == "" {
		parentPath = "/"
	}
	return parentPath + strconv.FormatInt(id, 10) + "/"
}

// UnitInput is the unit form exactly as typed.
type UnitInput struct {
	ParentID string
	Kind     string
	Name     string
	Phone    string
	Note     string
}

// unitFields are the validated values of a UnitInput.
type unitFields struct {
	ParentID int64
	Kind     Kind
	Name     string
	Phone    string
	Note     string
}

func (in UnitInput) validate(needParent bool) (unitFields, error) {
	var f apperr.Fields
	var out unitFields
	out.Name = strings.TrimSpace(in.Name)
	switch n := utf8.RuneCountInString(out.Name); {
	case n == 0:
		f.Add("name", "请填写单位名称")
	case n > 40:
		f.Add("name", "单位名称不超过40个字")
	}
	out.Kind = Kind(in.Kind)
	if !out.Kind.Valid() {
		f.Add("kind", "请选择单位类别")
	}
	if needParent {
		id, err := strconv.ParseInt(strings.TrimSpace(in.ParentID), 10, 64)
		if err != nil || id <= 0 {
			f.Add("parent_id", "请选择上级单位")
		}
		out.ParentID = id
	}
	out.Phone = strings.TrimSpace(in.Phone)
	if msg := checkPhone(out.Phone, false); msg != "" {
		f.Add("phone", msg)
	}
	out.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(out.Note) > 200 {
		f.Add("note", "备注不超过200个字")
	}
	return out, f.Err()
}

// checkPhone accepts a mobile number (11 digits starting 1) or a landline
// such as 0631-1234567; spaces and hyphens are allowed.
func checkPhone(p string, required bool) string {
	if p == "" {
		if required {
			return "请填写联系电话"
		}
		return ""
	}
	digits := 0
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-' || r == ' ':
		default:
			return "电话号码只能包含数字和“-”"
		}
	}
	if digits < 7 || digits > 12 {
		return "电话号码位数不对，手机为11位，座机如 0631-1234567"
	}
	return ""
}

// Person is someone in a unit. Accounts (package account) may link to a person.
type Person struct {
	ID        int64
	UnitID    int64
	UnitName  string
	UnitPath  string
	Name      string
	Phone     string
	Position  string // 职务
	SortOrder int64
	Disabled  bool
	CreatedAt time.Time
	UpdatedAt time.Time
	// LeaderUnits are the units this person is in charge of (分管), if a leader.
	LeaderUnits []UnitRef
}

// UnitRef names a unit.
type UnitRef struct {
	ID   int64
	Name string
	Path string
}

// PersonInput is the person form exactly as typed.
type PersonInput struct {
	UnitID   string
	Name     string
	Phone    string
	Position string
}

type personFields struct {
	UnitID   int64
	Name     string
	Phone    string
	Position string
}

func (in PersonInput) validate() (personFields, error) {
	var f apperr.Fields
	var out personFields
	out.Name = strings.TrimSpace(in.Name)
	switch n := utf8.RuneCountInString(out.Name); {
	case n == 0:
		f.Add("name", "请填写姓名")
	case n > 20:
		f.Add("name", "姓名不超过20个字")
	}
	id, err := strconv.ParseInt(strings.TrimSpace(in.UnitID), 10, 64)
	if err != nil || id <= 0 {
		f.Add("unit_id", "请选择所在单位")
	}
	out.UnitID = id
	out.Phone = strings.TrimSpace(in.Phone)
	if msg := checkPhone(out.Phone, false); msg != "" {
		f.Add("phone", msg)
	}
	out.Position = strings.TrimSpace(in.Position)
	if utf8.RuneCountInString(out.Position) > 30 {
		f.Add("position", "职务不超过30个字")
	}
	return out, f.Err()
}
