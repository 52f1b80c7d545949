package bench

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Keys returns the report's size keys in order: generated sizes smallest
// first, then the fixture.
func (r *Report) Keys() []string {
	var keys []string
	for k := range r.Sizes {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		x, errA := strconv.Atoi(a)
		y, errB := strconv.Atoi(b)
		switch {
		case errA != nil && errB != nil:
			return strings.Compare(a, b)
		case errA != nil:
			return 1
		case errB != nil:
			return -1
		}
		return x - y
	})
	return keys
}

// WriteTable prints the report for people.
func WriteTable(w io.Writer, r *Report) error {
	m := r.Machine
	fmt.Fprintf(w, "Ward bench: %d cores (%s), %.1f GiB RAM, %s %s/%s, took %s\n",
		m.Cores, m.CPU, float64(m.RAMBytes)/(1<<30), m.Go, m.OS, m.Arch, time.Duration(r.Seconds*1e9).Round(time.Second))
	if m.LoadAvgStart != "" {
		fmt.Fprintf(w, "load average %s at the start, %s at the end (other work on the machine adds noise)\n", m.LoadAvgStart, m.LoadAvgEnd)
	}
	if m.SQLCipher != "" {
		fmt.Fprintf(w, "sqlcipher %s (WAL, synchronous=NORMAL)\n", m.SQLCipher)
	} else {
		fmt.Fprintln(w, "sqlcipher not installed: no sqlcipher floor")
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	keys := r.Keys()
	row := func(label string, f func(s *Size) string) {
		cells := []string{label}
		for _, k := range keys {
			cells = append(cells, f(r.Sizes[k]))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	head := []string{"resources"}
	for _, k := range keys {
		head = append(head, strconv.Itoa(r.Sizes[k].Resources))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	row("input", func(s *Size) string { return truncate(s.Input, 14) })
	// A heading keeps every column's cells, so the columns line up across it.
	section := func(title string) { fmt.Fprintln(tw, title+strings.Repeat("\t", len(keys)+1)) }

	section("IMPORT")
	row("resources/s", func(s *Size) string { return num(s.Import.ResourcesPerS) })
	row("MB/s", func(s *Size) string { return num(s.Import.MBPerS) })
	row("parse ms (fhir.Read)", func(s *Size) string { return num(s.Import.ParseMS) })
	row("seal+commit ms (store.Import)", func(s *Size) string { return num(s.Import.CommitMS) })
	row("ward vault import ms (process)", func(s *Size) string { return orNot(s.Import.CLIMS, num, "not measured") })
	row("peak RSS MiB", func(s *Size) string { return num(float64(s.Import.PeakRSSBytes) / (1 << 20)) })
	row("JSON bytes/resource", func(s *Size) string { return num(s.Import.JSONBytesPerResource) })
	row("disk bytes/resource", func(s *Size) string { return num(s.Import.DiskBytesPerResource) })
	row("disk / JSON", func(s *Size) string { return fmt.Sprintf("%.2f", s.Import.DiskToJSON) })

	section("FLOOR (same bytes, no Ward)")
	row("encoding/json decode ms", func(s *Size) string { return num(s.Floor.JSONDecodeMS) })
	row("XChaCha20-Poly1305 seal ms", func(s *Size) string { return num(s.Floor.SealMS) })
	row("SQLite insert ms", func(s *Size) string { return num(s.Floor.SQLiteInsertMS) })
	row("parse / floor", func(s *Size) string { return fmt.Sprintf("%.1fx", s.Floor.ParseRatio) })
	row("seal+commit / floor", func(s *Size) string { return fmt.Sprintf("%.1fx", s.Floor.CommitRatio) })
	row("import total / floor", func(s *Size) string { return fmt.Sprintf("%.1fx", s.Floor.TotalRatio) })
	// The sqlcipher floor is whole processes: sqlcipher, and ward vault import.
	noSQLCipher := "not measured"
	if m.SQLCipher == "" {
		noSQLCipher = "sqlcipher not installed"
	}
	row("sqlcipher ms (process)", func(s *Size) string { return orNot(s.Floor.SQLCipherMS, num, noSQLCipher) })
	row("sqlcipher disk bytes/resource", func(s *Size) string { return orNot(s.Floor.SQLCipherDiskBytesPerResource, num, noSQLCipher) })
	row("import total / sqlcipher", func(s *Size) string { return orNot(s.Floor.SQLCipherRatio, ratio, noSQLCipher) })
	row("ward vault import / sqlcipher", func(s *Size) string { return orNot(s.Import.CLIRatio, ratio, noSQLCipher) })

	section("UNLOCK (ms)")
	row("password (Argon2id)", func(s *Size) string { return num(s.Unlock.PasswordMS) })
	row("passkey (PRF)", func(s *Size) string { return num(s.Unlock.PRFMS) })
	row("load (store.Load)", func(s *Size) string { return num(s.Unlock.LoadMS) })
	row("build views", func(s *Size) string { return num(s.Unlock.BuildMS) })
	row("unlock to open record", func(s *Size) string { return num(s.Unlock.OpenMS) })
	row("POST /api/vault/unlock", func(s *Size) string { return num(s.Unlock.HTTPUnlockMS) })

	section("READS p50 / p95 / p99 ms")
	for _, c := range readCases {
		for _, mode := range []string{"in process", "loopback"} {
			row(c.name+" "+mode, func(s *Size) string {
				e := s.Reads[c.name]
				if e == nil || !e.Available {
					return "not available"
				}
				l := e.InProcess
				if mode == "loopback" {
					l = e.Loopback
				}
				return fmt.Sprintf("%s / %s / %s", num(l.P50MS), num(l.P95MS), num(l.P99MS))
			})
		}
	}
	tw.Flush()

	if l := r.Load; l != nil {
		fmt.Fprintf(w, "\nLOAD (%d resources, loopback): %d clients for %.1f s (at most %d requests), mixed %s\n",
			l.Resources, l.Clients, l.DurationS, l.MaxRequests, strings.Join(l.Endpoints, " "))
		fmt.Fprintf(w, "  %d requests, %s requests/s, p50 %s ms, p99 %s ms, %d errors\n",
			l.Requests, num(l.RequestsPerS), num(l.P50MS), num(l.P99MS), l.Errors)
		if l.FirstError != "" {
			fmt.Fprintf(w, "  first error: %s\n", l.FirstError)
		}
		fmt.Fprintf(w, "  share codes: %s\n", l.ShareCodes)
		if sl := l.Share; sl != nil {
			fmt.Fprintf(w, "  share redemptions: %d, %s/s, p50 %s ms, p99 %s ms, %d errors\n",
				sl.Redemptions, num(sl.RedemptionsPerS), num(sl.P50MS), num(sl.P99MS), sl.Errors)
			fmt.Fprintf(w, "  POST /api/share/open alone, in process: %s ms; floor (SQLite read + XChaCha20-Poly1305 open + encoding/json, same bytes) %s ms; open / floor %s\n",
				num(sl.OpenMS), num(sl.FloorMS), ratio(sl.FloorRatio))
		}
	}

	b := r.Binary
	fmt.Fprintf(w, "\nSIZE\n  this executable: %s (%s)\n", mib(b.Executable.Bytes), b.Executable.Path)
	for _, f := range b.Files {
		fmt.Fprintf(w, "  %s: %s\n", f.Path, mib(f.Bytes))
	}
	if b.FrontendFiles > 0 {
		fmt.Fprintf(w, "  frontend JS+CSS (%d files): %s, %s gzipped\n", b.FrontendFiles, kib(b.FrontendBytes), kib(b.FrontendGzipped))
	}
	if len(r.NotMeasured) > 0 {
		fmt.Fprintln(w, "\nNOT MEASURED")
		for _, s := range r.NotMeasured {
			fmt.Fprintf(w, "  - %s\n", s)
		}
	}
	_, err := fmt.Fprintf(w, "\nrequest errors: %d\n", r.Errors)
	return err
}

// num prints a measurement with about three significant figures.
func num(v float64) string {
	switch {
	case v >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func ratio(v float64) string { return fmt.Sprintf("%.1fx", v) }

// orNot formats v, or says why there is no number: a measurement left out
// is absent (0), never a made-up value.
func orNot(v float64, format func(float64) string, missing string) string {
	if v == 0 {
		return missing
	}
	return format(v)
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
func kib(n int64) string { return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10)) }
