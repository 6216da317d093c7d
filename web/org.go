package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"guatu/apperr"
	"guatu/auth"
	"guatu/db"
	"guatu/org"
)

// peoplePerPage is the length of one page of the people list.
const peoplePerPage = 50

func kindOptions() []option {
	out := make([]option, len(org.Kinds))
	for i, k := range org.Kinds {
		out[i] = option{string(k), k.Label()}
	}
	return out
}

// unitOption is one unit in a select or a checkbox list. Label carries the
// indentation as full-width spaces because an <option> cannot be styled
// reliably across browsers; checkbox lists use DepthClass instead.
type unitOption struct {
	Value      string
	Label      string
	Name       string
	DepthClass string
	Disabled   bool
	Checked    bool
}

// depthClass names the CSS class that indents a tree row; deeper levels
// share the last class so a deep county tree still fits on a phone.
func depthClass(depth int) string { return "depth-" + strconv.Itoa(min(max(depth, 0), 6)) }

func optionOf(u *org.Unit) unitOption {
	label := strings.Repeat("　", u.Depth) + u.Name
	if u.Disabled {
		label += "（已停用）"
	}
	return unitOption{Value: strconv.FormatInt(u.ID, 10), Label: label, Name: u.Name,
		DepthClass: depthClass(u.Depth), Disabled: u.Disabled}
}

// unitOptions lists, in tree order, the units the actor can see that keep accepts.
func (s *Server) unitOptions(r *http.Request, keep func(*org.Unit) bool) ([]unitOption, error) {
	return s.unitChoices(r.Context(), actor(r), keep)
}

// unitChoices is unitOptions for an actor outside a request's handler.
func (s *Server) unitChoices(ctx context.Context, a auth.Actor, keep func(*org.Unit) bool) ([]unitOption, error) {
	tree, err := org.Tree(ctx, s.db, a, org.TreeFilter{IncludeDisabled: true})
	if err != nil {
		return nil, err
	}
	var out []unitOption
	for _, u := range tree {
		if keep(u) {
			out = append(out, optionOf(u))
		}
	}
	return out, nil
}

// manageable is the filter for units a form may put something under: the
// domain refuses the others, so offering them would only produce errors.
func manageable(a auth.Actor) func(*org.Unit) bool {
	return func(u *org.Unit) bool { return !u.Disabled && auth.Can(a, auth.ManageOrg, u.Path) }
}

// backTo is where a button returns: the page it was pressed on (sent as the
// form field back, kept on this site), else def.
func backTo(r *http.Request, def string) string {
	if b := r.PostFormValue("back"); b != "" {
		return safeNext(b)
	}
	return def
}

// finish ends a button action (order, disable, delete, 分管): success and
// refusals the user can act on (Invalid, Conflict) both return to the page
// with a flash, so "still has children" is a message, not an error page.
// Anything else goes to s.fail.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, err error, to, ok string) error {
	if err == nil {
		return s.redirect(w, r, to, ok)
	}
	ae, isApp := apperr.As(err)
	if !isApp || (ae.Kind != apperr.Invalid && ae.Kind != apperr.Conflict) {
		return err
	}
	msg := ae.Msg
	if len(ae.Fields) > 0 {
		keys := make([]string, 0, len(ae.Fields))
		for k := range ae.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		msgs := make([]string, len(keys))
		for i, k := range keys {
			msgs[i] = ae.Fields[k]
		}
		msg = strings.Join(msgs, "；")
	}
	s.setFlash(w, r, msg, true)
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func unitURL(id int64) string   { return "/org/units/" + strconv.FormatInt(id, 10) }
func personURL(id int64) string { return "/org/people/" + strconv.FormatInt(id, 10) }

// formID reads an optional id from a form or query value; anything malformed is 0.
func formID(v string) int64 {
	id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

// ——— The unit tree ———

type orgTreePage struct {
	Base
	Query     string
	Kind      string
	Disabled  bool
	Kinds     []option
	Rows      []treeRow
	Back      string // this page's address, where the row buttons return
	CanCreate bool
	AnyManage bool // some row has buttons: show the column
}

type treeRow struct {
	Unit      *org.Unit
	Depth     string
	Match     bool // the name matches the search (the other rows are its ancestors)
	CanManage bool
	Up, Down  bool
}

// orgTree is the unit tree with search by name, kind filter and, on request,
// the disabled units.
func (s *Server) orgTree(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	q := r.URL.Query()
	p := orgTreePage{Base: s.base(r, "组织机构", "org"), Query: strings.TrimSpace(q.Get("q")),
		Disabled: q.Get("disabled") == "1", Kinds: kindOptions(), Back: r.URL.RequestURI(),
		CanCreate: auth.CanAnywhere(a, auth.ManageOrg)}
	if k := org.Kind(q.Get("kind")); k.Valid() {
		p.Kind = string(k)
	}
	tree, err := org.Tree(r.Context(), s.db, a, org.TreeFilter{Query: p.Query, IncludeDisabled: p.Disabled})
	if err != nil {
		return err
	}
	// Up and down are offered only on the whole tree: with a filter the
	// neighbours a unit would swap with may be hidden.
	ordering := p.Query == "" && p.Kind == ""
	siblings := map[int64][]int64{}
	for _, u := range tree {
		siblings[u.ParentID] = append(siblings[u.ParentID], u.ID)
	}
	for _, u := range tree {
		if p.Kind != "" && string(u.Kind) != p.Kind {
			continue
		}
		row := treeRow{Unit: u, Depth: depthClass(u.Depth), CanManage: auth.Can(a, auth.ManageOrg, u.Path),
			Match: p.Query != "" && strings.Contains(u.Name, p.Query)}
		if ordering && u.ParentID != 0 {
			sib := siblings[u.ParentID]
			row.Up = sib[0] != u.ID
			row.Down = sib[len(sib)-1] != u.ID
		}
		p.AnyManage = p.AnyManage || row.CanManage
		p.Rows = append(p.Rows, row)
	}
	return s.render(w, r, http.StatusOK, "org_tree", p)
}

// ——— One unit ———

type unitShowPage struct {
	Base
	Unit        *org.Unit
	Ancestors   []*org.Unit
	Children    []*org.Unit
	People      []*org.Person // of this unit itself, disabled ones included
	Leaders     []*org.Person // in charge of it (分管), nearest first
	CanManage   bool
	CanDelete   bool // nothing visible refers to it; the domain still checks the rest
	MoveTargets []unitOption
	MoveParent  string
	MoveError   string
}

// unitShowData gathers the unit page; the caller has checked visibility.
func (s *Server) unitShowData(r *http.Request, u *org.Unit) (unitShowPage, error) {
	ctx, a := r.Context(), actor(r)
	p := unitShowPage{Base: s.base(r, u.Name, "org"), Unit: u, CanManage: auth.Can(a, auth.ManageOrg, u.Path),
		MoveParent: strconv.FormatInt(u.ParentID, 10)}
	var err error
	if p.Ancestors, err = org.Ancestors(ctx, s.db, u); err != nil {
		return p, err
	}
	if p.Children, err = org.Children(ctx, s.db, u.ID); err != nil {
		return p, err
	}
	people, _, err := org.People(ctx, s.db, a, org.PeopleFilter{UnitID: u.ID, IncludeDisabled: true})
	if err != nil {
		return p, err
	}
	for _, x := range people {
		if x.UnitID == u.ID {
			p.People = append(p.People, x)
		}
	}
	if p.Leaders, err = org.LeadersOf(ctx, s.db, u.ID); err != nil {
		return p, err
	}
	if p.CanManage && u.ParentID != 0 {
		p.CanDelete = len(p.Children) == 0 && len(p.People) == 0
		can := manageable(a)
		p.MoveTargets, err = s.unitOptions(r, func(x *org.Unit) bool {
			return can(x) && !strings.HasPrefix(x.Path, u.Path)
		})
		if err != nil {
			return p, err
		}
	}
	return p, nil
}

// unitShow is a unit with its place in the tree, its sub-units, its people
// and the leaders in charge of it.
func (s *Server) unitShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := org.ViewUnit(r.Context(), s.db, actor(r), id)
	if err != nil {
		return err
	}
	p, err := s.unitShowData(r, u)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "unit_show", p)
}

type unitFormPage struct {
	Base
	Unit    *org.Unit // nil when creating
	Input   org.UnitInput
	Errors  map[string]string
	Error   string
	Parents []unitOption
	Kinds   []option
}

func (s *Server) unitForm(w http.ResponseWriter, r *http.Request, status int, p unitFormPage) error {
	p.Kinds = kindOptions()
	if p.Unit == nil {
		p.Base = s.base(r, "新建单位", "org")
		var err error
		if p.Parents, err = s.unitOptions(r, manageable(actor(r))); err != nil {
			return err
		}
		// A form whose every submission would be refused is not worth showing.
		if len(p.Parents) == 0 {
			return apperr.Forbiddenf("您没有可以新建下级单位的单位")
		}
	} else {
		p.Base = s.base(r, "编辑单位", "org")
	}
	return s.render(w, r, status, "unit_form", p)
}

func (s *Server) unitNew(w http.ResponseWriter, r *http.Request) error {
	return s.unitForm(w, r, http.StatusOK, unitFormPage{Input: org.UnitInput{ParentID: r.URL.Query().Get("parent")}})
}

func unitInput(r *http.Request) org.UnitInput {
	return org.UnitInput{ParentID: r.PostFormValue("parent_id"), Kind: r.PostFormValue("kind"),
		Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"), Note: r.PostFormValue("note")}
}

func (s *Server) unitCreate(w http.ResponseWriter, r *http.Request) error {
	in := unitInput(r)
	var u *org.Unit
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		u, err = org.CreateUnit(r.Context(), tx, actor(r), in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		return s.unitForm(w, r, http.StatusUnprocessableEntity, unitFormPage{Input: in, Errors: fields, Error: msg})
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, unitURL(u.ID), fmt.Sprintf("已新建单位“%s”", u.Name))
}

// editableUnit is the unit of an edit form: visible (else 404) and
// manageable (else 403), so nobody is shown a form they cannot submit.
func (s *Server) editableUnit(r *http.Request) (*org.Unit, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return org.EditUnit(r.Context(), s.db, actor(r), id)
}

func (s *Server) unitEdit(w http.ResponseWriter, r *http.Request) error {
	u, err := s.editableUnit(r)
	if err != nil {
		return err
	}
	in := org.UnitInput{Kind: string(u.Kind), Name: u.Name, Phone: u.Phone, Note: u.Note}
	return s.unitForm(w, r, http.StatusOK, unitFormPage{Unit: u, Input: in})
}

// visibleUnit runs inside a write: a unit the actor cannot see is 404 for
// every action on it, as it is for its page.
func visibleUnit(r *http.Request, tx *db.Tx) (*org.Unit, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return org.ViewUnit(r.Context(), tx, actor(r), id)
}

func (s *Server) unitUpdate(w http.ResponseWriter, r *http.Request) error {
	in := unitInput(r)
	var u, saved *org.Unit
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		if u, err = visibleUnit(r, tx); err != nil {
			return err
		}
		saved, err = org.UpdateUnit(r.Context(), tx, actor(r), u.ID, in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		return s.unitForm(w, r, http.StatusUnprocessableEntity, unitFormPage{Unit: u, Input: in, Errors: fields, Error: msg})
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, unitURL(saved.ID), fmt.Sprintf("已保存“%s”", saved.Name))
}

// unitMove puts the unit under another parent; a refused move re-renders
// the unit page with the message beside the parent select.
func (s *Server) unitMove(w http.ResponseWriter, r *http.Request) error {
	parent := r.PostFormValue("parent_id")
	var u, moved *org.Unit
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		if u, err = visibleUnit(r, tx); err != nil {
			return err
		}
		moved, err = org.MoveUnit(r.Context(), tx, actor(r), u.ID, formID(parent))
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		p, err := s.unitShowData(r, u)
		if err != nil {
			return err
		}
		p.MoveParent, p.MoveError = parent, msg
		if m := fields["parent_id"]; m != "" {
			p.MoveError = m
		}
		p.Flash, p.FlashErr = p.MoveError, true
		return s.render(w, r, http.StatusUnprocessableEntity, "unit_show", p)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, unitURL(moved.ID), fmt.Sprintf("已把“%s”移到新的上级单位下", moved.Name))
}

func (s *Server) unitOrder(w http.ResponseWriter, r *http.Request) error {
	dir := r.PostFormValue("dir")
	var u *org.Unit
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		if u, err = visibleUnit(r, tx); err != nil {
			return err
		}
		if dir != "up" && dir != "down" {
			return apperr.Invalidf("请选择上移或下移")
		}
		return org.ReorderUnit(r.Context(), tx, actor(r), u.ID, dir == "up")
	})
	if u == nil {
		return err
	}
	return s.finish(w, r, err, backTo(r, unitURL(u.ID)), "")
}

func (s *Server) setUnitDisabled(w http.ResponseWriter, r *http.Request, disabled bool) error {
	var u *org.Unit
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		if u, err = visibleUnit(r, tx); err != nil {
			return err
		}
		_, err = org.SetUnitDisabled(r.Context(), tx, actor(r), u.ID, disabled)
		return err
	})
	if u == nil {
		return err
	}
	ok := fmt.Sprintf("已启用“%s”", u.Name)
	if disabled {
		ok = fmt.Sprintf("已停用“%s”", u.Name)
	}
	return s.finish(w, r, err, backTo(r, unitURL(u.ID)), ok)
}

func (s *Server) unitDisable(w http.ResponseWriter, r *http.Request) error {
	return s.setUnitDisabled(w, r, true)
}

func (s *Server) unitEnable(w http.ResponseWriter, r *http.Request) error {
	return s.setUnitDisabled(w, r, false)
}

// unitDelete removes an unreferenced unit and goes to its parent; a
// referenced one stays, with the message on its page.
func (s *Server) unitDelete(w http.ResponseWriter, r *http.Request) error {
	var u *org.Unit
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		if u, err = visibleUnit(r, tx); err != nil {
			return err
		}
		return org.DeleteUnit(r.Context(), tx, actor(r), u.ID)
	})
	if u == nil {
		return err
	}
	if err != nil {
		return s.finish(w, r, err, unitURL(u.ID), "")
	}
	return s.redirect(w, r, unitURL(u.ParentID), fmt.Sprintf("已删除“%s”", u.Name))
}

// ——— People ———

// pager is the data of the "pager" partial.
type peopleListPage struct {
	Base
	Query     string
	Unit      string
	Disabled  bool
	Units     []unitOption
	People    []*org.Person
	Pager     pager
	CanCreate bool
}

// peopleList is the people in scope, searchable by name, phone or position
// and narrowed to a unit's subtree, 50 to a page.
func (s *Server) peopleList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	q := r.URL.Query()
	p := peopleListPage{Base: s.base(r, "人员", "people"), Query: strings.TrimSpace(q.Get("q")),
		Disabled: q.Get("disabled") == "1", CanCreate: auth.CanAnywhere(a, auth.ManageOrg)}
	var err error
	if p.Units, err = s.unitOptions(r, func(*org.Unit) bool { return true }); err != nil {
		return err
	}
	// Only a unit offered in the select is used: an id outside the actor's
	// scope is ignored rather than answered, so it reveals nothing.
	f := org.PeopleFilter{Query: p.Query, IncludeDisabled: p.Disabled, Limit: peoplePerPage}
	if want := q.Get("unit"); want != "" {
		for _, o := range p.Units {
			if o.Value == want {
				p.Unit, f.UnitID = want, formID(want)
			}
		}
	}
	page := pageParam(r)
	f.Offset = (page - 1) * peoplePerPage
	people, total, err := org.People(r.Context(), s.db, a, f)
	if err != nil {
		return err
	}
	pages := (total + peoplePerPage - 1) / peoplePerPage
	if page > pages && pages > 0 {
		// A stale link past the end shows the last page.
		page = pages
		f.Offset = (page - 1) * peoplePerPage
		if people, total, err = org.People(r.Context(), s.db, a, f); err != nil {
			return err
		}
	}
	p.People = people
	link := func(n int) string {
		v := url.Values{}
		for k, x := range map[string]string{"q": p.Query, "unit": p.Unit} {
			if x != "" {
				v.Set(k, x)
			}
		}
		if p.Disabled {
			v.Set("disabled", "1")
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		return "/org/people?" + v.Encode()
	}
	p.Pager = newPager(page, total, peoplePerPage, link)
	return s.render(w, r, http.StatusOK, "people_list", p)
}

type personShowPage struct {
	Base
	Person      *org.Person
	CanManage   bool
	LeadOptions []unitOption
}

// personShow is a person with the units they are in charge of and, for
// whoever manages the org, the form that sets them.
func (s *Server) personShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := actor(r)
	x, err := org.ViewPerson(r.Context(), s.db, a, id)
	if err != nil {
		return err
	}
	p := personShowPage{Base: s.base(r, x.Name, "people"), Person: x, CanManage: auth.Can(a, auth.ManageOrg, x.UnitPath)}
	if p.CanManage {
		leads := map[string]bool{}
		for _, l := range x.LeaderUnits {
			leads[strconv.FormatInt(l.ID, 10)] = true
		}
		// Units already led stay in the list even if disabled, so saving
		// the form never drops them unseen.
		can := manageable(a)
		p.LeadOptions, err = s.unitOptions(r, func(u *org.Unit) bool {
			return can(u) || leads[strconv.FormatInt(u.ID, 10)]
		})
		if err != nil {
			return err
		}
		for i := range p.LeadOptions {
			p.LeadOptions[i].Checked = leads[p.LeadOptions[i].Value]
		}
	}
	return s.render(w, r, http.StatusOK, "person_show", p)
}

type personFormPage struct {
	Base
	Person *org.Person // nil when creating
	Input  org.PersonInput
	Errors map[string]string
	Error  string
	Units  []unitOption
}

func (s *Server) personForm(w http.ResponseWriter, r *http.Request, status int, p personFormPage) error {
	title := "新增人员"
	keep := manageable(actor(r))
	if p.Person != nil {
		title = "编辑人员"
		current := p.Person.UnitID
		manage := keep
		keep = func(u *org.Unit) bool { return manage(u) || u.ID == current }
	}
	p.Base = s.base(r, title, "people")
	var err error
	if p.Units, err = s.unitOptions(r, keep); err != nil {
		return err
	}
	if len(p.Units) == 0 {
		return apperr.Forbiddenf("您没有可以管理人员的单位")
	}
	return s.render(w, r, status, "person_form", p)
}

func (s *Server) personNew(w http.ResponseWriter, r *http.Request) error {
	return s.personForm(w, r, http.StatusOK, personFormPage{Input: org.PersonInput{UnitID: r.URL.Query().Get("unit")}})
}

func personInput(r *http.Request) org.PersonInput {
	return org.PersonInput{UnitID: r.PostFormValue("unit_id"), Name: r.PostFormValue("name"),
		Phone: r.PostFormValue("phone"), Position: r.PostFormValue("position")}
}

func (s *Server) personCreate(w http.ResponseWriter, r *http.Request) error {
	in := personInput(r)
	var x *org.Person
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		x, err = org.CreatePerson(r.Context(), tx, actor(r), in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		return s.personForm(w, r, http.StatusUnprocessableEntity, personFormPage{Input: in, Errors: fields, Error: msg})
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, personURL(x.ID), fmt.Sprintf("已新增人员“%s”", x.Name))
}

func (s *Server) personEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	x, err := org.EditPerson(r.Context(), s.db, actor(r), id)
	if err != nil {
		return err
	}
	in := org.PersonInput{UnitID: strconv.FormatInt(x.UnitID, 10), Name: x.Name, Phone: x.Phone, Position: x.Position}
	return s.personForm(w, r, http.StatusOK, personFormPage{Person: x, Input: in})
}

// visiblePerson is visibleUnit for people.
func visiblePerson(r *http.Request, tx *db.Tx) (*org.Person, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return org.ViewPerson(r.Context(), tx, actor(r), id)
}

func (s *Server) personUpdate(w http.ResponseWriter, r *http.Request) error {
	in := personInput(r)
	var x, saved *org.Person
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		if x, err = visiblePerson(r, tx); err != nil {
			return err
		}
		saved, err = org.UpdatePerson(r.Context(), tx, actor(r), x.ID, in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		return s.personForm(w, r, http.StatusUnprocessableEntity, personFormPage{Person: x, Input: in, Errors: fields, Error: msg})
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, personURL(saved.ID), fmt.Sprintf("已保存“%s”", saved.Name))
}

// personLeads replaces the units the person is in charge of (分管) with the checked ones.
func (s *Server) personLeads(w http.ResponseWriter, r *http.Request) error {
	var ids []int64
	bad := false
	for _, v := range r.PostForm["unit_id"] {
		id := formID(v)
		if id == 0 {
			bad = true
		}
		ids = append(ids, id)
	}
	var x *org.Person
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		if x, err = visiblePerson(r, tx); err != nil {
			return err
		}
		if bad {
			return apperr.Invalidf("分管单位选择有误，请刷新页面后重试")
		}
		_, err = org.SetLeaderUnits(r.Context(), tx, actor(r), x.ID, ids)
		return err
	})
	if x == nil {
		return err
	}
	return s.finish(w, r, err, personURL(x.ID), fmt.Sprintf("已保存“%s”的分管单位", x.Name))
}

func (s *Server) setPersonDisabled(w http.ResponseWriter, r *http.Request, disabled bool) error {
	var x *org.Person
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		if x, err = visiblePerson(r, tx); err != nil {
			return err
		}
		_, err = org.SetPersonDisabled(r.Context(), tx, actor(r), x.ID, disabled)
		return err
	})
	if x == nil {
		return err
	}
	ok := fmt.Sprintf("已启用“%s”", x.Name)
	if disabled {
		ok = fmt.Sprintf("已停用“%s”", x.Name)
	}
	return s.finish(w, r, err, personURL(x.ID), ok)
}

func (s *Server) personDisable(w http.ResponseWriter, r *http.Request) error {
	return s.setPersonDisabled(w, r, true)
}

func (s *Server) personEnable(w http.ResponseWriter, r *http.Request) error {
	return s.setPersonDisabled(w, r, false)
}

// personDelete removes a person nothing refers to and goes to their unit;
// otherwise the message asks to disable them instead.
func (s *Server) personDelete(w http.ResponseWriter, r *http.Request) error {
	var x *org.Person
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		if x, err = visiblePerson(r, tx); err != nil {
			return err
		}
		return org.DeletePerson(r.Context(), tx, actor(r), x.ID)
	})
	if x == nil {
		return err
	}
	if err != nil {
		return s.finish(w, r, err, personURL(x.ID), "")
	}
	return s.redirect(w, r, unitURL(x.UnitID), fmt.Sprintf("已删除“%s”", x.Name))
}
