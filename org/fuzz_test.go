package org

import (
	"testing"
	"unicode/utf8"

	"guatu/apperr"
)

// The unit and person forms are outside input: whatever arrives, validation
// returns either values within the limits or an Invalid error with a
// Chinese message per field — never a panic, never an overlong name.
func FuzzUnitInput(f *testing.F) {
	f.Add("1", "village", "东岙村", "0631-1234567", "")
	f.Add("", "", "", "", "")
	f.Add("-5", "town", "  \u3000 ", "abc", "备注")
	f.Add("99999999999999999999", "group", "名称名称名称名称名称名称名称名称名称名称名称名称名称名称名称名称名称名称名称名称名称", "1", "x")
	f.Fuzz(func(t *testing.T, parent, kind, name, phone, note string) {
		out, err := UnitInput{ParentID: parent, Kind: kind, Name: name, Phone: phone, Note: note}.validate(true)
		if err != nil {
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.Invalid || len(e.Fields) == 0 {
				t.Fatalf("error %v is not a field error", err)
			}
			return
		}
		if n := utf8.RuneCountInString(out.Name); n == 0 || n > 40 || !out.Kind.Valid() || out.ParentID <= 0 {
			t.Fatalf("accepted %+v", out)
		}
	})
}

func FuzzPersonInput(f *testing.F) {
	f.Add("3", "王五", "13800000000", "副镇长")
	f.Add("0", "", "", "")
	f.Add("x", "名字", "+86 138", "职务")
	f.Fuzz(func(t *testing.T, unit, name, phone, position string) {
		out, err := PersonInput{UnitID: unit, Name: name, Phone: phone, Position: position}.validate()
		if err != nil {
			if e, ok := apperr.As(err); !ok || e.Kind != apperr.Invalid || len(e.Fields) == 0 {
				t.Fatalf("error %v is not a field error", err)
			}
			return
		}
		if n := utf8.RuneCountInString(out.Name); n == 0 || n > 20 || out.UnitID <= 0 || checkPhone(out.Phone, false) != "" {
			t.Fatalf("accepted %+v", out)
		}
	})
}
