package preview

import "context"

// SetDrawHook makes f run at the start of every drawing, with the drawing's
// context, until the returned func restores the default (none).
func SetDrawHook(f func(ctx context.Context)) (restore func()) {
	drawHook = f
	return func() { drawHook = nil }
}
