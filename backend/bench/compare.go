package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Compare prints every numeric metric that is in both old and cur (JSON
// reports), with its change. The machine section is not compared.
func Compare(w io.Writer, old []byte, cur *Report) error {
	var a, b any
	if err := json.Unmarshal(old, &a); err != nil {
		return fmt.Errorf("compare: the old report is not JSON: %w", err)
	}
	buf, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	json.Unmarshal(buf, &b)
	was, now := map[string]float64{}, map[string]float64{}
	flatten("", a, was)
	flatten("", b, now)
	keys := make([]string, 0, len(now))
	for k := range now {
		if _, ok := was[k]; ok && !strings.HasPrefix(k, "machine.") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	fmt.Fprintln(w, "\nCOMPARED WITH THE OLD RUN")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\told\tnew\tchange\t")
	for _, k := range keys {
		o, n := was[k], now[k]
		change := "="
		if o != n {
			if o != 0 {
				change = fmt.Sprintf("%+.1f%%", (n-o)/math.Abs(o)*100)
			} else {
				change = "new"
			}
			if v := verdict(k, o, n); v != "" {
				change += " " + v
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", k, num(o), num(n), change)
	}
	tw.Flush()
	// A metric in one run only (a new metric, or one left out, such as the
	// sqlcipher floor where sqlcipher is not installed) is named, not compared.
	for _, side := range []struct {
		label    string
		has, not map[string]float64
	}{{"only in the old run", was, now}, {"only in this run", now, was}} {
		// A size the other run did not measure at all is one entry, not each of its metrics.
		sizes := map[string]bool{}
		for k := range side.not {
			sizes[sizeOf(k)] = true
		}
		var only []string
		for k := range side.has {
			if _, ok := side.not[k]; ok || strings.HasPrefix(k, "machine.") {
				continue
			}
			if sz := sizeOf(k); sz != "" && !sizes[sz] {
				k = sz + ".*"
			}
			only = append(only, k)
		}
		if len(only) > 0 {
			slices.Sort(only)
			fmt.Fprintf(w, "%s: %s\n", side.label, strings.Join(slices.Compact(only), ", "))
		}
	}
	return nil
}

// sizeOf is the "sizes.N" prefix of a flattened key, or "".
func sizeOf(key string) string {
	parts := strings.SplitN(key, ".", 3)
	if len(parts) < 3 || parts[0] != "sizes" {
		return ""
	}
	return parts[0] + "." + parts[1]
}

// verdict says whether a change is better or worse, for the metrics where
// the direction is clear from the name.
func verdict(key string, old, cur float64) string {
	up := cur > old
	switch {
	case strings.HasSuffix(key, "_per_s"):
	case strings.HasSuffix(key, "_ms"), strings.HasSuffix(key, "bytes"), strings.HasSuffix(key, "_per_resource"),
		strings.HasSuffix(key, "_ratio"), strings.HasSuffix(key, "disk_to_json"), strings.HasSuffix(key, "errors"):
		up = !up
	default:
		return ""
	}
	if up {
		return "(better)"
	}
	return "(worse)"
}

// flatten collects the numbers in v under dotted keys ("sizes.1000.import.mb_per_s").
func flatten(prefix string, v any, out map[string]float64) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			flatten(join(prefix, k), x, out)
		}
	case []any:
		for i, x := range v {
			key := strconv.Itoa(i)
			if m, ok := x.(map[string]any); ok {
				if p, ok := m["path"].(string); ok {
					key = p
				}
			}
			flatten(join(prefix, key), x, out)
		}
	case float64:
		out[prefix] = v
	}
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}
