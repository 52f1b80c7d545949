package accounts

import (
	"context"
	"fmt"
	"time"
)

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	Seq                           int64
	At                            time.Time
	Actor, Action, Target, Detail string
}

// Audit appends an entry. Triggers refuse any UPDATE or DELETE of the log.
func (d *DB) Audit(ctx context.Context, actor, action, target, detail string) error {
	d.write.Lock()
	defer d.write.Unlock()
	_, err := d.sql.ExecContext(ctx, `INSERT INTO audit (at, actor, action, target, detail)
		VALUES (?, ?, ?, ?, ?)`, d.Now().UnixNano(), actor, action, target, detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AuditLog gives the latest limit entries, newest first.
func (d *DB) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT seq, at, actor, action, target, detail
		FROM audit ORDER BY seq DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Target, &e.Detail); err != nil {
			return nil, fmt.Errorf("audit log: %w", err)
		}
		e.At = time.Unix(0, at)
		out = append(out, e)
	}
	return out, rows.Err()
}
