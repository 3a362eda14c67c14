package search

// Docs is how many documents (sections, features and cells) the index being
// served holds, 0 while none is built; /metrics reports it.
func (ix *Index) Docs() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.cur == nil {
		return 0
	}
	n := ix.cur.ndocs
	if ix.ov != nil {
		n += ix.ov.nlive - ix.ov.nhidden
	}
	return n
}
