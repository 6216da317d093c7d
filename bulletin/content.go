package bulletin

import (
	"fmt"

	"guatu/apperr"
	"guatu/report"
	"strconv"
	"strings"
)

// Content is what a bulletin says: the text the supervision office edits
// (title, 主送, each section's heading and paragraphs) and the tables and
// figures computed from the frozen months, which no one edits. It is stored
// as JSON; once issued it never changes (its hash is over it).
type Content struct {
	Title     string    `json:"title"`
	Recipient string    `json:"recipient"` // 主送机关
	Sections  []Section `json:"sections"`
	Figures   Figures   `json:"figures"`
}

// Section is one numbered part of the bulletin: "一、总体情况" with its
// paragraphs and, after them, its tables.
type Section struct {
	Key        string   `json:"key"` // overview, ranking, ahead, lights, stalls, overdue, demands
	Heading    string   `json:"heading"`
	Paragraphs []string `json:"paragraphs"`
	Tables     []Table  `json:"tables,omitempty"`
}

// Table is a computed table: the ranking or one of the lists. Its cells
// keep their numbers, so the spreadsheet can format them as numbers.
type Table struct {
	Key     string    `json:"key"`
	Caption string    `json:"caption"`
	Header  []string  `json:"header"`
	Widths  []float64 `json:"widths"`
	Rows    [][]Cell  `json:"rows"`
	// Empty is what the bulletin says instead of a table without rows.
	Empty string `json:"empty,omitempty"`
}

// ColumnPercents are the table's relative widths as percentages of the
// page width (for the print page's <col> elements).
func (t Table) ColumnPercents() []float64 {
	var sum float64
	for i := range t.Header {
		sum += t.width(i)
	}
	out := make([]float64, len(t.Header))
	for i := range out {
		out[i] = round1(t.width(i) * 100 / sum)
	}
	return out
}

func (t Table) width(i int) float64 {
	if i < len(t.Widths) && t.Widths[i] > 0 {
		return t.Widths[i]
	}
	return 1
}

// Texts are the table's rows as the cells' texts (for the print page and
// the Word document).
func (t Table) Texts() [][]string {
	out := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = make([]string, len(r))
		for j, c := range r {
			out[i][j] = c.Text
		}
	}
	return out
}

// Cell is a table cell: its text as shown, and for a figure the number and
// the spreadsheet format ("0", "0.0", "0.00", "0.0%").
type Cell struct {
	Text   string   `json:"t"`
	Num    *float64 `json:"n,omitempty"`
	Format string   `json:"f,omitempty"`
}

func text(s string) Cell { return Cell{Text: s} }

func count(n int) Cell {
	v := float64(n)
	return Cell{Text: strconv.Itoa(n), Num: &v, Format: "0"}
}

// decimal is a figure with one decimal; an empty rate shows as "—".
func decimal(v float64, ok bool) Cell {
	if !ok {
		return Cell{Text: "—"}
	}
	r := round1(v)
	return Cell{Text: strconv.FormatFloat(r, 'f', 1, 64), Num: &r, Format: "0.0"}
}

func round1(v float64) float64 {
	if v < 0 {
		return -float64(int64(-v*10+0.5)) / 10
	}
	return float64(int64(v*10+0.5)) / 10
}

// Figures are the span's numbers the bulletin is written from; the JSON
// API returns them with the bulletin.
type Figures struct {
	Span     string `json:"span"`     // 2026-Q3
	Through  string `json:"through"`  // the last closed month the figures stand at, 2026-09
	Complete bool   `json:"complete"` // every month of the span is closed
	Place    string `json:"place"`    // 全镇
	// Projects are the 实施库 projects frozen at Through, by stage.
	Projects  int          `json:"projects"`
	ByStage   []StageCount `json:"by_stage"`
	Started   int          `json:"started"`    // 开工 or 投产
	StartRate float64      `json:"start_rate"` // percent of Projects
	// Investment this year at Through, yuan, and 时序进度 (percent).
	Planned      int64   `json:"planned"`
	Completed    int64   `json:"completed"`
	TimeProgress float64 `json:"time_progress"`
	// Lights at Through, and at the end of the month before the span (if
	// it was closed) for the change.
	Lights      LightCount  `json:"lights"`
	PrevLights  *LightCount `json:"prev_lights,omitempty"`
	PrevThrough string      `json:"prev_through,omitempty"`
	Weights     Weights     `json:"weights"`
	Ranking     []Score     `json:"ranking"`
}

// ThroughLabel is the last closed month in Chinese: 2026年9月.
func (f Figures) ThroughLabel() string {
	p, err := report.ParsePeriod(f.Through)
	if err != nil {
		return f.Through
	}
	return p.Label()
}

// StageCount is how many projects were in a stage.
type StageCount struct {
	Stage string `json:"stage"`
	Label string `json:"label"`
	N     int    `json:"n"`
}

// LightCount counts projects by light.
type LightCount struct {
	Green  int `json:"green"`
	Yellow int `json:"yellow"`
	Red    int `json:"red"`
}

// Edit is the office's change to a draft's text: the title, the 主送 and,
// per section in order, the heading and the paragraphs (one per line; an
// empty line is dropped).
type Edit struct {
	Title      string
	Recipient  string
	Headings   []string
	Paragraphs []string // per section, paragraphs separated by newlines
}

// apply checks the edit and writes it into c; the tables and figures stay
// as computed.
func (e Edit) apply(c *Content) error {
	var bad []string
	title := strings.TrimSpace(e.Title)
	switch n := len([]rune(title)); {
	case n == 0:
		bad = append(bad, "标题不能为空")
	case n > 100:
		bad = append(bad, fmt.Sprintf("标题最长 100 个字，现有 %d 个字", n))
	}
	if len(e.Headings) != len(c.Sections) || len(e.Paragraphs) != len(c.Sections) {
		// The draft was regenerated (or the form tampered with) since the
		// form was opened: its sections no longer line up.
		return apperr.Conflictf("草稿的结构已变化（可能已重新生成），请刷新后再改")
	}
	sections := make([]Section, len(c.Sections))
	copy(sections, c.Sections)
	for i := range sections {
		h := strings.TrimSpace(e.Headings[i])
		if h == "" {
			bad = append(bad, fmt.Sprintf("第 %d 部分的标题不能为空", i+1))
		} else if n := len([]rune(h)); n > 60 {
			bad = append(bad, fmt.Sprintf("第 %d 部分的标题最长 60 个字，现有 %d 个字", i+1, n))
		}
		sections[i].Heading = h
		sections[i].Paragraphs = splitParagraphs(e.Paragraphs[i])
		if n := len([]rune(e.Paragraphs[i])); n > 20000 {
			bad = append(bad, fmt.Sprintf("第 %d 部分的正文最长 20000 个字，现有 %d 个字", i+1, n))
		}
	}
	if len(bad) > 0 {
		return apperr.Invalidf("%s", strings.Join(bad, "；"))
	}
	c.Title = title
	c.Recipient = strings.TrimSpace(e.Recipient)
	c.Sections = sections
	return nil
}

// splitParagraphs reads a textarea: one paragraph per line, blank lines and
// the spaces around each line dropped (the document indents paragraphs
// itself).
func splitParagraphs(s string) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(strings.Trim(line, "\u3000")); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// ParagraphText is a section's paragraphs as the edit form shows them.
func (s Section) ParagraphText() string { return strings.Join(s.Paragraphs, "\n") }

var subNumbers = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// TableHeading is the numbered heading a section's i-th table stands
// under: （一）红灯项目. The print page and the Word document both use it.
func (s Section) TableHeading(i int) string {
	n := strconv.Itoa(i + 1)
	if i < len(subNumbers) {
		n = subNumbers[i]
	}
	return "（" + n + "）" + s.Tables[i].Caption
}
