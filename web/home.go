package web

import (
	"net/http"

	"guatu/account"
	"guatu/audit"
	"guatu/auth"
	"guatu/org"
)

type homePage struct {
	Base
	Counts      org.Counts
	Units       []*org.Unit // the top of the tree in scope, for the overview
	Leaders     []*org.Person
	Sessions    int
	AuditStatus *audit.Verification
	Todos       []todo // 待办, for the roles that work the monthly loop
}

// home is the 工作台: what the signed-in person can see of the town, their
// roles and sign-in record, and for the auditor the state of the audit chain.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	p := homePage{Base: s.base(r, "工作台", "home")}
	var err error
	if auth.CanAnywhere(a, auth.ViewOrg) {
		if p.Counts, err = org.CountIn(r.Context(), s.db, a); err != nil {
			return err
		}
		tree, err := org.Tree(r.Context(), s.db, a, org.TreeFilter{})
		if err != nil {
			return err
		}
		for _, u := range tree {
			if u.Depth == 1 {
				p.Units = append(p.Units, u)
			}
		}
		if p.Leaders, err = org.Leaders(r.Context(), s.db, a); err != nil {
			return err
		}
	}
	if p.Todos, err = s.todos(r); err != nil {
		return err
	}
	sess, err := account.Sessions(r.Context(), s.db, a.UserID)
	if err != nil {
		return err
	}
	p.Sessions = len(sess)
	if auth.CanAnywhere(a, auth.ViewAudit) {
		v, err := audit.Verify(r.Context(), s.db)
		if err != nil {
			return err
		}
		p.AuditStatus = &v
	}
	return s.render(w, r, http.StatusOK, "home", p)
}
