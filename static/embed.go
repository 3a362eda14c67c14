// Package static holds Versa's stylesheet, script and icon, embedded in the
// binary and served under content-hashed names ("/static/site.3f2a9c1b.css")
// so browsers may cache them forever: a changed file gets a new name.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed site.css site.js suggest.js favicon.svg
var files embed.FS

// prefix is where the router mounts Handler.
const prefix = "/static/"

// hashLen is how many hex digits of the SHA-256 go into a file name.
const hashLen = 10

// asset is one embedded file and the hashed name it is served under.
type asset struct {
	name        string // as embedded: "site.css"
	hashed      string // "site.3f2a9c1b0d.css"
	contentType string
	etag        string
	data        []byte
	gz          []byte // data gzipped once, at start; nil when not worth it
}

// assets is built once from the embedded files; it is never written again.
var assets = newAssetSet(files)

type assetSet struct {
	byName   map[string]*asset
	byHashed map[string]*asset
}

func newAssetSet(fsys fs.FS) assetSet {
	set := assetSet{byName: map[string]*asset{}, byHashed: map[string]*asset{}}
	names, err := fs.Glob(fsys, "*")
	if err != nil {
		panic("static: " + err.Error()) // only a malformed pattern can fail
	}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			panic("static: " + err.Error()) // embedded files are always readable
		}
		sum := sha256.Sum256(data)
		hash := hex.EncodeToString(sum[:])[:hashLen]
		ext := path.Ext(name)
		a := &asset{
			name:        name,
			hashed:      strings.TrimSuffix(name, ext) + "." + hash + ext,
			contentType: contentType(ext),
			etag:        `"` + hash + `"`,
			data:        data,
		}
		if strings.HasPrefix(a.contentType, "text/") || a.contentType == "image/svg+xml" {
			a.gz = gzipBest(data) // text: compressed images gain nothing
		}
		set.byName[name] = a
		set.byHashed[a.hashed] = a
	}
	return set
}

// contentType names the types explicitly rather than trusting the host's
// mime tables, which differ between machines.
func contentType(ext string) string {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// Path returns the URL of an embedded file under its hashed name, such as
// "/static/site.3f2a9c1b0d.css" for "site.css". An unknown name gives its
// unhashed URL, which Handler answers with 404, so a typo shows up as a
// broken link rather than a failed page.
func Path(name string) string {
	if a, ok := assets.byName[name]; ok {
		return prefix + a.hashed
	}
	return prefix + name
}

// gzipBest compresses b at the best level: it runs once per file.
func gzipBest(b []byte) []byte {
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression) // a valid level never fails
	_, _ = zw.Write(b)                                       // a bytes.Buffer does not fail
	_ = zw.Close()
	return out.Bytes()
}

// Handler serves the embedded files under their hashed names, as the
// requests' full paths ("/static/site.3f2a9c1b0d.css"), with a year of
// immutable caching. Every other path, unhashed names and anything with a
// directory in it included, is a 404. With gzipped set, for a client that
// accepts gzip and asks for no range, text files go out compressed (from
// bytes compressed once) under their own ETag.
func Handler(gzipped bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		// Only an exact hashed name matches, so "..", slashes and encoded
		// tricks can never reach anything but the map.
		name, ok := strings.CutPrefix(r.URL.Path, prefix)
		a := assets.byHashed[name]
		if !ok || a == nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		body, etag := a.data, a.etag
		if a.gz != nil {
			h.Add("Vary", "Accept-Encoding")
			if gzipped {
				h.Set("Content-Encoding", "gzip")
				body, etag = a.gz, strings.TrimSuffix(a.etag, `"`)+`-gz"`
			}
		}
		h.Set("ETag", etag)
		// ServeContent handles Range, HEAD and If-None-Match; the zero
		// modtime leaves Last-Modified out, the ETag is enough.
		http.ServeContent(w, r, a.hashed, time.Time{}, bytes.NewReader(body))
	})
}
