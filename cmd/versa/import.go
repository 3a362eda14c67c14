package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"versa/internal/content"
)

// importCommand runs `versa import csv FILE --topic T [--systems-in
// columns|rows] [--title TITLE] [--force]`: a spreadsheet matrix becomes
// <content>/<T>/topic.yaml and systems/*.md. Every bad row is printed as
// FILE:line: message and nothing is written; existing files are kept
// unless --force.
func importCommand(cfg Config, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: versa import csv FILE --topic T [--systems-in columns|rows] [--title TITLE] [--force]"
	fset := flag.NewFlagSet("import csv", flag.ContinueOnError)
	fset.SetOutput(stderr)
	topic := fset.String("topic", "", "slug of the topic to create (the folder name)")
	title := fset.String("title", "", "the topic's title (default: from the slug)")
	systemsIn := fset.String("systems-in", "columns", "where the systems are: columns (a feature per row) or rows (a system per row)")
	force := fset.Bool("force", false, "overwrite the topic's files if they exist")
	dir := fset.String("content", cfg.Content, "content folder to write into")
	// Flags may come before, between or after "csv" and the file.
	var pos []string
	for {
		if err := fset.Parse(args); err != nil {
			return err
		}
		if fset.NArg() == 0 {
			break
		}
		pos, args = append(pos, fset.Arg(0)), fset.Args()[1:]
	}
	if len(pos) != 2 || pos[0] != "csv" || *topic == "" {
		return errors.New(usage)
	}
	file := pos[1]
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("import csv: %w", err)
	}
	files, problems := content.ImportCSV(bytes.NewReader(data), file, content.ImportOptions{Topic: *topic, Title: *title, SystemsIn: *systemsIn})
	for _, p := range problems {
		if p.Line < 1 {
			fmt.Fprintf(stdout, "%s: %s\n", p.Path, p.Msg)
			continue
		}
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stdout, "%d problem(s); nothing written\n", len(problems))
		return errProblems
	}
	paths := slices.Sorted(func(yield func(string) bool) {
		for p := range files {
			if !yield(p) {
				return
			}
		}
	})
	if !*force {
		topicDir := filepath.Join(*dir, *topic)
		if _, err := os.Stat(topicDir); err == nil {
			return fmt.Errorf("%s exists: import into a new topic, or add --force to overwrite its topic.yaml and systems", topicDir)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	for _, p := range paths {
		full := filepath.Join(*dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, files[p], 0o644); err != nil {
			return err
		}
	}
	systems := 0
	for _, p := range paths {
		if strings.Contains(p, "/systems/") {
			systems++
		}
	}
	fmt.Fprintf(stdout, "wrote %s: topic.yaml and %d systems; run `versa check %s`\n", filepath.Join(*dir, *topic), systems, *dir)
	return nil
}
