package bench

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

func machine(version string) Machine {
	m := Machine{
		Cores:      runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		Go:         runtime.Version(),
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
		Ward:       version,
		Started:    time.Now().UTC().Format(time.RFC3339),
	}
	m.CPU = procField("/proc/cpuinfo", "model name")
	m.LoadAvgStart = loadAvg()
	if kb := procField("/proc/meminfo", "MemTotal"); kb != "" {
		n, _ := strconv.ParseInt(strings.TrimSuffix(kb, " kB"), 10, 64)
		m.RAMBytes = n << 10
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if name := procField("/etc/os-release", "PRETTY_NAME"); name != "" {
		m.OS += " (" + strings.Trim(name, `"`) + ")"
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				m.Revision = s.Value
			}
		}
	}
	return m
}

// loadAvg is the 1, 5 and 15 minute load averages, or "" off Linux.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// procField returns the value of the first "name: value" or "name=value"
// line in a /proc or /etc file, or "".
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			k, v, ok = strings.Cut(sc.Text(), "=")
		}
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// binarySizes stats the running executable, Ward's built binaries under
// root/bin and the frontend bundle (JS and CSS under frontend/dist/assets,
// raw and gzipped).
func binarySizes(root string) (Binary, []string) {
	var b Binary
	var missing []string
	if exe, err := os.Executable(); err == nil {
		if info, err := os.Stat(exe); err == nil {
			b.Executable = File{Path: exe, Bytes: info.Size()}
		}
	}
	b.Files = []File{}
	if root == "" {
		return b, []string{"bin/ and frontend sizes: the Ward source folder was not found"}
	}
	for _, name := range []string{"bin/ward", "bin/ward-serve"} {
		if info, err := os.Stat(filepath.Join(root, name)); err == nil {
			b.Files = append(b.Files, File{Path: name, Bytes: info.Size()})
		} else {
			missing = append(missing, name+": not built (make desktop / make serve-bin)")
		}
	}
	assets, _ := filepath.Glob(filepath.Join(root, "frontend", "dist", "assets", "*"))
	for _, p := range assets {
		if ext := filepath.Ext(p); ext != ".js" && ext != ".css" {
			continue
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var z bytes.Buffer
		w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		io.Copy(w, bytes.NewReader(raw))
		w.Close()
		b.FrontendFiles++
		b.FrontendBytes += int64(len(raw))
		b.FrontendGzipped += int64(z.Len())
	}
	if b.FrontendFiles == 0 {
		missing = append(missing, "frontend bundle: frontend/dist/assets has no JS or CSS (make frontend)")
	}
	return b, missing
}
