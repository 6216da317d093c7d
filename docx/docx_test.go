package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func sample() Document {
	rows := make([][]string, 40)
	for i := range rows {
		rows[i] = []string{strconv.Itoa(i + 1), fmt.Sprintf("项目%d", i+1), "红灯", fmt.Sprintf("%d.5", 90-i)}
	}
	return Document{
		Issuer:    "XX镇人民政府督查室",
		Number:    "X镇督〔2026〕3号",
		Title:     "关于2026年第一季度重点项目推进情况的通报",
		Recipient: "各村（社区）、镇属各部门",
		Blocks: []Block{
			Paragraph{Text: "现将2026年第一季度全镇重点项目推进情况通报如下。"},
			Heading{Level: 1, Text: "一、总体情况"},
			Paragraph{Text: "一季度全镇共有重点项目40个，完成投资<3亿元> & 同比增长5%。"},
			Heading{Level: 2, Text: "（一）进度排名"},
			Table{Header: []string{"序号", "项目名称", "亮灯", "得分"}, Rows: rows, Widths: []float64{3, 14, 4, 5}},
			Heading{Level: 3, Text: "1.滞后项目"},
			Paragraph{Text: "第一行\n第二行\t制表\x01控制符"},
		},
		Signer:    "XX镇人民政府督查室",
		Date:      "2026年4月3日",
		CC:        "镇党委、人大、政府领导",
		PrintedBy: "XX镇人民政府督查室",
		PrintedOn: "2026年4月3日印发",
	}
}

// parts writes d and returns the package's parts by name.
func parts(t testing.TB, d Document) map[string]string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, d); err != nil {
		t.Fatalf("Write: %v", err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("zip: %v", err)
	}
	m := map[string]string{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatalf("open %s: %v", f.Name, err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		m[f.Name] = string(b)
	}
	return m
}

// wellFormed decodes s to the end and returns the first error.
func wellFormed(s string) error {
	dec := xml.NewDecoder(strings.NewReader(s))
	for {
		if _, err := dec.Token(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

var wantParts = []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml",
	"word/settings.xml", "word/fontTable.xml", "word/footer1.xml", "word/_rels/document.xml.rels",
	"docProps/core.xml", "docProps/app.xml"}

func TestWrite_Structure(t *testing.T) {
	p := parts(t, sample())
	doc, styles, footer := p["word/document.xml"], p["word/styles.xml"], p["word/footer1.xml"]

	t.Run("every part is present and well-formed", func(t *testing.T) {
		for _, name := range wantParts {
			s, ok := p[name]
			if !ok {
				t.Errorf("missing part %s", name)
				continue
			}
			if err := wellFormed(s); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	})

	t.Run("A4 with GB/T 9704 margins", func(t *testing.T) {
		if !strings.Contains(doc, `<w:pgSz w:w="11906" w:h="16838"/>`) {
			t.Error("no A4 page size")
		}
		m := regexp.MustCompile(`<w:pgMar w:top="(\d+)" w:right="(\d+)" w:bottom="(\d+)" w:left="(\d+)"`).FindStringSubmatch(doc)
		if m == nil {
			t.Fatal("no pgMar")
		}
		for i, want := range []int{2098, 1474, 1984, 1587} { // 37, 26, 35, 28 mm
			got, _ := strconv.Atoi(m[i+1])
			if got < want-1 || got > want+1 {
				t.Errorf("pgMar %d = %d, want %d±1", i, got, want)
			}
		}
	})

	t.Run("only the table's first row repeats as a header", func(t *testing.T) {
		rows := regexp.MustCompile(`<w:tr>.*?</w:tr>`).FindAllString(doc, -1)
		if len(rows) != 41 {
			t.Fatalf("%d rows, want 41", len(rows))
		}
		if !strings.Contains(rows[0], "<w:tblHeader/>") || !strings.Contains(rows[0], "项目名称") {
			t.Errorf("first row has no w:tblHeader: %s", rows[0])
		}
		if strings.Count(doc, "<w:tblHeader/>") != 1 {
			t.Error("w:tblHeader on more than the first row")
		}
	})

	t.Run("red rule under the 版头", func(t *testing.T) {
		if !regexp.MustCompile(`<w:pBdr><w:bottom [^>]*w:color="FF0000"/></w:pBdr>.*X镇督〔2026〕3号`).MatchString(doc) {
			t.Error("no red bottom border on the 发文字号 paragraph")
		}
	})

	t.Run("East-Asian fonts in the styles", func(t *testing.T) {
		for _, f := range []string{`w:eastAsia="仿宋_GB2312"`, `w:eastAsia="黑体"`, `w:eastAsia="楷体_GB2312"`,
			`w:eastAsia="方正小标宋简体"`, `w:ascii="Times New Roman"`, `w:val="32"`, `w:line="579" w:lineRule="exact"`} {
			if !strings.Contains(styles, f) {
				t.Errorf("styles.xml lacks %s", f)
			}
		}
		for _, id := range []string{"Normal", "Title", "Heading1", "Heading2", "Heading3", "TableText"} {
			if !strings.Contains(styles, `w:styleId="`+id+`"`) {
				t.Errorf("styles.xml lacks style %s", id)
			}
		}
	})

	t.Run("footer is — PAGE —", func(t *testing.T) {
		if !strings.Contains(footer, "> PAGE </w:instrText>") || strings.Count(footer, "—") != 2 {
			t.Errorf("footer: %s", footer)
		}
		if !strings.Contains(doc, `<w:footerReference w:type="default" r:id="rIdFooter1"/>`) ||
			!strings.Contains(p["word/_rels/document.xml.rels"], `Id="rIdFooter1"`) {
			t.Error("footer not referenced")
		}
	})

	t.Run("text is escaped and control characters dropped", func(t *testing.T) {
		if !strings.Contains(doc, "完成投资&lt;3亿元&gt; &amp; 同比") {
			t.Error("< > & not escaped")
		}
		if strings.Contains(doc, "\x01") || !strings.Contains(doc, ">制表控制符<") {
			t.Error("control character kept")
		}
		if !strings.Contains(doc, "第一行</w:t><w:br/>") || !strings.Contains(doc, "<w:tab/>") {
			t.Error("newline or tab not turned into w:br / w:tab")
		}
	})

	t.Run("版记 between rules", func(t *testing.T) {
		if !strings.Contains(doc, "抄送：镇党委、人大、政府领导。") ||
			!strings.Contains(doc, "XX镇人民政府督查室</w:t><w:tab/><w:t xml:space=\"preserve\">2026年4月3日印发") {
			t.Error("版记 text missing")
		}
	})
}

func TestWrite_Empty(t *testing.T) {
	p := parts(t, Document{Blocks: []Block{Table{}, Table{Rows: [][]string{{"a"}}}}})
	for _, name := range wantParts {
		if err := wellFormed(p[name]); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestWrite_LibreOffice converts the sample to PDF with the binary named by GUATU_TEST_SOFFICE.
func TestWrite_LibreOffice(t *testing.T) {
	bin := os.Getenv("GUATU_TEST_SOFFICE")
	if bin == "" {
		// An optional check (issue 5 §6): CI installs no LibreOffice, so
		// GUATU_TEST_REQUIRE_ALL does not ask for it.
		t.Skip("GUATU_TEST_SOFFICE not set")
	}
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := Write(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "tongbao.docx")
	if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--convert-to", "pdf", "--outdir", dir, in)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, out)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "tongbao.pdf"))
	if err != nil {
		t.Fatalf("no PDF: %v\n%s", err, out)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 16)])
	}
	if os.Getenv("GUATU_TEST_KEEP_PDF") != "" {
		os.WriteFile(os.Getenv("GUATU_TEST_KEEP_PDF"), pdf, 0o600)
	}
}

func FuzzWrite(f *testing.F) {
	f.Add("XX镇", "〔2026〕3号", "标题<&>", "正文\x00\x1f\uFFFE", "a\tb\nc\r\nd", 2, 1.5)
	f.Add("", "", "", "", "\xff\xfe", -3, -1.0)
	f.Fuzz(func(t *testing.T, a, b, c, d, e string, level int, width float64) {
		doc := Document{Issuer: a, Number: b, Title: c, Recipient: d, Signer: e, Date: a, CC: b, PrintedBy: c, PrintedOn: d,
			Blocks: []Block{Heading{Level: level, Text: a}, Paragraph{Text: b},
				Table{Header: []string{c, d}, Rows: [][]string{{e}, {a, b, c}}, Widths: []float64{width}}}}
		for name, s := range parts(t, doc) {
			if err := wellFormed(s); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	})
}

// pPrOrder is the sequence CT_PPr requires of the children this package uses; Word refuses a file whose
// paragraph properties are out of order.
var pPrOrder = []string{"pStyle", "keepNext", "pBdr", "tabs", "spacing", "ind", "jc", "outlineLvl"}

func TestWrite_ParagraphPropertyOrder(t *testing.T) {
	rank := map[string]int{}
	for i, n := range pPrOrder {
		rank[n] = i
	}
	for name, s := range parts(t, sample()) {
		dec := xml.NewDecoder(strings.NewReader(s))
		depth, inPPr, last := 0, -1, -1
		for {
			tok, err := dec.Token()
			if err != nil {
				break
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				depth++
				if tok.Name.Local == "pPr" {
					inPPr, last = depth, -1
				} else if inPPr >= 0 && depth == inPPr+1 {
					r, ok := rank[tok.Name.Local]
					if !ok {
						t.Errorf("%s: w:pPr child %s not in the checked order list", name, tok.Name.Local)
					} else if r < last {
						t.Errorf("%s: w:%s out of order in w:pPr", name, tok.Name.Local)
					}
					last = r
				}
			case xml.EndElement:
				if depth == inPPr {
					inPPr = -1
				}
				depth--
			}
		}
	}
}
