package project

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"guatu/apperr"
)

// RuleSetting describes one threshold of Rules for the settings form: its
// name, why it matters and the range accepted. Form and validation read this
// one catalog, as the security settings do.
type RuleSetting struct {
	Key      string
	Label    string
	Unit     string
	Min, Max int
	Why      string
}

// RuleSettings is the catalog of the light thresholds, in form order.
func RuleSettings() []RuleSetting {
	return []RuleSetting{
		{Key: "due_soon_days", Label: "节点临近提醒", Unit: "天", Min: 1, Max: 60,
			Why: "计划日期在这么多天以内、尚未完成的节点在挂图和项目页上标为“临近”，提醒提前推进。"},
		{Key: "red_overdue_days", Label: "节点逾期亮红灯", Unit: "天", Min: 1, Max: 365,
			Why: "节点逾期未完成超过这么多天，项目亮红灯；逾期未超过的亮黄灯。"},
		{Key: "stall_days", Label: "签约未落地、落地未开工判定", Unit: "天", Min: 30, Max: 730,
			Why: "签约后这么多天仍未落地、落地后这么多天仍未开工，列为“签约未落地”“落地未开工”，项目亮红灯。"},
		{Key: "yellow_invest_gap", Label: "投资进度落后亮黄灯", Unit: "个百分点", Min: 1, Max: 100,
			Why: "年度投资完成率落后时序进度超过这么多个百分点，项目亮黄灯。"},
		{Key: "red_invest_gap", Label: "投资进度落后亮红灯", Unit: "个百分点", Min: 1, Max: 100,
			Why: "年度投资完成率落后时序进度超过这么多个百分点，项目亮红灯；须大于亮黄灯的差距。"},
	}
}

// RulesInput is the thresholds form as typed.
type RulesInput map[string]string

// Form returns the rules as form values.
func (r Rules) Form() RulesInput {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	return RulesInput{
		"due_soon_days":     strconv.Itoa(r.DueSoonDays),
		"red_overdue_days":  strconv.Itoa(r.RedOverdueDays),
		"stall_days":        strconv.Itoa(r.StallDays),
		"yellow_invest_gap": f(r.YellowInvestGap),
		"red_invest_gap":    f(r.RedInvestGap),
	}
}

// parse validates the form, every problem at once.
func (in RulesInput) parse() (Rules, error) {
	var f apperr.Fields
	specs := map[string]RuleSetting{}
	for _, st := range RuleSettings() {
		specs[st.Key] = st
	}
	num := func(key string) float64 {
		st := specs[key]
		v, err := strconv.ParseFloat(strings.TrimSpace(in[key]), 64)
		if err != nil || v < float64(st.Min) || v > float64(st.Max) {
			f.Add(key, fmt.Sprintf("%s应为 %d 到 %d 之间的数", st.Label, st.Min, st.Max))
		}
		return v
	}
	whole := func(key string) int {
		v := num(key)
		if v != float64(int(v)) {
			f.Add(key, specs[key].Label+"应为整数天")
		}
		return int(v)
	}
	r := Rules{
		DueSoonDays:     whole("due_soon_days"),
		RedOverdueDays:  whole("red_overdue_days"),
		StallDays:       whole("stall_days"),
		YellowInvestGap: num("yellow_invest_gap"),
		RedInvestGap:    num("red_invest_gap"),
	}
	if f.Err() == nil && r.RedInvestGap <= r.YellowInvestGap {
		f.Add("red_invest_gap", "亮红灯的差距须大于亮黄灯的差距")
	}
	return r, f.Err()
}

// ParseNodes reads a node template as typed: one milestone per line (or
// separated by 、，, ；), blanks dropped, each name at most 40 characters.
func ParseNodes(text string) ([]string, error) {
	split := strings.FieldsFunc(text, func(r rune) bool {
		return r == '\n' || r == '\r' || r == '、' || r == '，' || r == ',' || r == '；' || r == ';'
	})
	var out []string
	seen := map[string]bool{}
	for _, n := range split {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if utf8.RuneCountInString(n) > 40 {
			return nil, apperr.InvalidFields(map[string]string{"nodes": "节点名称不超过40个字：" + n})
		}
		if seen[n] {
			return nil, apperr.InvalidFields(map[string]string{"nodes": "节点“" + n + "”重复了"})
		}
		seen[n] = true
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, apperr.InvalidFields(map[string]string{"nodes": "请至少填写一个节点，每行一个"})
	}
	if len(out) > 30 {
		return nil, apperr.InvalidFields(map[string]string{"nodes": "一个模板最多30个节点"})
	}
	return out, nil
}
