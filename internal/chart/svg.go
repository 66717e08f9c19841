package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

var errNoSVG = errors.New("the library did not produce an <svg> element")

// fontFamily is the generic family every text is drawn in: nothing to download, nothing for
// the CSP to block. The library measures text with its own Roboto metrics; a browser's
// sans-serif is close enough in width.
const fontFamily = "sans-serif"

// wrap replaces the library's root element with the accessible one and puts the <title> and
// <desc> first; body is the library's document, or nil for an empty chart.
func wrap(c Chart, body []byte, w, h int) ([]byte, error) {
	var inner []byte
	if body != nil {
		end := bytes.IndexByte(body, '>')
		if !bytes.HasPrefix(body, []byte("<svg")) || end < 0 || !bytes.HasSuffix(body, []byte("</svg>")) {
			return nil, errNoSVG
		}
		var err error
		inner, err = presentation(body[end+1 : len(body)-len("</svg>")])
		if err != nil {
			return nil, err
		}
	} else {
		inner = emptyBody(w, h)
	}

	var b bytes.Buffer
	b.Grow(len(inner) + len(c.Title) + len(c.Desc) + 300)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" class="chart" role="img" aria-labelledby="%s-title %s-desc">`,
		w, h, c.ID, c.ID)
	fmt.Fprintf(&b, `<title id="%s-title">`, c.ID)
	_ = xml.EscapeText(&b, []byte(c.Title))
	fmt.Fprintf(&b, `</title><desc id="%s-desc">`, c.ID)
	_ = xml.EscapeText(&b, []byte(c.Desc))
	b.WriteString(`</desc>`)
	b.Write(inner)
	b.WriteString(`</svg>`)
	return b.Bytes(), nil
}

// Size of the chart drawn when there is no data: a white band with an empty axis line.
func emptySize() (int, int) { return width, 80 }

func emptyBody(w, h int) []byte {
	return fmt.Appendf(nil, `<rect x="0" y="0" width="%d" height="%d" fill="%s"/>`+
		`<path d="M 16 %d L %d %d" stroke="%s" stroke-width="1" fill="none"/>`,
		w, h, background, h-20, w-16, h-20, axisColor)
}

// presentation rewrites every style="a:b;c:d" attribute of the library's markup into
// presentation attributes a="b" c="d": the page's CSP (default-src 'self') blocks inline
// styles, not presentation attributes. Text between tags is copied untouched; the library
// escapes '<' in text and '<', '>' in attribute values, so '<' and '>' delimit tags.
func presentation(src []byte) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(src) + len(src)/4)
	for len(src) > 0 {
		open := bytes.IndexByte(src, '<')
		if open < 0 {
			b.Write(src)
			break
		}
		b.Write(src[:open])
		end := bytes.IndexByte(src[open:], '>')
		if end < 0 {
			return nil, fmt.Errorf("unterminated tag in library output")
		}
		if err := rewriteTag(&b, src[open:open+end+1]); err != nil {
			return nil, err
		}
		src = src[open+end+1:]
	}
	return b.Bytes(), nil
}

// rewriteTag copies one tag (from '<' to '>'), its style attribute expanded.
func rewriteTag(b *bytes.Buffer, tag []byte) error {
	i := bytes.Index(tag, []byte(` style="`))
	if i < 0 || tag[1] == '/' {
		b.Write(tag)
		return nil
	}
	start := i + len(` style="`)
	n := bytes.IndexByte(tag[start:], '"')
	if n < 0 {
		return fmt.Errorf("unterminated style attribute in %q", tag)
	}
	b.Write(tag[:i])
	if err := writeDeclarations(b, string(tag[start:start+n])); err != nil {
		return err
	}
	b.Write(tag[start+n+1:])
	return nil
}

// writeDeclarations writes ` name="value"` for each CSS declaration of a style attribute.
func writeDeclarations(b *bytes.Buffer, style string) error {
	for decl := range strings.SplitSeq(style, ";") {
		decl = strings.TrimSpace(decl)
		if decl == "" {
			continue
		}
		name, value, ok := strings.Cut(decl, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || !cssName(name) {
			return fmt.Errorf("unexpected style declaration %q", decl)
		}
		switch name {
		case "fill", "stroke":
			color, opacity, err := svgColor(value)
			if err != nil {
				return err
			}
			attr(b, name, color)
			if opacity != "" {
				attr(b, name+"-opacity", opacity)
			}
		case "font-family":
			attr(b, name, fontFamily)
		case "font-size", "stroke-width":
			attr(b, name, strings.TrimSuffix(value, "px")) // user units are CSS pixels
		default:
			attr(b, name, value)
		}
	}
	return nil
}

// attr writes one attribute; values come from an attribute already, so are escaped again
// only for the characters an attribute cannot hold.
func attr(b *bytes.Buffer, name, value string) {
	b.WriteByte(' ')
	b.WriteString(name)
	b.WriteString(`="`)
	b.WriteString(attrEscaper.Replace(value))
	b.WriteByte('"')
}

var attrEscaper = strings.NewReplacer(`"`, "&quot;", "<", "&lt;", ">", "&gt;")

func cssName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '-' {
			return false
		}
	}
	return true
}

// svgColor turns a CSS colour into an SVG 1.1 colour and, for rgba(), its opacity:
// "rgb(11,79,138)" → "#0b4f8a"; "rgba(0,0,0,0.5)" → "#000000", "0.5". Names pass through.
func svgColor(v string) (color, opacity string, err error) {
	inner, isRGBA := strings.CutPrefix(v, "rgba(")
	if !isRGBA {
		var isRGB bool
		if inner, isRGB = strings.CutPrefix(v, "rgb("); !isRGB {
			return v, "", nil
		}
	}
	inner, ok := strings.CutSuffix(inner, ")")
	parts := strings.Split(inner, ",")
	if !ok || (isRGBA && len(parts) != 4) || (!isRGBA && len(parts) != 3) {
		return "", "", fmt.Errorf("unexpected colour %q", v)
	}
	var hex strings.Builder
	hex.WriteByte('#')
	for _, p := range parts[:3] {
		n, err := strconv.ParseUint(strings.TrimSpace(p), 10, 8)
		if err != nil {
			return "", "", fmt.Errorf("unexpected colour %q", v)
		}
		fmt.Fprintf(&hex, "%02x", n)
	}
	if isRGBA {
		a, err := strconv.ParseFloat(strings.TrimSpace(parts[3]), 64)
		if err != nil || a < 0 || a > 1 {
			return "", "", fmt.Errorf("unexpected colour %q", v)
		}
		if a < 1 {
			opacity = strconv.FormatFloat(a, 'f', -1, 64)
		}
	}
	return hex.String(), opacity, nil
}
