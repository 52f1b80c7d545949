// Package units reads units of measure as sources send them (UCUM codes such
// as "mg/dL", "10*9/L", "[lb_av]", "Cel", or what people type: "lbs", "mmol/l",
// "x10^9/L", "°C") and converts values between units of the same kind, so a
// chart never mixes units on one axis.
//
// A unit is parsed into a dimension (powers of gram, metre, second, mole,
// kelvin, equivalent, international unit and percent) and a factor to the base
// units. Two units convert only when their dimensions are equal. There are no
// molar-mass conversions: mg/dL and mmol/L are different kinds and stay apart.
// Percent is a kind of its own, so an HbA1c in % (DCCT) never turns into
// mmol/mol (IFCC), which is a different scale, not a different unit.
// Annotations in braces ("{cells}", "{beats}") count as 1, as UCUM says.
package units

import (
	"math"
	"strconv"
	"strings"
)

// The base quantities a dimension counts powers of.
const (
	gram = iota
	metre
	second
	mole
	kelvin
	equivalent
	intlUnit
	percent
	nBase
)

type dimension [nBase]int

// Unit is a parsed unit: value × factor + offset is the value in base units.
type Unit struct {
	dim    dimension
	factor float64
	offset float64 // only for a bare temperature (°C, °F)
}

type atom struct {
	dim    dimension
	factor float64
	offset float64
	metric bool // takes a prefix: mg, dL, µmol
}

func dim(pairs ...int) dimension {
	var d dimension
	for i := 0; i+1 < len(pairs); i += 2 {
		d[pairs[i]] = pairs[i+1]
	}
	return d
}

var (
	mass   = dim(gram, 1)
	length = dim(metre, 1)
	period = dim(second, 1)
	volume = dim(metre, 3)
)

// atoms are keyed in lower case: people write "mmol/l" and "MG/DL".
var atoms = map[string]atom{
	"g":          {mass, 1, 0, true},
	"gm":         {mass, 1, 0, false},
	"mcg":        {mass, 1e-6, 0, false},
	"[lb_av]":    {mass, 453.59237, 0, false},
	"lb":         {mass, 453.59237, 0, false},
	"lbs":        {mass, 453.59237, 0, false},
	"[oz_av]":    {mass, 28.349523125, 0, false},
	"oz":         {mass, 28.349523125, 0, false},
	"[stone_av]": {mass, 6350.29318, 0, false},
	"st":         {mass, 6350.29318, 0, false},
	"m":          {length, 1, 0, true},
	"[in_i]":     {length, 0.0254, 0, false},
	"in":         {length, 0.0254, 0, false},
	"inch":       {length, 0.0254, 0, false},
	"inches":     {length, 0.0254, 0, false},
	"[ft_i]":     {length, 0.3048, 0, false},
	"ft":         {length, 0.3048, 0, false},
	"l":          {volume, 1e-3, 0, true},
	"s":          {period, 1, 0, true},
	"sec":        {period, 1, 0, false},
	"min":        {period, 60, 0, false},
	"h":          {period, 3600, 0, false},
	"hr":         {period, 3600, 0, false},
	"d":          {period, 86400, 0, false},
	"wk":         {period, 604800, 0, false},
	"mo":         {period, 2629800, 0, false},
	"a":          {period, 31557600, 0, false},
	"yr":         {period, 31557600, 0, false},
	"bpm":        {dim(second, -1), 1.0 / 60, 0, false},
	"mol":        {dim(mole, 1), 1, 0, true},
	"eq":         {dim(equivalent, 1), 1, 0, true},
	"[iu]":       {dim(intlUnit, 1), 1, 0, true},
	"iu":         {dim(intlUnit, 1), 1, 0, true},
	"u":          {dim(mole, 1, second, -1), 1e-6 / 60, 0, true}, // enzyme unit: µmol/min
	"kat":        {dim(mole, 1, second, -1), 1, 0, true},
	"pa":         {dim(gram, 1, metre, -1, second, -2), 1000, 0, true},
	"mm[hg]":     {dim(gram, 1, metre, -1, second, -2), 133322.387415, 0, false},
	"mmhg":       {dim(gram, 1, metre, -1, second, -2), 133322.387415, 0, false},
	"cm[h2o]":    {dim(gram, 1, metre, -1, second, -2), 98066.5, 0, false},
	"j":          {dim(gram, 1, metre, 2, second, -2), 1000, 0, true},
	"cal":        {dim(gram, 1, metre, 2, second, -2), 4184, 0, true},
	"cel":        {dim(kelvin, 1), 1, 273.15, false},
	"°c":         {dim(kelvin, 1), 1, 273.15, false},
	"degc":       {dim(kelvin, 1), 1, 273.15, false},
	"[degf]":     {dim(kelvin, 1), 5.0 / 9, 459.67 * 5 / 9, false},
	"°f":         {dim(kelvin, 1), 5.0 / 9, 459.67 * 5 / 9, false},
	"degf":       {dim(kelvin, 1), 5.0 / 9, 459.67 * 5 / 9, false},
	"%":          {dim(percent, 1), 1, 0, false},
}

var prefixes = map[string]float64{
	"k": 1e3, "h": 1e2, "da": 1e1, "d": 1e-1, "c": 1e-2, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12, "f": 1e-15,
}

// plain maps the characters people copy from printed units to UCUM's.
var plain = strings.NewReplacer("µ", "u", "μ", "u", "×", "x", "º", "°", " ", "", "\t", "")

// superscripts are the characters printed powers use, with their plain forms.
var superscripts = map[rune]byte{
	'⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9', '⁻': '-',
}

// fromSuperscript turns each run of superscript characters into "^" and
// plain ones: "m²" is "m^2", "10⁻³" is "10^-3".
func fromSuperscript(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		c, ok := superscripts[r]
		if !ok {
			b.WriteRune(r)
			in = false
			continue
		}
		if !in {
			b.WriteByte('^')
			in = true
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Parse reads a unit; ok is false for no unit and for units it does not know.
func Parse(s string) (Unit, bool) {
	s = strings.ToLower(fromSuperscript(plain.Replace(strings.TrimSpace(s))))
	if s == "" {
		return Unit{}, false
	}
	// "x10^9/L", "*10^9/L": the multiplication sign people put before a power of ten.
	if len(s) > 1 && (s[0] == 'x' || s[0] == '*') && s[1] >= '0' && s[1] <= '9' {
		s = s[1:]
	}
	p := parser{s: s}
	u, ok := p.product()
	if !ok || p.i != len(p.s) || !(u.factor > 0) || math.IsInf(u.factor, 0) {
		return Unit{}, false
	}
	for _, e := range u.dim {
		if e > 12 || e < -12 {
			return Unit{}, false
		}
	}
	return u, true
}

type parser struct {
	s string
	i int
}

// product reads terms joined by "." (times) and "/" (divided by); a leading
// "/" means 1/…, as in "/min".
func (p *parser) product() (Unit, bool) {
	u := Unit{factor: 1}
	first := true
	for p.i < len(p.s) {
		op := byte('.')
		if c := p.s[p.i]; c == '.' || c == '/' {
			op = c
			p.i++
		} else if !first {
			return Unit{}, false
		}
		t, ok := p.term()
		if !ok {
			return Unit{}, false
		}
		if t.offset != 0 && (!first || p.i < len(p.s) || op == '/') {
			return Unit{}, false // °C only on its own: °C/min has no offset to apply
		}
		u = multiply(u, t, op == '/')
		first = false
	}
	return u, !first
}

func multiply(a, b Unit, divide bool) Unit {
	sign := 1
	if divide {
		sign = -1
		b.factor = 1 / b.factor
	}
	for k := range a.dim {
		a.dim[k] += sign * b.dim[k]
	}
	a.factor *= b.factor
	a.offset = b.offset
	return a
}

// term reads one factor ("10*9", "100"), annotation ("{cells}") or atom with
// its prefix and exponent ("cm2", "s-1", "m^2"), or a bracketed product.
func (p *parser) term() (Unit, bool) {
	if p.i >= len(p.s) {
		return Unit{}, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		end := strings.IndexByte(p.s[p.i:], '}')
		if end < 0 {
			return Unit{}, false
		}
		p.i += end + 1
		return Unit{factor: 1}, true
	case c == '(':
		p.i++
		inner := parser{s: p.s[p.i:]}
		end := strings.IndexByte(inner.s, ')')
		if end < 0 {
			return Unit{}, false
		}
		inner.s = inner.s[:end]
		u, ok := inner.product()
		if !ok || inner.i != len(inner.s) {
			return Unit{}, false
		}
		p.i += end + 1
		return p.power(u)
	case c >= '0' && c <= '9':
		n := p.digits()
		f, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return Unit{}, false
		}
		if p.i < len(p.s) && (p.s[p.i] == '*' || p.s[p.i] == '^' || p.s[p.i] == 'e') {
			p.i++
			e, ok := p.exponent()
			if !ok {
				return Unit{}, false
			}
			f = math.Pow(f, float64(e))
		}
		return Unit{factor: f}, true
	}
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '[' {
			end := strings.IndexByte(p.s[p.i:], ']')
			if end < 0 {
				return Unit{}, false
			}
			p.i += end + 1
			continue
		}
		if c == '.' || c == '/' || c == '{' || c == '(' || c == ')' || c == '^' || c == '-' || c == '+' || (c >= '0' && c <= '9') {
			break
		}
		p.i++
	}
	a, ok := lookup(p.s[start:p.i])
	if !ok {
		return Unit{}, false
	}
	u := Unit{dim: a.dim, factor: a.factor, offset: a.offset}
	// An annotation straight after an atom ("%{HbA1c}") changes nothing.
	if p.i < len(p.s) && p.s[p.i] == '{' {
		end := strings.IndexByte(p.s[p.i:], '}')
		if end < 0 {
			return Unit{}, false
		}
		p.i += end + 1
	}
	return p.power(u)
}

// power reads an exponent after a term ("2", "^2", "-1"), if there is one.
func (p *parser) power(u Unit) (Unit, bool) {
	if p.i >= len(p.s) {
		return u, true
	}
	c := p.s[p.i]
	if c != '^' && c != '-' && c != '+' && (c < '0' || c > '9') {
		return u, true
	}
	if c == '^' {
		p.i++
	}
	e, ok := p.exponent()
	if !ok || u.offset != 0 || e == 0 {
		return Unit{}, false
	}
	out := Unit{factor: math.Pow(u.factor, float64(e))}
	for k := range u.dim {
		out.dim[k] = u.dim[k] * e
	}
	return out, true
}

func (p *parser) digits() string {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	return p.s[start:p.i]
}

// exponent reads a signed whole number of at most two digits.
func (p *parser) exponent() (int, bool) {
	sign := 1
	if p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] == '+') {
		if p.s[p.i] == '-' {
			sign = -1
		}
		p.i++
	}
	d := p.digits()
	if d == "" || len(d) > 2 {
		return 0, false
	}
	n, _ := strconv.Atoi(d)
	return sign * n, true
}

func lookup(name string) (atom, bool) {
	if name == "" {
		return atom{}, false
	}
	if a, ok := atoms[name]; ok {
		return a, true
	}
	for _, n := range []int{2, 1} {
		if len(name) <= n {
			continue
		}
		f, ok := prefixes[name[:n]]
		if !ok {
			continue
		}
		if a, ok := atoms[name[n:]]; ok && a.metric {
			a.factor *= f
			a.offset = 0
			return a, true
		}
	}
	return atom{}, false
}

// SameKind reports whether values in u and v can be converted one to the other.
func (u Unit) SameKind(v Unit) bool { return u.dim == v.dim }

// Kind names a unit's family for grouping values: units of one kind convert
// one to another. It is "" for no unit, and a unit Ward cannot read is a
// family of its own, named by what was sent (in any case: "Widgets" is "widgets").
func Kind(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	u, ok := Parse(s)
	if !ok {
		return "as sent:" + strings.ToLower(strings.TrimSpace(s))
	}
	var b strings.Builder
	b.WriteString("dim:")
	for _, e := range u.dim {
		b.WriteString(strconv.Itoa(int(e)))
		b.WriteByte(',')
	}
	return b.String()
}

// Convert converts value from one unit to another; ok is false when either
// unit is unknown or they are of different kinds.
func Convert(value float64, from, to string) (float64, bool) {
	f, ok1 := Parse(from)
	t, ok2 := Parse(to)
	if !ok1 || !ok2 || !f.SameKind(t) {
		return 0, false
	}
	base := value*f.factor + f.offset
	return (base - t.offset) / t.factor, true
}

// Conversion names a conversion in words, as shown under a chart:
// "Converted from lb: 1 lb = 0.4536 kg". It is "" when the units are the same
// or cannot be converted.
func Conversion(from, to string) string {
	f, ok1 := Parse(from)
	t, ok2 := Parse(to)
	if !ok1 || !ok2 || !f.SameKind(t) {
		return ""
	}
	ft, tt := Text(from), Text(to)
	if ft == tt && f.factor == t.factor && f.offset == t.offset {
		return ""
	}
	name := ft
	if name == "" {
		name = strings.TrimSpace(from)
	}
	head := "Converted from " + name + ": "
	if f.offset != 0 || t.offset != 0 {
		// Temperatures: a formula, not a factor. to = from × slope + zero.
		zero, _ := Convert(0, from, to)
		one, _ := Convert(1, from, to)
		slope := one - zero
		if math.Abs(slope) < 1 {
			// "°C = (°F − 32) ÷ 1.8"
			return head + tt + " = (" + ft + signed(zero/slope) + ") ÷ " + Number(1/slope)
		}
		return head + tt + " = " + ft + " × " + Number(slope) + signed(zero)
	}
	return head + "1 " + ft + " = " + Number(f.factor/t.factor) + " " + tt
}

func signed(x float64) string {
	if x < 0 {
		return " − " + Number(-x)
	}
	return " + " + Number(x)
}

// Number writes a conversion factor to 4 significant figures: 0.4536, 2.205,
// 1000, 0.01.
func Number(x float64) string {
	if x == 0 {
		return "0"
	}
	a := math.Abs(x)
	if a < 1e-6 || a >= 1e9 {
		return strconv.FormatFloat(x, 'g', 4, 64)
	}
	decimals := 3 - int(math.Floor(math.Log10(a)))
	if decimals < 0 {
		decimals = 0
	}
	s := strconv.FormatFloat(x, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
