package history

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// GitHead returns the commit the git work tree holding dir is at, and that
// commit's subject line, reading .git directly: HEAD, the ref it names
// (loose or in packed-refs) and the loose commit object. Either is "" when
// it cannot be told: dir is in no work tree, HEAD names no commit yet, or
// the commit is only in a pack (then the subject is "").
func GitHead(dir string) (commit, subject string) {
	gitDir, common := findGitDir(dir)
	if gitDir == "" {
		return "", ""
	}
	head, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return "", ""
	}
	id := strings.TrimSpace(string(head))
	for range 5 { // a ref may name a ref
		ref, ok := strings.CutPrefix(id, "ref: ")
		if !ok {
			break
		}
		id = resolveRef(gitDir, common, strings.TrimSpace(ref))
	}
	if !isHash(id) {
		return "", ""
	}
	return id, commitSubject(common, id)
}

// findGitDir walks up from dir to the work tree's .git, and returns the git
// directory and the common one (they differ in a linked worktree).
func findGitDir(dir string) (gitDir, common string) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", ""
	}
	for {
		p := filepath.Join(dir, ".git")
		if fi, err := os.Stat(p); err == nil {
			if fi.IsDir() {
				gitDir = p
			} else if b, err := os.ReadFile(p); err == nil {
				g, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir: ")
				if !ok {
					return "", ""
				}
				if !filepath.IsAbs(g) {
					g = filepath.Join(dir, g)
				}
				gitDir = g
			}
			common = gitDir
			if b, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
				c := strings.TrimSpace(string(b))
				if !filepath.IsAbs(c) {
					c = filepath.Join(gitDir, c)
				}
				common = c
			}
			return gitDir, common
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ""
		}
		dir = parent
	}
}

func resolveRef(gitDir, common, ref string) string {
	if strings.Contains(ref, "..") {
		return ""
	}
	for _, d := range []string{gitDir, common} {
		if b, err := os.ReadFile(filepath.Join(d, filepath.FromSlash(ref))); err == nil {
			return strings.TrimSpace(string(b))
		}
	}
	f, err := os.Open(filepath.Join(common, "packed-refs"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if id, name, ok := strings.Cut(line, " "); ok && name == ref {
			return id
		}
	}
	return ""
}

func isHash(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// commitSubject reads the first line of a loose commit object's message.
func commitSubject(common, id string) string {
	f, err := os.Open(filepath.Join(common, "objects", id[:2], id[2:]))
	if err != nil {
		return ""
	}
	defer f.Close()
	z, err := zlib.NewReader(f)
	if err != nil {
		return ""
	}
	defer z.Close()
	obj, err := io.ReadAll(io.LimitReader(z, 1<<20))
	if err != nil && len(obj) == 0 {
		return ""
	}
	hdr, body, ok := bytes.Cut(obj, []byte{0})
	if !ok || !bytes.HasPrefix(hdr, []byte("commit ")) {
		return ""
	}
	_, msg, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok {
		return ""
	}
	line, _, _ := bytes.Cut(msg, []byte("\n"))
	return strings.TrimSpace(string(line))
}
