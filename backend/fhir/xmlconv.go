package fhir

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// The converter reads FHIR XML as a stream of tokens. JSON needs to know,
// for each element, whether its name repeats among its siblings, so an
// element is kept as a small tree until it ends; but a Bundle's entries
// are written out one by one as each ends and then dropped, so converting
// a Bundle holds its output and one entry at a time, not the whole file
// as a tree.

// xnode is one FHIR XML element: only what the conversion reads (the
// value, id and url attributes), with names shared between nodes and
// children linked rather than listed, 64 bytes in all: a resource of tiny
// elements is held as a tree until it ends.
type xnode struct {
	name        string // local name
	value       string // the value attribute, or a narrative div's markup
	more        *xmore // the id and url attributes, which few elements have
	first, next *xnode // the first child; the next sibling
	fhir        bool   // in the FHIR namespace
	flags       uint8
}

type xmore struct{ id, url string }

func (n *xnode) id() string {
	if n.more == nil {
		return ""
	}
	return n.more.id
}

func (n *xnode) url() string {
	if n.more == nil {
		return ""
	}
	return n.more.url
}

const (
	hasValue uint8 = 1 << iota
	hasID
	hasURL
	isXHTML
)

func (n *xnode) has(f uint8) bool { return n.flags&f != 0 }

// ErrNotFHIRXML means an XML file is not FHIR.
var ErrNotFHIRXML = errors.New("this XML is not FHIR")

// XMLToJSON converts a FHIR R4 XML resource (a Bundle too) to FHIR JSON.
// A file over MaxXMLBytes is refused with a *FormatError. A Bundle's
// resourceType comes first in the JSON, so Read streams its entries.
func XMLToJSON(r io.Reader) ([]byte, error) {
	lr := &io.LimitedReader{R: r, N: MaxXMLBytes + 1}
	c := &xconv{dec: xml.NewDecoder(lr), names: map[string]string{}}
	err := c.run()
	if lr.N <= 0 {
		return nil, &FormatError{Entry: -1, Msg: fmt.Sprintf("this FHIR XML file is larger than %d MB, more than Ward converts at once", MaxXMLBytes>>20), Err: errTooLarge}
	}
	if err != nil {
		return nil, err
	}
	return c.out.Bytes(), nil
}

type xconv struct {
	dec   *xml.Decoder
	names map[string]string // interned element names
	out   output
	div   bytes.Buffer // a narrative div being re-serialised
	enc   *xml.Encoder // writing to div, reused for every narrative
}

func (c *xconv) intern(s string) string {
	if v, ok := c.names[s]; ok {
		return v
	}
	if len(c.names) < 1<<12 {
		c.names[s] = s
	}
	return s
}

func (c *xconv) node(t xml.StartElement) *xnode {
	n := &xnode{name: c.intern(t.Name.Local), fhir: t.Name.Space == fhirNS}
	for _, a := range t.Attr {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "value":
			n.value, n.flags = a.Value, n.flags|hasValue
		case "id", "url":
			if n.more == nil {
				n.more = &xmore{}
			}
			if a.Name.Local == "id" {
				n.more.id, n.flags = a.Value, n.flags|hasID
			} else {
				n.more.url, n.flags = a.Value, n.flags|hasURL
			}
		}
	}
	return n
}

// frame is an open element and its last child so far.
type frame struct{ n, last *xnode }

func (f *frame) add(k *xnode) {
	if f.last == nil {
		f.n.first = k
	} else {
		f.last.next = k
	}
	f.last = k
}

// output collects the JSON in pieces and joins them once, at the end: a
// buffer that doubles would hold up to 3 times the JSON while it grows
// and twice it after; this holds twice it only while joining.
type output struct {
	done [][]byte
	cur  []byte
	n    int // bytes in done
}

const outputPiece = 1 << 20

func (o *output) next() {
	if o.cur != nil {
		o.done = append(o.done, o.cur)
		o.n += len(o.cur)
	}
	o.cur = make([]byte, 0, min(max(2*cap(o.cur), 4<<10), outputPiece))
}

func (o *output) writeByte(b byte) {
	if len(o.cur) == cap(o.cur) {
		o.next()
	}
	o.cur = append(o.cur, b)
}

func (o *output) writeString(s string) {
	for len(s) > 0 {
		if len(o.cur) == cap(o.cur) {
			o.next()
		}
		n := copy(o.cur[len(o.cur):cap(o.cur)], s)
		o.cur, s = o.cur[:len(o.cur)+n], s[n:]
	}
}

func (o *output) Bytes() []byte {
	if len(o.done) == 0 {
		return o.cur
	}
	b := make([]byte, 0, o.n+len(o.cur))
	for i, d := range o.done {
		b = append(b, d...)
		o.done[i] = nil // let each piece go once copied
	}
	return append(b, o.cur...)
}

// run reads the document and writes its JSON to c.out.
func (c *xconv) run() error {
	var stack []frame
	var root *xnode
	bundle := false // the root is a Bundle: entries are written as they end
	entries := 0
	for {
		tok, err := c.dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("this XML could not be read: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= MaxDepth*2 {
				return fmt.Errorf("the XML is nested more than %d levels deep", MaxDepth*2)
			}
			if t.Name.Space == xhtmlNS && t.Name.Local == "div" {
				markup, err := c.captureXHTML(t)
				if err != nil {
					return err
				}
				if len(stack) > 0 {
					stack[len(stack)-1].add(&xnode{name: "div", flags: isXHTML, value: markup})
				}
				continue
			}
			n := c.node(t)
			switch {
			case bundle && len(stack) == 1 && n.name == "entry":
				// Not linked to the Bundle: written out when it ends.
			case len(stack) > 0:
				stack[len(stack)-1].add(n)
			case root == nil:
				if !n.fhir {
					return ErrNotFHIRXML // no need to read the rest
				}
				root, bundle = n, n.name == "Bundle"
				if bundle {
					c.out.writeString(`{"resourceType":"Bundle"`)
				}
			}
			stack = append(stack, frame{n: n})
		case xml.EndElement:
			if len(stack) == 0 {
				continue
			}
			n := stack[len(stack)-1].n
			stack = stack[:len(stack)-1]
			if bundle && len(stack) == 1 && stack[0].n == root && n.name == "entry" {
				if entries == 0 {
					c.out.writeString(`,"entry":[`)
				} else {
					c.out.writeByte(',')
				}
				entries++
				c.value(n, "entry", "Bundle", "Bundle")
			}
		}
	}
	if root == nil {
		return errors.New("this XML file has no elements")
	}
	if bundle {
		if entries > 0 {
			c.out.writeByte(']')
		}
		c.members(root, "Bundle", true, false, false)
		c.out.writeByte('}')
		return nil
	}
	c.resource(root)
	return nil
}

// captureXHTML re-serialises a narrative div (FHIR JSON keeps it as a
// string); the records views sanitise it before showing it.
func (c *xconv) captureXHTML(start xml.StartElement) (string, error) {
	if c.enc == nil {
		c.enc = xml.NewEncoder(&c.div)
	}
	dec, enc := c.dec, c.enc
	c.div.Reset()
	start.Attr = append([]xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: xhtmlNS}}, withoutNS(start.Attr)...)
	start.Name = xml.Name{Local: "div"}
	enc.EncodeToken(start)
	depth := 1
	for depth > 0 {
		tok, err := dec.Token()
		if err != nil {
			return "", fmt.Errorf("this XML could not be read: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			t.Name = xml.Name{Local: t.Name.Local}
			t.Attr = withoutNS(t.Attr)
			enc.EncodeToken(t)
		case xml.EndElement:
			depth--
			enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: t.Name.Local}})
		case xml.CharData:
			enc.EncodeToken(t)
		}
	}
	if err := enc.Flush(); err != nil {
		// The encoder refuses what it cannot write (a name the decoder let
		// through); start afresh for the next narrative.
		c.enc = nil
		return "", fmt.Errorf("this XML's narrative could not be read: %v", err)
	}
	return c.div.String(), nil
}

func withoutNS(attrs []xml.Attr) []xml.Attr {
	out := attrs[:0:0]
	for _, a := range attrs {
		if a.Name.Space == "" && a.Name.Local != "xmlns" {
			out = append(out, a)
		}
	}
	return out
}
