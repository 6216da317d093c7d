package chart

import (
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func sampleGantt() Gantt {
	return Gantt{
		Title: "XX镇2026年重点项目挂图作战图", Year: 2026, Today: day(2026, 3, 15), TimeProgress: 20.3, Legend: true,
		Rows: []Row{
			{Group: "林志强（常务副镇长）", Label: "XX湾蓝色经济产业园", Sub: "经发办 · 先进制造", Link: "/projects/1", Light: "green",
				Start: day(2025, 9, 1), End: day(2027, 6, 30),
				Markers: []Marker{{day(2026, 2, 10), "done", "供地 2026-02-10 已完成"}, {day(2026, 3, 20), "due_soon", "施工许可 2026-03-20"},
					{day(2026, 8, 1), "pending", "主体完工 2026-08-01"}}},
			{Group: "林志强（常务副镇长）", Label: "水产品精深加工", Sub: "经发办 · 海洋经济", Link: "/projects/2", Light: "red",
				Reasons: "签约已 120 天仍未落地（签约未落地）", Start: day(2026, 1, 1), End: day(2026, 12, 31),
				Markers: []Marker{{day(2026, 1, 20), "overdue", "落地 2026-01-20 已逾期 54 天"}}},
			{Group: "王丽琴（副镇长）", Label: "古厝活化利用示范区<一期>", Sub: "文旅办 · 文化旅游", Link: "/projects/3", Light: "yellow",
				Start: day(2026, 4, 1), End: day(2026, 11, 30),
				Markers: []Marker{{day(2026, 3, 1), "done_late", "立项备案 计划 2026-02-15，2026-03-01 完成"}, {day(2025, 12, 1), "done", "last year: not drawn"}}},
		},
	}
}

func TestGantt_Golden(t *testing.T) {
	got := sampleGantt().SVG()
	path := filepath.Join("testdata", "gantt.golden.svg")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./chart -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("the SVG differs from %s; look at it, then run go test ./chart -update if the change is intended", path)
	}
}

func TestGantt_IsWellFormedAndEscapesText(t *testing.T) {
	svg := sampleGantt().SVG()
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
	}
	if !strings.Contains(svg, "古厝活化利用示范区&lt;一期&gt;") {
		t.Error("a name with < > is not escaped")
	}
	if strings.Contains(svg, "style=") {
		t.Error("style attributes break the CSP; use presentation attributes")
	}
	if strings.Contains(svg, "last year") {
		t.Error("a milestone outside the year is drawn")
	}
	if n := strings.Count(svg, `<a href="/projects/`); n != 3 {
		t.Errorf("%d rows link to their project, want 3", n)
	}
	// Two groups, each heading once.
	if strings.Count(svg, "林志强（常务副镇长）") != 1 || strings.Count(svg, "王丽琴（副镇长）") != 1 {
		t.Error("group headings repeated or missing")
	}
	if !strings.Contains(svg, "今天 3月15日 · 时序进度 20.3%") {
		t.Error("no today line label")
	}
}

func TestGantt_TodayOutsideTheYearHasNoLine(t *testing.T) {
	g := sampleGantt()
	g.Today = day(2027, 1, 5)
	if strings.Contains(g.SVG(), "今天 ") {
		t.Error("a today line drawn for another year")
	}
}

func TestGantt_LeapYearColumns(t *testing.T) {
	// 366 px of plot (1182 − 800 − a 16 px margin) for 366 days: 29 February, day 60, starts at 800+59.
	g := Gantt{Year: 2028, Width: 1182, LabelWidth: 800, Rows: []Row{{Label: "x", Start: day(2028, 2, 29), End: day(2028, 2, 29)}}}
	if !strings.Contains(g.SVG(), `<rect x="859.0" y="41" width="2.0"`) {
		t.Errorf("29 February is not at day 60 of 2028:\n%s", g.SVG())
	}
}

// Frozen month lights show as a band under each closed month, with a
// legend entry; a chart without them draws neither.
func TestGantt_MonthLights(t *testing.T) {
	row := Row{Label: "冷链中心", Light: "green", MonthLights: map[time.Month]string{time.February: "red", time.March: "yellow"}}
	svg := Gantt{Year: 2026, Legend: true, Rows: []Row{row}}.SVG()
	for _, want := range []string{"<title>2月：红灯</title>", "<title>3月：黄灯</title>", "月度亮灯（关账冻结）"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	if strings.Contains(svg, "1月：") {
		t.Error("a month not closed has a band")
	}
	plain := Gantt{Year: 2026, Legend: true, Rows: []Row{{Label: "冷链中心"}}}.SVG()
	if strings.Contains(plain, "月度亮灯") {
		t.Error("legend entry without month lights")
	}
}
