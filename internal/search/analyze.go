package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	porterstemmer "github.com/blevesearch/go-porterstemmer"
)

// The analysis here does what bleve's "en" analyzer does (words, possessive
// 's removed, lower case, English stop words dropped, Porter stems), about
// eight times faster: on the benchmark corpus (3.2 million words) bleve's
// Unicode word segmenter, per-token allocations and stemming took 2.7 to
// 3.1 s of one core, this 0.26 to 0.42 s with the term counts included.
// Index and queries go through the same code, so the terms always agree.

// maxWordBytes bounds a word; longer runs (hashes, base64) are not indexed.
const maxWordBytes = 64

// stopWords is bleve's English stop list (the Snowball one).
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for line := range strings.SplitSeq(string(en.EnglishStopWords), "\n") {
		line, _, _ = strings.Cut(line, "|")
		if w := strings.TrimSpace(line); w != "" {
			m[w] = true
		}
	}
	return m
}()

// words calls fn for each word of text with its byte offsets: runs of
// letters, digits and marks; an apostrophe between letters stays in the
// word ("don't"), a dot or comma between digits too ("3.1", "1,000");
// every Han or Hiragana character is a word of its own, as Unicode word
// segmentation does.
func words(text string, fn func(w string, start, end int)) {
	start := -1
	emit := func(end int) {
		if start >= 0 && end-start <= maxWordBytes {
			fn(text[start:end], start, end)
		}
		start = -1
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9':
				if start < 0 {
					start = i
				}
			case (c == '\'' || c == '.' || c == ',') && start >= 0 && i+1 < len(text):
				prev, next := text[i-1], text[i+1]
				keep := c == '\'' && isASCIILetter(prev) && isASCIILetter(next) ||
					c != '\'' && isDigit(prev) && isDigit(next)
				if !keep {
					emit(i)
				}
			default:
				emit(i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana):
			emit(i)
			start = i
			emit(i + size)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			if start < 0 {
				start = i
			}
		case (r == '\u2019' || r == '\uff07') && start >= 0:
			next, _ := utf8.DecodeRuneInString(text[i+size:])
			if !unicode.IsLetter(next) {
				emit(i)
			}
		default:
			emit(i)
		}
		i += size
	}
	emit(len(text))
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool       { return '0' <= c && c <= '9' }

// stemmer turns words into index terms. It numbers the terms it has seen
// and caches the term of each word: text repeats its words (Zipf), so most
// words are looked up, not stemmed. A stemmer is not safe for concurrent
// use.
type stemmer struct {
	cache map[string]int32 // word as written → term id, or stopID
	terms []termEntry      // by id
	ids   map[string]int32 // term → id
	max   int              // words cached at most
	buf   []byte

	counts  []int32 // field.Analyze's scratch, by term id
	touched []int32
}

type termEntry struct {
	s string
	b []byte // the same, for bleve
}

const stopID = -1

// newStemmer returns a stemmer caching up to max words; real content has
// tens of thousands of distinct words.
func newStemmer(max int) *stemmer {
	s := &stemmer{max: max}
	s.reset()
	return s
}

func (s *stemmer) reset() {
	n := min(s.max, 4096)
	s.cache, s.ids, s.terms, s.counts = make(map[string]int32, n), make(map[string]int32, n), nil, nil
}

// full reports whether the stemmer holds more than it should: the caller
// resets it, between two texts.
func (s *stemmer) full() bool { return len(s.terms) > 2*s.max }

// id returns the id of a word's term, or stopID for a stop word.
func (s *stemmer) id(w string) int32 {
	if id, ok := s.cache[w]; ok {
		return id
	}
	id := int32(stopID)
	if t := stem(w, &s.buf); t != "" {
		var ok bool
		if id, ok = s.ids[t]; !ok {
			id = int32(len(s.terms))
			s.terms = append(s.terms, termEntry{t, []byte(t)})
			s.ids[t] = id
		}
	}
	if len(s.cache) < s.max {
		s.cache[strings.Clone(w)] = id
	}
	return id
}

// term returns the index term of a word, or "" for a stop word.
func (s *stemmer) term(w string) string {
	if id := s.id(w); id >= 0 {
		return s.terms[id].s
	}
	return ""
}

// stem lower-cases w, drops a possessive 's, and returns its Porter stem,
// or "" if it is a stop word.
func stem(w string, buf *[]byte) string {
	b := (*buf)[:0]
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		for i := 0; i < len(w); i++ {
			c := w[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
		}
	} else {
		for _, r := range w {
			if r == '\u2019' || r == '\uff07' {
				r = '\''
			}
			b = utf8.AppendRune(b, unicode.ToLower(r))
		}
	}
	*buf = b
	if n := len(b); n > 2 && b[n-1] == 's' && b[n-2] == '\'' {
		b = b[:n-2]
	}
	if len(b) == 0 || stopWords[string(b)] {
		return ""
	}
	if ascii {
		// The Porter stemmer works on runes; ASCII bytes are runes.
		rs := make([]rune, len(b))
		for i, c := range b {
			rs[i] = rune(c)
		}
		return string(porterstemmer.StemWithoutLowerCasing(rs))
	}
	return string(porterstemmer.StemWithoutLowerCasing([]rune(string(b))))
}

// matcher finds the words of a text that are query terms.
type matcher struct {
	st    *stemmer
	terms map[string]uint32 // term → its bit
	first [256]bool         // first bytes of the terms, lower-cased
}

func newMatcher(st *stemmer, terms map[string]uint32) *matcher {
	m := &matcher{st: st, terms: terms}
	for t := range terms {
		m.first[t[0]] = true
		if 'a' <= t[0] && t[0] <= 'z' {
			m.first[t[0]-'a'+'A'] = true
		}
	}
	return m
}

// match returns the bit of the term w stands for, or 0. A Porter stem
// keeps the first letter of its word, so most words are rejected before
// they are stemmed.
func (m *matcher) match(w string) uint32 {
	if c := w[0]; c < utf8.RuneSelf && !m.first[c] {
		return 0
	}
	return m.terms[m.st.term(w)]
}
