package postgres

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"versa/internal/kb"
)

// TestClassify: what says the server cannot answer now is
// kb.ErrUnavailable (a 503 the reader may retry); what the server
// answered about the statement is not.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err         error
		unavailable bool
	}{
		{&pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, true},
		{&pgconn.PgError{Code: "57P03", Message: "the database system is starting up"}, true},
		{&pgconn.PgError{Code: "53300", Message: "too many connections"}, true},
		{&pgconn.PgError{Code: "08006", Message: "connection failure"}, true},
		{fmt.Errorf("dial: %w", errors.New("connection refused")), true},
		{context.DeadlineExceeded, true},
		{&pgconn.PgError{Code: "23505", Message: "duplicate key"}, false},
		{&pgconn.PgError{Code: "42P01", Message: "relation does not exist"}, false},
		{pgx.ErrNoRows, false},
		{context.Canceled, false},
	} {
		got := errors.Is(classify("q", tc.err), kb.ErrUnavailable)
		if got != tc.unavailable {
			t.Errorf("classify(%v) unavailable = %v, want %v", tc.err, got, tc.unavailable)
		}
	}
	if classify("q", nil) != nil {
		t.Error("classify(nil) != nil")
	}
}
