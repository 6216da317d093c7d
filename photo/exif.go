package photo

import (
	"encoding/binary"
	"strconv"
	"time"
)

// A small EXIF reader: just the orientation and the capture time, from the
// JPEG's APP1 segment. It reads only inside the slice it is given, follows
// one pointer (IFD0 → Exif IFD) and no chains, and bounds every count, so a
// malicious file can neither make it panic nor loop (FuzzReadJPEGExif).

type exifInfo struct {
	orientation int // 1–8 (EXIF 0x0112); 1 when absent or nonsense
	takenAt     time.Time
}

// The tags read.
const (
	tagOrientation        = 0x0112
	tagDateTime           = 0x0132
	tagExifIFD            = 0x8769
	tagDateTimeOriginal   = 0x9003
	tagOffsetTime         = 0x9010
	tagOffsetTimeOriginal = 0x9011
)

// maxEntries bounds the entries read from one IFD: real ones have a few
// dozen, and 12 bytes each must fit in a 64 KB segment anyway.
const maxEntries = 1024

func readJPEGExif(data []byte) exifInfo {
	info := exifInfo{orientation: 1}
	if tiff := findExif(data); tiff != nil {
		readTIFF(tiff, &info)
	}
	return info
}

// findExif walks the marker segments before the image data and returns the
// TIFF block of the first Exif APP1 segment, or nil.
func findExif(b []byte) []byte {
	i := 2 // after SOI
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return nil
		}
		m := b[i+1]
		switch {
		case m == 0xFF: // fill byte before a marker
			i++
			continue
		case m == 0x01 || m >= 0xD0 && m <= 0xD8: // markers without a length
			i += 2
			continue
		case m == 0xDA || m == 0xD9: // start of scan, end of image: no metadata after
			return nil
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return nil
		}
		seg := b[i+4 : i+2+n]
		if m == 0xE1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			return seg[6:]
		}
		i += 2 + n
	}
	return nil
}

// tiff is an EXIF TIFF block with its byte order.
type tiff struct {
	b     []byte
	order binary.ByteOrder
}

func (t tiff) u16(off uint32) (uint32, bool) {
	if uint64(off)+2 > uint64(len(t.b)) {
		return 0, false
	}
	return uint32(t.order.Uint16(t.b[off:])), true
}

func (t tiff) u32(off uint32) (uint32, bool) {
	if uint64(off)+4 > uint64(len(t.b)) {
		return 0, false
	}
	return t.order.Uint32(t.b[off:]), true
}

// entry is one IFD entry; value is the offset of its 4-byte value field.
type entry struct {
	tag, typ uint32
	count    uint32
	value    uint32
}

// The TIFF field types used.
const (
	typeASCII = 2
	typeShort = 3
	typeLong  = 4
	typeIFD   = 13
)

// entries lists the entries of the IFD at off, as many as fit.
func (t tiff) entries(off uint32) []entry {
	n, ok := t.u16(off)
	if !ok {
		return nil
	}
	n = min(n, maxEntries)
	out := make([]entry, 0, n)
	for k := uint32(0); k < n; k++ {
		at := off + 2 + 12*k // off lies inside b and k < maxEntries, so this cannot wrap
		tag, ok1 := t.u16(at)
		typ, ok2 := t.u16(at + 2)
		count, ok3 := t.u32(at + 4)
		if !ok1 || !ok2 || !ok3 || uint64(at)+12 > uint64(len(t.b)) {
			break
		}
		out = append(out, entry{tag: tag, typ: typ, count: count, value: at + 8})
	}
	return out
}

// number reads a SHORT or LONG value.
func (t tiff) number(e entry) (uint32, bool) {
	switch {
	case e.count < 1:
		return 0, false
	case e.typ == typeShort:
		return t.u16(e.value)
	case e.typ == typeLong || e.typ == typeIFD:
		return t.u32(e.value)
	}
	return 0, false
}

// ascii reads a short ASCII value (the dates are 20 bytes; offsets 7).
func (t tiff) ascii(e entry) string {
	if e.typ != typeASCII || e.count == 0 || e.count > 64 {
		return ""
	}
	at := e.value
	if e.count > 4 { // longer values live elsewhere, at the offset the field holds
		var ok bool
		if at, ok = t.u32(e.value); !ok {
			return ""
		}
	}
	if uint64(at)+uint64(e.count) > uint64(len(t.b)) {
		return ""
	}
	s := t.b[at : at+e.count]
	for i, c := range s {
		if c == 0 {
			s = s[:i]
			break
		}
	}
	return string(s)
}

func readTIFF(b []byte, info *exifInfo) {
	if len(b) < 8 {
		return
	}
	t := tiff{b: b}
	switch string(b[:2]) {
	case "II":
		t.order = binary.LittleEndian
	case "MM":
		t.order = binary.BigEndian
	default:
		return
	}
	if magic, _ := t.u16(2); magic != 42 {
		return
	}
	ifd0, _ := t.u32(4)
	var dateTime, offset, original, offsetOriginal string
	for _, e := range t.entries(ifd0) {
		switch e.tag {
		case tagOrientation:
			if v, ok := t.number(e); ok && v >= 1 && v <= 8 {
				info.orientation = int(v)
			}
		case tagDateTime:
			dateTime = t.ascii(e)
		case tagExifIFD:
			sub, ok := t.number(e)
			if !ok || sub == ifd0 {
				continue
			}
			for _, e := range t.entries(sub) {
				switch e.tag {
				case tagDateTimeOriginal:
					original = t.ascii(e)
				case tagOffsetTimeOriginal:
					offsetOriginal = t.ascii(e)
				case tagOffsetTime:
					offset = t.ascii(e)
				}
			}
		}
	}
	info.takenAt = exifTime(original, offsetOriginal)
	if info.takenAt.IsZero() {
		info.takenAt = exifTime(dateTime, offset)
	}
}

// exifTime reads "2026:03:15 09:30:00" (some software writes dashes or a
// T) in the zone of offset ("+08:00") when it is given, else in Shanghai
// time (see Photo.TakenAt). Blank, zero or unparsable values give zero, as
// do years before 1990: a phone whose clock was never set says 1970 or 1980.
func exifTime(s, offset string) time.Time {
	if len(s) < 19 {
		return time.Time{}
	}
	c := []byte(s[:19])
	if c[4] == '-' && c[7] == '-' {
		c[4], c[7] = ':', ':'
	}
	if c[10] == 'T' {
		c[10] = ' '
	}
	loc := shanghai
	if z, ok := parseOffset(offset); ok {
		loc = z
	}
	t, err := time.ParseInLocation("2006:01:02 15:04:05", string(c), loc)
	if err != nil || t.Year() < 1990 {
		return time.Time{}
	}
	return t
}

// parseOffset reads an EXIF offset, "+08:00" or "-05:30".
func parseOffset(s string) (*time.Location, bool) {
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return nil, false
	}
	h, err1 := strconv.Atoi(s[1:3])
	m, err2 := strconv.Atoi(s[4:6])
	if err1 != nil || err2 != nil || h > 14 || m > 59 {
		return nil, false
	}
	secs := h*3600 + m*60
	if s[0] == '-' {
		secs = -secs
	}
	return time.FixedZone(s, secs), true
}

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()
