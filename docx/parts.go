package docx

import "fmt"

// The fixed parts of the package. Sizes are in half-points (w:sz 32 = 16 pt = 三号), lengths in twips, and
// w:firstLineChars etc. in hundredths of a character.

const (
	xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	nsW       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsR       = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsRel     = "http://schemas.openxmlformats.org/package/2006/relationships"
	ctMain    = "application/vnd.openxmlformats-officedocument.wordprocessingml."
)

const contentTypes = xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="` + ctMain + `document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="` + ctMain + `styles+xml"/>` +
	`<Override PartName="/word/settings.xml" ContentType="` + ctMain + `settings+xml"/>` +
	`<Override PartName="/word/fontTable.xml" ContentType="` + ctMain + `fontTable+xml"/>` +
	`<Override PartName="/word/footer1.xml" ContentType="` + ctMain + `footer+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
	`</Types>`

const rootRels = xmlHeader + `<Relationships xmlns="` + nsRel + `">` +
	`<Relationship Id="rId1" Type="` + nsR + `/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`<Relationship Id="rId3" Type="` + nsR + `/extended-properties" Target="docProps/app.xml"/>` +
	`</Relationships>`

const documentRels = xmlHeader + `<Relationships xmlns="` + nsRel + `">` +
	`<Relationship Id="rIdStyles" Type="` + nsR + `/styles" Target="styles.xml"/>` +
	`<Relationship Id="rIdSettings" Type="` + nsR + `/settings" Target="settings.xml"/>` +
	`<Relationship Id="rIdFonts" Type="` + nsR + `/fontTable" Target="fontTable.xml"/>` +
	`<Relationship Id="rIdFooter1" Type="` + nsR + `/footer" Target="footer1.xml"/>` +
	`</Relationships>`

const appXML = xmlHeader + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">` +
	`<Application>Guatu</Application></Properties>`

const settingsXML = xmlHeader + `<w:settings xmlns:w="` + nsW + `">` +
	`<w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="compressPunctuation"/>` +
	`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>` +
	`</w:settings>`

// footerXML is the page number "— N —" in 4号宋体, centred, with N a PAGE field.
const footerXML = xmlHeader + `<w:ftr xmlns:w="` + nsW + `" xmlns:r="` + nsR + `">` +
	`<w:p><w:pPr><w:spacing w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/><w:jc w:val="center"/></w:pPr>` +
	`<w:r><w:rPr>` + songti + `</w:rPr><w:t xml:space="preserve">— </w:t></w:r>` +
	`<w:r><w:rPr>` + songti + `</w:rPr><w:fldChar w:fldCharType="begin"/></w:r>` +
	`<w:r><w:rPr>` + songti + `</w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>` +
	`<w:r><w:rPr>` + songti + `</w:rPr><w:fldChar w:fldCharType="separate"/></w:r>` +
	`<w:r><w:rPr>` + songti + `</w:rPr><w:t>1</w:t></w:r>` +
	`<w:r><w:rPr>` + songti + `</w:rPr><w:fldChar w:fldCharType="end"/></w:r>` +
	`<w:r><w:rPr>` + songti + `</w:rPr><w:t xml:space="preserve"> —</w:t></w:r>` +
	`</w:p></w:ftr>`

const songti = `<w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/><w:szCs w:val="28"/>`

// The 公文 fonts are proprietary and often missing (on Linux always). The font table names an alternative list
// for each, which Word and WPS try in order; LibreOffice falls back through its own replacement table and
// fontconfig, which choose a CJK font of the same family class.
const fontTableXML = xmlHeader + `<w:fonts xmlns:w="` + nsW + `">` +
	`<w:font w:name="Times New Roman"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>` +
	`<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋,FangSong,STFangsong"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>` +
	`<w:font w:name="楷体_GB2312"><w:altName w:val="楷体,KaiTi,STKaiti"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>` +
	`<w:font w:name="黑体"><w:altName w:val="SimHei,STHeiti"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>` +
	`<w:font w:name="方正小标宋简体"><w:altName w:val="华文中宋,STZhongsong,宋体,SimSun"/><w:charset w:val="86"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>` +
	`<w:font w:name="宋体"><w:altName w:val="SimSun"/><w:charset w:val="86"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>` +
	`</w:fonts>`

// noIndent cancels the body's two-character first-line indent; firstLineChars wins over firstLine, so both go.
const noIndent = `<w:ind w:firstLineChars="0" w:firstLine="0"/>`

// style writes one paragraph style based on Normal.
func style(id, name, pPr, rPr string) string {
	return `<w:style w:type="paragraph" w:styleId="` + id + `"><w:name w:val="` + name + `"/><w:basedOn w:val="Normal"/>` +
		`<w:qFormat/><w:pPr>` + pPr + `</w:pPr><w:rPr>` + rPr + `</w:rPr></w:style>`
}

func ea(font string) string { return `<w:rFonts w:eastAsia="` + font + `"/>` }

// stylesXML defines the body (Normal: 3号仿宋_GB2312, Times New Roman for Latin letters and digits, fixed 28.95 pt
// lines, first line indented two characters) and the styles derived from it.
var stylesXML = xmlHeader + `<w:styles xmlns:w="` + nsW + `">` +
	`<w:docDefaults><w:rPrDefault><w:rPr>` +
	`<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋_GB2312" w:cs="Times New Roman"/>` +
	`<w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>` +
	`</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>` +
	fmt.Sprintf(`<w:spacing w:before="0" w:after="0" w:line="%d" w:lineRule="exact"/>`, linePitch) +
	`</w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:ind w:firstLineChars="200" w:firstLine="640"/><w:jc w:val="both"/></w:pPr></w:style>` +
	// 发文机关标志: upper edge 35 mm below the 版心 top; auto line height so the large red glyphs are not clipped.
	style("Issuer", "发文机关标志", `<w:spacing w:before="1984" w:line="240" w:lineRule="auto"/>`+noIndent+`<w:jc w:val="center"/>`,
		`<w:rFonts w:ascii="方正小标宋简体" w:hAnsi="方正小标宋简体" w:eastAsia="方正小标宋简体"/><w:color w:val="FF0000"/><w:sz w:val="72"/><w:szCs w:val="72"/>`) +
	style("Number", "发文字号", noIndent+`<w:jc w:val="center"/>`, "") +
	// 标题: 空二行 below the red rule.
	style("Title", "Title", fmt.Sprintf(`<w:spacing w:before="%d" w:after="0"/>`, 2*linePitch)+noIndent+`<w:jc w:val="center"/>`,
		`<w:rFonts w:ascii="方正小标宋简体" w:hAnsi="方正小标宋简体" w:eastAsia="方正小标宋简体"/><w:sz w:val="44"/><w:szCs w:val="44"/>`) +
	style("Recipient", "主送机关", fmt.Sprintf(`<w:spacing w:before="%d"/>`, linePitch)+noIndent, "") +
	style("Heading1", "heading 1", `<w:keepNext/><w:outlineLvl w:val="0"/>`, ea("黑体")) +
	style("Heading2", "heading 2", `<w:keepNext/><w:outlineLvl w:val="1"/>`, ea("楷体_GB2312")) +
	style("Heading3", "heading 3", `<w:keepNext/><w:outlineLvl w:val="2"/>`, `<w:b/><w:bCs/>`) +
	// 成文日期 右空四字.
	style("Signature", "署名和日期", `<w:ind w:rightChars="400" w:right="1280" w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="right"/>`, "") +
	style("TableText", "表格文字", `<w:spacing w:line="240" w:lineRule="auto"/>`+noIndent+`<w:jc w:val="left"/>`,
		`<w:sz w:val="24"/><w:szCs w:val="24"/>`) +
	// 版记: 4号仿宋, 印发机关 左空一字 and 印发日期 右空一字 on one line via a right tab.
	style("Banji", "版记", fmt.Sprintf(`<w:tabs><w:tab w:val="right" w:pos="%d"/></w:tabs>`, textWidth-280)+
		`<w:ind w:leftChars="100" w:left="280" w:rightChars="100" w:right="280" w:firstLineChars="0" w:firstLine="0"/>`,
		`<w:sz w:val="28"/><w:szCs w:val="28"/>`) +
	`</w:styles>`
