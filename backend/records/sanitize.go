package records

import (
	"html"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// policy is the only HTML that reaches the page from a record: text
// formatting, headings, lists and tables. No scripts, styles, classes,
// event handlers, forms, images or frames; links only to http(s), opened
// in a new tab without a referrer.
var policy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "div", "span", "b", "i", "strong", "em", "u", "s", "sub", "sup", "small",
		"h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "code", "hr",
		"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td")
	p.AllowAttrs("colspan", "rowspan").Matching(regexp.MustCompile(`^[0-9]{1,3}$`)).OnElements("th", "td")
	p.AllowAttrs("scope").Matching(regexp.MustCompile(`^(row|col|rowgroup|colgroup)$`)).OnElements("th")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https")
	p.RequireParseableURLs(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowElements("a")
	// h1 in a record would compete with the page's own heading.
	p.AllowElements("h1")
	return p
}()

var h1 = regexp.MustCompile(`(?i)<(/?)h1\b`)

// Sanitize makes record HTML (FHIR narrative XHTML, HTML attachments) safe
// to insert into the page.
func Sanitize(s string) string {
	return h1.ReplaceAllString(policy.Sanitize(s), "<${1}h2")
}

// textToHTML turns plain text into paragraphs.
func textToHTML(s string) string {
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}
