package bench

// Report is one run's results. Its JSON keys are stable so that runs can be
// compared (see Compare); sizes are keyed by resource count ("1000") or
// "fixture".
type Report struct {
	Machine Machine          `json:"machine"`
	Sizes   map[string]*Size `json:"sizes"`
	Load    *Load            `json:"load"`
	Binary  Binary           `json:"binary"`
	// Errors is every failed request in the run: reads and load. It must be 0.
	Errors int `json:"errors"`
	// NotMeasured says what was left out and why.
	NotMeasured []string `json:"not_measured"`
	Seconds     float64  `json:"seconds"`
}

// Machine is where the run happened.
type Machine struct {
	Cores      int    `json:"cores"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	CPU        string `json:"cpu"`
	RAMBytes   int64  `json:"ram_bytes"`
	Go         string `json:"go"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	Kernel     string `json:"kernel"`
	Ward       string `json:"ward"`
	Revision   string `json:"revision"`
	Started    string `json:"started"`
	// LoadAvg is /proc/loadavg's 1, 5 and 15 minute averages at the start
	// and the end: other work on the machine makes every number noisier.
	LoadAvgStart string `json:"load_avg_start"`
	LoadAvgEnd   string `json:"load_avg_end"`
	// SQLCipher is the sqlcipher command's version and default settings, or
	// absent when it is not installed (and so neither are its floors).
	SQLCipher string `json:"sqlcipher,omitempty"`
}

// Size is everything measured on one patient record.
type Size struct {
	Resources int    `json:"resources"`
	Input     string `json:"input"` // "demo" or the fixture's file name
	Import    Import `json:"import"`
	Unlock    Unlock `json:"unlock"`
	Reads     Reads  `json:"reads"`
	Floor     Floor  `json:"floor"`
}

// Import is one end-to-end import of the record's JSON file into a new
// vault: fhir.Read, then store.Import (seal and commit) in one transaction.
type Import struct {
	FileBytes            int64   `json:"file_bytes"`
	ParseMS              float64 `json:"parse_ms"`  // fhir.Read of the whole file
	CommitMS             float64 `json:"commit_ms"` // store.Import: keyed hashes, seal, SQLite, commit
	TotalMS              float64 `json:"total_ms"`
	ResourcesPerS        float64 `json:"resources_per_s"`
	MBPerS               float64 `json:"mb_per_s"` // file MB (10^6 bytes) per second
	PeakRSSBytes         int64   `json:"peak_rss_bytes"`
	PeakRSSScope         string  `json:"peak_rss_scope"` // "child" (this import alone) or "process"
	JSONBytesPerResource float64 `json:"json_bytes_per_resource"`
	DiskBytesPerResource float64 `json:"disk_bytes_per_resource"` // after a WAL checkpoint
	DiskToJSON           float64 `json:"disk_to_json"`
	// CLIMS is `ward vault import --password-file` of the same file into a
	// new vault, the process's wall time: start, Argon2id unlock, read, seal,
	// commit, exit. Absent without a Ward executable (Options.Child).
	CLIMS float64 `json:"cli_ms,omitempty"`
	// CLIRatio is CLIMS over Floor.SQLCipherMS; absent without sqlcipher.
	CLIRatio float64 `json:"cli_ratio,omitempty"`
}

// Unlock is the time to open the vault and the record.
type Unlock struct {
	PasswordMS float64 `json:"password_ms"` // store.Unlock with a password slot (Argon2id at the defaults), median of 3
	PRFMS      float64 `json:"prf_ms"`      // store.Unlock with a passkey (PRF) slot, median
	LoadMS     float64 `json:"load_ms"`     // store.Load: read and open every row
	BuildMS    float64 `json:"build_ms"`    // records.Build: the views the pages read
	OpenMS     float64 `json:"open_ms"`     // unlock to open record, after the key: load + build
	// HTTPUnlockMS is POST /api/vault/unlock on the real handler: password,
	// load and build, as the unlock page sees it.
	HTTPUnlockMS float64 `json:"http_unlock_ms"`
}

// Reads is one row per endpoint, keyed by the endpoint's name.
type Reads map[string]*Endpoint

// Endpoint is one endpoint's latency, in process and over loopback. An
// endpoint that does not exist in this build is Available false, with no
// numbers.
type Endpoint struct {
	Path      string   `json:"path"`
	Available bool     `json:"available"`
	Note      string   `json:"note,omitempty"`
	InProcess *Latency `json:"in_process,omitempty"`
	Loopback  *Latency `json:"loopback,omitempty"`
}

// Latency summarises a bounded loop of requests.
type Latency struct {
	Requests      int     `json:"requests"`
	P50MS         float64 `json:"p50_ms"`
	P95MS         float64 `json:"p95_ms"`
	P99MS         float64 `json:"p99_ms"`
	ResponseBytes int     `json:"response_bytes"`
	Errors        int     `json:"errors"`
}

// Load is mixed reads from concurrent clients over loopback.
type Load struct {
	Resources    int      `json:"resources"`
	Clients      int      `json:"clients"`
	DurationS    float64  `json:"duration_s"`   // how long it ran
	MaxRequests  int      `json:"max_requests"` // the bound on the count
	Requests     int      `json:"requests"`
	RequestsPerS float64  `json:"requests_per_s"`
	Errors       int      `json:"errors"`
	P50MS        float64  `json:"p50_ms"`
	P99MS        float64  `json:"p99_ms"`
	Endpoints    []string `json:"endpoints"`
	// ShareCodes says how share-code redemptions are in the mix.
	ShareCodes string     `json:"share_codes"`
	Share      *ShareLoad `json:"share,omitempty"`
	FirstError string     `json:"first_error,omitempty"`
}

// ShareLoad is the share-code redemptions in the load's mix (each one step
// of two requests: the code, then the first page), and what one costs on
// its own beside its floor.
type ShareLoad struct {
	Shares          int     `json:"shares"`       // one per client
	Resources       int     `json:"resources"`    // in each share
	SealedBytes     int     `json:"sealed_bytes"` // one share's sealed copy
	Redemptions     int     `json:"redemptions"`
	RedemptionsPerS float64 `json:"redemptions_per_s"`
	P50MS           float64 `json:"p50_ms"` // under the load
	P99MS           float64 `json:"p99_ms"`
	Errors          int     `json:"errors"`
	// OpenMS is POST /api/share/open alone, in process, with no load:
	// the median after two warm-ups.
	OpenMS float64 `json:"open_ms"`
	// FloorMS is the least a redemption must do with nothing of Ward
	// (redeemFloor); FloorRatio is OpenMS over it.
	FloorMS    float64 `json:"floor_ms"`
	FloorRatio float64 `json:"floor_ratio"`
}

// Floor is the raw cost of each import stage on the same bytes, without
// Ward, and Ward's ratio to it (1.0 would be at the floor).
type Floor struct {
	JSONDecodeMS   float64 `json:"json_decode_ms"`   // encoding/json: Bundle into a RawMessage per resource
	SealMS         float64 `json:"seal_ms"`          // chacha20poly1305.NewX Seal of every resource
	SQLiteInsertMS float64 `json:"sqlite_insert_ms"` // same-size random blobs, one transaction
	ParseRatio     float64 `json:"parse_ratio"`      // import parse / JSON decode
	CommitRatio    float64 `json:"commit_ratio"`     // import commit / (seal + SQLite insert)
	TotalRatio     float64 `json:"total_ratio"`      // import total / all three
	// SQLCipherMS is the sqlcipher command loading the same resources (type,
	// id, JSON) into one table in one transaction, at its default cipher and
	// KDF with WAL and synchronous=NORMAL: the process's wall time, start to
	// exit (best of up to three). It and the two below are absent when
	// sqlcipher is not installed.
	SQLCipherMS float64 `json:"sqlcipher_ms,omitempty"`
	// SQLCipherRatio is Import.TotalMS over SQLCipherMS.
	SQLCipherRatio                float64 `json:"sqlcipher_ratio,omitempty"`
	SQLCipherDiskBytesPerResource float64 `json:"sqlcipher_disk_bytes_per_resource,omitempty"`
}

// Binary is what Ward ships.
type Binary struct {
	Executable      File   `json:"executable"`
	Files           []File `json:"files"` // bin/ward, bin/ward-serve when built
	FrontendFiles   int    `json:"frontend_files"`
	FrontendBytes   int64  `json:"frontend_bytes"`
	FrontendGzipped int64  `json:"frontend_gzip_bytes"`
}

// File is one file's size.
type File struct {
	Path  string `json:"path"`
	Bytes int64  `json:"bytes"`
}
