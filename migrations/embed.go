// Package migrations holds the SQLite schema of Versa as numbered, forward-only
// SQL files (NNNN_name.sql). Files are never edited once landed: a change to
// the schema is a new file with the next number.
package migrations

import "embed"

// FS holds every migration file; internal/sqlite applies them in order of
// their number and records each one in schema_migrations.
//
//go:embed *.sql
var FS embed.FS
