package fhir

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The writer turns xnodes straight into JSON text, without building maps
// on the way (which cost tens of bytes of memory per byte of XML). Keys
// come in document order, after resourceType, id and url.

// resource writes a resource element (its name is the resource type).
func (c *xconv) resource(n *xnode) {
	c.out.writeString(`{"resourceType":`)
	c.str(n.name)
	c.members(n, n.name, true, false, false)
	c.out.writeByte('}')
}

// group is the children of an element that share a name, which become
// one JSON member (an array when the name repeats or is a list in FHIR).
type group struct {
	name  string
	first *xnode   // the first child with the name
	count int      // how many children have it
	kids  []*xnode // all of them, gathered only for elements with many children
}

// manyChildren is where gathering groups by scanning siblings (no
// allocation) gives way to a map (linear however many there are).
const manyChildren = 16

// groups gathers n's children by name, in the order names first appear,
// into buf when they fit. At a resource's top level, <id value> is the
// resource's id (the last one wins), not a member; names FHIR cannot
// have ("_x", and resourceType at the top) are dropped, so no key is
// written twice.
func groups(n *xnode, top bool, buf []group) (gs []group, id string, topID bool) {
	gs = buf[:0]
	var index map[string]int
	count := 0
	for k := n.first; k != nil && count <= manyChildren; k = k.next {
		count++
	}
	if count > manyChildren {
		index = make(map[string]int)
	}
	for k := n.first; k != nil; k = k.next {
		switch {
		case top && k.name == "id" && k.has(hasValue):
			id, topID = k.value, true
			continue
		case skipped(k, top):
			continue
		}
		j, seen := -1, false
		if index != nil {
			j, seen = index[k.name]
		} else {
			for g := range gs {
				if gs[g].name == k.name {
					j, seen = g, true
					break
				}
			}
		}
		if !seen {
			j = len(gs)
			gs = append(gs, group{name: k.name, first: k})
			if index != nil {
				index[k.name] = j
			}
		}
		gs[j].count++
		if index != nil {
			gs[j].kids = append(gs[j].kids, k)
		}
	}
	return gs, id, topID
}

func skipped(k *xnode, top bool) bool {
	return strings.HasPrefix(k.name, "_") || top && k.name == "resourceType" || top && k.name == "id" && k.has(hasValue)
}

// each calls fn with each child in group g, in document order.
func (g group) each(n *xnode, top bool, fn func(k *xnode)) {
	if g.kids != nil {
		for _, k := range g.kids {
			fn(k)
		}
		return
	}
	for k := g.first; k != nil; k = k.next {
		if k.name == g.name && !skipped(k, top) {
			fn(k)
		}
	}
}

// members writes the JSON members of a complex element, each preceded by
// a comma unless first. ext is for a primitive's "_name" object, which
// has no url.
func (c *xconv) members(n *xnode, rtype string, top, ext, first bool) {
	var buf [manyChildren]group
	gs, id, topID := groups(n, top, buf[:])
	key := func(k string) {
		if !first {
			c.out.writeByte(',')
		}
		first = false
		c.str(k)
		c.out.writeByte(':')
	}
	named := func(k string) bool {
		for _, g := range gs {
			if g.name == k {
				return true
			}
		}
		return false
	}
	switch {
	case topID:
		key("id")
		c.str(id)
	case n.has(hasID) && !named("id"):
		key("id")
		c.str(n.id())
	}
	if n.has(hasURL) && !ext && !named("url") {
		key("url")
		c.str(n.url())
	}
	for _, g := range gs {
		if ext && g.name == "url" || topID && g.name == "id" {
			continue
		}
		name := g.name
		array := g.count > 1 || repeats[name]
		if types, ok := repeatsIn[name]; ok {
			switch {
			case name == "identifier":
				array = array || (top && !notRepeatsTop[rtype])
			case top:
				array = array || types[rtype]
			default:
				array = array || types[n.name]
			}
		}
		key(name)
		if !array {
			k := g.first
			c.value(k, name, rtype, n.name)
			if hasExt(k) {
				key("_" + name)
				c.ext(k, rtype)
			}
			continue
		}
		c.out.writeByte('[')
		i, anyExt := 0, false
		g.each(n, top, func(k *xnode) {
			if i > 0 {
				c.out.writeByte(',')
			}
			i++
			c.value(k, name, rtype, n.name)
			anyExt = anyExt || hasExt(k)
		})
		c.out.writeByte(']')
		if !anyExt {
			continue
		}
		// Parallel to the primitives, null where one has no extension.
		key("_" + name)
		c.out.writeByte('[')
		i = 0
		g.each(n, top, func(k *xnode) {
			if !primitive(k) {
				return
			}
			if i > 0 {
				c.out.writeByte(',')
			}
			i++
			if hasExt(k) {
				c.ext(k, rtype)
			} else {
				c.out.writeString("null")
			}
		})
		c.out.writeByte(']')
	}
}

// primitive reports whether an element is a FHIR primitive (it has a
// value); hasExt, whether it also has an id or extensions, which JSON
// keeps in a "_name" object beside it.
func primitive(k *xnode) bool {
	return k.has(hasValue) && !k.has(isXHTML) && !resourceHolder(k, k.name)
}
func hasExt(k *xnode) bool { return primitive(k) && (k.first != nil || k.id() != "") }

// resourceHolder reports whether k holds a resource: contained,
// entry.resource or outcome with one FHIR resource inside.
func resourceHolder(k *xnode, name string) bool {
	return (name == "contained" || name == "resource" || name == "outcome") && k.first != nil && k.first.next == nil &&
		k.first.fhir && isResourceName(k.first.name)
}

// value writes one element's JSON value.
func (c *xconv) value(k *xnode, name, rtype, parent string) {
	switch {
	case k.has(isXHTML):
		c.str(k.value)
	case resourceHolder(k, name):
		c.resource(k.first)
	case k.has(hasValue):
		c.typed(name, parent, k.value)
	default:
		c.out.writeByte('{')
		c.members(k, rtype, false, false, true)
		c.out.writeByte('}')
	}
}

// ext writes a primitive's "_name" object: its id and extensions.
func (c *xconv) ext(k *xnode, rtype string) {
	c.out.writeByte('{')
	c.members(k, rtype, false, true, true)
	c.out.writeByte('}')
}

func isResourceName(s string) bool { return r4Types[s] }

// typed writes a primitive as the JSON type FHIR gives it: a number or a
// boolean where the tables say so and the text is one, else a string.
func (c *xconv) typed(name, parent, raw string) {
	suffix := typedSuffix(name)
	switch {
	case name == "value" && quantityParents[parent],
		numbers[name] || suffix == "Integer" || suffix == "PositiveInt" || suffix == "UnsignedInt" || suffix == "Decimal":
		// Decimals keep their written precision ("5.0" stays 5.0).
		if n := strings.TrimPrefix(raw, "+"); jsonNumber(n) {
			c.out.writeString(n)
			return
		}
	case booleans[name] || suffix == "Boolean":
		if b, err := strconv.ParseBool(raw); err == nil {
			c.out.writeString(strconv.FormatBool(b))
			return
		}
	}
	c.str(raw)
}

// jsonNumber reports whether s is a JSON number without an exponent.
func jsonNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start || (s[start] == '0' && i-start > 1) {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		frac := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == frac {
			return false
		}
	}
	return i == len(s)
}

// str writes s as a JSON string, as encoding/json would (invalid UTF-8
// becomes U+FFFD; <, > and & are escaped, so markup stays inert).
func (c *xconv) str(s string) {
	const hex = "0123456789abcdef"
	w := &c.out
	w.writeByte('"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			w.writeString(s[start:i])
			switch b {
			case '"', '\\':
				w.writeByte('\\')
				w.writeByte(b)
			case '\n':
				w.writeString(`\n`)
			case '\r':
				w.writeString(`\r`)
			case '\t':
				w.writeString(`\t`)
			default:
				w.writeString(`\u00`)
				w.writeByte(hex[b>>4])
				w.writeByte(hex[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			w.writeString(s[start:i])
			w.writeString(`\ufffd`)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			w.writeString(s[start:i])
			w.writeString(`\u202`)
			w.writeByte(hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	w.writeString(s[start:])
	w.writeByte('"')
}
