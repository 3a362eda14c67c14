// Package storetest runs one suite of cases against every user-data store
// (internal/sqlite and internal/postgres), so the two keep the same
// contract. It has only tests.
package storetest
