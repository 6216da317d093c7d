package problem

import (
	"context"
	"fmt"

	"guatu/auth"
	"guatu/db"
	"guatu/notify"
)

// tell posts the notice a step of the flow owes someone, in the step's
// transaction: the unit hears of a problem given to it and of the office's
// decisions on it; the office hears of what units report and finish. A
// progress note (反馈) and 签收 stay on the timeline.
func tell(ctx context.Context, tx *db.Tx, p *Problem, kind EventKind, note string) error {
	unit := []notify.Recipient{notify.UnitStaff(p.UnitID)}
	office := []notify.Recipient{notify.ToRoleOver(auth.Supervisor, p.UnitID)}
	m := notify.Message{Kind: notify.KindProblem, Link: fmt.Sprintf("/problems/%d", p.ID), UnitID: p.UnitID, Body: p.Title}
	if note != "" {
		m.Body += "\n" + note
	}
	switch kind {
	case AssignedEvent:
		m.Title, m.To = "交办："+short(p.Title), unit
		for _, c := range p.CoUnits {
			m.To = append(m.To, notify.UnitStaff(c.ID))
		}
		if p.LeaderID != 0 {
			m.To = append(m.To, notify.ToPerson(p.LeaderID))
		}
	case Raised:
		m.Title, m.To, m.NoRobots = p.UnitName+"上报问题："+short(p.Title), office, true
	case DoneEvent:
		m.Title, m.To, m.NoRobots = "问题已办结，请审核销号："+short(p.Title), office, true
	case ClosedEvent:
		m.Title, m.To = "问题已销号："+short(p.Title), unit
	case ReturnedEvent:
		m.Title, m.To, m.NoRobots = "问题退回重办："+short(p.Title), unit, true
	case ExtensionAsked:
		m.Title, m.To, m.NoRobots = p.UnitName+"申请延期："+short(p.Title), office, true
	case ExtensionApproved:
		m.Title, m.To, m.NoRobots = "延期申请已同意："+short(p.Title), unit, true
	case ExtensionRefused:
		m.Title, m.To, m.NoRobots = "延期申请未同意："+short(p.Title), unit, true
	default:
		return nil
	}
	return notify.Post(ctx, tx, m)
}

// short cuts a title for a notice's one line.
func short(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:39]) + "…"
	}
	return s
}
