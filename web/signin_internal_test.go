package web

import (
	"net/url"
	"testing"
)

func TestSafeNext_KeepsRedirectsOnThisSite(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/org", "/org"},
		{"/org/people?q=%E7%8E%8B&page=2", "/org/people?q=%E7%8E%8B&page=2"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r/evil.example", "/"},
		{"/%2F/evil.example", "/"}, // refused too: its path decodes to //evil.example
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"///evil.example", "/"},
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/org", "//x", "/\\x", "/\t/x", "https://x", "/a?b=c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := safeNext(in)
		if len(out) == 0 || out[0] != '/' || (len(out) > 1 && (out[1] == '/' || out[1] == '\\')) {
			t.Fatalf("safeNext(%q) = %q leaves the site", in, out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || r == '\\' {
				t.Fatalf("safeNext(%q) = %q keeps %q", in, out, r)
			}
		}
	})
}

// The audit filter comes from the query string: whatever arrives, it gives
// a filter whose end is after its start, or a message for the bad field.
func FuzzParseAuditQuery(f *testing.F) {
	f.Add("2026-03-01", "2026-03-31", "chief", "auth.login", "user", "12", "success")
	f.Add("", "", "", "", "", "", "")
	f.Add("2026-13-01", "x", "%_", "'; drop", "", "-1", "other")
	f.Fuzz(func(t *testing.T, from, to, user, action, objectType, objectID, outcome string) {
		v := url.Values{"from": {from}, "to": {to}, "user": {user}, "action": {action}, "object_type": {objectType},
			"object_id": {objectID}, "outcome": {outcome}}
		_, flt, errs := parseAuditQuery(v, shanghai)
		if !flt.From.IsZero() && !flt.To.IsZero() && !flt.To.After(flt.From) {
			t.Fatalf("filter ends before it starts: %+v", flt)
		}
		if flt.ObjectID < 0 || (flt.Outcome != "" && flt.Outcome != "success" && flt.Outcome != "failure") {
			t.Fatalf("accepted %+v", flt)
		}
		for k, msg := range errs {
			if msg == "" {
				t.Fatalf("empty message for %s", k)
			}
		}
	})
}
