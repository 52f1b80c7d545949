package main

import (
	"io/fs"
	"strings"
	"testing"
)

// The binary carries no hidden files from the frontend folder (the embed
// pattern has no "all:"), only the build and its robots.txt.
func TestEmbedHasNoDotFiles(t *testing.T) {
	err := fs.WalkDir(dist, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != "." {
			t.Errorf("embedded %s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(dist, "frontend/dist/robots.txt"); err != nil {
		t.Errorf("robots.txt is not embedded: %v", err)
	}
}
