package sheet

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"guatu/apperr"
)

// headerScanRows is how many rows from the top FindHeader looks at.
const headerScanRows = 20

// Column describes one column FindHeader should find. Key is the caller's name for it ("name"); Aliases are the
// header texts that mean it ("项目名称", "名称", "项目"). Matching is on whole texts and ignores spaces and line
// breaks, full-width/half-width differences, letter case, '*' marks, slashes and any part in brackets
// ("总投资（万元）", "总投资(亿元)" and "总投资\n（亿元）" all match "总投资"). For a two-row header an alias may name
// the group and the column together ("时间节点/计划开工") or either alone. A Required column must be found.
type Column struct {
	Key      string
	Aliases  []string
	Required bool
}

// Header is the header FindHeader found.
type Header struct {
	// Row is the index of the last header row; data rows start at Row+1.
	Row int
	// Cols maps Column.Key to the column index of each column found.
	Cols map[string]int
	// Units maps Column.Key to the text in the brackets of its header, if any ("万元", "亿元", "亩"), with a
	// leading "单位：" removed.
	Units map[string]string
	// Titles maps Column.Key to its header text as written, line breaks removed, for messages such as
	// 第5行“总投资（亿元）”列; a two-row header reads "时间节点/计划开工".
	Titles map[string]string
	// Unit is the money unit ("元", "万元" or "亿元") that a note above the header states for the whole sheet,
	// as in "单位：万元", or "" if there is none.
	Unit string
}

// MoneyUnit returns the money unit ("元", "万元" or "亿元") for the column key: the one in the column's header
// brackets, else the sheet's Unit, else def. Pass the result to ParseAmount.
func (h Header) MoneyUnit(key, def string) string {
	if u := moneyUnit(h.Units[key]); u != "" {
		return u
	}
	if h.Unit != "" {
		return h.Unit
	}
	return def
}

// FindHeader looks in the first 20 rows of g for the header: the row, or pair of adjacent rows, whose texts
// match the most columns. In a pair, each column is tried as "upper/lower", as the lower text alone and as the
// upper (group) text alone, in that order, and the lower row must match at least one column. On a tie the header
// that ends one row lower wins (a header merged down over two rows), then a pair whose upper row matched something
// over the single row it ends, else the first found. Each spreadsheet column is given to at most one Column.
// When no row matches any column, or the best header lacks a Required column, the error is an apperr Invalid that
// names the missing columns and the texts looked for.
func FindHeader(g *Grid, cols []Column) (Header, error) {
	aliases := make([][]string, len(cols))
	for i, col := range cols {
		for _, a := range col.Aliases {
			if k := headerKey(a); k != "" {
				aliases[i] = append(aliases[i], k)
			}
		}
	}

	var best match
	for r := 0; r < min(headerScanRows, len(g.Rows)); r++ {
		for _, pair := range []bool{false, true} {
			if pair && r == 0 {
				continue
			}
			m := matchRow(g, r, pair, aliases)
			if pair && m.hits[0]+m.hits[1] == 0 {
				continue // a header row with a data row under it, not a two-row header
			}
			if m.better(best) {
				best = m
			}
		}
	}

	if best.found == 0 {
		return Header{}, apperr.Invalidf("没有找到表头：前 %d 行中没有可识别的列名，请使用导入模板的列名", headerScanRows)
	}
	var missing []string
	for i, col := range cols {
		if col.Required && best.col[i] < 0 {
			missing = append(missing, "“"+strings.Join(col.Aliases, "”或“")+"”")
		}
	}
	if len(missing) > 0 {
		return Header{}, apperr.Invalidf("没有找到这些列：%s。请检查表头是否在前 %d 行内、列名是否与导入模板一致",
			strings.Join(missing, "，"), headerScanRows)
	}

	h := Header{Row: best.row, Cols: map[string]int{}, Units: map[string]string{}, Titles: map[string]string{}}
	for i, col := range cols {
		c := best.col[i]
		if c < 0 {
			continue
		}
		h.Cols[col.Key] = c
		h.Titles[col.Key] = best.title[i]
		if u := bracketUnit(best.title[i]); u != "" {
			h.Units[col.Key] = u
		}
	}
	top := best.row
	if best.pair {
		top--
	}
	h.Unit = sheetUnit(g, top)
	return h, nil
}

// match is one candidate header: which spreadsheet column each Column got (-1 for none) and the text matched.
// For a pair, hits counts the Columns matched in each round: joined text, lower text, upper text.
type match struct {
	row   int
	pair  bool
	found int
	hits  [3]int
	col   []int
	title []string
}

// better reports whether m, found after than, should replace it: it matches more Columns; or as many and ends one
// row lower, as when a header's cells are merged down over two rows (the data start under the second); or it is
// the pair ending on the same row as the single row than and its upper row matters (a group header).
func (m match) better(than match) bool {
	switch {
	case m.found != than.found:
		return m.found > than.found
	case m.found == 0:
		return false
	case m.row == than.row+1:
		return true
	}
	return m.row == than.row && m.pair && !than.pair && m.hits[0]+m.hits[2] > 0
}

// matchRow matches the Columns against row r, or against rows r-1 and r when pair is set. Candidates are taken in
// rounds of decreasing precision (joined text, then lower text, then upper text), each Column taking the leftmost
// free spreadsheet column in the first round that has one.
func matchRow(g *Grid, r int, pair bool, aliases [][]string) match {
	m := match{row: r, pair: pair, col: make([]int, len(aliases)), title: make([]string, len(aliases))}
	for i := range m.col {
		m.col[i] = -1
	}
	lower := g.Rows[r]
	var upper []Cell
	if pair {
		upper = g.Rows[r-1]
	}
	width := max(len(lower), len(upper))
	rounds := 1
	if pair {
		rounds = 3
	}
	taken := make([]bool, width)
	for round := range rounds {
		for c := range width {
			if taken[c] {
				continue
			}
			title := candidate(g.Cell(r-1, c).Text, g.Cell(r, c).Text, pair, round)
			key := headerKey(title)
			if key == "" {
				continue
			}
			for i, keys := range aliases {
				if m.col[i] >= 0 || !contains(keys, key) {
					continue
				}
				m.col[i], m.title[i] = c, title
				m.found++
				m.hits[round]++
				taken[c] = true
				break
			}
		}
	}
	return m
}

// candidate is the header text tried for one column in a round: for a single row its text; for a pair
// "upper/lower" (just one of them when they are the same, as under a vertical merge), then lower, then upper.
func candidate(upper, lower string, pair bool, round int) string {
	upper, lower = titleText(upper), titleText(lower)
	if !pair {
		return lower
	}
	switch round {
	case 0:
		if upper == "" || lower == "" || upper == lower {
			return ""
		}
		return upper + "/" + lower
	case 1:
		return lower
	}
	return upper
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// titleText is a header text as written, with its line breaks removed ("总投资\n（亿元）" → "总投资（亿元）").
func titleText(s string) string {
	return strings.ReplaceAll(s, "\n", "")
}

// headerKey is the comparable form of a header text or alias: normalised, bracketed parts removed, spaces,
// slashes, colons and '*' marks dropped, ASCII letters lower-cased.
func headerKey(s string) string {
	s = Normalize(s)
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '[', '【', '〔', '〖':
			depth++
			continue
		case ')', ']', '】', '〕', '〗':
			depth = max(depth-1, 0)
			continue
		}
		if depth > 0 {
			continue
		}
		switch {
		case r == ' ' || r == '/' || r == '\\' || r == ':' || r == '*' || r == '※' || r == '、':
			continue
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// bracketUnit returns the text inside the last pair of brackets in a header ("总投资（亿元）" → "亿元"), with a
// leading "单位：" or "单位" removed.
func bracketUnit(s string) string {
	s = Normalize(s)
	end := strings.LastIndexAny(s, ")]】〕〗")
	if end < 0 {
		return ""
	}
	start := strings.LastIndexAny(s[:end], "([【〔〖")
	if start < 0 {
		return ""
	}
	_, size := utf8.DecodeRuneInString(s[start:])
	u := strings.TrimSpace(s[start+size : end])
	u = strings.TrimPrefix(u, "单位")
	u = strings.TrimLeft(u, ": ")
	return u
}

// unitNote matches "单位：万元", "金额单位:亿元", "（单位：万元）" in normalised text, but not "填报单位：元宝村".
var unitNote = regexp.MustCompile(`单位 ?:? ?(亿元|万元|元)(?:$|[^\p{Han}])`)

// sheetUnit returns the money unit stated in any cell above row top, or "".
func sheetUnit(g *Grid, top int) string {
	for r := 0; r < top; r++ {
		for _, c := range g.Rows[r] {
			if m := unitNote.FindStringSubmatch(Normalize(c.Text)); m != nil {
				return m[1]
			}
		}
	}
	return ""
}

// Skip reports why a data row is not a record, or "" when it is one:
//   - "空行": every cell is empty;
//   - "合计行": a cell reads 合计, 总计 or 小计 (spaces ignored), or starts with 合计;
//   - "说明行": the first non-empty cell starts with 注： (or 注1, 注①), 备注, 说明：, 填报, 审核, 制表 or 联系人 and the
//     row holds at most two different texts (a note merged across the row counts once).
func Skip(row []Cell) string {
	var first string
	var texts []string
	total := false
	for _, c := range row {
		if c.Text == "" {
			continue
		}
		k := strings.ReplaceAll(Normalize(c.Text), " ", "")
		if first == "" {
			first = k
		}
		if len(texts) < 3 && !contains(texts, k) {
			texts = append(texts, k)
		}
		if k == "总计" || k == "小计" || strings.HasPrefix(k, "合计") {
			total = true
		}
	}
	switch {
	case first == "":
		return "空行"
	case total:
		return "合计行"
	case len(texts) <= 2 && (noteMark.MatchString(first) || hasAnyPrefix(first, "备注", "说明:", "填报", "审核", "制表", "联系人")):
		return "说明行"
	}
	return ""
}

// noteMark is how a note begins: "注：", "注1", "注①" or 注 alone; a project
// such as 注塑件生产线 is not a note.
var noteMark = regexp.MustCompile(`^注($|[:0-9①②③④⑤⑥⑦⑧⑨⑩])`)

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// moneyUnit returns the canonical money unit for s ("万" → "万元"), or "" if s is not one.
func moneyUnit(s string) string {
	switch strings.ReplaceAll(Normalize(s), " ", "") {
	case "元", "人民币元":
		return "元"
	case "万元", "万", "人民币万元":
		return "万元"
	case "亿元", "亿", "人民币亿元":
		return "亿元"
	}
	return ""
}
