package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"guatu/docx"
	"guatu/org"
	"guatu/project"
)

const docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// meetingMinutesDocx is the 纪要 as a Word file, for the office to edit and
// seal; the same page data and wording as the printed page.
func (s *Server) meetingMinutesDocx(w http.ResponseWriter, r *http.Request) error {
	mp, err := s.minutesData(r)
	if err != nil {
		return err
	}
	u, err := org.GetUnit(r.Context(), s.db, mp.M.UnitID)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := docx.Write(&buf, minutesDocument(mp, minutesIssuer(u))); err != nil {
		return err
	}
	attachment(w, docxType, "minutes-"+project.FormatDate(mp.M.HeldOn)+".docx", mp.Title+".docx")
	_, err = buf.WriteTo(w)
	return err
}

// minutesIssuer is the 发文机关 of a unit's 纪要: a town's or county's
// 人民政府, a village's 村民委员会, a community's 居民委员会; any other unit
// issues under its own name.
func minutesIssuer(u *org.Unit) string {
	switch u.Kind {
	case org.Town, org.County:
		return u.Name + "人民政府"
	case org.Village:
		return u.Name + "村民委员会"
	case org.Community:
		return u.Name + "居民委员会"
	}
	return u.Name
}

// minutesDocument lays out the 纪要 as a 公文, in the order of the printed
// page: the header lines, the opening, the month's figures and the meeting's
// requirements, the decisions, and the 交办 with their units, leaders and
// deadlines. It has no document number (the office gives one when it
// issues the 纪要) and no 署名: the issuer heads it and the date the meeting
// was held closes it.
func minutesDocument(mp minutesPage, issuer string) docx.Document {
	m := mp.M
	var blocks []docx.Block
	for _, l := range mp.Meta() {
		blocks = append(blocks, docx.Paragraph{Text: l.Label + "：" + l.Text})
	}
	blocks = append(blocks,
		docx.Paragraph{Text: mp.Opening()},
		docx.Heading{Level: 1, Text: "一、" + m.Period.Label() + "项目推进情况"},
		docx.Paragraph{Text: mp.Progress()})
	// The requirements are typed as free text: each non-blank line is a
	// paragraph of its own, indented as a 公文 paragraph is.
	for _, line := range strings.Split(m.Summary, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			blocks = append(blocks, docx.Paragraph{Text: line})
		}
	}
	blocks = append(blocks, docx.Heading{Level: 1, Text: "二、会议议定事项"})
	for i, line := range mp.DecisionLines() {
		blocks = append(blocks, docx.Paragraph{Text: fmt.Sprintf("%d.%s", i+1, line)})
	}
	if len(m.Decisions) == 0 {
		blocks = append(blocks, docx.Paragraph{Text: "（未记录议定事项）"})
	}
	if len(mp.Assigns) > 0 {
		blocks = append(blocks,
			docx.Heading{Level: 1, Text: "三、交办事项"},
			docx.Table{Header: mp.AssignHeader(), Rows: mp.AssignRows(), Widths: []float64{3, 12, 6, 5, 6}},
			docx.Paragraph{Text: mp.AssignNote()})
	}
	return docx.Document{Issuer: issuer, Title: mp.Title, Blocks: blocks, Date: m.HeldOn.Format("2006年1月2日")}
}
