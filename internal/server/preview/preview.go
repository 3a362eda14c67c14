// Package preview draws the link-preview image (og:image) of a compare
// view: a PNG of its title, its systems and the rows where they differ.
package preview

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"versa/web"
)

// Link-preview images: /compare/{topic}/{a}-vs-{b}.png (with the page's
// query) and /s/{id}.png are a 1200x630 PNG of the view, the size chat
// apps and social sites show large: the title, the systems as columns and
// up to six rows where they differ, each cell a coloured mark and its
// word. Like every page they go through the page cache, so each is drawn
// once per content revision and URL.

// Preview geometry, in pixels.
const (
	previewW      = 1200
	previewH      = 630
	previewMargin = 60
	previewRows   = 6
	previewCols   = 6 // more systems are counted in the footer
	featureColW   = 330
	rowH          = 52
)

// The site's light palette (static/site.css).
var (
	colBG      = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colSoft    = color.RGBA{0xf5, 0xf6, 0xf8, 0xff}
	colFG      = color.RGBA{0x1b, 0x1d, 0x21, 0xff}
	colMuted   = color.RGBA{0x5d, 0x63, 0x6e, 0xff}
	colBorder  = color.RGBA{0xd9, 0xdc, 0xe1, 0xff}
	colAccent  = color.RGBA{0x24, 0x57, 0xc5, 0xff}
	colSupport = map[string]color.RGBA{
		"yes":     {0x1d, 0x7a, 0x3a, 0xff},
		"partial": {0x8a, 0x5a, 0x00, 0xff},
		"plugin":  {0x63, 0x43, 0xb5, 0xff},
		"no":      {0xb3, 0x26, 0x1e, 0xff},
		"unknown": {0x7b, 0x81, 0x90, 0xff},
	}
)

// previewFonts are the Go fonts, parsed once; a parsed font is safe to
// share, the faces made from it are not.
var previewFonts = sync.OnceValues(func() ([2]*opentype.Font, error) {
	var fs [2]*opentype.Font
	var err error
	if fs[0], err = opentype.Parse(goregular.TTF); err != nil {
		return fs, err
	}
	fs[1], err = opentype.Parse(gobold.TTF)
	return fs, err
})

// previewPNGs recycles the encoder's buffers between images.
var previewPNGs = &png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngBuffers{}}

type pngBuffers struct{ p sync.Pool }

func (b *pngBuffers) Get() *png.EncoderBuffer {
	if v, ok := b.p.Get().(*png.EncoderBuffer); ok {
		return v
	}
	return nil
}

func (b *pngBuffers) Put(v *png.EncoderBuffer) { b.p.Put(v) }

// previewSlots bounds the previews drawn at once to the CPUs: a drawing
// costs milliseconds of CPU where a page costs one, and distinct URLs miss
// the cache, so a burst of them must queue rather than starve the pages.
var previewSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

// slotWait is how long a preview waits for a drawing slot before it is
// answered 503: a burst of distinct URLs gets a quick "come back" instead
// of a queue that outlives the request deadline.
var slotWait = 2 * time.Second

// How a Write ended, as its observe func is told.
const (
	Drawn   = "drawn"
	Busy    = "busy"    // no drawing slot freed within slotWait: a 503
	Stopped = "stopped" // the client or the request deadline went first
	Failed  = "error"
)

// drawHook, when set (by tests only), runs at the start of every drawing,
// with its context.
var drawHook func(ctx context.Context)

// Write answers with the preview PNG of v, named name. It waits for a
// drawing slot at most slotWait (answering 503 with Retry-After when none
// frees) and draws under ctx, stopping when the client or the deadline goes.
// observe, when not nil, is told how it ended (Drawn, Busy, Stopped or
// Failed).
func Write(ctx context.Context, w http.ResponseWriter, v web.CompareView, name string, observe func(result string)) error {
	if observe == nil {
		observe = func(string) {}
	}
	t := time.NewTimer(slotWait)
	defer t.Stop()
	select {
	case previewSlots <- struct{}{}:
		defer func() { <-previewSlots }()
	case <-t.C:
		observe(Busy)
		w.Header().Set("Retry-After", "2")
		http.Error(w, "Too many preview images are being drawn; try again shortly.", http.StatusServiceUnavailable)
		return nil
	case <-ctx.Done():
		observe(Stopped)
		return fmt.Errorf("preview image: wait: %w", ctx.Err())
	}
	body, err := PNGContext(ctx, v)
	if err != nil {
		if ctx.Err() != nil {
			observe(Stopped)
		} else {
			observe(Failed)
		}
		return fmt.Errorf("preview image: %w", err)
	}
	observe(Drawn)
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Content-Disposition", `inline; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return nil
}

// PNG draws the preview of a compare view and encodes it.
func PNG(v web.CompareView) ([]byte, error) { return PNGContext(context.Background(), v) }

// PNGContext is PNG stopping with ctx's error once ctx is done.
func PNGContext(ctx context.Context, v web.CompareView) ([]byte, error) {
	if drawHook != nil {
		drawHook(ctx)
	}
	im := previewImages.Get().(*previewImage)
	defer previewImages.Put(im)
	if err := drawPreview(ctx, im.rgba, v); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	paletted(im.rgba, im.pal)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(64 << 10)
	if err := previewPNGs.Encode(&buf, im.pal); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// previewPalette is every colour of the preview: each ink over each
// background at 14 levels of coverage, enough for smooth text edges. A
// paletted PNG is a third the size of an RGBA one and several times faster
// to encode, since the encoder skips its per-row filters.
var previewPalette = func() color.Palette {
	inks := []color.RGBA{colFG, colMuted, colAccent, colBorder}
	for _, k := range []string{"yes", "partial", "plugin", "no", "unknown"} {
		inks = append(inks, colSupport[k])
	}
	p := color.Palette{colBG, colSoft}
	const levels = 14
	for _, bg := range []color.RGBA{colBG, colSoft} {
		for _, ink := range inks {
			for l := 1; l <= levels; l++ {
				a := float64(l) / levels
				mix := func(f, b uint8) uint8 { return uint8(float64(f)*a + float64(b)*(1-a) + 0.5) }
				p = append(p, color.RGBA{mix(ink.R, bg.R), mix(ink.G, bg.G), mix(ink.B, bg.B), 0xff})
			}
		}
	}
	return p
}()

// paletted maps img, which is opaque, onto previewPalette in out, looking
// each distinct colour up once.
func paletted(img *image.RGBA, out *image.Paletted) {
	index := map[uint32]uint8{}
	last, lastIdx := uint32(1<<31), uint8(0) // no opaque pixel is 1<<31
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		src := img.Pix[img.PixOffset(b.Min.X, y):][:4*b.Dx()]
		dst := out.Pix[out.PixOffset(b.Min.X, y):][:b.Dx()]
		for x := range dst {
			p := src[4*x : 4*x+3 : 4*x+3]
			v := uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16
			if v != last {
				i, ok := index[v]
				if !ok {
					i = uint8(previewPalette.Index(color.RGBA{p[0], p[1], p[2], 0xff}))
					index[v] = i
				}
				last, lastIdx = v, i
			}
			dst[x] = lastIdx
		}
	}
}

// previewImages recycles the two images of a drawing, 3.8 MB together.
var previewImages = sync.Pool{New: func() any {
	r := image.Rect(0, 0, previewW, previewH)
	return &previewImage{rgba: image.NewRGBA(r), pal: image.NewPaletted(r, previewPalette)}
}}

type previewImage struct {
	rgba *image.RGBA
	pal  *image.Paletted
}

// canvas draws text and marks on the preview.
type canvas struct {
	img  *image.RGBA
	font [2]*opentype.Font
}

// face returns a face of the regular (bold false) or bold font at size
// pixels. Faces are cheap; each drawing makes its own.
func (c *canvas) face(size float64, bold bool) font.Face {
	f := c.font[0]
	if bold {
		f = c.font[1]
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic("preview face: " + err.Error()) // only a size <= 0 fails
	}
	return face
}

// text draws s with its baseline starting at (x, y), cut with an ellipsis
// to fit in width.
func (c *canvas) text(face font.Face, col color.Color, x, y, width int, s string) {
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(fit(face, web.StripBidi(s), width))
}

// maxRunes is more characters than any line of the preview holds (1,200
// pixels at a few pixels a glyph): longer text is cut to it before it is
// measured, so the cost of a line does not grow with the text.
const maxRunes = 400

// clip cuts s to maxRunes characters, marking a cut with an ellipsis.
func clip(s string) string {
	n := 0
	for i := range s {
		if n == maxRunes {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// fit cuts s, adding an ellipsis, until it is no wider than width. The
// longest prefix that fits is found by bisection over at most maxRunes
// characters, so a line costs a dozen measures whatever its length.
func fit(face font.Face, s string, width int) string {
	limit := fixed.I(width)
	s = clip(s)
	if font.MeasureString(face, s) <= limit {
		return s
	}
	r := []rune(s)
	// The longest n with r[:n]+"…" fitting; n = 0 always "fits" as "".
	lo, hi := 0, len(r)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if font.MeasureString(face, string(r[:mid])+"…") <= limit {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return ""
	}
	return string(r[:lo]) + "…"
}

// fill paints a rectangle.
func (c *canvas) fill(col color.Color, x0, y0, x1, y1 int) {
	draw.Draw(c.img, image.Rect(x0, y0, x1, y1), image.NewUniform(col), image.Point{}, draw.Src)
}

// dot draws a disc of radius r centred on (cx, cy), its edge smoothed; half
// fills only its left half (for "partial"), ring only its outline (for
// "unknown"). The shape repeats what the colour says, for greyscale.
func (c *canvas) dot(col color.RGBA, cx, cy, r float64, shape string) {
	for y := int(cy - r - 1); y <= int(cy+r+1); y++ {
		for x := int(cx - r - 1); x <= int(cx+r+1); x++ {
			px, py := float64(x)+0.5, float64(y)+0.5
			d := math.Hypot(px-cx, py-cy)
			a := math.Min(1, math.Max(0, r-d+0.5)) // inside the disc
			switch shape {
			case "ring":
				a = math.Min(a, math.Max(0, math.Min(1, d-(r-2.5)+0.5)))
			case "half":
				if px > cx {
					a = math.Min(a, math.Max(0, math.Min(1, d-(r-2.5)+0.5)))
				}
			}
			if a > 0 {
				c.blend(x, y, col, a)
			}
		}
	}
}

func (c *canvas) blend(x, y int, col color.RGBA, a float64) {
	if !(image.Point{x, y}.In(c.img.Rect)) {
		return
	}
	o := c.img.RGBAAt(x, y)
	mix := func(fg, bg uint8) uint8 { return uint8(float64(fg)*a + float64(bg)*(1-a) + 0.5) }
	c.img.SetRGBA(x, y, color.RGBA{mix(col.R, o.R), mix(col.G, o.G), mix(col.B, o.B), 0xff})
}

// previewRow is one table row picked for the preview.
type previewRow struct {
	name  string
	cells []web.CompareCell
}

// differing picks up to n rows of v whose cells are not all the same, and
// counts the rows of the view and those that differ. Rows of support
// levels come first, in table order: a word and a mark read at a glance
// in a narrow column, where a text value would be cut short.
func differing(v web.CompareView, n int) (rows []previewRow, total, differ int) {
	var values []previewRow
	for _, g := range v.Groups {
		for _, r := range g.Rows {
			total++
			if len(r.Cells) < 2 {
				continue
			}
			same, support := true, true
			for _, c := range r.Cells {
				same = same && c.Support == r.Cells[0].Support && c.Value == r.Cells[0].Value
				support = support && c.Support != ""
			}
			if same {
				continue
			}
			differ++
			switch row := (previewRow{name: r.Name, cells: r.Cells}); {
			case support && len(rows) < n:
				rows = append(rows, row)
			case !support && len(values) < n:
				values = append(values, row)
			}
		}
	}
	rows = append(rows, values[:min(len(values), n-len(rows))]...)
	return rows, total + v.Hidden, differ
}

// drawPreview lays out the preview of v on img, a previewW x previewH
// canvas, all of which it paints.
func drawPreview(ctx context.Context, img *image.RGBA, v web.CompareView) error {
	fonts, err := previewFonts()
	if err != nil {
		return err
	}
	c := &canvas{img: img, font: fonts}
	c.fill(colBG, 0, 0, previewW, previewH)
	c.fill(colAccent, 0, 0, previewW, 10)
	inner := previewW - 2*previewMargin

	small := c.face(26, false)
	c.text(small, colMuted, previewMargin, 70, inner, "Versa · "+v.TopicTitle)
	// The title at the largest size that fits, down to a floor.
	size := 58.0
	title := c.face(size, true)
	for size > 32 && font.MeasureString(title, clip(v.Title)) > fixed.I(inner) {
		size -= 4
		title = c.face(size, true)
	}
	c.text(title, colFG, previewMargin, 140, inner, v.Title)

	cols := v.Systems
	if len(cols) > previewCols {
		cols = cols[:previewCols]
	}
	colW := (inner - featureColW) / max(1, len(cols))
	top := 190
	c.fill(colSoft, previewMargin-12, top, previewW-previewMargin+12, top+rowH)
	head := c.face(26, true)
	for i, s := range cols {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.text(head, colFG, previewMargin+featureColW+i*colW, top+35, colW-16, s.Name)
	}
	c.text(c.face(22, false), colMuted, previewMargin, top+34, featureColW-16, "Where they differ")
	c.fill(colBorder, previewMargin-12, top+rowH, previewW-previewMargin+12, top+rowH+2)

	rows, total, differ := differing(v, previewRows)
	body := c.face(25, false)
	y := top + rowH + 2
	if len(rows) == 0 {
		msg := "The same in all " + plural(total, "feature", "features") + " shown"
		c.text(c.face(30, false), colMuted, previewMargin, y+90, inner, msg)
	}
	for _, r := range rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.text(body, colFG, previewMargin, y+34, featureColW-20, r.name)
		for i := range cols {
			if i >= len(r.cells) {
				break
			}
			cell := r.cells[i]
			x := previewMargin + featureColW + i*colW
			if cell.Support == "" {
				c.text(body, colFG, x, y+34, colW-16, cell.Value)
				continue
			}
			shape := map[string]string{"partial": "half", "unknown": "ring"}[cell.Support]
			c.dot(colSupport[cell.Support], float64(x)+9, float64(y)+26, 9, shape)
			c.text(body, colFG, x+26, y+34, colW-42, web.SupportLabel(cell.Support))
		}
		y += rowH
		c.fill(colBorder, previewMargin-12, y, previewW-previewMargin+12, y+1)
	}

	verb := " differ"
	if differ == 1 {
		verb = " differs"
	}
	foot := strconv.Itoa(differ) + " of " + plural(total, "feature", "features") + verb
	if more := len(v.Systems) - len(cols); more > 0 {
		foot += " · and " + plural(more, "more system", "more systems")
	}
	c.text(c.face(22, false), colMuted, previewMargin, previewH-28, inner, foot)
	return nil
}

// plural writes a count with the right form of its noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
