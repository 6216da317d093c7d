// Package chart draws charts as SVG in Go, so the same drawing shows in a
// page, prints, and goes into a poster file unchanged. The functions are
// pure: data in, SVG text out, golden-tested.
//
// Colours and fonts are presentation attributes, never style attributes,
// so pages keep a Content-Security-Policy without 'unsafe-inline'.
package chart

import (
	"fmt"
	"strings"
	"time"
)

// Gantt is a year's battle map: one row per project, the months as columns.
type Gantt struct {
	Title        string    // drawn above the chart when set (posters, print)
	Year         int       // the year shown, January to December
	Today        time.Time // the "today" line; zero for none or outside the year
	TimeProgress float64   // 时序进度 in percent, labelled on the today line
	Rows         []Row
	Width        int // total width in px; default 1200
	LabelWidth   int // width of the name column; default 300
	Legend       bool
}

// Row is one project.
type Row struct {
	Group   string // rows with a new group value start with a group heading
	Label   string
	Sub     string // a second, smaller line: e.g. 责任领导 · 牵头单位
	Link    string // where the row leads (the project page); empty for none
	Light   string // "green", "yellow", "red" or ""
	Reasons string // the light's reasons, shown on hover
	Start   time.Time
	End     time.Time
	Markers []Marker
	// MonthLights are the lights frozen when each month closed ("green",
	// "yellow", "red" by month); drawn as a thin band at the foot of the
	// month's cell, so a red month stays visible after the project recovers.
	MonthLights map[time.Month]string
}

// Marker is a milestone on a row.
type Marker struct {
	Date  time.Time
	Kind  string // done, done_late, pending, due_soon, overdue
	Title string // shown on hover
}

const (
	rowHeight    = 34
	groupHeight  = 26
	headerHeight = 30
	titleHeight  = 44
	legendHeight = 34
	fontFamily   = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
)

var lightColour = map[string]string{"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}

var lightLabel = map[string]string{"green": "绿灯", "yellow": "黄灯", "red": "红灯"}

// markerStyle is how each milestone kind is drawn: fill, stroke and shape.
var markerStyle = map[string]struct {
	fill, stroke, shape, label string
}{
	"done":      {"#2e7d32", "#1b5e20", "circle", "已完成"},
	"done_late": {"#ef6c00", "#e65100", "circle", "逾期完成"},
	"pending":   {"#ffffff", "#78909c", "diamond", "未到期"},
	"due_soon":  {"#fdd835", "#f57f17", "diamond", "即将到期"},
	"overdue":   {"#c62828", "#8e0000", "diamond", "已逾期"},
}

// esc escapes text for XML content and attribute values.
func esc(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#39;")
		default:
			if r < 0x20 && r != '\t' && r != '\n' {
				continue // not allowed in XML 1.0
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// SVG draws the chart. The result is a complete <svg> element.
func (g Gantt) SVG() string {
	width, labelW := g.Width, g.LabelWidth
	if width <= 0 {
		width = 1200
	}
	if labelW <= 0 {
		labelW = 300
	}
	const right = 16
	plotW := float64(width - labelW - right)
	yearStart := time.Date(g.Year, 1, 1, 0, 0, 0, 0, time.UTC)
	yearEnd := time.Date(g.Year+1, 1, 1, 0, 0, 0, 0, time.UTC)
	yearDays := yearEnd.Sub(yearStart).Hours() / 24
	x := func(t time.Time) float64 {
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		days := d.Sub(yearStart).Hours() / 24
		return float64(labelW) + plotW*days/yearDays
	}
	clamp := func(v float64) float64 { return min(max(v, float64(labelW)), float64(labelW)+plotW) }

	top := 0
	if g.Title != "" {
		top = titleHeight
	}
	// Height: header, each row, each group heading, the legend.
	body := 0
	lastGroup := "\x00"
	for _, r := range g.Rows {
		if r.Group != lastGroup && r.Group != "" {
			body += groupHeight
		}
		lastGroup = r.Group
		body += rowHeight
	}
	todayShown := !g.Today.IsZero() && !g.Today.Before(yearStart) && g.Today.Before(yearEnd)
	height := top + headerHeight + body + 8
	if todayShown {
		height += 16 // the today label sits under the grid, clear of the month names
	}
	if g.Legend {
		height += legendHeight
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" font-family="%s" font-size="13" role="img" aria-label="%s">`,
		width, height, width, height, fontFamily, esc(firstNonEmpty(g.Title, fmt.Sprintf("%d年重点项目挂图作战图", g.Year))))
	b.WriteString("\n")
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	if g.Title != "" {
		fmt.Fprintf(&b, `<text x="%d" y="30" text-anchor="middle" font-size="22" font-weight="bold" fill="#b71c1c">%s</text>`+"\n", width/2, esc(g.Title))
	}

	// Month columns and their headings.
	gridTop, gridBottom := top, top+headerHeight+body
	for m := 1; m <= 12; m++ {
		x0 := x(time.Date(g.Year, time.Month(m), 1, 0, 0, 0, 0, time.UTC))
		x1 := float64(labelW) + plotW
		if m < 12 {
			x1 = x(time.Date(g.Year, time.Month(m+1), 1, 0, 0, 0, 0, time.UTC))
		}
		fill := "#fafbfc"
		if m%2 == 0 {
			fill = "#f3f5f8"
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", x0, gridTop, x1-x0, gridBottom-gridTop, fill)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#52606d">%d月</text>`+"\n", (x0+x1)/2, top+20, m)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e4e7eb" stroke-width="1"/>`+"\n", x0, gridTop, x0, gridBottom)
	}
	fmt.Fprintf(&b, `<line x1="0" y1="%d" x2="%d" y2="%d" stroke="#cbd2d9" stroke-width="1"/>`+"\n", top+headerHeight, width, top+headerHeight)

	// Rows.
	y := top + headerHeight
	lastGroup = "\x00"
	for _, r := range g.Rows {
		if r.Group != lastGroup && r.Group != "" {
			fmt.Fprintf(&b, `<rect x="0" y="%d" width="%d" height="%d" fill="#fdecea"/>`+"\n", y, width, groupHeight)
			fmt.Fprintf(&b, `<text x="10" y="%d" font-weight="bold" fill="#8e1616">%s</text>`+"\n", y+18, esc(r.Group))
			y += groupHeight
		}
		lastGroup = r.Group
		if r.Link != "" {
			fmt.Fprintf(&b, `<a href="%s">`, esc(r.Link))
		}
		fmt.Fprintf(&b, `<g>`)
		// The row's hover text: name, light reasons.
		fmt.Fprintf(&b, `<title>%s</title>`, esc(strings.TrimSpace(r.Label+"\n"+r.Reasons)))
		fmt.Fprintf(&b, `<rect x="0" y="%d" width="%d" height="%d" fill="#ffffff" fill-opacity="0"/>`, y, width, rowHeight)
		if c, ok := lightColour[r.Light]; ok {
			fmt.Fprintf(&b, `<circle cx="12" cy="%d" r="6" fill="%s"/>`, y+rowHeight/2, c)
		}
		if r.Sub != "" {
			fmt.Fprintf(&b, `<text x="24" y="%d" fill="#1f2933">%s</text>`, y+15, esc(truncate(r.Label, labelW-30)))
			fmt.Fprintf(&b, `<text x="24" y="%d" font-size="11" fill="#7b8794">%s</text>`, y+29, esc(truncate(r.Sub, labelW-30)))
		} else {
			fmt.Fprintf(&b, `<text x="24" y="%d" fill="#1f2933">%s</text>`, y+21, esc(truncate(r.Label, labelW-30)))
		}
		// The planned span, clipped to the year; an arrow where it runs on.
		if !r.Start.IsZero() && !r.End.IsZero() && !r.End.Before(r.Start) && r.Start.Before(yearEnd) && !r.End.Before(yearStart) {
			x0, x1 := clamp(x(r.Start)), clamp(x(r.End.AddDate(0, 0, 1)))
			barColour := firstNonEmpty(lightColour[r.Light], "#1e5fa8")
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="12" rx="3" fill="%s" fill-opacity="0.28" stroke="%s" stroke-width="1"/>`,
				x0, y+11, max(x1-x0, 2), barColour, barColour)
			if !r.End.Before(yearEnd) {
				fmt.Fprintf(&b, `<path d="M%.1f %d l8 6 l-8 6 z" fill="%s"/>`, x1-8, y+11, barColour)
			}
			if r.Start.Before(yearStart) {
				fmt.Fprintf(&b, `<path d="M%.1f %d l-8 6 l8 6 z" fill="%s"/>`, x0+8, y+11, barColour)
			}
		}
		for m := time.January; m <= time.December; m++ {
			c, ok := lightColour[r.MonthLights[m]]
			if !ok {
				continue
			}
			x0 := x(time.Date(g.Year, m, 1, 0, 0, 0, 0, time.UTC))
			x1 := float64(labelW) + plotW
			if m < time.December {
				x1 = x(time.Date(g.Year, m+1, 1, 0, 0, 0, 0, time.UTC))
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="4" fill="%s"><title>%d月：%s</title></rect>`,
				x0+2, y+rowHeight-6, x1-x0-4, c, int(m), lightLabel[r.MonthLights[m]])
		}
		for _, m := range r.Markers {
			if m.Date.IsZero() || m.Date.Before(yearStart) || !m.Date.Before(yearEnd) {
				continue
			}
			st, ok := markerStyle[m.Kind]
			if !ok {
				st = markerStyle["pending"]
			}
			mx, my := x(m.Date)+plotW/yearDays/2, float64(y+17)
			fmt.Fprintf(&b, `<g><title>%s</title>`, esc(m.Title))
			drawMarker(&b, st.shape, mx, my, st.fill, st.stroke)
			b.WriteString(`</g>`)
		}
		b.WriteString(`</g>`)
		if r.Link != "" {
			b.WriteString(`</a>`)
		}
		fmt.Fprintf(&b, "\n"+`<line x1="0" y1="%d" x2="%d" y2="%d" stroke="#eef0f3" stroke-width="1"/>`+"\n", y+rowHeight, width, y+rowHeight)
		y += rowHeight
	}

	// Today and the time progress.
	if todayShown {
		tx := x(g.Today) + plotW/yearDays/2
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#c62828" stroke-width="1.5" stroke-dasharray="5 4"/>`+"\n",
			tx, top+headerHeight, tx, gridBottom+6)
		label := fmt.Sprintf("今天 %d月%d日", int(g.Today.Month()), g.Today.Day())
		if g.TimeProgress > 0 {
			label += fmt.Sprintf(" · 时序进度 %.1f%%", g.TimeProgress)
		}
		anchor := "start"
		if tx > float64(labelW)+plotW*0.75 {
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="%s" font-size="11" fill="#c62828">%s</text>`+"\n", tx+4, gridBottom+18, anchor, esc(label))
	}

	if g.Legend {
		ly := gridBottom + 8 + 20
		if todayShown {
			ly += 16
		}
		lx := 24.0
		for _, l := range []struct{ colour, label string }{{"#2e7d32", "绿灯"}, {"#f9a825", "黄灯"}, {"#c62828", "红灯"}} {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%d" r="6" fill="%s"/><text x="%.1f" y="%d" fill="#52606d">%s</text>`, lx, ly-4, l.colour, lx+10, ly, l.label)
			lx += 64
		}
		for _, k := range []string{"done", "done_late", "pending", "due_soon", "overdue"} {
			st := markerStyle[k]
			drawMarker(&b, st.shape, lx, float64(ly-4), st.fill, st.stroke)
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#52606d">%s</text>`, lx+10, ly, st.label)
			lx += 88
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#c62828" stroke-width="1.5" stroke-dasharray="5 4"/><text x="%.1f" y="%d" fill="#52606d">今天</text>`,
			lx, ly-12, lx, ly+4, lx+8, ly)
		if g.hasMonthLights() {
			lx += 56
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="10" height="4" fill="#c62828"/><rect x="%.1f" y="%d" width="10" height="4" fill="#2e7d32"/><text x="%.1f" y="%d" fill="#52606d">月度亮灯（关账冻结）</text>`,
				lx, ly-6, lx+11, ly-6, lx+26, ly)
		}
		b.WriteString("\n")
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func (g Gantt) hasMonthLights() bool {
	for _, r := range g.Rows {
		if len(r.MonthLights) > 0 {
			return true
		}
	}
	return false
}

func drawMarker(b *strings.Builder, shape string, x, y float64, fill, stroke string) {
	if shape == "circle" {
		fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="5.5" fill="%s" stroke="%s" stroke-width="1.5"/>`, x, y, fill, stroke)
		return
	}
	fmt.Fprintf(b, `<path d="M%.1f %.1f l6 6 l-6 6 l-6 -6 z" fill="%s" stroke="%s" stroke-width="1.5"/>`, x, y-6, fill, stroke)
}

// truncate shortens s to fit about px pixels at 13 px per CJK character.
func truncate(s string, px int) string {
	r := []rune(s)
	limit := px / 13
	width := 0
	for i, c := range r {
		w := 13
		if c < 0x2E80 {
			w = 7
		}
		width += w
		if width > limit*13 {
			return string(r[:max(i-1, 0)]) + "…"
		}
	}
	return s
}

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}
