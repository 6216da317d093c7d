package project_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"guatu/project"
	"guatu/sheet"
)

var benchRows = 10000

// BenchmarkImport_10000Rows reads and imports a 10,000-row project list
// into an empty library: the whole path of the web page and the command,
// from the .xlsx bytes to the committed transaction with its audit trail.
func BenchmarkImport_10000Rows(b *testing.B) {
	cols := []sheet.Col{{Title: "项目名称"}, {Title: "项目类别"}, {Title: "项目库"}, {Title: "牵头单位"}, {Title: "配合单位"},
		{Title: "总投资（万元）", Kind: sheet.Wan}, {Title: "计划开工日期", Kind: sheet.Date}, {Title: "计划投产日期", Kind: sheet.Date},
		{Title: "项目阶段"}, {Title: "预期目标"}}
	rows := make([][]any, benchRows)
	for i := range rows {
		rows[i] = []any{fmt.Sprintf("项目%05d", i), "海洋经济", "实施库", "经发办", "文旅办", int64(1_000_000 + i),
			time.Date(2026, 3, 1+i%28, 0, 0, 0, 0, time.UTC), time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC), "签约", "年产值：8000万元"}
	}
	var file bytes.Buffer
	if err := sheet.Write(&file, "项目", cols, rows); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		e := newEnv(b)
		b.StartTimer()
		g, err := sheet.ReadBook(bytes.NewReader(file.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		rep, err := project.Import(context.Background(), e.d, e.chief, g, project.ImportOptions{FileName: "bench.xlsx", Year: 2026})
		if err != nil || !rep.Committed || rep.Created != benchRows {
			b.Fatalf("import: %v %+v", err, rep.Problems[:min(3, len(rep.Problems))])
		}
	}
}
