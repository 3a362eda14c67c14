package static

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func TestPath(t *testing.T) {
	tests := []struct {
		name string
		want *regexp.Regexp
	}{
		{"site.css", regexp.MustCompile(`^/static/site\.[0-9a-f]{10}\.css$`)},
		{"site.js", regexp.MustCompile(`^/static/site\.[0-9a-f]{10}\.js$`)},
		{"favicon.svg", regexp.MustCompile(`^/static/favicon\.[0-9a-f]{10}\.svg$`)},
		{"missing.css", regexp.MustCompile(`^/static/missing\.css$`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Path(tt.name); !tt.want.MatchString(got) {
				t.Errorf("Path(%q) = %q, want match for %s", tt.name, got, tt.want)
			}
		})
	}
	if Path("site.css") == Path("site.js") {
		t.Errorf("site.css and site.js share a path %q", Path("site.css"))
	}
}

func TestHandler(t *testing.T) {
	css := Path("site.css")
	tests := []struct {
		name        string
		method      string
		path        string
		wantStatus  int
		wantType    string
		wantCaching bool
	}{
		{"css", "GET", css, 200, "text/css; charset=utf-8", true},
		{"js", "GET", Path("site.js"), 200, "text/javascript; charset=utf-8", true},
		{"svg", "GET", Path("favicon.svg"), 200, "image/svg+xml", true},
		{"head", "HEAD", css, 200, "text/css; charset=utf-8", true},
		{"unhashed", "GET", "/static/site.css", 404, "", false},
		{"wrong hash", "GET", "/static/site.0000000000.css", 404, "", false},
		{"embed source", "GET", "/static/embed.go", 404, "", false},
		{"directory", "GET", "/static/", 404, "", false},
		{"traversal", "GET", "/static/../static/" + strings.TrimPrefix(css, "/static/"), 404, "", false},
		{"dot dot", "GET", "/static/..", 404, "", false},
		{"nested", "GET", "/static/x/" + strings.TrimPrefix(css, "/static/"), 404, "", false},
		{"outside prefix", "GET", "/" + strings.TrimPrefix(css, "/static/"), 404, "", false},
		{"post", "POST", css, 405, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/", nil)
			req.URL.Path = tt.path // unclean on purpose; NewRequest would not keep it
			rec := httptest.NewRecorder()
			Handler(false).ServeHTTP(rec, req)
			res := rec.Result()
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("%s %s: status = %d, want %d", tt.method, tt.path, res.StatusCode, tt.wantStatus)
			}
			if tt.wantType != "" {
				if got := res.Header.Get("Content-Type"); got != tt.wantType {
					t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
				}
			}
			cc := res.Header.Get("Cache-Control")
			if want := "public, max-age=31536000, immutable"; tt.wantCaching && cc != want {
				t.Errorf("Cache-Control = %q, want %q", cc, want)
			}
			if !tt.wantCaching && strings.Contains(cc, "immutable") {
				t.Errorf("Cache-Control = %q on a %d", cc, res.StatusCode)
			}
		})
	}
}

func TestHandlerBody(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler(false).ServeHTTP(rec, httptest.NewRequest("GET", Path("site.css"), nil))
	body, _ := io.ReadAll(rec.Result().Body)
	want, err := files.ReadFile("site.css")
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != string(want) {
		t.Errorf("body is %d bytes, want the %d bytes of site.css", len(body), len(want))
	}
}

func TestHandlerNotModified(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler(false).ServeHTTP(rec, httptest.NewRequest("GET", Path("site.js"), nil))
	etag := rec.Result().Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	req := httptest.NewRequest("GET", Path("site.js"), nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	Handler(false).ServeHTTP(rec, req)
	if got := rec.Result().StatusCode; got != http.StatusNotModified {
		t.Errorf("status with If-None-Match = %d, want %d", got, http.StatusNotModified)
	}
}

func TestHashChangesWithContent(t *testing.T) {
	a := newAssetSet(fstest.MapFS{"a.css": {Data: []byte("body{}")}})
	b := newAssetSet(fstest.MapFS{"a.css": {Data: []byte("body{color:red}")}})
	if a.byName["a.css"].hashed == b.byName["a.css"].hashed {
		t.Errorf("hashed name %q did not change with the content", a.byName["a.css"].hashed)
	}
}

// TestHandlerGzipped sends each text file compressed, decompressing to the
// file, under an ETag of its own that revalidates to 304.
func TestHandlerGzipped(t *testing.T) {
	for _, name := range []string{"site.css", "site.js", "favicon.svg"} {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Handler(true).ServeHTTP(rec, httptest.NewRequest("GET", Path(name), nil))
			res := rec.Result()
			if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
				t.Fatalf("headers = %v, want gzip with Vary", res.Header)
			}
			zr, err := gzip.NewReader(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := files.ReadFile(name)
			if string(got) != string(want) {
				t.Errorf("gunzipped body is %d bytes, want the %d of %s", len(got), len(want), name)
			}
			etag := res.Header.Get("ETag")
			plain := httptest.NewRecorder()
			Handler(false).ServeHTTP(plain, httptest.NewRequest("GET", Path(name), nil))
			if etag == "" || etag == plain.Result().Header.Get("ETag") {
				t.Errorf("ETag %q, want one of its own (plain: %q)", etag, plain.Result().Header.Get("ETag"))
			}
			req := httptest.NewRequest("GET", Path(name), nil)
			req.Header.Set("If-None-Match", etag)
			again := httptest.NewRecorder()
			Handler(true).ServeHTTP(again, req)
			if again.Code != http.StatusNotModified {
				t.Errorf("revalidation = %d, want 304", again.Code)
			}
		})
	}
}

// The stylesheet's braces balance outside comments and strings: one left
// open (a merge can drop one) silently nests every later rule in the block
// before it, which then applies to nothing.
func TestStylesheetBraces(t *testing.T) {
	css, err := files.ReadFile("site.css")
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`(?s)/\*.*?\*/|"[^"\n]*"`).ReplaceAllString(string(css), "")
	depth := 0
	for i, line := range strings.Split(text, "\n") {
		depth += strings.Count(line, "{") - strings.Count(line, "}")
		if depth < 0 {
			t.Fatalf("site.css: a } without its { near line %d", i+1)
		}
	}
	if depth != 0 {
		t.Errorf("site.css ends with %d blocks open", depth)
	}
}
