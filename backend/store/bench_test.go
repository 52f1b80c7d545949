package store

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func benchImport(b *testing.B, n int) {
	its := items(b, n)
	raw := 0
	for _, it := range its {
		raw += len(it.Raw)
	}
	b.ResetTimer()
	var onDisk int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		db, keys, err := Create(dir, password(b, "bench"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := db.Import(ctx, keys, src, seq(its), nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.sql.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		db.Close()
		keys.Destroy()
		entries, _ := os.ReadDir(dir)
		onDisk = 0
		for _, e := range entries {
			if info, err := os.Stat(filepath.Join(dir, e.Name())); err == nil {
				onDisk += info.Size()
			}
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "resources/s")
	b.ReportMetric(float64(raw*b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
	b.ReportMetric(float64(onDisk)/float64(n), "disk-bytes/resource")
	b.ReportMetric(float64(raw)/float64(n), "json-bytes/resource")
}

// BenchmarkImport100k imports a generated patient of 100,000 resources in
// one transaction: sealing, keyed hashing and committing (JSON parsing is
// measured in the CLI and bench command).
func BenchmarkImport100k(b *testing.B) { benchImport(b, 100000) }

func BenchmarkImport1k(b *testing.B) { benchImport(b, 1000) }

// BenchmarkLoad100k is the work done at unlock after the key is known:
// reading and opening every row of a 100,000-resource vault.
func BenchmarkLoad100k(b *testing.B) {
	dir := b.TempDir()
	db, keys, err := Create(dir, password(b, "bench"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	defer keys.Destroy()
	if _, err := db.Import(ctx, keys, src, seq(items(b, 100000)), nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := db.Load(ctx, keys)
		if err != nil || len(c.Records) != 100000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "resources/s")
}

// BenchmarkImportOne is the cost of importing a single resource: one
// transaction with its sealing, keyed hashes and commit.
func BenchmarkImportOne(b *testing.B) {
	dir := b.TempDir()
	db, keys, err := Create(dir, password(b, "bench"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	defer keys.Destroy()
	its := items(b, 0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		it := its[i%len(its)]
		it.ID = it.ID + "-" + strconv.Itoa(i)
		if _, err := db.Import(ctx, keys, src, seq([]Item{it}), nil); err != nil {
			b.Fatal(err)
		}
	}
}
