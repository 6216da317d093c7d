package project

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/org"
	"guatu/sheet"
)

// Outcome is what an import does (or would do) with one row.
type Outcome string

// The outcomes of a row.
const (
	Created   Outcome = "created"   // a new project
	Updated   Outcome = "updated"   // an existing project changed
	Unchanged Outcome = "unchanged" // an existing project, already as the row says
	Failed    Outcome = "failed"    // the row has problems
)

// Label is the outcome's Chinese name.
func (o Outcome) Label() string {
	switch o {
	case Created:
		return "新增"
	case Updated:
		return "更新"
	case Unchanged:
		return "无变化"
	case Failed:
		return "有误"
	}
	return string(o)
}

// Problem is one thing wrong with the file, named by row and column as the
// user sees them in the spreadsheet (row 1 is the first row).
type Problem struct {
	Sheet   string // the worksheet, when not the project sheet (the 时间节点 sheet)
	Row     int
	Column  string
	Message string
}

// ImportRow is the outcome of one data row.
type ImportRow struct {
	Row      int
	Code     string
	Name     string
	Outcome  Outcome
	Changes  []string // the fields an update changes
	Problems []Problem
}

// Skipped is a row the importer passed over, and why (空行, 合计行 …).
type Skipped struct {
	Row    int
	Reason string
}

// ImportReport is everything an import found and did.
type ImportReport struct {
	FileName   string
	Sheet      string
	Milestones string // the 时间节点 sheet read with it, if any
	Year       int
	HeaderRow  int      // spreadsheet row number of the (last) header row
	Columns    []string // the columns recognised, as titled in the file
	Ignored    []string // header texts not recognised, so not imported
	Rows       []ImportRow
	Skipped    []Skipped
	Problems   []Problem // every problem, rows included, in order

	Created, Updated, Unchanged, Failed int

	DryRun    bool
	Committed bool
}

// OK reports whether the file can be imported as it is.
func (r *ImportReport) OK() bool { return len(r.Problems) == 0 }

// ImportOptions say how to import.
type ImportOptions struct {
	FileName string
	Year     int  // the year of the 年度计划投资 and 年度完成投资 columns
	DryRun   bool // check and report, change nothing
}

// ImportColumns lists the recognised columns with their accepted titles and
// how to fill them, for the import page and the template.
func ImportColumns(year int) []ColumnHelp {
	var out []ColumnHelp
	for _, c := range xlsxColumns(year) {
		if c.computed {
			continue
		}
		out = append(out, ColumnHelp{Title: c.aliases[0], Aliases: c.aliases[1:], Note: c.note, Required: c.key == "name" || c.key == "unit_id" || c.key == "category_id"})
	}
	return out
}

// ColumnHelp describes one column for the people filling the sheet.
type ColumnHelp struct {
	Title    string
	Aliases  []string
	Note     string
	Required bool
}

// MaxImportRows is the most rows one import reads.
const MaxImportRows = 10000

// errRollback ends a transaction that must leave nothing behind.
var errRollback = errors.New("project: import rolled back")

// Import reads a project list from a spreadsheet grid and creates or
// updates the projects it names. The import is all or nothing: it runs in
// one transaction, every row is checked, and unless every row is right (or
// on a dry run) the transaction is rolled back. Each project created or
// changed is audited as if made in the form, and the import itself once.
//
// The project list is the first worksheet with a project header; another
// worksheet with 节点名称 and the project's code or name is read as the
// projects' milestones (the 台账's 时间节点 sheet).
func Import(ctx context.Context, d *db.DB, by auth.Actor, grids []*sheet.Grid, opt ImportOptions) (*ImportReport, error) {
	if err := RequireEditor(by); err != nil {
		return nil, err
	}
	cols := xlsxColumns(opt.Year)
	var wanted []sheet.Column
	for _, c := range cols {
		// Only the name is needed to find the header: a sheet that updates
		// known projects may carry just their codes, names and new figures,
		// and a new project without 类别 or 牵头单位 is refused row by row.
		wanted = append(wanted, sheet.Column{Key: c.key, Aliases: c.aliases, Required: c.key == "name"})
	}
	var g *sheet.Grid
	var h sheet.Header
	var err, first error
	var others []*sheet.Grid
	for _, x := range grids {
		if g != nil {
			others = append(others, x)
			continue
		}
		if h, err = sheet.FindHeader(x, wanted); err == nil {
			g = x
		} else if first == nil {
			first = err
		}
	}
	if g == nil {
		return nil, first
	}
	rep := &ImportReport{FileName: opt.FileName, Sheet: g.Sheet, Year: opt.Year, DryRun: opt.DryRun}
	rep.HeaderRow = h.Row + 1
	// One import holds the database's single writer for its whole length:
	// about 2 s for this many rows. A larger list is split into files.
	if n := len(g.Rows) - h.Row - 1; n > MaxImportRows {
		return nil, apperr.Invalidf("工作表“%s”有 %d 行，一次最多导入 %d 行：请分成几个文件导入", g.Sheet, n, MaxImportRows)
	}
	used := map[int]bool{}
	for _, c := range cols {
		if i, ok := h.Cols[c.key]; ok {
			rep.Columns = append(rep.Columns, h.Titles[c.key])
			used[i] = true
		}
	}
	for i, c := range g.Rows[h.Row] {
		if !used[i] && strings.TrimSpace(c.Text) != "" {
			rep.Ignored = append(rep.Ignored, c.Text)
		}
	}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		im, err := newImporter(ctx, tx, by, h, opt)
		if err != nil {
			return err
		}
		if mg, mh, ok := findMilestoneSheet(others); ok {
			rep.Milestones = mg.Sheet
			im.ms = im.readMilestones(mg, mh, func(p Problem) { im.msProblems = append(im.msProblems, p) })
		}
		for r := h.Row + 1; r < len(g.Rows); r++ {
			if why := sheet.Skip(g.Rows[r]); why != "" {
				if why != "空行" {
					rep.Skipped = append(rep.Skipped, Skipped{Row: r + 1, Reason: why})
				}
				continue
			}
			row, err := im.row(ctx, tx, r, g.Rows[r])
			if err != nil {
				return err
			}
			rep.Rows = append(rep.Rows, row)
			rep.Problems = append(rep.Problems, row.Problems...)
			switch row.Outcome {
			case Created:
				rep.Created++
			case Updated:
				rep.Updated++
			case Unchanged:
				rep.Unchanged++
			case Failed:
				rep.Failed++
			}
		}
		if len(rep.Rows) == 0 {
			rep.Problems = append(rep.Problems, Problem{Row: rep.HeaderRow, Message: "表头下面没有项目"})
		}
		rep.Problems = append(rep.Problems, im.msProblems...)
		if im.ms != nil {
			for _, e := range im.ms.entries {
				if !im.ms.used[e.row] {
					rep.Problems = append(rep.Problems, Problem{Sheet: im.ms.sheet, Row: e.row, Column: im.ms.h.Titles["code"],
						Message: "项目表里没有这个节点所属的项目"})
				}
			}
		}
		if opt.DryRun || !rep.OK() {
			return errRollback
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ProjectsImported, ObjectType: "project",
			ObjectName: opt.FileName, After: map[string]any{"文件": opt.FileName, "工作表": g.Sheet, "新增": rep.Created,
				"更新": rep.Updated, "无变化": rep.Unchanged, "年度": opt.Year},
			Note: fmt.Sprintf("新增 %d 个，更新 %d 个，无变化 %d 个", rep.Created, rep.Updated, rep.Unchanged)})
	})
	if errors.Is(err, errRollback) {
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	rep.Committed = true
	return rep, nil
}

// importer resolves the names a sheet uses and imports one row at a time.
type importer struct {
	by         auth.Actor
	h          sheet.Header
	opt        ImportOptions
	categories map[string][]Category
	units      map[string][]*org.Unit
	leaders    map[string][]*org.Person
	byCode     map[string]int64
	byName     map[string][]int64
	seenCode   map[string]int // code or name → first row naming it
	seenName   map[string]int
	lastCode   map[int]int    // year → the number of the last code given
	visible    map[int64]bool // the projects the user may read
	ms         *milestoneBook
	msProblems []Problem
	msRows     []int // the 时间节点 sheet's row of each milestone of the row being imported
}

func newImporter(ctx context.Context, tx *db.Tx, by auth.Actor, h sheet.Header, opt ImportOptions) (*importer, error) {
	im := &importer{by: by, h: h, opt: opt, categories: map[string][]Category{}, units: map[string][]*org.Unit{},
		leaders: map[string][]*org.Person{}, seenCode: map[string]int{}, seenName: map[string]int{}}
	cats, err := Categories(ctx, tx)
	if err != nil {
		return nil, err
	}
	for _, c := range cats {
		im.categories[sheet.Normalize(c.Name)] = append(im.categories[sheet.Normalize(c.Name)], c)
	}
	dir, err := LoadDirectory(ctx, tx, by)
	if err != nil {
		return nil, err
	}
	for _, u := range dir.Units {
		im.units[sheet.Normalize(u.Name)] = append(im.units[sheet.Normalize(u.Name)], u)
	}
	for _, l := range dir.Leaders {
		im.leaders[sheet.Normalize(l.Name)] = append(im.leaders[sheet.Normalize(l.Name)], l)
	}
	if im.byCode, im.byName, err = projectKeys(ctx, tx); err != nil {
		return nil, err
	}
	readable, _, err := List(ctx, tx, by, Filter{})
	if err != nil {
		return nil, err
	}
	im.visible = make(map[int64]bool, len(readable))
	for _, p := range readable {
		im.visible[p.ID] = true
	}
	return im, nil
}

// nextCode is the next free code of the year after every code in the
// library and in this import so far (2026-017 …).
func (im *importer) nextCode(year int) string {
	prefix := strconv.Itoa(year) + "-"
	if im.lastCode == nil {
		im.lastCode = map[int]int{}
	}
	n, ok := im.lastCode[year]
	if !ok {
		for code := range im.byCode {
			if x, err := strconv.Atoi(strings.TrimPrefix(code, prefix)); err == nil && strings.HasPrefix(code, prefix) && x > n {
				n = x
			}
		}
	}
	for {
		n++
		code := fmt.Sprintf("%s%03d", prefix, n)
		if _, taken := im.byCode[code]; !taken {
			im.lastCode[year] = n
			return code
		}
	}
}

// rowInput is one row read into the form's terms.
type rowInput struct {
	present     map[string]bool // columns with a value in this row
	in          Input
	stageNote   string
	yearDone    int64
	entries     []milestoneEntry // this project's rows of the 时间节点 sheet
	targetsCell string           // the 预期目标 cell as written
}

func (im *importer) row(ctx context.Context, tx *db.Tx, r int, cells []sheet.Cell) (ImportRow, error) {
	out := ImportRow{Row: r + 1}
	problem := func(key, msg string) {
		out.Problems = append(out.Problems, Problem{Row: r + 1, Column: im.h.Titles[key], Message: msg})
	}
	ri := im.read(cells, problem)
	out.Code, out.Name = strings.TrimSpace(ri.in.Code), strings.TrimSpace(ri.in.Name)
	ri.entries = im.ms.take(sheet.Normalize(out.Code), out.Name)
	im.msRows = nil
	if out.Name == "" && out.Code == "" {
		problem("name", "请填写项目名称")
	}
	// The same project twice in one file would be imported twice.
	if out.Code != "" {
		if first, ok := im.seenCode[out.Code]; ok {
			problem("code", fmt.Sprintf("与第 %d 行的项目编号相同", first))
		} else {
			im.seenCode[out.Code] = r + 1
		}
	} else if first, ok := im.seenName[out.Name]; ok && out.Name != "" {
		problem("name", fmt.Sprintf("与第 %d 行的项目名称相同；同名的不同项目请填写项目编号", first))
	}
	if _, ok := im.seenName[out.Name]; !ok {
		im.seenName[out.Name] = r + 1
	}
	// A name finds only the projects the user may read: a project of
	// another town with the same name is a different project, and its code
	// is none of the user's business.
	var named []int64
	for _, id := range im.byName[out.Name] {
		if im.visible[id] {
			named = append(named, id)
		}
	}
	var existing int64
	switch {
	case out.Code != "":
		existing = im.byCode[sheet.Normalize(out.Code)]
	case len(named) > 1:
		problem("name", "已有多个名为“"+out.Name+"”的项目，请填写项目编号以区分")
	case len(named) == 1:
		existing = named[0]
	}
	if len(out.Problems) > 0 {
		out.Outcome = Failed
		return out, nil
	}
	// Each row runs inside a savepoint, so a refused row leaves nothing
	// behind and the rows after it are still checked.
	err := tx.Savepoint(ctx, func() error {
		if existing == 0 {
			return im.create(ctx, tx, ri, &out)
		}
		return im.update(ctx, tx, existing, ri, &out)
	})
	if err != nil {
		ae, ok := apperr.As(err)
		if !ok {
			return out, err
		}
		if len(ae.Fields) == 0 {
			problem("", ae.Msg)
		}
		for _, k := range slices.Sorted(maps.Keys(ae.Fields)) {
			key, rest, _ := strings.Cut(k, ".") // targets.0.name → targets
			if p, ok := im.milestoneProblem(key, rest, ae.Fields[k]); ok {
				out.Problems = append(out.Problems, p)
				continue
			}
			problem(key, ae.Fields[k])
		}
		out.Outcome = Failed
		return out, nil
	}
	return out, nil
}

func (im *importer) create(ctx context.Context, tx *db.Tx, ri rowInput, out *ImportRow) error {
	in := ri.in
	var missing apperr.Fields
	for key, msg := range map[string]string{"name": "新项目请填写项目名称", "category_id": "新项目请填写项目类别", "unit_id": "新项目请填写牵头单位"} {
		if _, ok := im.h.Cols[key]; !ok || !ri.present[key] {
			missing.Add(key, msg)
		}
	}
	if err := missing.Err(); err != nil {
		return err
	}
	if in.Stage != "" && Stage(in.Stage).NeedsReason() && ri.stageNote == "" {
		return apperr.InvalidFields(map[string]string{"stage_note": "新项目处于停滞或终止，请在“阶段说明”写明原因"})
	}
	in.Milestones, im.msRows = applyMilestones(nil, ri.entries)
	if in.Code == "" {
		// Numbered here from the codes already read: asking the database for
		// the year's highest code once per row would make a large import
		// quadratic.
		in.Code = im.nextCode(DayOf(tx.Now(), shanghai).Year())
	}
	p, err := Create(ctx, tx, im.by, in)
	if err != nil {
		return err
	}
	im.byCode[sheet.Normalize(p.Code)] = p.ID
	out.Code, out.Outcome = p.Code, Created
	if ri.present["year_completed"] && ri.yearDone != 0 {
		return yearCompleted(SetYearCompleted(ctx, tx, im.by, p.ID, im.opt.Year, ri.yearDone))
	}
	return nil
}

// yearCompleted names SetYearCompleted's refusal by the column it came from.
func yearCompleted(err error) error {
	if ae, ok := apperr.As(err); ok && ae.Fields != nil {
		return apperr.InvalidFields(renameKeys(ae.Fields, map[string]string{"completed": "year_completed"}))
	}
	return err
}

func (im *importer) update(ctx context.Context, tx *db.Tx, id int64, ri rowInput, out *ImportRow) error {
	if err := Lock(ctx, tx, id); err != nil {
		return err
	}
	old, err := Get(ctx, tx, id)
	if err != nil {
		return err
	}
	if !CanView(im.by, old) {
		return apperr.InvalidFields(map[string]string{"code": "项目编号“" + ri.in.Code + "”已被其他项目使用，新项目请换一个编号或留空"})
	}
	if !CanEdit(im.by, old) {
		return apperr.Forbiddenf("您无权修改项目“%s”", old.Name)
	}
	out.Code = old.Code
	before := InputOf(old, im.opt.Year)
	in := before
	merge(&in, ri)
	in.Milestones, im.msRows = applyMilestones(in.Milestones, ri.entries)
	changed := false
	if !sameInput(before, in) {
		p, err := Update(ctx, tx, im.by, id, in)
		if err != nil {
			return err
		}
		out.Changes = changedFields(old.snapshot(), p.snapshot())
		changed = true
	}
	if ri.present["stage"] && Stage(ri.in.Stage) != old.Stage {
		on := ri.in.StageSince
		if on == "" {
			on = FormatDate(DayOf(tx.Now(), shanghai))
		}
		// 停滞 and 终止 need the reason the sheet gives; other moves are noted as imported.
		note := ri.stageNote
		if note == "" && !Stage(ri.in.Stage).NeedsReason() {
			note = "由 Excel 导入"
		}
		if _, err := SetStage(ctx, tx, im.by, id, Stage(ri.in.Stage), on, note); err != nil {
			if ae, ok := apperr.As(err); ok && ae.Fields != nil {
				return apperr.InvalidFields(renameKeys(ae.Fields, map[string]string{"stage": "stage", "on_date": "stage_since", "note": "stage_note"}))
			}
			return err
		}
		out.Changes = append(out.Changes, "阶段")
		changed = true
	}
	if ri.present["year_completed"] && ri.yearDone != old.Plan(im.opt.Year).Completed {
		if err := yearCompleted(SetYearCompleted(ctx, tx, im.by, id, im.opt.Year, ri.yearDone)); err != nil {
			return err
		}
		out.Changes = append(out.Changes, strconv.Itoa(im.opt.Year)+"年已完成投资")
		changed = true
	}
	out.Outcome = Unchanged
	if changed {
		out.Outcome = Updated
	}
	return nil
}

// merge lays the row's non-blank cells over the stored project's form: a
// blank cell keeps what is stored, so a sheet with fewer columns, or gaps,
// never wipes anything.
//
// A spreadsheet does not keep text exactly (line ends, full-width letters,
// doubled spaces), so text that reads the same once folded keeps the stored
// form: an exported file imports back without a change.
func merge(in *Input, ri rowInput) {
	src := reflect.ValueOf(ri.in)
	dst := reflect.ValueOf(in).Elem()
	for key, field := range inputFields {
		if !ri.present[key] || key == "stage" || key == "stage_since" {
			continue
		}
		from, to := src.FieldByName(field), dst.FieldByName(field)
		if from.Kind() == reflect.String && foldText(from.String()) == foldText(to.String()) {
			continue
		}
		if key == "targets" && foldText(ri.targetsCell) == foldText(targetInputsText(in.Targets)) {
			continue
		}
		to.Set(from)
	}
}

// inputFields maps column keys to Input's fields.
var inputFields = map[string]string{
	"code": "Code", "name": "Name", "category_id": "CategoryID", "level": "Level", "tier": "Tier",
	"stage": "Stage", "stage_since": "StageSince", "flagship": "Flagship", "chain_leader": "ChainLeader",
	"investor": "Investor", "investor_contact": "InvestorContact", "location": "Location",
	"location_unit_id": "LocationUnitID", "land_area": "LandArea", "total_invest": "TotalInvest",
	"completed_invest": "CompletedInvest", "plan_invest": "PlanInvest", "leader_id": "LeaderID", "unit_id": "UnitID",
	"co_unit_ids": "CoUnitIDs", "person_in_charge": "PersonInCharge", "planned_start": "PlannedStart",
	"planned_operating": "PlannedOperating", "targets": "Targets", "description": "Description",
}

// sameInput reports whether two forms would store the same project.
func sameInput(a, b Input) bool {
	fa, erra := a.validate()
	fb, errb := b.validate()
	if erra != nil || errb != nil {
		return false
	}
	slices.Sort(fa.CoUnitIDs)
	slices.Sort(fb.CoUnitIDs)
	return reflect.DeepEqual(fa, fb)
}

func changedFields(before, after map[string]any) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(after)) {
		if !reflect.DeepEqual(before[k], after[k]) {
			out = append(out, k)
		}
	}
	return out
}

func renameKeys(m map[string]string, names map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if n, ok := names[k]; ok {
			k = n
		}
		out[k] = v
	}
	return out
}

// read turns the row's cells into the form's terms, resolving names to ids;
// what cannot be read is reported against its column.
func (im *importer) read(cells []sheet.Cell, problem func(key, msg string)) rowInput {
	ri := rowInput{present: map[string]bool{}}
	in := &ri.in
	in.PlanYear = strconv.Itoa(im.opt.Year)
	// Columns in the sheet's order, so a row's problems read left to right.
	keys := slices.SortedFunc(maps.Keys(im.h.Cols), func(a, b string) int { return im.h.Cols[a] - im.h.Cols[b] })
	for _, key := range keys {
		col := im.h.Cols[key]
		var c sheet.Cell
		if col < len(cells) {
			c = cells[col]
		}
		// Free text keeps what was written (full-width brackets in a name
		// stay); names looked up and codes are compared in folded form.
		raw := strings.TrimSpace(c.Text)
		text := sheet.Normalize(c.Text)
		if text == "" {
			continue
		}
		ri.present[key] = true
		switch key {
		case "code":
			in.Code = text
		case "name":
			in.Name = raw
		case "category_id":
			if cs := im.categories[text]; len(cs) == 1 {
				in.CategoryID = strconv.FormatInt(cs[0].ID, 10)
			} else {
				problem(key, "没有名为“"+text+"”的项目类别（可在“项目设置”中增加）")
			}
		case "level":
			if l, ok := levelByLabel(text); ok {
				in.Level = string(l)
			} else {
				problem(key, "“"+text+"”不是项目级别：请填省重点、市重点、县重点或镇重点")
			}
		case "tier":
			if t, ok := tierByLabel(text); ok {
				in.Tier = string(t)
			} else {
				problem(key, "“"+text+"”不是项目库：请填储备库、滚动库或实施库")
			}
		case "stage":
			if st, ok := stageByLabel(text); ok {
				in.Stage = string(st)
			} else {
				problem(key, "“"+text+"”不是项目阶段：请填谋划、洽谈、签约、落地、开工、投产、停滞或终止")
			}
		case "light", "reasons":
			// Computed from the facts; an exported sheet carries them for reading only.
		case "stage_note":
			ri.stageNote = raw
		case "flagship", "chain_leader":
			b, ok := flagOf(text)
			if !ok {
				problem(key, "“"+text+"”请填“是”或“否”")
			}
			if key == "flagship" {
				in.Flagship = b
			} else {
				in.ChainLeader = b
			}
		case "investor":
			in.Investor = raw
		case "investor_contact":
			in.InvestorContact = raw
		case "location":
			in.Location = raw
		case "location_unit_id":
			if u, msg := im.unit(text); msg != "" {
				problem(key, msg)
			} else if u.Kind != org.Village && u.Kind != org.Community {
				problem(key, "“"+text+"”不是村或社区")
			} else {
				in.LocationUnitID = strconv.FormatInt(u.ID, 10)
			}
		case "land_area":
			if v, ok, err := sheet.ParseNumber(c); err != nil {
				problem(key, err.Error())
			} else if !ok {
				delete(ri.present, key) // "-" or "/" is a blank
			} else {
				in.LandArea = fmt.Sprintf("%d.%02d", v/100, v%100)
			}
		case "total_invest", "completed_invest", "plan_invest", "year_completed":
			yuan, ok, err := sheet.ParseAmount(c, im.h.MoneyUnit(key, "万元"))
			if err != nil {
				problem(key, err.Error())
				continue
			}
			if !ok {
				delete(ri.present, key)
				continue
			}
			switch key {
			case "total_invest":
				in.TotalInvest = WanExact(yuan)
			case "completed_invest":
				in.CompletedInvest = WanExact(yuan)
			case "plan_invest":
				in.PlanInvest = WanExact(yuan)
			case "year_completed":
				ri.yearDone = yuan
			}
		case "leader_id":
			switch ls := im.leaders[text]; len(ls) {
			case 1:
				in.LeaderID = strconv.FormatInt(ls[0].ID, 10)
			case 0:
				problem(key, "班子成员中没有“"+text+"”（责任领导须是有分管单位的领导）")
			default:
				problem(key, "有多位名为“"+text+"”的领导，请在项目页面上选择")
			}
		case "unit_id":
			if u, msg := im.unit(text); msg != "" {
				problem(key, msg)
			} else {
				in.UnitID = strconv.FormatInt(u.ID, 10)
			}
		case "co_unit_ids":
			for _, name := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune("、，,；; /\n", r) }) {
				if u, msg := im.unit(name); msg != "" {
					problem(key, msg)
				} else {
					in.CoUnitIDs = append(in.CoUnitIDs, strconv.FormatInt(u.ID, 10))
				}
			}
		case "person_in_charge":
			in.PersonInCharge = raw
		case "planned_start", "stage_since":
			t, err := sheet.ParseDate(c)
			if err != nil {
				problem(key, err.Error())
			} else if t.IsZero() {
				delete(ri.present, key)
			} else if key == "stage_since" {
				in.StageSince = FormatDate(t)
			} else {
				in.PlannedStart = FormatDate(t)
			}
		case "planned_operating":
			// "2026年12月" as a date to finish by means the end of that month.
			if t, err := sheet.ParseDateEnd(c); err != nil {
				problem(key, err.Error())
			} else if t.IsZero() {
				delete(ri.present, key)
			} else {
				in.PlannedOperating = FormatDate(t)
			}
		case "targets":
			in.Targets = parseTargets(raw)
			ri.targetsCell = raw
		case "description":
			in.Description = raw // with its line breaks
		}
	}
	return ri
}

// unit finds a unit of the town by its exact name.
func (im *importer) unit(name string) (*org.Unit, string) {
	switch us := im.units[sheet.Normalize(name)]; len(us) {
	case 1:
		return us[0], ""
	case 0:
		return nil, "本镇没有名为“" + name + "”的单位"
	default:
		return nil, "有多个名为“" + name + "”的单位，请在项目页面上选择"
	}
}

// milestoneProblem places a message about milestone i (field "milestones",
// rest "3.planned") on the 时间节点 sheet's row and column it came from.
func (im *importer) milestoneProblem(key, rest, msg string) (Problem, bool) {
	if key != "milestones" || im.ms == nil {
		return Problem{}, false
	}
	n, field, _ := strings.Cut(rest, ".")
	i, err := strconv.Atoi(n)
	if err != nil || i >= len(im.msRows) || im.msRows[i] == 0 {
		return Problem{}, false
	}
	col := map[string]string{"name": "name", "planned": "planned", "actual": "actual", "unit_id": "unit", "note": "note"}[field]
	return Problem{Sheet: im.ms.sheet, Row: im.msRows[i], Column: im.ms.h.Titles[col], Message: msg}, true
}

// foldText is text as compared across a spreadsheet: folded widths, every
// run of white space (line ends, blank lines) as one space.
func foldText(s string) string {
	return strings.Join(strings.Fields(sheet.Normalize(s)), " ")
}

func targetInputsText(ts []TargetInput) string {
	out := make([]Target, 0, len(ts))
	for _, t := range ts {
		if strings.TrimSpace(t.Name) != "" || strings.TrimSpace(t.Value) != "" {
			out = append(out, Target{Name: strings.TrimSpace(t.Name), Value: strings.TrimSpace(t.Value), Unit: strings.TrimSpace(t.Unit)})
		}
	}
	return targetsText(out)
}
