package auth

import (
	"slices"
	"testing"
)

// The tree used by these tests:
//
//	/1/        town
//	/1/3/      village 3
//	/1/3/7/    group 7 under village 3
//	/1/4/      village 4 (sibling of 3)
//	/1/30/     village 30 (its path starts with "/1/3" but is not under /1/3/)
//	/2/        another tree
const (
	town     = "/1/"
	village  = "/1/3/"
	group    = "/1/3/7/"
	sibling  = "/1/4/"
	village3 = "/1/30/"
	other    = "/2/"
)

func grant(r Role, path string) Grant { return Grant{Role: r, UnitPath: path} }

func TestGrantCovers(t *testing.T) {
	tests := []struct {
		name  string
		grant string
		unit  string
		want  bool
	}{
		{"own unit", village, village, true},
		{"child", village, group, true},
		{"parent", village, town, false},
		{"sibling", village, sibling, false},
		{"id that shares a prefix", village, village3, false},
		{"other tree", town, other, false},
		{"root covers all below", town, group, true},
		{"empty grant path covers nothing", "", village, false},
		{"empty unit path", village, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := grant(Staff, tt.grant).Covers(tt.unit); got != tt.want {
				t.Errorf("Grant{%q}.Covers(%q) = %v, want %v", tt.grant, tt.unit, got, tt.want)
			}
		})
	}
}

func TestCan(t *testing.T) {
	sysVillage := Actor{UserID: 1, Grants: []Grant{grant(SysAdmin, village)}}
	staffVillage := Actor{UserID: 2, Grants: []Grant{grant(Staff, village)}}
	// A staff grant on the town and a sysadmin grant on one village: the
	// right to manage comes only from the second.
	mixed := Actor{UserID: 3, Grants: []Grant{grant(Staff, town), grant(SysAdmin, sibling)}}
	auditor := Actor{UserID: 4, Grants: []Grant{grant(Auditor, town)}}
	nobody := Actor{UserID: 5}
	system := SystemActor("test")

	tests := []struct {
		name  string
		actor Actor
		act   Action
		unit  string
		want  bool
	}{
		{"sysadmin manages own unit", sysVillage, ManageOrg, village, true},
		{"sysadmin manages child", sysVillage, ManageOrg, group, true},
		{"sysadmin not the parent", sysVillage, ManageOrg, town, false},
		{"sysadmin not a sibling", sysVillage, ManageOrg, sibling, false},
		{"sysadmin not a prefix-sharing id", sysVillage, ManageOrg, village3, false},
		{"sysadmin not another tree", sysVillage, ManageOrg, other, false},
		{"sysadmin views own unit", sysVillage, ViewOrg, village, true},
		{"sysadmin cannot grant roles", sysVillage, GrantRoles, village, false},
		{"sysadmin cannot read audit", sysVillage, ViewAudit, village, false},
		{"staff views own unit", staffVillage, ViewOrg, village, true},
		{"staff views child", staffVillage, ViewOrg, group, true},
		{"staff does not view sibling", staffVillage, ViewOrg, sibling, false},
		{"staff cannot manage own unit", staffVillage, ManageOrg, village, false},
		{"staff sees dashboard", staffVillage, ViewDashboard, village, true},
		{"mixed: manage where sysadmin", mixed, ManageOrg, sibling, true},
		{"mixed: not manage where only staff", mixed, ManageOrg, village, false},
		{"mixed: view anywhere in town", mixed, ViewOrg, group, true},
		{"auditor reads audit", auditor, ViewAudit, town, true},
		{"auditor has no dashboard", auditor, ViewDashboard, town, false},
		{"no grants: nothing", nobody, ViewOrg, town, false},
		{"system passes every check", system, ManageOrg, other, true},
		{"system passes with no path", system, GrantRoles, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Can(tt.actor, tt.act, tt.unit); got != tt.want {
				t.Errorf("Can(%v, %s, %q) = %v, want %v", tt.actor.Grants, tt.act, tt.unit, got, tt.want)
			}
		})
	}
}

func TestCanAnywhere(t *testing.T) {
	tests := []struct {
		name  string
		actor Actor
		act   Action
		want  bool
	}{
		{"secadmin on a village may grant", Actor{Grants: []Grant{grant(SecAdmin, village)}}, GrantRoles, true},
		{"secadmin may not read audit", Actor{Grants: []Grant{grant(SecAdmin, town)}}, ViewAudit, false},
		{"auditor may view accounts", Actor{Grants: []Grant{grant(Auditor, town)}}, ViewAccounts, true},
		{"viewer may not manage accounts", Actor{Grants: []Grant{grant(Viewer, town)}}, ManageAccounts, false},
		{"second grant counts", Actor{Grants: []Grant{grant(Viewer, town), grant(SysAdmin, group)}}, ManageAccounts, true},
		{"no grants", Actor{}, ViewOrg, false},
		{"system", SystemActor("cli"), ViewAudit, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CanAnywhere(tt.actor, tt.act); got != tt.want {
				t.Errorf("CanAnywhere = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestScopePaths(t *testing.T) {
	tests := []struct {
		name   string
		grants []Grant
		act    Action
		want   []string
	}{
		{"one grant", []Grant{grant(Staff, village)}, ViewOrg, []string{village}},
		{"child collapsed into parent", []Grant{grant(Staff, group), grant(Viewer, village)}, ViewOrg, []string{village}},
		{"parent first, child dropped", []Grant{grant(Viewer, town), grant(Staff, group), grant(Leader, village)}, ViewOrg, []string{town}},
		{"same path twice kept once", []Grant{grant(Staff, village), grant(Leader, village)}, ViewOrg, []string{village}},
		{"siblings both kept", []Grant{grant(Staff, village), grant(Staff, sibling)}, ViewOrg, []string{village, sibling}},
		{"prefix-sharing ids both kept", []Grant{grant(Staff, village), grant(Staff, village3)}, ViewOrg, []string{village, village3}},
		{"two trees", []Grant{grant(Staff, other), grant(Staff, village)}, ViewOrg, []string{other, village}},
		{"roles without the action ignored", []Grant{grant(Staff, town), grant(SysAdmin, village)}, ManageOrg, []string{village}},
		{"nothing allowed", []Grant{grant(Staff, town)}, ViewAudit, nil},
		{"no grants", nil, ViewOrg, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ScopePaths(Actor{Grants: tt.grants}, tt.act)
			if !slices.Equal(got, tt.want) {
				t.Errorf("ScopePaths = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRoles(t *testing.T) {
	admins := 0
	for _, r := range Roles {
		if !r.Valid() {
			t.Errorf("%s not valid", r)
		}
		if r.Label() == string(r) {
			t.Errorf("%s has no Chinese label", r)
		}
		if r.IsAdmin() {
			admins++
		}
	}
	if admins != 3 {
		t.Errorf("%d administrator roles, want 3 (三员分立)", admins)
	}
	if Role("root").Valid() {
		t.Error(`Role("root") is valid`)
	}
	a := Actor{Grants: []Grant{grant(Staff, village), grant(Auditor, town)}}
	if !a.HasRole(Auditor) || a.HasRole(SysAdmin) || !a.IsAdmin() {
		t.Errorf("HasRole/IsAdmin wrong for %v", a.Grants)
	}
	if (Actor{Grants: []Grant{grant(Chief, town)}}).IsAdmin() {
		t.Error("chief counted as administrator")
	}
}

// Every action is in the policy and no action is open to all three
// administrators: each administrator's work is their own (三员分立).
func TestPolicySeparatesAdministrators(t *testing.T) {
	actions := []Action{ViewOrg, ManageOrg, ViewAccounts, ManageAccounts, GrantRoles, ManageSecurity, ViewAudit, ViewDashboard}
	for _, act := range actions {
		if len(policy[act]) == 0 {
			t.Errorf("%s has no roles", act)
		}
	}
	only := map[Action]Role{ManageOrg: SysAdmin, ManageAccounts: SysAdmin, GrantRoles: SecAdmin, ManageSecurity: SecAdmin, ViewAudit: Auditor}
	for act, want := range only {
		for _, r := range Roles {
			if Allowed(r, act) != (r == want) {
				t.Errorf("Allowed(%s, %s) = %v", r, act, Allowed(r, act))
			}
		}
	}
}
