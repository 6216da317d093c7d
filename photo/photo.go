// Package photo takes a photo as uploaded from a phone and makes what the
// system keeps of it: an upright JPEG at most 2560 px on its long edge, a
// 360 px thumbnail, the time it was taken, and nothing else — the EXIF
// block, with its GPS position and phone model, never leaves this package.
//
// It is pure Go and standard library only (image/jpeg, image/png): no cgo,
// so the binary still cross-compiles for domestic machines. That is also
// why HEIC, the iPhone's default format, is refused with instructions
// rather than converted.
package photo

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"time"

	"guatu/apperr"
)

// The limits and sizes. MaxBytes is well above a phone's 12–50 MP JPEG
// (3–15 MB). MaxPixels admits a 50 MP sensor (8160×6120) and bounds the
// memory of one decode: a 4:2:0 JPEG of that size holds about 75 MB of
// samples, so a few uploads at once stay within a town server's memory.
const (
	MaxBytes    = 20 << 20
	MaxPixels   = 50_000_000
	MaxEdge     = 2560 // long edge of the kept photo
	ThumbEdge   = 360  // long edge of the thumbnail
	JPEGQuality = 82   // visually clean for site photos at about a third of the phone's size
)

// Errors a caller may test for with errors.Is; each comes wrapped in an
// apperr.Invalid whose message tells the user what to do.
var (
	ErrEmpty    = errors.New("photo: empty file")
	ErrTooLarge = errors.New("photo: file too large")
	ErrTooBig   = errors.New("photo: too many pixels")
	ErrHEIC     = errors.New("photo: HEIC/HEIF cannot be decoded")
	ErrFormat   = errors.New("photo: not a JPEG or PNG")
	ErrCorrupt  = errors.New("photo: cannot be decoded")
)

func refuse(cause error, format string, a ...any) error {
	return &apperr.Error{Kind: apperr.Invalid, Msg: fmt.Sprintf(format, a...), Err: cause}
}

// Photo is a processed photo, ready to store.
type Photo struct {
	JPEG          []byte // the photo, upright, long edge ≤ MaxEdge, no metadata
	Thumb         []byte // the thumbnail, long edge ≤ ThumbEdge
	Width, Height int    // of JPEG, after rotation
	ThumbWidth    int
	ThumbHeight   int
	// TakenAt is when the photo was taken, from EXIF DateTimeOriginal
	// (DateTime when that is missing); zero when the file says nothing.
	// EXIF stores the camera's wall clock without a zone: when the file also
	// carries OffsetTimeOriginal (most phones since 2019) that offset is
	// used, otherwise the wall clock is read as Asia/Shanghai time — the
	// deployment's zone (DESIGN.md §4), which the town's phones are set to.
	// A wrong guess here shifts a displayed time, never a deadline: it is a
	// fact shown beside the photo, not a rule input.
	TakenAt time.Time
	// SHA256 is the hex digest of JPEG (what is stored), so the stored
	// bytes can be checked and the same upload recognised: encoding is
	// deterministic, so the same input always gives the same digest.
	SHA256 string
}

// Process checks an uploaded file by its content, reads its capture time
// and orientation, and re-encodes it upright as a JPEG with a thumbnail.
// Every refusal is an apperr.Invalid with a Chinese message for the user.
func Process(data []byte) (Photo, error) {
	if len(data) == 0 {
		return Photo{}, refuse(ErrEmpty, "文件是空的，请重新选择照片")
	}
	if len(data) > MaxBytes {
		return Photo{}, refuse(ErrTooLarge, "照片不能超过 %d MB，这张有 %.1f MB。请在手机上选“压缩”或截屏后再上传",
			MaxBytes>>20, float64(len(data))/(1<<20))
	}
	kind := sniff(data)
	var info exifInfo
	switch kind {
	case kindJPEG:
		info = readJPEGExif(data)
	case kindPNG:
	case kindHEIC:
		return Photo{}, refuse(ErrHEIC, "这张照片是苹果手机的 HEIC 格式，系统无法读取。"+
			"请在 iPhone 的“设置 → 相机 → 格式”中选择“兼容性最佳”后重新拍摄；"+
			"或把照片截屏、转发到微信后保存再上传（都会变成 JPG）")
	default:
		return Photo{}, refuse(ErrFormat, "%s只能上传 JPG 或 PNG 格式的照片", kind.describe())
	}

	// The header gives the size before any pixel is allocated: a small file
	// can claim a huge picture (a decompression bomb).
	var cfg image.Config
	var err error
	if kind == kindJPEG {
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	} else {
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	}
	if err != nil {
		return Photo{}, refuse(errors.Join(ErrCorrupt, err), "照片文件已损坏或不完整，无法读取，请重新拍摄或换一张")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Photo{}, refuse(ErrCorrupt, "照片文件已损坏或不完整，无法读取，请重新拍摄或换一张")
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return Photo{}, refuse(ErrTooBig, "照片像素太多（%d×%d），最多约 %d 万像素。请在手机上缩小或截屏后再上传",
			cfg.Width, cfg.Height, MaxPixels/10000)
	}
	var img image.Image
	if kind == kindJPEG {
		img, err = jpeg.Decode(bytes.NewReader(data))
	} else {
		img, err = png.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return Photo{}, refuse(errors.Join(ErrCorrupt, err), "照片文件已损坏或不完整，无法读取，请重新拍摄或换一张")
	}

	// Scale first, then turn: turning the smaller picture is cheaper, and
	// the long edge is the same either way.
	b := img.Bounds()
	w, h := fit(b.Dx(), b.Dy(), MaxEdge)
	var full image.Image
	if ycc, ok := img.(*image.YCbCr); ok && w == b.Dx() && h == b.Dy() && info.orientation <= 1 {
		// Already small enough and upright (most photos a phone app has
		// shrunk): the encoder reads the decoded planes as they are, which
		// saves a copy and a colour conversion; it still writes no metadata.
		full = ycc
	} else {
		full = orient(downscale(img, w, h), info.orientation)
	}
	fb := full.Bounds()
	tw, th := fit(fb.Dx(), fb.Dy(), ThumbEdge)
	thumb := downscale(full, tw, th)

	p := Photo{Width: fb.Dx(), Height: fb.Dy(), ThumbWidth: tw, ThumbHeight: th, TakenAt: info.takenAt}
	if p.JPEG, err = encode(full); err != nil {
		return Photo{}, err
	}
	if p.Thumb, err = encode(thumb); err != nil {
		return Photo{}, err
	}
	sum := sha256.Sum256(p.JPEG)
	p.SHA256 = hex.EncodeToString(sum[:])
	return p, nil
}

// encode writes a JPEG. The encoder writes no APP segments at all, so
// nothing of the original's metadata (GPS, device, owner) can survive.
func encode(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: JPEGQuality}); err != nil {
		return nil, fmt.Errorf("photo: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// fit is the size of a w×h picture scaled down so its long edge is at most
// edge; a picture already small enough keeps its size (never enlarged).
func fit(w, h, edge int) (int, int) {
	if w <= edge && h <= edge {
		return w, h
	}
	if w >= h {
		return edge, max(1, int((int64(h)*int64(edge)+int64(w)/2)/int64(w)))
	}
	return max(1, int((int64(w)*int64(edge)+int64(h)/2)/int64(h))), edge
}

// NameLen is the length of a name made by NewName.
const NameLen = 24

// NewName returns a random name for a stored photo: 24 hex characters (96
// bits) from the system's secure random source. The server makes every
// name, so an uploaded file name never reaches a path or a URL, and names
// cannot be guessed to fetch another unit's photo.
func NewName() string {
	var b [NameLen / 2]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	return hex.EncodeToString(b[:])
}

// ValidName reports whether s has the form of a name made by NewName, so
// a handler can refuse anything else before looking it up.
func ValidName(s string) bool {
	if len(s) != NameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
