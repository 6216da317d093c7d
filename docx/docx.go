// Package docx writes a 公文-style Word document (GB/T 9704-2012 layout) from a small document model: the quarterly
// 通报 and the dispatch meeting 纪要. It uses only archive/zip and hand-written WordprocessingML, because the Go DOCX
// libraries cannot set East-Asian fonts or are AGPL/commercial (STYLE.md §7).
package docx

import (
	"archive/zip"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Document is one 公文: 版头 (Issuer, Number, red rule), 主体 (Title … Date) and 版记 (CC, PrintedBy, PrintedOn).
// Every field may be empty; empty parts are left out.
type Document struct {
	Issuer    string  // 发文机关标志, red, centred, e.g. "XX镇人民政府督查室"
	Number    string  // 发文字号, centred above the red rule, e.g. "X镇督〔2026〕3号"
	Title     string  // 标题, 2号小标宋, centred
	Recipient string  // 主送机关, 顶格; a trailing full-width colon is added if missing
	Blocks    []Block // the body in order
	Signer    string  // 发文机关署名
	Date      string  // 成文日期, e.g. "2026年4月3日", right-aligned 右空四字
	CC        string  // 抄送机关 in the 版记
	PrintedBy string  // 印发机关 in the 版记
	PrintedOn string  // 印发日期 in the 版记, e.g. "2026年4月3日印发"
}

// Block is one element of the body: a Heading, a Paragraph or a Table.
type Block interface{ block() }

// Heading is a numbered heading; the caller writes the number ("一、", "（一）", "1.") into Text.
// Level 1 is 黑体, level 2 楷体, level 3 (and anything deeper) 仿宋 bold.
type Heading struct {
	Level int
	Text  string
}

// Paragraph is body text: 3号仿宋 with a first-line indent of two characters. A newline in Text starts a new line.
type Paragraph struct{ Text string }

// Table is a bordered table in smaller 仿宋 whose Header row repeats at the top of every page.
// Widths are relative column weights (character counts or proportions work alike); missing or non-positive
// weights count as 1. Rows shorter than the widest row are padded with empty cells.
type Table struct {
	Header []string
	Rows   [][]string
	Widths []float64
}

func (Heading) block()   {}
func (Paragraph) block() {}
func (Table) block()     {}

// Page geometry in twentieths of a point (twips); 1 mm = 1440/25.4 twips.
const (
	pageW, pageH = 11906, 16838 // A4
	marginTop    = 2098         // 37 mm
	marginBottom = 1984         // 35 mm
	marginLeft   = 1587         // 28 mm
	marginRight  = 1474         // 26 mm
	textWidth    = pageW - marginLeft - marginRight
	// linePitch is the fixed line spacing: 22 lines must fit the 225 mm 版心 (12756 twips), and 22×580 does not,
	// so 579 (28.95 pt).
	linePitch = 579
	footerGap = 1304 // 23 mm from the page bottom, so the "— N —" line sits about 7 mm below the 版心
)

// Write writes d as a .docx package to w.
func Write(w io.Writer, d Document) error {
	z := zip.NewWriter(w)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rootRels},
		{"word/document.xml", documentXML(d)},
		{"word/styles.xml", stylesXML},
		{"word/settings.xml", settingsXML},
		{"word/fontTable.xml", fontTableXML},
		{"word/footer1.xml", footerXML},
		{"word/_rels/document.xml.rels", documentRels},
		{"docProps/core.xml", coreXML(d)},
		{"docProps/app.xml", appXML},
	}
	for _, p := range parts {
		f, err := z.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate})
		if err != nil {
			return fmt.Errorf("docx.Write %s: %w", p.name, err)
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return fmt.Errorf("docx.Write %s: %w", p.name, err)
		}
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("docx.Write: %w", err)
	}
	return nil
}

// clean drops what XML 1.0 cannot carry: invalid UTF-8 and characters outside the Char production
// (C0 controls other than tab, newline and carriage return; surrogates; U+FFFE and U+FFFF).
func clean(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				continue // an invalid byte, not a real U+FFFD
			}
		}
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// esc cleans s and escapes it for use in XML text or a double-quoted attribute.
func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\r", "&#13;").Replace(clean(s))
}

// body accumulates the paragraphs and tables of word/document.xml.
type body struct{ strings.Builder }

// run writes one text run with optional run properties; tabs become w:tab and newlines w:br.
func (b *body) run(rPr, text string) {
	b.WriteString("<w:r>")
	if rPr != "" {
		b.WriteString("<w:rPr>" + rPr + "</w:rPr>")
	}
	text = strings.ReplaceAll(clean(text), "\r\n", "\n")
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteString("<w:br/>")
		}
		for j, part := range strings.Split(line, "\t") {
			if j > 0 {
				b.WriteString("<w:tab/>")
			}
			if part != "" {
				b.WriteString(`<w:t xml:space="preserve">` + esc(part) + "</w:t>")
			}
		}
	}
	b.WriteString("</w:r>")
}

// para writes one paragraph in style with extra paragraph properties pPr (inserted after the style) and one run.
func (b *body) para(style, pPr, rPr, text string) {
	b.WriteString(`<w:p><w:pPr><w:pStyle w:val="` + style + `"/>` + pPr + "</w:pPr>")
	if text != "" {
		b.run(rPr, text)
	}
	b.WriteString("</w:p>")
}

func documentXML(d Document) string {
	var b body
	b.WriteString(xmlHeader + `<w:document xmlns:w="` + nsW + `" xmlns:r="` + nsR + `"><w:body>`)

	// 版头: the issuer in red, sized to fit one line of the 版心, then the number, with the red rule under the last
	// of the two. The rule is a paragraph bottom border 4 mm (11 pt) below the text.
	redRule := `<w:pBdr><w:bottom w:val="single" w:sz="18" w:space="11" w:color="FF0000"/></w:pBdr>`
	if d.Issuer != "" {
		pPr := ""
		if d.Number == "" {
			pPr = redRule
		}
		b.para("Issuer", pPr, fmt.Sprintf(`<w:sz w:val="%d"/><w:szCs w:val="%[1]d"/>`, issuerHalfPoints(d.Issuer)), d.Issuer)
	}
	if d.Number != "" {
		pPr := redRule
		if d.Issuer != "" {
			pPr = redRule + `<w:spacing w:before="1158"/>` // 空二行 below the 标志 (pBdr precedes spacing in w:pPr)
		}
		b.para("Number", pPr, "", d.Number)
	}

	// 主体.
	if d.Title != "" {
		b.para("Title", "", "", d.Title)
	}
	if d.Recipient != "" {
		r := strings.TrimRight(d.Recipient, " ")
		if !strings.HasSuffix(r, "：") && !strings.HasSuffix(r, ":") {
			r += "："
		}
		b.para("Recipient", "", "", r)
	}
	lastTable := false
	for _, bl := range d.Blocks {
		lastTable = false
		switch bl := bl.(type) {
		case Heading:
			lvl := min(max(bl.Level, 1), 3)
			b.para(fmt.Sprintf("Heading%d", lvl), "", "", bl.Text)
		case Paragraph:
			b.para("Normal", "", "", bl.Text)
		case Table:
			lastTable = b.table(bl)
		}
	}
	if d.Signer != "" || d.Date != "" {
		before := `<w:spacing w:before="1158"/>` // 空二行 before the 署名 leaves room for the seal
		if d.Signer != "" {
			// Centre the 署名 over the date: shift it left by half the difference in length.
			shift := 400 + 50*(utf8.RuneCountInString(d.Date)-utf8.RuneCountInString(d.Signer))
			b.para("Signature", before+fmt.Sprintf(`<w:ind w:rightChars="%d" w:right="%d"/>`, max(shift, 0), max(shift, 0)*16/5), "", d.Signer)
			before = ""
		}
		if d.Date != "" {
			b.para("Signature", before, "", d.Date)
		}
	} else if lastTable {
		b.para("Normal", "", "", "") // a body must not end in a table
	}

	// 版记: 抄送 and 印发 between a thick first and last rule with a thin one between. The two paragraphs get
	// different border sets so Word does not merge them into one bordered group.
	thick := func(side string) string {
		return `<w:` + side + ` w:val="single" w:sz="8" w:space="1" w:color="000000"/>`
	}
	thin := `<w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/>`
	hasPrint := d.PrintedBy != "" || d.PrintedOn != ""
	if d.CC != "" {
		under := thick("bottom")
		if hasPrint {
			under = thin
		}
		cc := strings.TrimRight(d.CC, "。")
		b.para("Banji", `<w:pBdr>`+thick("top")+under+`</w:pBdr><w:spacing w:before="1158"/>`, "", "抄送："+cc+"。")
	}
	if hasPrint {
		pPr := `<w:pBdr>` + thick("bottom") + `</w:pBdr>`
		if d.CC == "" {
			pPr = `<w:pBdr>` + thick("top") + thick("bottom") + `</w:pBdr><w:spacing w:before="1158"/>`
		}
		b.para("Banji", pPr, "", d.PrintedBy+"\t"+d.PrintedOn)
	}

	fmt.Fprintf(&b, `<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter1"/>`+
		`<w:pgSz w:w="%d" w:h="%d"/>`+
		`<w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="851" w:footer="%d" w:gutter="0"/>`+
		`<w:docGrid w:type="lines" w:linePitch="%d"/></w:sectPr></w:body></w:document>`,
		pageW, pageH, marginTop, marginRight, marginBottom, marginLeft, footerGap, linePitch)
	return b.String()
}

// issuerHalfPoints picks the issuer's font size in half-points: 36 pt (小初) if the name fits one line of the
// 版心, smaller for a long name, never below 22 pt (二号).
func issuerHalfPoints(s string) int {
	n := max(utf8.RuneCountInString(s), 1)
	pt := min(36, textWidth/20/n) // textWidth/20 is the 版心 width in points
	return 2 * max(pt, 22)
}

// table writes t and reports whether it wrote anything (a table with no columns is skipped).
func (b *body) table(t Table) bool {
	cols := len(t.Header)
	for _, r := range t.Rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return false
	}
	weights, sum := make([]float64, cols), 0.0
	for i := range weights {
		weights[i] = 1
		if i < len(t.Widths) && t.Widths[i] > 0 && t.Widths[i] < 1e6 {
			weights[i] = t.Widths[i]
		}
		sum += weights[i]
	}
	widths := make([]int, cols)
	for i, wt := range weights {
		widths[i] = int(float64(textWidth) * wt / sum)
	}
	fmt.Fprintf(b, `<w:tbl><w:tblPr><w:tblW w:w="%d" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders>`, textWidth)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		b.WriteString(`<w:` + side + ` w:val="single" w:sz="4" w:space="0" w:color="000000"/>`)
	}
	b.WriteString(`</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/>` +
		`<w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>`)
	for _, wd := range widths {
		fmt.Fprintf(b, `<w:gridCol w:w="%d"/>`, wd)
	}
	b.WriteString("</w:tblGrid>")
	row := func(cells []string, header bool) {
		b.WriteString(`<w:tr><w:trPr><w:cantSplit/>`)
		if header {
			b.WriteString(`<w:tblHeader/>`) // repeat this row at the top of each page
		}
		b.WriteString(`</w:trPr>`)
		for i, wd := range widths {
			text := ""
			if i < len(cells) {
				text = cells[i]
			}
			fmt.Fprintf(b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>`, wd)
			if header {
				b.para("TableText", `<w:jc w:val="center"/>`, "<w:b/><w:bCs/>", text)
			} else {
				b.para("TableText", "", "", text)
			}
			b.WriteString("</w:tc>")
		}
		b.WriteString("</w:tr>")
	}
	if len(t.Header) > 0 {
		row(t.Header, true)
	}
	for _, r := range t.Rows {
		row(r, false)
	}
	b.WriteString("</w:tbl>")
	return true
}

func coreXML(d Document) string {
	return xmlHeader + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"` +
		` xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">` +
		`<dc:title>` + esc(d.Title) + `</dc:title><dc:creator>` + esc(d.Issuer) + `</dc:creator></cp:coreProperties>`
}
