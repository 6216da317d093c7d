package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"guatu/project"
	"guatu/sheet"
)

// importCmd imports a town's project spreadsheet: the same checks and the
// same all-or-nothing import as the web page, for a first load of many
// projects or a scheduled sync.
func importCmd(ctx context.Context, o options, args []string) error {
	const use = "import projects 文件.xlsx [--dry-run] [--year 年度]"
	if len(args) == 0 || args[0] != "projects" {
		return usageError("用法：guatu " + use)
	}
	fs := newFlagSet("import projects")
	c := bindConfig(fs, false)
	dry := fs.Bool("dry-run", false, "只检查、列出每行结果，不导入")
	year := fs.Int("year", time.Now().In(shanghai).Year(), "年度计划投资、年度完成投资列所属的年度")
	cfg, pos, err := parseCommand(fs, c, args[1:], o, 1, use)
	if err != nil {
		return err
	}
	if *year < 2000 || *year > 2100 {
		return usageError("--year 应为 2000 到 2100 之间的年份")
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return fmt.Errorf("打不开文件：%w", err)
	}
	defer f.Close()
	g, err := sheet.ReadBook(f)
	if err != nil {
		return err
	}
	d, err := openDB(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer d.Close()
	rep, err := project.Import(ctx, d, cliActor(), g, project.ImportOptions{FileName: pos[0], Year: *year, DryRun: *dry})
	if err != nil {
		return err
	}
	fmt.Fprintf(o.stdout, "工作表“%s”，表头在第 %d 行；识别的列：%s\n", rep.Sheet, rep.HeaderRow, strings.Join(rep.Columns, "、"))
	if len(rep.Ignored) > 0 {
		fmt.Fprintf(o.stdout, "未识别、不导入的列：%s\n", strings.Join(rep.Ignored, "、"))
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(o.stdout, "跳过第 %d 行（%s）\n", s.Row, s.Reason)
	}
	rows := [][]string{{"行", "编号", "项目名称", "结果", "改动"}}
	for _, r := range rep.Rows {
		if r.Outcome == project.Unchanged {
			continue
		}
		rows = append(rows, []string{fmt.Sprint(r.Row), r.Code, r.Name, r.Outcome.Label(), strings.Join(r.Changes, "、")})
	}
	if len(rows) > 1 {
		writeTable(o.stdout, "", rows)
	}
	summary := fmt.Sprintf("新增 %d 个，更新 %d 个，无变化 %d 个，有误 %d 行", rep.Created, rep.Updated, rep.Unchanged, rep.Failed)
	if !rep.OK() {
		problems := [][]string{{"行", "列", "问题"}}
		for _, p := range rep.Problems {
			row := fmt.Sprint(p.Row)
			if p.Sheet != "" {
				row = p.Sheet + "表 " + row
			}
			problems = append(problems, []string{row, p.Column, p.Message})
		}
		fmt.Fprintf(o.stderr, "有 %d 处问题，未导入任何内容（%s）：\n", len(rep.Problems), summary)
		writeTable(o.stderr, "", problems)
		return exitStatus(1)
	}
	if rep.DryRun {
		fmt.Fprintf(o.stdout, "检查通过（未导入）：%s。去掉 --dry-run 即导入。\n", summary)
		return nil
	}
	fmt.Fprintf(o.stdout, "已导入：%s。\n", summary)
	return nil
}
