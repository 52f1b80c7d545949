package ccda

import (
	"context"
	"fmt"
	"io"
)

// A C-CDA file comes from outside, so what reading one costs is bounded by
// its size alone: every pass over it is linear, and the parts that could
// be blown up without making the file much larger have caps.
//
// maxNodes bounds the elements and text runs kept in the tree. A real
// document has about one element per 50 to 100 bytes, so even a 64 MB one
// stays under it; a file of empty elements would otherwise cost about 100
// bytes of memory per 4 bytes of input. (A variable so tests can lower it.)
var maxNodes = 2 << 20

const (
	// maxNodeText bounds the character data kept for one text run. Ward
	// reads at most maxText characters from any element, but real
	// documents carry megabytes of base64 (a scanned letter, a PDF
	// body) as text, so a longer run is cut short rather than refused.
	maxNodeText = 16 << 10
	// maxTitle bounds the document's title (real ones are a line).
	maxTitle = 4 << 10
	// maxVisits bounds the nodes one plainText call walks, so reading an
	// element made of a million empty children costs no more than
	// reading a short one.
	maxVisits = 16 << 10
)

// LimitError means a document is bigger, in one way, than Ward reads; the
// message is fit to show the person importing it.
type LimitError struct {
	What  string // "elements", "title"
	Limit int
}

func (e *LimitError) Error() string {
	switch e.What {
	case "title":
		return fmt.Sprintf("this C-CDA document's title is longer than %d characters, which no real document needs", e.Limit)
	case "elements":
		return fmt.Sprintf("this C-CDA document has more than %d elements, which is more than Ward can read", e.Limit)
	}
	return fmt.Sprintf("this C-CDA document has more than %d %s, which is more than Ward can read", e.Limit, e.What)
}

// ctxReader stops a read when its context is done, so the XML decoders
// (which take no context) give up on a cancelled import within one buffer.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
