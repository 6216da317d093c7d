package web

import (
	"net/http"
	"strings"

	"guatu/db"
	"guatu/project"
)

// The project settings: the light thresholds of DESIGN.md §4, the category
// list and the node templates. Each card is its own form, so a refused entry
// comes back with what was typed while the other cards show what is stored.
type projectSettingsPage struct {
	Base
	Settings   []ruleSetting
	Rules      project.RulesInput
	Categories []project.Category
	Templates  []templateRow
	// The form that was refused, with its input and messages.
	Failed    string // "rules", "category-new", "category-<id>", "template-new", "template-<id>"
	Input     map[string]string
	Errors    map[string]string
	Error     string
	UsedCount map[int64]int
}

type ruleSetting struct {
	project.RuleSetting
	Default string
}

type templateRow struct {
	project.NodeTemplate
	Text string // the nodes one per line, for the textarea
}

func (s *Server) projectSettingsData(r *http.Request, pg *projectSettingsPage) error {
	if err := project.RequireRules(actor(r)); err != nil {
		return err
	}
	pg.Base = s.base(r, "项目设置", "project-settings")
	def := project.DefaultRules().Form()
	for _, st := range project.RuleSettings() {
		pg.Settings = append(pg.Settings, ruleSetting{RuleSetting: st, Default: def[st.Key] + " " + st.Unit})
	}
	if pg.Rules == nil {
		rules, err := project.LoadRules(r.Context(), s.db)
		if err != nil {
			return err
		}
		pg.Rules = rules.Form()
	}
	var err error
	if pg.Categories, err = project.Categories(r.Context(), s.db); err != nil {
		return err
	}
	if pg.UsedCount, err = project.CategoryUse(r.Context(), s.db); err != nil {
		return err
	}
	templates, err := project.NodeTemplates(r.Context(), s.db)
	if err != nil {
		return err
	}
	for _, t := range templates {
		pg.Templates = append(pg.Templates, templateRow{NodeTemplate: t, Text: strings.Join(t.Nodes, "\n")})
	}
	return nil
}

func (s *Server) projectSettings(w http.ResponseWriter, r *http.Request) error {
	var pg projectSettingsPage
	if err := s.projectSettingsData(r, &pg); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "project_settings", pg)
}

// settingsSave runs change in a transaction; a refused change re-renders the
// page with the failed form's input, anything else goes back to the page.
func (s *Server) settingsSave(w http.ResponseWriter, r *http.Request, failed string, input map[string]string, flash string, change func(tx *db.Tx) error) error {
	err := s.db.InTx(r.Context(), change)
	if fields, msg, ok := invalid(err); ok {
		pg := projectSettingsPage{Failed: failed, Input: input, Errors: fields, Error: msg}
		if failed == "rules" {
			pg.Rules = project.RulesInput(input)
		}
		if err := s.projectSettingsData(r, &pg); err != nil {
			return err
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "project_settings", pg)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/settings/projects", flash)
}

func (s *Server) projectRulesSave(w http.ResponseWriter, r *http.Request) error {
	in := project.RulesInput{}
	for _, st := range project.RuleSettings() {
		in[st.Key] = strings.TrimSpace(r.PostFormValue(st.Key))
	}
	return s.settingsSave(w, r, "rules", in, "亮灯规则已保存，所有项目按新规则判定", func(tx *db.Tx) error {
		_, err := project.SaveRules(r.Context(), tx, actor(r), in)
		return err
	})
}

func (s *Server) categoryCreate(w http.ResponseWriter, r *http.Request) error {
	name := r.PostFormValue("name")
	return s.settingsSave(w, r, "category-new", map[string]string{"name": name}, "已新增分类“"+strings.TrimSpace(name)+"”", func(tx *db.Tx) error {
		_, err := project.AddCategory(r.Context(), tx, actor(r), name)
		return err
	})
}

func (s *Server) categoryUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	name, disabled := r.PostFormValue("name"), r.PostFormValue("disabled") != ""
	return s.settingsSave(w, r, "category-"+r.PathValue("id"), map[string]string{"name": name}, "分类已保存", func(tx *db.Tx) error {
		return project.UpdateCategory(r.Context(), tx, actor(r), id, name, disabled)
	})
}

func (s *Server) listEntryMove(table string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		up := r.PostFormValue("dir") == "up"
		return s.settingsSave(w, r, "", nil, "", func(tx *db.Tx) error {
			return project.MoveListEntry(r.Context(), tx, actor(r), table, id, up)
		})
	}
}

func (s *Server) templateCreate(w http.ResponseWriter, r *http.Request) error {
	name, nodes := r.PostFormValue("name"), r.PostFormValue("nodes")
	return s.settingsSave(w, r, "template-new", map[string]string{"name": name, "nodes": nodes}, "已新增节点模板", func(tx *db.Tx) error {
		_, err := project.SaveNodeTemplate(r.Context(), tx, actor(r), 0, name, nodes)
		return err
	})
}

func (s *Server) templateUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	name, nodes := r.PostFormValue("name"), r.PostFormValue("nodes")
	return s.settingsSave(w, r, "template-"+r.PathValue("id"), map[string]string{"name": name, "nodes": nodes}, "节点模板已保存", func(tx *db.Tx) error {
		_, err := project.SaveNodeTemplate(r.Context(), tx, actor(r), id, name, nodes)
		return err
	})
}

func (s *Server) templateDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.settingsSave(w, r, "", nil, "节点模板已删除", func(tx *db.Tx) error {
		return project.DeleteNodeTemplate(r.Context(), tx, actor(r), id)
	})
}
