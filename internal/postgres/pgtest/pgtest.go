// Package pgtest gives tests a fresh PostgreSQL database of their own on
// the server named by VERSA_TEST_DATABASE_URL (.ci/pg-cluster starts one).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the variable holding the URL of a server tests may create
// databases on.
const Env = "VERSA_TEST_DATABASE_URL"

// Available reports whether VERSA_TEST_DATABASE_URL is set; without it a
// test skips, but under CI=true it fails, so CI never passes without the
// PostgreSQL half of the tests.
func Available(t testing.TB) bool {
	t.Helper()
	if os.Getenv(Env) != "" {
		return true
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/run starts a cluster)", Env)
	}
	t.Skipf("%s is not set; start a cluster with .ci/pg-cluster", Env)
	return false
}

// URL creates an empty database for t, dropped when t ends, and returns its
// URL. It fails t if the server does not answer: a set URL means the
// tests are meant to run.
func URL(t testing.TB) string {
	t.Helper()
	if !Available(t) {
		return ""
	}
	admin := os.Getenv(Env)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("%s does not answer: %v", Env, err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	name := "versa_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	u.Path = "/" + name
	return u.String()
}
