// Package templates embeds the HTML templates: layout.html, partials/, pages/ and email/.
package templates

import "embed"

// FS holds every template.
//
//go:embed *.html partials pages
var FS embed.FS
