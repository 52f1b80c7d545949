package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
	_ "modernc.org/sqlite"
)

// floorRuns bounds each floor measurement: the best of up to this many runs,
// stopping early once floorTime has been spent.
const (
	floorRuns = 3
	floorTime = 4 * time.Second
)

// best runs f up to floorRuns times (at least once) and returns its fastest run.
func best(ctx context.Context, f func() (time.Duration, error)) (time.Duration, error) {
	var fastest time.Duration
	start := time.Now()
	for i := 0; i < floorRuns && (i == 0 || time.Since(start) < floorTime) && ctx.Err() == nil; i++ {
		d, err := f()
		if err != nil {
			return 0, err
		}
		if i == 0 || d < fastest {
			fastest = d
		}
	}
	return fastest, nil
}

// floor measures the raw cost of each import stage on the same input: file
// is the JSON file's bytes, raws each resource's JSON, dir a scratch folder.
func floor(ctx context.Context, file []byte, raws [][]byte, dir string) (Floor, error) {
	var f Floor
	d, err := best(ctx, func() (time.Duration, error) { return jsonFloor(file) })
	if err != nil {
		return f, fmt.Errorf("json floor: %w", err)
	}
	f.JSONDecodeMS = ms(d)
	if d, err = best(ctx, func() (time.Duration, error) { return sealFloor(raws) }); err != nil {
		return f, fmt.Errorf("seal floor: %w", err)
	}
	f.SealMS = ms(d)
	run := 0
	d, err = best(ctx, func() (time.Duration, error) {
		run++
		return sqliteFloor(ctx, filepath.Join(dir, fmt.Sprintf("floor-%d.db", run)), raws)
	})
	if err != nil {
		return f, fmt.Errorf("sqlite floor: %w", err)
	}
	f.SQLiteInsertMS = ms(d)
	return f, nil
}

// jsonFloor decodes every top-level JSON value in b with encoding/json,
// keeping each Bundle entry's resource as a RawMessage.
func jsonFloor(b []byte) (time.Duration, error) {
	start := time.Now()
	dec := json.NewDecoder(bytes.NewReader(b))
	n := 0
	for {
		var v struct {
			Entry []struct {
				Resource json.RawMessage `json:"resource"`
			} `json:"entry"`
		}
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
		n += len(v.Entry)
	}
	return time.Since(start), nil
}

// sealFloor seals each resource's bytes with XChaCha20-Poly1305 under one
// random key and a random nonce each: the AEAD alone, no Ward framing,
// associated data or key hashing.
func sealFloor(raws [][]byte) (time.Duration, error) {
	key := make([]byte, chacha20poly1305.KeySize)
	rand.Read(key)
	start := time.Now()
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return 0, err
	}
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	var dst []byte
	for _, r := range raws {
		rand.Read(nonce)
		dst = aead.Seal(dst[:0], nonce, r, nil)
	}
	return time.Since(start), nil
}

// sqliteFloor inserts one row per resource, shaped like Ward's (random
// 32-byte key and digest, a body of random bytes the size of the sealed
// resource), into a table like Ward's resources table, in one transaction,
// with the PRAGMAs backend/store uses.
func sqliteFloor(ctx context.Context, path string, raws [][]byte) (time.Duration, error) {
	defer func() {
		for _, s := range []string{"", "-wal", "-shm"} {
			os.Remove(path + s)
		}
	}()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=rwc"+
		"&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"+
		"&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_txlock=immediate")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE resources (
		key BLOB PRIMARY KEY, source BLOB NOT NULL, version INTEGER NOT NULL,
		digest BLOB NOT NULL, body BLOB NOT NULL) STRICT;
		CREATE INDEX resources_source ON resources(source);`); err != nil {
		return 0, err
	}
	// The random bytes are made before the clock starts.
	largest := 0
	for _, r := range raws {
		largest = max(largest, len(r))
	}
	const overhead = 41 // Ward's sealed size is the plaintext's plus 41
	noise := make([]byte, largest+overhead+64*len(raws))
	rand.Read(noise)
	source := noise[:32]

	start := time.Now()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	put, err := tx.PrepareContext(ctx, "INSERT INTO resources(key, source, version, digest, body) VALUES (?, ?, 1, ?, ?)")
	if err != nil {
		return 0, err
	}
	defer put.Close()
	for i, r := range raws {
		keyDigest := noise[largest+overhead+64*i:][:64]
		if _, err := put.ExecContext(ctx, keyDigest[:32], source, keyDigest[32:], noise[:len(r)+overhead]); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}
