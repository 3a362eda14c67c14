package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// maxParams bounds the parameters of one insert statement, well below
// SQLite's limit (32766 since 3.32).
const maxParams = 1000

// inserter inserts rows into one table, many rows per statement: a content
// load inserts about 100,000 rows, and a statement per row would spend more
// time in database/sql and the driver than in SQLite. It prepares two
// statements at most: one for a full batch (when there is one), one for the
// last, shorter one.
//
// The statements are INSERT OR FAIL: with the default (ABORT), SQLite keeps a
// statement journal to undo a multi-row insert that fails halfway, which
// costs a copy of every page it touches. Callers roll back the whole
// transaction on any error, so a half-done statement never stays.
type inserter struct {
	tx      *sql.Tx
	table   string
	head    string // INSERT INTO table (cols) VALUES
	tuple   string // (?, ?, ...)
	cols    int
	perStmt int // rows in a full batch
	full    *sql.Stmt
	args    []any
	rows    int
}

func newInserter(ctx context.Context, tx *sql.Tx, table string, cols []string) (*inserter, error) {
	ins := &inserter{
		tx:      tx,
		table:   table,
		head:    "INSERT OR FAIL INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ",
		tuple:   "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")",
		cols:    len(cols),
		perStmt: max(1, maxParams/len(cols)),
	}
	return ins, nil
}

func (ins *inserter) query(rows int) string {
	return ins.head + strings.TrimSuffix(strings.Repeat(ins.tuple+", ", rows), ", ")
}

// add buffers one row, whose values are in the order of the inserter's
// columns, and inserts the batch when it is full.
func (ins *inserter) add(ctx context.Context, values ...any) error {
	if len(values) != ins.cols {
		return fmt.Errorf("insert into %s: %d values for %d columns", ins.table, len(values), ins.cols)
	}
	ins.args = append(ins.args, values...)
	ins.rows++
	if ins.rows < ins.perStmt {
		return nil
	}
	// Prepared on the first full batch: parsing a statement of a thousand
	// parameters costs about half a millisecond, which an incremental load
	// of a few rows should not pay for ten tables.
	if ins.full == nil {
		var err error
		if ins.full, err = ins.tx.PrepareContext(ctx, ins.query(ins.perStmt)); err != nil {
			return fmt.Errorf("prepare insert into %s: %w", ins.table, err)
		}
	}
	if _, err := ins.full.ExecContext(ctx, ins.args...); err != nil {
		return fmt.Errorf("insert into %s: %w", ins.table, err)
	}
	ins.args, ins.rows = ins.args[:0], 0
	return nil
}

// flush inserts the rows still buffered.
func (ins *inserter) flush(ctx context.Context) error {
	if ins.rows == 0 {
		return nil
	}
	stmt, err := ins.tx.PrepareContext(ctx, ins.query(ins.rows))
	if err != nil {
		return fmt.Errorf("prepare insert into %s: %w", ins.table, err)
	}
	defer stmt.Close()
	if _, err := stmt.ExecContext(ctx, ins.args...); err != nil {
		return fmt.Errorf("insert into %s: %w", ins.table, err)
	}
	ins.args, ins.rows = ins.args[:0], 0
	return nil
}

func (ins *inserter) close() {
	if ins.full != nil {
		ins.full.Close()
	}
}
