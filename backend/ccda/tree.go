package ccda

import (
	"bytes"
	"encoding/xml"
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

// parseTree reads the whole document into a tree of nodes. It returns the
// root element, or nil when the XML cannot be read.
func parseTree(raw []byte) *node {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	root := &node{}
	stack := []*node{root}
	skip := 0 // elements deeper than maxDepth are dropped
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
			n := &node{name: t.Name.Local, attrs: t.Attr}
			top := stack[len(stack)-1]
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if skip > 0 || len(stack) < 2 {
				continue
			}
			top := stack[len(stack)-1]
			if k := len(top.kids); k > 0 && top.kids[k-1].name == "" {
				top.kids[k-1].text += string(t)
			} else {
				top.kids = append(top.kids, &node{text: string(t)})
			}
		}
	}
	for _, k := range root.kids {
		if k.name == "ClinicalDocument" {
			return k
		}
	}
	return nil
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
// whitespace collapsed; <reference> elements contribute nothing.
func (n *node) plainText() string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*node, int)
	walk = func(m *node, depth int) {
		if b.Len() > maxText || depth > maxDepth {
			return
		}
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

// narrative indexes a document's narrative by ID, for <reference value="#id">.
type narrative map[string]*node

func indexNarrative(root *node) narrative {
	ids := narrative{}
	var walk func(*node, int)
	walk = func(n *node, depth int) {
		if depth > maxDepth {
			return
		}
		if id := n.attr("ID"); id != "" {
			if _, seen := ids[id]; !seen {
				ids[id] = n
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
	return ids
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
		if target, ok := nar[id]; ok && id != "" {
			return target.plainText()
		}
	}
	return ""
}
