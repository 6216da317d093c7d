package project

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"guatu/audit"
)

// Change is one line of a project's change history in plain words, e.g.
// "张三 2026-03-02 把 计划开工日期 从 2026-04-01 改为 2026-05-15".
type Change struct {
	At    time.Time
	Who   string
	Text  string
	Field string
	From  string
	To    string
}

// Changes turns the project's audit rows into plain-word lines, newest
// first: one line per changed field of an update, one line for a creation
// or a stage move.
func Changes(rows []audit.Row) []Change {
	var out []Change
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		who := r.Username
		d := r.Decoded()
		switch r.Action {
		case audit.ProjectCreated:
			out = append(out, Change{At: r.At, Who: who, Text: "新建项目"})
		case audit.ProjectStageChanged:
			var before, after map[string]string
			json.Unmarshal(d.Before, &before)
			json.Unmarshal(d.After, &after)
			text := fmt.Sprintf("把 阶段 从 %s 改为 %s（%s）", before["阶段"], after["阶段"], after["日期"])
			if d.Note != "" {
				text += "：" + d.Note
			}
			out = append(out, Change{At: r.At, Who: who, Text: text, Field: "阶段", From: before["阶段"], To: after["阶段"]})
		case audit.ProjectUpdated:
			var before, after map[string]any
			json.Unmarshal(d.Before, &before)
			json.Unmarshal(d.After, &after)
			keys := make([]string, 0, len(after))
			for k := range after {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				from, to := plain(before[k]), plain(after[k])
				if from == to {
					continue
				}
				out = append(out, Change{At: r.At, Who: who, Field: k, From: from, To: to,
					Text: fmt.Sprintf("把 %s 从 %s 改为 %s", k, orNone(from), orNone(to))})
			}
		}
	}
	return out
}

func plain(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "是"
		}
		return "否"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = plain(e)
		}
		return strings.Join(parts, "；")
	}
	return fmt.Sprint(v)
}

func orNone(s string) string {
	if s == "" {
		return "（空）"
	}
	return s
}
