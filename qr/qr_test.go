package qr

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// The format information of level M for each mask, from ISO/IEC 18004 table C.1.
func TestFormatBits_LevelM(t *testing.T) {
	want := []string{"101010000010010", "101000100100101", "101111001111100", "101101101001011",
		"100010111111001", "100000011001110", "100111110010111", "100101010100000"}
	for mask, w := range want {
		got := FormatBits(mask)
		var b strings.Builder
		for i := 14; i >= 0; i-- {
			b.WriteByte('0' + byte(got>>i&1))
		}
		if b.String() != w {
			t.Errorf("mask %d: format bits %s, want %s", mask, b.String(), w)
		}
	}
}

// The worked example of the Reed–Solomon step for "HELLO WORLD" at 1-M.
func TestRSRemainder_KnownVector(t *testing.T) {
	data := []byte{32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17}
	want := []byte{196, 35, 39, 119, 235, 215, 231, 226, 93, 23}
	if got := rsRemainder(data, rsDivisor(10)); !bytes.Equal(got, want) {
		t.Errorf("EC codewords %v, want %v", got, want)
	}
}

func TestDataCodewords_Padding(t *testing.T) {
	// Mode 0100, count 1, 'A', terminator, then the pad bytes EC 11 alternating.
	want := []byte{0x40, 0x14, 0x10, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC}
	if got := dataCodewords(1, []byte("A")); !bytes.Equal(got, want) {
		t.Errorf("codewords % X, want % X", got, want)
	}
}

// A whole symbol, 1-M with mask 5, checked module by module against an
// independent encoder (segno 1.4.1).
func TestEncode_KnownSymbol(t *testing.T) {
	want := []string{
		"#######..##.#.#######",
		"#.....#.#.#.#.#.....#",
		"#.###.#.#.#...#.###.#",
		"#.###.#.#..##.#.###.#",
		"#.###.#..#..#.#.###.#",
		"#.....#..##.#.#.....#",
		"#######.#.#.#.#######",
		"........#...#........",
		"#.....#.#...###..###.",
		"#.......#.##...#.###.",
		"..#.####...##.##..##.",
		".##.#...##..#....####",
		"#...#.#.##..##.#.....",
		"........#..#.##.#.#.#",
		"#######..######...##.",
		"#.....#..###..#.###..",
		"#.###.#..#.#..#....##",
		"#.###.#..#...####.#..",
		"#.###.#...#.#...#.###",
		"#.....#...#.##.#.##..",
		"#######.#..####..#.#.",
	}
	c, err := encode([]byte("otpauth://totp"), 5)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 1 || c.Size != 21 {
		t.Fatalf("version %d size %d, want 1 and 21", c.Version, c.Size)
	}
	for y, row := range want {
		if got := picture(c, y); got != row {
			t.Errorf("row %2d: %s\n   want: %s", y, got, row)
		}
	}
}

func picture(c *Code, y int) string {
	var b strings.Builder
	for x := 0; x < c.Size; x++ {
		if c.Dark(x, y) {
			b.WriteByte('#')
		} else {
			b.WriteByte('.')
		}
	}
	return b.String()
}

func TestEncode_FinderPatternsAndTiming(t *testing.T) {
	c, err := Encode([]byte("otpauth://totp/Guatu:chief?algorithm=SHA1&digits=6&issuer=Guatu&period=30&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"))
	if err != nil {
		t.Fatal(err)
	}
	finder := []string{"#######", "#.....#", "#.###.#", "#.###.#", "#.###.#", "#.....#", "#######"}
	for _, corner := range [][2]int{{0, 0}, {c.Size - 7, 0}, {0, c.Size - 7}} {
		for dy, row := range finder {
			for dx, m := range row {
				if c.Dark(corner[0]+dx, corner[1]+dy) != (m == '#') {
					t.Fatalf("finder at %v: module (%d,%d) wrong", corner, dx, dy)
				}
			}
		}
		for i := -1; i <= 7; i++ { // the light separator around each finder
			for _, p := range [][2]int{{corner[0] + i, corner[1] - 1}, {corner[0] + i, corner[1] + 7}, {corner[0] - 1, corner[1] + i}, {corner[0] + 7, corner[1] + i}} {
				if c.Dark(p[0], p[1]) {
					t.Fatalf("separator of finder at %v dark at %v", corner, p)
				}
			}
		}
	}
	for i := 8; i < c.Size-8; i++ {
		if c.Dark(i, 6) != (i%2 == 0) || c.Dark(6, i) != (i%2 == 0) {
			t.Fatalf("timing pattern wrong at %d", i)
		}
	}
	if !c.Dark(8, c.Size-8) {
		t.Error("the dark module is light")
	}
}

// Both copies of the format information in the symbol name the chosen mask.
func TestEncode_FormatInformationInSymbol(t *testing.T) {
	for _, text := range []string{"A", "hello, 挂图作战", strings.Repeat("z", 120)} {
		c, err := Encode([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		read := func(coords [][2]int) int {
			v := 0
			for i, p := range coords {
				if c.Dark(p[0], p[1]) {
					v |= 1 << i
				}
			}
			return v
		}
		var first, second [][2]int // bit 0 first
		for i := 0; i <= 5; i++ {
			first = append(first, [2]int{8, i})
		}
		first = append(first, [2]int{8, 7}, [2]int{8, 8}, [2]int{7, 8})
		for i := 9; i < 15; i++ {
			first = append(first, [2]int{14 - i, 8})
		}
		for i := 0; i < 8; i++ {
			second = append(second, [2]int{c.Size - 1 - i, 8})
		}
		for i := 8; i < 15; i++ {
			second = append(second, [2]int{8, c.Size - 15 + i})
		}
		want := FormatBits(c.Mask)
		if a, b := read(first), read(second); a != want || b != want {
			t.Errorf("%q: format copies %015b and %015b, want %015b (mask %d)", text, a, b, want, c.Mask)
		}
	}
}

// Version 7 and up carry the version; for 7 it is 000111 110010010100.
func TestEncode_VersionInformation(t *testing.T) {
	c, err := Encode(bytes.Repeat([]byte("v"), 110))
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 7 {
		t.Fatalf("110 bytes: version %d, want 7", c.Version)
	}
	got := 0
	for i := 0; i < 18; i++ {
		if c.Dark(i/3, c.Size-11+i%3) {
			got |= 1 << i
		}
	}
	if got != 0x07C94 {
		t.Errorf("version information %018b, want %018b", got, 0x07C94)
	}
}

func TestEncode_Capacity(t *testing.T) {
	for _, tc := range []struct{ n, version int }{{1, 1}, {14, 1}, {15, 2}, {26, 2}, {27, 3}, {106, 6}, {107, 7}, {122, 7}, {123, 8}, {180, 9}, {181, 10}, {213, 10}} {
		c, err := Encode(bytes.Repeat([]byte("a"), tc.n))
		if err != nil {
			t.Fatalf("%d bytes: %v", tc.n, err)
		}
		if c.Version != tc.version || c.Size != 17+4*tc.version {
			t.Errorf("%d bytes: version %d size %d, want version %d", tc.n, c.Version, c.Size, tc.version)
		}
	}
	if _, err := Encode(bytes.Repeat([]byte("a"), 214)); !errors.Is(err, ErrTooLong) {
		t.Errorf("214 bytes: err %v, want ErrTooLong", err)
	}
}

func TestSVG_OnlyPresentationAttributes(t *testing.T) {
	c, err := Encode([]byte("otpauth://totp"))
	if err != nil {
		t.Fatal(err)
	}
	svg := c.SVG()
	if !strings.HasPrefix(svg, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29"`) || !strings.HasSuffix(svg, "</svg>") {
		t.Errorf("not a 21+8 module SVG: %.80s…", svg)
	}
	if strings.Contains(svg, "style") || strings.Contains(svg, "<script") {
		t.Error("SVG has a style or script")
	}
	dark := 0
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; x++ {
			if c.Dark(x, y) {
				dark++
			}
		}
	}
	if n := strings.Count(svg, "h1v1h-1z"); n != dark {
		t.Errorf("SVG draws %d modules, the symbol has %d dark", n, dark)
	}
	if !strings.Contains(svg, "M4 4h1v1h-1z") {
		t.Error("the top-left finder does not start at the quiet-zone offset (4,4)")
	}
}
