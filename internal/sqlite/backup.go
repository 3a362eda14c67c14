package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// OpenExisting opens the database at path as it is: it neither creates the
// file nor migrates it, for tools such as backup that must not change a
// database a server is using.
func OpenExisting(ctx context.Context, path string) (*DB, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("open database %s: not a file", path)
	}
	sqldb, err := connect(ctx, path, dsn(path)+"&mode=rw")
	if err != nil {
		return nil, err
	}
	db := &DB{db: sqldb}
	db.startCheckpointer()
	return db, nil
}

// Backup writes a consistent copy of the whole database, user data and
// content, to a new file at path; it refuses to overwrite anything. It may
// run while others read and write: VACUUM INTO copies one read snapshot.
// The copy is written beside path under a temporary name, synced, and then
// linked into place, so path never holds a partial copy.
func (db *DB) Backup(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path) // never read as a file: URI
	if err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if _, err := os.Lstat(abs); err == nil {
		return fmt.Errorf("backup to %s: %w", path, os.ErrExist)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".*.tmp")
	if err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName)
	// VACUUM INTO wants a file that does not exist or is empty.
	if _, err := db.db.ExecContext(ctx, `VACUUM INTO ?`, tmpName); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	// SQLite does not sync what VACUUM INTO writes.
	if err := syncFile(tmpName); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	// A hard link fails if path appeared meanwhile, where a rename would
	// replace it.
	if err := os.Link(tmpName, abs); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(abs)); err == nil {
		d.Sync() // the new name; not every system can sync a folder
		d.Close()
	}
	return nil
}

func syncFile(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
