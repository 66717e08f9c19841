// Package locales embeds the translation files: en.toml and fr.toml hold every string of the
// UI and of every email.
package locales

import "embed"

// FS holds en.toml and fr.toml.
//
//go:embed *.toml
var FS embed.FS
