package api

import (
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// static serves the built frontend: files only. A directory (other than the
// root, which is index.html) and any name starting with a dot are "not
// found", so nothing lists the folder and no hidden file leaves the binary.
// Vite names files under /assets/ by content hash, so they can be cached for
// ever; everything else (index.html) is revalidated so a new version shows
// at once.
func static(assets fs.FS) http.Handler {
	files := http.FileServerFS(assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "Method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if !servable(assets, r.URL.Path) {
			w.Header().Set("Cache-Control", "no-cache")
			http.NotFound(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}

// servable reports whether urlPath names a file static may send: a regular
// file with no dot-named part, or the root when it has an index.html.
func servable(assets fs.FS, urlPath string) bool {
	name := strings.TrimPrefix(path.Clean("/"+urlPath), "/")
	if name == "" {
		name = "index.html"
	} else if strings.HasSuffix(urlPath, "/") {
		return false // a directory's address (FileServer would list it or redirect)
	}
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") {
			return false
		}
	}
	st, err := fs.Stat(assets, name)
	return err == nil && st.Mode().IsRegular()
}
