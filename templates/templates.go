// Package templates embeds the templates: layout.html, partials/ and pages/ for the web, email/ for mail.
package templates

import "embed"

// FS holds every template.
//
//go:embed *.html partials pages email
var FS embed.FS
