package ccda

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"strings"
)

// node is one XML element (or, when name is "", a run of character data)
// of a C-CDA document. Namespaces are dropped: C-CDA puts everything but
// xsi:type in the HL7 v3 namespace, and vendors are inconsistent about
// prefixes.
type node struct {
	name  string
	attrs []xml.Attr
	kids  []*node
	text  string // character data, for text nodes only
}

// maxDepth bounds element nesting; real documents nest a few dozen deep.
const maxDepth = 512

// space stands for a text run that is only whitespace (the indentation
// between elements, most of a pretty-printed document's text runs). Text
// is only ever read through cleanText, which collapses whitespace, so one
// shared node does for all of them and costs nothing to keep.
var space = &node{text: " "}

// parseTree reads the whole document into a tree of nodes. It returns the
// root element, or nil when the XML cannot be read (the document is still
// kept whole, just without entries). It fails only when the document is
// over one of the limits or ctx is done.
//
// Character data split by comments or processing instructions (a<!---->b)
// arrives as many tokens; they are gathered in one builder and become one
// text node when the next element starts or ends, so the cost is linear
// in the input however it is split.
func parseTree(ctx context.Context, raw []byte) (*node, error) {
	dec := xml.NewDecoder(ctxReader{ctx, bytes.NewReader(raw)})
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	root := &node{}
	stack := []*node{root}
	skip := 0  // elements deeper than maxDepth are dropped
	nodes := 0 // elements and text runs kept
	var text strings.Builder
	pending, blank := false, true // a text run is being gathered; it is all whitespace
	flush := func() error {
		if !pending {
			return nil
		}
		top := stack[len(stack)-1]
		if blank {
			top.kids = append(top.kids, space)
		} else {
			if nodes++; nodes > maxNodes {
				return &LimitError{What: "elements", Limit: maxNodes}
			}
			s := text.String()
			if len(s) == maxNodeText {
				s = strings.ToValidUTF8(s, "") // the cut may split a character
			}
			top.kids = append(top.kids, &node{text: s})
		}
		text.Reset()
		pending, blank = false, true
		return nil
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if skip > 0 || len(stack) > maxDepth {
				skip++
				continue
			}
			if err := flush(); err != nil {
				return nil, err
			}
			if nodes++; nodes > maxNodes {
				return nil, &LimitError{What: "elements", Limit: maxNodes}
			}
			n := &node{name: t.Name.Local, attrs: t.Attr}
			top := stack[len(stack)-1]
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			if err := flush(); err != nil {
				return nil, err
			}
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if skip > 0 || len(stack) < 2 || len(t) == 0 {
				continue
			}
			pending = true
			if blank && len(bytes.TrimLeft(t, " \t\r\n")) > 0 {
				blank = false
			}
			if room := maxNodeText - text.Len(); room > 0 {
				text.Write(t[:min(len(t), room)])
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read C-CDA: %w", err)
	}
	for _, k := range root.kids {
		if k.name == "ClinicalDocument" {
			return k, nil
		}
	}
	return nil, nil
}

// attr returns an attribute's value by local name ("type" for xsi:type).
func (n *node) attr(name string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if a.Name.Local == name {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// child returns the first child element with the given name.
func (n *node) child(name string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// children returns the child elements with the given name.
func (n *node) children(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, k := range n.kids {
		if k.name == name {
			out = append(out, k)
		}
	}
	return out
}

// path follows child elements by name: n.path("a", "b") is n/a/b.
func (n *node) path(names ...string) *node {
	for _, name := range names {
		n = n.child(name)
	}
	return n
}

// null reports whether the element is missing or carries a nullFlavor.
func (n *node) null() bool { return n == nil || n.attr("nullFlavor") != "" }

// hasTemplate reports whether the element declares the template (by root).
func (n *node) hasTemplate(roots ...string) bool {
	for _, t := range n.children("templateId") {
		for _, r := range roots {
			if t.attr("root") == r {
				return true
			}
		}
	}
	return false
}

// maxText bounds the text taken from one narrative element.
const maxText = 4000

// plainText is the element's character data, descendants included, with
// whitespace collapsed; <reference> elements contribute nothing. It stops
// once it has maxText characters or has walked maxVisits nodes, so one
// call costs a bounded amount whatever the element holds.
func (n *node) plainText() string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	visits := 0
	var walk func(*node, int)
	walk = func(m *node, depth int) {
		if b.Len() > maxText || depth > maxDepth || visits >= maxVisits {
			return
		}
		visits++
		if m.name == "" {
			b.WriteString(m.text)
			return
		}
		if m.name == "reference" {
			return
		}
		if m.name == "br" || m.name == "paragraph" || m.name == "td" || m.name == "th" || m.name == "item" {
			b.WriteByte(' ')
		}
		for _, k := range m.kids {
			walk(k, depth+1)
		}
	}
	walk(n, 0)
	s := cleanText(b.String())
	if len(s) > maxText {
		s = strings.ToValidUTF8(s[:maxText], "") + "…"
	}
	return s
}

// narrative indexes a document's narrative by ID, for <reference
// value="#id">. Many entries may point at one element, so what each
// element reads as is worked out once.
type narrative struct {
	ids  map[string]*node
	read map[*node]string
}

func indexNarrative(root *node) narrative {
	nar := narrative{ids: map[string]*node{}, read: map[*node]string{}}
	var walk func(*node, int)
	walk = func(n *node, depth int) {
		if depth > maxDepth {
			return
		}
		if id := n.attr("ID"); id != "" {
			if _, seen := nar.ids[id]; !seen {
				nar.ids[id] = n
			}
		}
		for _, k := range n.kids {
			if k.name != "" {
				walk(k, depth+1)
			}
		}
	}
	if root != nil {
		walk(root, 0)
	}
	return nar
}

// text reads a text-bearing element (text, originalText): its own
// character data, else the narrative its <reference> points at.
func (nar narrative) text(n *node) string {
	if n == nil {
		return ""
	}
	if s := n.plainText(); s != "" {
		return s
	}
	if ref := n.child("reference"); ref != nil {
		id := strings.TrimPrefix(ref.attr("value"), "#")
		if target, ok := nar.ids[id]; ok && id != "" {
			s, done := nar.read[target]
			if !done {
				s = target.plainText()
				nar.read[target] = s
			}
			return s
		}
	}
	return ""
}
