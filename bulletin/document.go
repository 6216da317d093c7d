package bulletin

import (
	"guatu/docx"
)

// Document is the bulletin as a 公文 for the Word writer: 版头 with the
// issuer and number, the title, 主送, the sections with their tables, the
// signature and date, and the 版记. A draft carries the issuer it would
// be issued by and no number or date.
func (b *Bulletin) Document(issuer string) docx.Document {
	d := docx.Document{Issuer: issuer, Title: b.Content.Title, Recipient: b.Content.Recipient, Signer: issuer}
	if b.State == Issued {
		d.Issuer, d.Signer, d.Number, d.Date = b.Issuer, b.Issuer, b.Number, ChineseDate(b.IssuedOn)
		d.PrintedBy, d.PrintedOn = b.Issuer, ChineseDate(b.IssuedOn)+"印发"
	} else {
		d.Number = "（草稿）"
	}
	if b.ReplacesNumber != "" {
		d.Blocks = append(d.Blocks, docx.Paragraph{Text: b.CorrectionNote()})
	}
	for _, s := range b.Content.Sections {
		d.Blocks = append(d.Blocks, docx.Heading{Level: 1, Text: s.Heading})
		for _, p := range s.Paragraphs {
			d.Blocks = append(d.Blocks, docx.Paragraph{Text: p})
		}
		for i, t := range s.Tables {
			d.Blocks = append(d.Blocks, docx.Heading{Level: 2, Text: s.TableHeading(i)})
			if len(t.Rows) == 0 {
				d.Blocks = append(d.Blocks, docx.Paragraph{Text: t.Empty})
				continue
			}
			d.Blocks = append(d.Blocks, docx.Table{Header: t.Header, Rows: t.Texts(), Widths: t.Widths})
		}
	}
	return d
}

// CorrectionNote is the line a correction opens with.
func (b *Bulletin) CorrectionNote() string {
	if b.ReplacesNumber == "" {
		return ""
	}
	return "本通报更正并替代" + b.ReplacesNumber + "，原通报同时作废。"
}
