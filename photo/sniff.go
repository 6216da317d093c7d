package photo

import (
	"bytes"
	"encoding/binary"
)

// kind is what a file is, judged by its first bytes: the name and the
// Content-Type a phone sends are often wrong (a HEIC named IMG_0001.JPG,
// WeChat's files without an extension).
type kind int

const (
	kindUnknown kind = iota
	kindJPEG
	kindPNG
	kindHEIC
	kindAVIF
	kindVideo
	kindGIF
	kindWebP
	kindBMP
	kindTIFF
	kindPDF
	kindZip
)

// describe names a refused kind for the message, so the user learns what
// they picked ("这是视频，…") and not only what is accepted.
func (k kind) describe() string {
	switch k {
	case kindAVIF:
		return "这张照片是 AVIF 格式，"
	case kindVideo:
		return "这是视频文件，"
	case kindGIF:
		return "这是 GIF 动图，"
	case kindWebP:
		return "这是 WebP 格式的图片，"
	case kindBMP:
		return "这是 BMP 格式的图片，"
	case kindTIFF:
		return "这是 TIFF（或相机 RAW）格式的图片，"
	case kindPDF:
		return "这是 PDF 文件，"
	case kindZip:
		return "这是压缩包或 Office 文档，"
	}
	return "无法识别这个文件，"
}

// heifBrands are the ISO BMFF brands of HEIF still images and sequences
// (ISO/IEC 23008-12): an iPhone writes major brand heic, compatible mif1.
var heifBrands = map[string]bool{"heic": true, "heix": true, "hevc": true, "hevx": true, "heim": true,
	"heis": true, "hevm": true, "hevs": true, "mif1": true, "msf1": true}

func sniff(b []byte) kind {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return kindJPEG
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return kindPNG
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		return sniffBMFF(b)
	case bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a")):
		return kindGIF
	case len(b) >= 12 && string(b[0:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return kindWebP
	case bytes.HasPrefix(b, []byte("BM")):
		return kindBMP
	case bytes.HasPrefix(b, []byte("II*\x00")) || bytes.HasPrefix(b, []byte("MM\x00*")):
		return kindTIFF
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return kindPDF
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return kindZip
	}
	return kindUnknown
}

// sniffBMFF reads the ftyp box: its major brand, then the compatible
// brands up to the box's end. AVIF also lists mif1, so its own brands are
// looked for first; anything else in an ftyp box (isom, mp42, qt) is video.
func sniffBMFF(b []byte) kind {
	size := int(binary.BigEndian.Uint32(b[0:4]))
	if size < 16 || size > len(b) || size > 4096 {
		size = min(len(b), 4096)
	}
	brands := []string{string(b[8:12])}
	for i := 16; i+4 <= size; i += 4 { // 12–16 is the minor version
		brands = append(brands, string(b[i:i+4]))
	}
	for _, br := range brands {
		if br == "avif" || br == "avis" {
			return kindAVIF
		}
	}
	for _, br := range brands {
		if heifBrands[br] {
			return kindHEIC
		}
	}
	return kindVideo
}
