// Package qr draws QR codes (ISO/IEC 18004) as SVG, so an authenticator app
// on a phone can scan the TOTP set-up address from the screen. It covers only
// what that needs: byte mode, error correction level M, versions 1 to 10
// (up to 213 bytes). No module in go.mod makes QR codes, and the page may not
// load anything from outside the server.
package qr

import (
	"errors"
	"fmt"
	"strings"
)

// Code is an encoded symbol: Size×Size modules, true for dark.
type Code struct {
	Version int
	Mask    int
	Size    int
	dark    [][]bool
	fn      [][]bool // function patterns (finders, timing, alignment, format and version areas)
}

// Dark reports whether the module at column x, row y is dark. Outside the
// symbol (the quiet zone) every module is light.
func (c *Code) Dark(x, y int) bool {
	if x < 0 || y < 0 || x >= c.Size || y >= c.Size {
		return false
	}
	return c.dark[y][x]
}

// ErrTooLong is returned for data beyond version 10 at level M.
var ErrTooLong = errors.New("qr: data too long for version 10-M")

// block layout of level M, versions 1–10 (ISO/IEC 18004 table 9).
type layout struct {
	ec             int // EC codewords per block
	n1, d1, n2, d2 int // blocks and data codewords per block, group 1 and 2
}

var levelM = [11]layout{{},
	{10, 1, 16, 0, 0}, {16, 1, 28, 0, 0}, {26, 1, 44, 0, 0}, {18, 2, 32, 0, 0}, {24, 2, 43, 0, 0},
	{16, 4, 27, 0, 0}, {18, 4, 31, 0, 0}, {22, 2, 38, 2, 39}, {22, 3, 36, 2, 37}, {26, 4, 43, 1, 44},
}

// alignment pattern centres per version (ISO/IEC 18004 annex E).
var alignment = [11][]int{nil, nil, {6, 18}, {6, 22}, {6, 26}, {6, 30}, {6, 34},
	{6, 22, 38}, {6, 24, 42}, {6, 26, 46}, {6, 28, 50}}

func (l layout) dataLen() int { return l.n1*l.d1 + l.n2*l.d2 }

// countBits is the width of the byte-mode character count (8 up to version 9).
func countBits(version int) int {
	if version < 10 {
		return 8
	}
	return 16
}

// Encode makes the smallest symbol that holds data, with the mask of lowest
// penalty.
func Encode(data []byte) (*Code, error) {
	return encode(data, -1)
}

// encode uses the given mask, or chooses one when mask is -1.
func encode(data []byte, mask int) (*Code, error) {
	version := 0
	for v := 1; v <= 10; v++ {
		if 4+countBits(v)+8*len(data) <= 8*levelM[v].dataLen() {
			version = v
			break
		}
	}
	if version == 0 {
		return nil, ErrTooLong
	}
	c := newCode(version)
	c.drawCodewords(interleave(version, dataCodewords(version, data)))
	if mask >= 0 {
		c.applyMask(mask)
		c.drawFormat(mask)
		c.Mask = mask
		return c, nil
	}
	best, bestPenalty := 0, -1
	for m := 0; m < 8; m++ {
		c.applyMask(m)
		c.drawFormat(m)
		if p := c.penalty(); bestPenalty < 0 || p < bestPenalty {
			best, bestPenalty = m, p
		}
		c.applyMask(m) // XOR again undoes it
	}
	c.applyMask(best)
	c.drawFormat(best)
	c.Mask = best
	return c, nil
}

func newCode(version int) *Code {
	size := 17 + 4*version
	c := &Code{Version: version, Size: size, dark: make([][]bool, size), fn: make([][]bool, size)}
	for i := range c.dark {
		c.dark[i], c.fn[i] = make([]bool, size), make([]bool, size)
	}
	for i := 0; i < size; i++ {
		c.setFn(6, i, i%2 == 0)
		c.setFn(i, 6, i%2 == 0)
	}
	c.finder(3, 3)
	c.finder(size-4, 3)
	c.finder(3, size-4)
	pos := alignment[version]
	for i, x := range pos {
		for j, y := range pos {
			last := len(pos) - 1
			if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) {
				continue // these corners hold finders
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					c.setFn(x+dx, y+dy, max(abs(dx), abs(dy)) != 1)
				}
			}
		}
	}
	c.drawFormat(0) // reserve the format areas; the real bits come after masking
	if version >= 7 {
		rem := version
		for i := 0; i < 12; i++ {
			rem = rem<<1 ^ (rem>>11)*0x1F25
		}
		bits := version<<12 | rem
		for i := 0; i < 18; i++ {
			a, b := size-11+i%3, i/3
			c.setFn(a, b, bits>>i&1 == 1)
			c.setFn(b, a, bits>>i&1 == 1)
		}
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func (c *Code) setFn(x, y int, dark bool) {
	c.dark[y][x], c.fn[y][x] = dark, true
}

// finder draws a finder pattern centred at (x, y) with its light separator.
func (c *Code) finder(x, y int) {
	for dy := -4; dy <= 4; dy++ {
		for dx := -4; dx <= 4; dx++ {
			xx, yy := x+dx, y+dy
			if xx >= 0 && xx < c.Size && yy >= 0 && yy < c.Size {
				d := max(abs(dx), abs(dy))
				c.setFn(xx, yy, d != 2 && d != 4)
			}
		}
	}
}

// FormatBits is the 15-bit format information for level M and mask:
// BCH(15,5) over the level bits (M is 00) and mask, XORed with 0x5412.
func FormatBits(mask int) int {
	data := 0<<3 | mask
	rem := data
	for i := 0; i < 10; i++ {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	return (data<<10 | rem) ^ 0x5412
}

// drawFormat writes both copies of the format information and the dark module.
func (c *Code) drawFormat(mask int) {
	bits := FormatBits(mask)
	bit := func(i int) bool { return bits>>i&1 == 1 }
	for i := 0; i <= 5; i++ {
		c.setFn(8, i, bit(i))
	}
	c.setFn(8, 7, bit(6))
	c.setFn(8, 8, bit(7))
	c.setFn(7, 8, bit(8))
	for i := 9; i < 15; i++ {
		c.setFn(14-i, 8, bit(i))
	}
	for i := 0; i < 8; i++ {
		c.setFn(c.Size-1-i, 8, bit(i))
	}
	for i := 8; i < 15; i++ {
		c.setFn(8, c.Size-15+i, bit(i))
	}
	c.setFn(8, c.Size-8, true)
}

// dataCodewords is mode, count, data, terminator and padding, as bytes.
func dataCodewords(version int, data []byte) []byte {
	capacity := 8 * levelM[version].dataLen()
	var bits []bool
	put := func(v, n int) {
		for i := n - 1; i >= 0; i-- {
			bits = append(bits, v>>i&1 == 1)
		}
	}
	put(0b0100, 4) // byte mode
	put(len(data), countBits(version))
	for _, b := range data {
		put(int(b), 8)
	}
	put(0, min(4, capacity-len(bits)))
	put(0, (8-len(bits)%8)%8)
	out := make([]byte, 0, capacity/8)
	for i := 0; i < len(bits); i += 8 {
		var b byte
		for j := 0; j < 8; j++ {
			if bits[i+j] {
				b |= 0x80 >> j
			}
		}
		out = append(out, b)
	}
	for pad := byte(0xEC); len(out) < capacity/8; pad ^= 0xEC ^ 0x11 {
		out = append(out, pad)
	}
	return out
}

// interleave splits the data into blocks, adds each block's Reed–Solomon
// codewords and interleaves them as the symbol stores them.
func interleave(version int, data []byte) []byte {
	l := levelM[version]
	div := rsDivisor(l.ec)
	var blocks, ecs [][]byte
	for i := 0; i < l.n1+l.n2; i++ {
		n := l.d1
		if i >= l.n1 {
			n = l.d2
		}
		blocks = append(blocks, data[:n])
		ecs = append(ecs, rsRemainder(data[:n], div))
		data = data[n:]
	}
	var out []byte
	for i := 0; i < max(l.d1, l.d2); i++ {
		for _, b := range blocks {
			if i < len(b) {
				out = append(out, b[i])
			}
		}
	}
	for i := 0; i < l.ec; i++ {
		for _, e := range ecs {
			out = append(out, e[i])
		}
	}
	return out
}

// gfMul multiplies in GF(256) with the QR polynomial x⁸+x⁴+x³+x²+1.
func gfMul(x, y byte) byte {
	var z int
	for i := 7; i >= 0; i-- {
		z = z<<1 ^ (z>>7)*0x11D
		z ^= int(y>>i&1) * int(x)
	}
	return byte(z)
}

// rsDivisor is the generator polynomial (x−α⁰)…(x−α^(degree−1)), highest
// coefficient (always 1) dropped.
func rsDivisor(degree int) []byte {
	res := make([]byte, degree)
	res[degree-1] = 1
	root := byte(1)
	for i := 0; i < degree; i++ {
		for j := range res {
			res[j] = gfMul(res[j], root)
			if j+1 < degree {
				res[j] ^= res[j+1]
			}
		}
		root = gfMul(root, 2)
	}
	return res
}

// rsRemainder is the error correction codewords of data.
func rsRemainder(data, div []byte) []byte {
	res := make([]byte, len(div))
	for _, b := range data {
		f := b ^ res[0]
		copy(res, res[1:])
		res[len(res)-1] = 0
		for i := range res {
			res[i] ^= gfMul(div[i], f)
		}
	}
	return res
}

// drawCodewords places the bits in the two-column zigzag from the bottom
// right, skipping function modules and the vertical timing column.
func (c *Code) drawCodewords(cw []byte) {
	i := 0
	for right := c.Size - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5
		}
		upward := (right+1)&2 == 0
		for v := 0; v < c.Size; v++ {
			y := v
			if upward {
				y = c.Size - 1 - v
			}
			for j := 0; j < 2; j++ {
				x := right - j
				if !c.fn[y][x] && i < 8*len(cw) {
					c.dark[y][x] = cw[i>>3]>>(7-i&7)&1 == 1
					i++
				}
			}
		}
	}
}

// masks are the eight data mask conditions for column x, row y (ISO/IEC 18004 table 10).
var masks = [8]func(x, y int) bool{
	func(x, y int) bool { return (x+y)%2 == 0 },
	func(x, y int) bool { return y%2 == 0 },
	func(x, y int) bool { return x%3 == 0 },
	func(x, y int) bool { return (x+y)%3 == 0 },
	func(x, y int) bool { return (x/3+y/2)%2 == 0 },
	func(x, y int) bool { return x*y%2+x*y%3 == 0 },
	func(x, y int) bool { return (x*y%2+x*y%3)%2 == 0 },
	func(x, y int) bool { return ((x+y)%2+x*y%3)%2 == 0 },
}

func (c *Code) applyMask(m int) {
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; x++ {
			if !c.fn[y][x] && masks[m](x, y) {
				c.dark[y][x] = !c.dark[y][x]
			}
		}
	}
}

// penalty scores the symbol by the four rules of ISO/IEC 18004 §7.8.3:
// long runs, 2×2 blocks, finder look-alikes and dark/light imbalance.
// Outside the symbol counts as light for rule 3, as the quiet zone is.
// Encoders differ in such details, so another may pick another mask for
// the same data; any mask reads the same.
func (c *Code) penalty() int {
	n := c.Size
	p := 0
	at := func(x, y int, vertical bool) bool {
		if vertical {
			return c.Dark(y, x)
		}
		return c.Dark(x, y)
	}
	finderLike := []bool{true, false, true, true, true, false, true}
	for _, vertical := range []bool{false, true} {
		for y := 0; y < n; y++ {
			run := 1
			for x := 1; x <= n; x++ {
				if x < n && at(x, y, vertical) == at(x-1, y, vertical) {
					run++
					continue
				}
				if run >= 5 {
					p += 3 + run - 5
				}
				run = 1
			}
			for x := 0; x+7 <= n; x++ {
				match := true
				for k, d := range finderLike {
					if at(x+k, y, vertical) != d {
						match = false
						break
					}
				}
				if !match {
					continue
				}
				lightBefore, lightAfter := true, true
				for k := 1; k <= 4; k++ {
					lightBefore = lightBefore && !at(x-k, y, vertical)
					lightAfter = lightAfter && !at(x+6+k, y, vertical)
				}
				if lightBefore || lightAfter {
					p += 40
				}
			}
		}
	}
	dark := 0
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if c.dark[y][x] {
				dark++
			}
			if x+1 < n && y+1 < n {
				d := c.dark[y][x]
				if c.dark[y][x+1] == d && c.dark[y+1][x] == d && c.dark[y+1][x+1] == d {
					p += 3
				}
			}
		}
	}
	total := n * n
	p += abs(dark*2-total) * 10 / total * 10
	return p
}

// quiet is the light border every reader needs around the symbol, in modules.
const quiet = 4

// SVG draws the symbol with a quiet zone, one module per user unit, the
// dark modules as a single path. It has only presentation attributes, no
// style, so it passes a strict Content-Security-Policy.
func (c *Code) SVG() string {
	var b strings.Builder
	w := c.Size + 2*quiet
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges">`,
		w, w, w*6, w*6)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, w, w)
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; x++ {
			if c.dark[y][x] {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+quiet, y+quiet)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String()
}

// SVG encodes text and draws it; see Code.SVG.
func SVG(text string) (string, error) {
	c, err := Encode([]byte(text))
	if err != nil {
		return "", err
	}
	return c.SVG(), nil
}
