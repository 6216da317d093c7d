package bulletin

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
)

const weightsKey = "bulletin.weights"

// LoadWeights returns the scoring weights from settings, or the defaults.
func LoadWeights(ctx context.Context, q db.Querier) (Weights, error) {
	w := DefaultWeights()
	var stored map[string]float64
	if _, err := db.LoadSetting(ctx, q, weightsKey, &stored); err != nil {
		return w, fmt.Errorf("bulletin.LoadWeights: %w", err)
	}
	for _, p := range Parts {
		if v, ok := stored[p.Key()]; ok {
			w[p] = v
		}
	}
	return w, nil
}

// Key names a part in the stored settings (stable, unlike its position).
func (p Part) Key() string {
	return [...]string{"milestones", "investment", "reports", "problems", "instructions"}[p]
}

// CanConfigure reports whether the actor may change the weights: they
// score every town alike, so only an office or chief over a whole tree.
func CanConfigure(by auth.Actor) bool {
	if by.System {
		return true
	}
	for _, g := range by.Grants {
		if auth.Allowed(g.Role, auth.WriteBulletin) && strings.Count(g.UnitPath, "/") == 2 { // '/1/': a root
			return true
		}
	}
	return false
}

// ParseWeights reads the five weights as typed (whole numbers 0–100, at
// least one above zero); each bad field gets its message.
func ParseWeights(typed [5]string) (Weights, error) {
	var w Weights
	f := apperr.Fields{}
	var sum float64
	for _, p := range Parts {
		s := strings.TrimSpace(typed[p])
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 || v > 100 {
			f.Add("w_"+p.Key(), p.Label()+"的权重应为 0 到 100 的整数")
			continue
		}
		w[p] = float64(v)
		sum += float64(v)
	}
	if err := f.Err(); err != nil {
		return w, err
	}
	if sum == 0 {
		return w, apperr.Invalidf("权重不能全为 0：至少要有一项计入综合得分")
	}
	return w, nil
}

// SaveWeights stores the weights; bulletins drafted from now on use them,
// issued ones keep theirs.
func SaveWeights(ctx context.Context, tx *db.Tx, by auth.Actor, w Weights) error {
	if !CanConfigure(by) {
		return apperr.Forbiddenf("考评权重对所有单位生效，只有全镇（全县）的督查室或主要领导可以修改")
	}
	old, err := LoadWeights(ctx, tx)
	if err != nil {
		return err
	}
	stored := map[string]float64{}
	for _, p := range Parts {
		stored[p.Key()] = w[p]
	}
	if err := db.SaveSetting(ctx, tx, weightsKey, stored, by.UserID); err != nil {
		return fmt.Errorf("bulletin.SaveWeights: %w", err)
	}
	label := func(w Weights) map[string]float64 {
		out := map[string]float64{}
		for _, p := range Parts {
			out[p.Label()] = w[p]
		}
		return out
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.SettingsChanged, ObjectType: "settings",
		ObjectName: "通报考评权重", Before: label(old), After: label(w)})
}
