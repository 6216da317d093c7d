package web

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"guatu/apperr"
	"guatu/audit"
	"guatu/db"
	"guatu/project"
	"guatu/sheet"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// projectExport downloads the 台账's filtered rows, every field, as .xlsx.
func (s *Server) projectExport(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	q := r.URL.Query()
	list, _, err := project.List(r.Context(), s.db, a, listFilter(q))
	if err != nil {
		return err
	}
	j, err := s.judging(r)
	if err != nil {
		return err
	}
	rows := make([]project.Judged, len(list))
	for i, p := range list {
		rows[i] = j.row(p)
	}
	year := j.Today.Year()
	day := project.FormatDate(j.Today)
	var buf bytes.Buffer
	if err := project.WriteXLSX(&buf, fmt.Sprintf("%s重点项目台账（%d 个项目，导出于 %s）", s.townName(r), len(rows), day), year, rows, j.Today, j.Rules); err != nil {
		return err
	}
	// Exports carry data out of the system: each one is recorded (等保 安全审计).
	if err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		return audit.Record(r.Context(), tx, audit.Entry{Actor: a, Action: audit.ProjectsExported, ObjectType: "project",
			ObjectName: "项目台账", Note: fmt.Sprintf("导出 %d 个项目；条件：%s", len(rows), q.Encode())})
	}); err != nil {
		return err
	}
	attachment(w, xlsxType, "projects-"+day+".xlsx", s.townName(r)+"重点项目台账-"+day+".xlsx")
	_, err = w.Write(buf.Bytes())
	return err
}

// projectTemplate downloads an empty import template.
func (s *Server) projectTemplate(w http.ResponseWriter, r *http.Request) error {
	if err := project.RequireEditor(actor(r)); err != nil {
		return err
	}
	year := yearParam(r.URL.Query().Get("year"), s.today().Year())
	var buf bytes.Buffer
	if err := project.WriteTemplate(&buf, fmt.Sprintf("%s%d年重点项目表", s.townName(r), year), year); err != nil {
		return err
	}
	attachment(w, xlsxType, "project-template.xlsx", fmt.Sprintf("重点项目导入模板-%d.xlsx", year))
	_, err := w.Write(buf.Bytes())
	return err
}

// yearParam reads a year from a form or query value, or gives def.
func yearParam(s string, def int) int {
	if y, err := strconv.Atoi(s); err == nil && y >= 2000 && y <= 2100 {
		return y
	}
	return def
}

// pendingImports keeps an uploaded file between its check and its import,
// so the user confirms what they saw without uploading again. Files are
// held in memory for a short while, for the user who uploaded them only.
type pendingImports struct {
	mu    sync.Mutex
	files map[string]pendingImport
}

type pendingImport struct {
	userID  int64
	name    string
	year    int
	data    []byte
	expires time.Time
}

const (
	pendingImportTTL = 30 * time.Minute
	maxPendingFiles  = 20
)

func (p *pendingImports) put(userID int64, name string, year int, data []byte, now time.Time) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.files == nil {
		p.files = map[string]pendingImport{}
	}
	for k, f := range p.files {
		if now.After(f.expires) || f.userID == userID { // one pending file per user
			delete(p.files, k)
		}
	}
	for len(p.files) >= maxPendingFiles { // memory stays bounded: drop the oldest
		var oldest string
		for k, f := range p.files {
			if oldest == "" || f.expires.Before(p.files[oldest].expires) {
				oldest = k
			}
		}
		delete(p.files, oldest)
	}
	b := make([]byte, 16)
	rand.Read(b)
	token := hex.EncodeToString(b)
	p.files[token] = pendingImport{userID: userID, name: name, year: year, data: data, expires: now.Add(pendingImportTTL)}
	return token
}

func (p *pendingImports) take(userID int64, token string, now time.Time) (pendingImport, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f, ok := p.files[token]
	if !ok || f.userID != userID || now.After(f.expires) {
		return pendingImport{}, false
	}
	delete(p.files, token)
	return f, true
}

type projectImportPage struct {
	Base
	Year    int
	Years   []int
	Columns []project.ColumnHelp
	Report  *project.ImportReport
	Token   string
	Error   string
}

func (s *Server) importPage(r *http.Request, year int) projectImportPage {
	now := s.today().Year()
	return projectImportPage{Base: s.base(r, "从 Excel 导入项目", "projects"), Year: year, Years: []int{now - 1, now, now + 1},
		Columns: project.ImportColumns(year)}
}

func (s *Server) projectImportForm(w http.ResponseWriter, r *http.Request) error {
	if err := project.RequireEditor(actor(r)); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "project_import", s.importPage(r, yearParam(r.URL.Query().Get("year"), s.today().Year())))
}

// projectImportCheck reads the uploaded file and shows what importing it
// would do, row by row; nothing is saved yet.
func (s *Server) projectImportCheck(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if err := project.RequireEditor(a); err != nil {
		return err
	}
	year := yearParam(r.PostFormValue("year"), s.today().Year())
	pg := s.importPage(r, year)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		pg.Error = "请选择要导入的 .xlsx 文件"
		return s.render(w, r, http.StatusUnprocessableEntity, "project_import", pg)
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, sheet.MaxFileSize+1))
	if err != nil {
		return err
	}
	rep, err := s.runImport(r, hdr.Filename, year, data, true)
	if e, ok := apperr.As(err); ok && e.Kind == apperr.Invalid {
		pg.Error = e.Msg
		return s.render(w, r, http.StatusUnprocessableEntity, "project_import", pg)
	}
	if err != nil {
		return err
	}
	pg.Report = rep
	status := http.StatusOK
	if rep.OK() {
		pg.Token = s.imports.put(a.UserID, hdr.Filename, year, data, time.Now())
	} else {
		status = http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, "project_import", pg)
}

// projectImportCommit imports the file the user checked and confirmed.
func (s *Server) projectImportCommit(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if err := project.RequireEditor(a); err != nil {
		return err
	}
	f, ok := s.imports.take(a.UserID, r.PostFormValue("token"), time.Now())
	if !ok {
		pg := s.importPage(r, s.today().Year())
		pg.Error = "检查结果已过期（超过30分钟或已导入过），请重新选择文件"
		return s.render(w, r, http.StatusUnprocessableEntity, "project_import", pg)
	}
	rep, err := s.runImport(r, f.name, f.year, f.data, false)
	if err != nil {
		return err
	}
	if !rep.Committed {
		// The data changed since the check (someone edited a project): show why.
		pg := s.importPage(r, f.year)
		pg.Report = rep
		pg.Error = "导入时发现问题，未作任何修改"
		return s.render(w, r, http.StatusUnprocessableEntity, "project_import", pg)
	}
	return s.redirect(w, r, "/projects?sort=updated", fmt.Sprintf("已导入“%s”：新增 %d 个项目，更新 %d 个，%d 个无变化", f.name, rep.Created, rep.Updated, rep.Unchanged))
}

func (s *Server) runImport(r *http.Request, name string, year int, data []byte, dry bool) (*project.ImportReport, error) {
	g, err := sheet.ReadBook(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return project.Import(r.Context(), s.db, actor(r), g, project.ImportOptions{FileName: name, Year: year, DryRun: dry})
}
