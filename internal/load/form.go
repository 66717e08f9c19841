package load

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// field is one control of a form, in document order, with what a browser would send for it
// untouched: a hidden or text input's value, a checked radio's value, a select's selected (or
// first) option, a textarea's text; a file input sends an empty file part.
type field struct {
	Name, Value string
	File        bool
	// Omit is a radio group or checkbox with nothing checked: the browser sends nothing for it.
	Omit bool
	// Options are a select's options (value → text), for set-up to choose from.
	Options []option
	// Attrs are the element's attributes (min, max of a date input).
	Attrs map[string]string
}

type option struct{ Value, Text string }

// form is a <form> of a page.
type form struct {
	Action, Method, Enctype string
	Fields                  []field
}

// Multipart says whether the browser sends the form as multipart/form-data.
func (f *form) Multipart() bool { return strings.EqualFold(f.Enctype, "multipart/form-data") }

// Field returns the first field named name.
func (f *form) Field(name string) (*field, bool) {
	for i := range f.Fields {
		if f.Fields[i].Name == name {
			return &f.Fields[i], true
		}
	}
	return nil, false
}

// Get is the value a browser would send for name ("" when the form has no such field).
func (f *form) Get(name string) string {
	if fl, ok := f.Field(name); ok {
		return fl.Value
	}
	return ""
}

// Set changes the value sent for name, adding the field when the form lacks it.
func (f *form) Set(name, value string) {
	if fl, ok := f.Field(name); ok {
		fl.Value, fl.Omit = value, false
		return
	}
	f.Fields = append(f.Fields, field{Name: name, Value: value})
}

// Clone copies f, so that one request's values do not leak into another's.
func (f *form) Clone() *form {
	c := *f
	c.Fields = append([]field(nil), f.Fields...)
	return &c
}

// Encode returns the body and its content type, encoded as the browser would: multipart (a
// fresh boundary each time, an empty file part for a file input left empty) or urlencoded.
func (f *form) Encode() (body []byte, contentType string, err error) {
	if !f.Multipart() {
		v := url.Values{}
		for _, fl := range f.Fields {
			if !fl.File && !fl.Omit {
				v.Add(fl.Name, fl.Value)
			}
		}
		return []byte(v.Encode()), "application/x-www-form-urlencoded", nil
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, fl := range f.Fields {
		if fl.Omit {
			continue
		}
		if fl.File {
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=""`, fl.Name))
			h.Set("Content-Type", "application/octet-stream")
			if _, err := w.CreatePart(h); err != nil {
				return nil, "", err
			}
			continue
		}
		if err := w.WriteField(fl.Name, fl.Value); err != nil {
			return nil, "", err
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// findForm returns the form of page whose action is action.
func findForm(page []byte, action string) (*form, error) {
	for _, f := range parseForms(page) {
		if f.Action == action {
			return f, nil
		}
	}
	return nil, fmt.Errorf("no form with action %q on the page", action)
}

// parseForms reads every form of an HTML page.
func parseForms(page []byte) []*form {
	var forms []*form
	var cur *form
	var sel *field  // the select being read
	var text *field // the textarea being read
	var opt *option // the option being read
	var optSelected bool
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return forms // io.EOF, or a page too broken to read further
		case html.TextToken:
			switch {
			case text != nil:
				text.Value += string(z.Text())
			case opt != nil:
				opt.Text += string(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[a.Key] = a.Val
			}
			end := tt == html.EndTagToken
			switch tok.Data {
			case "form":
				if end {
					cur = nil
					continue
				}
				cur = &form{Action: attrs["action"], Method: strings.ToUpper(attrs["method"]), Enctype: attrs["enctype"]}
				if cur.Method == "" {
					cur.Method = "GET"
				}
				forms = append(forms, cur)
			case "input":
				if cur == nil || end {
					continue
				}
				addInput(cur, attrs)
			case "textarea":
				if cur == nil {
					continue
				}
				if end {
					if text != nil {
						text.Value = strings.TrimPrefix(text.Value, "\n")
						cur.Fields = append(cur.Fields, *text)
					}
					text = nil
					continue
				}
				text = &field{Name: attrs["name"], Attrs: attrs}
			case "select":
				if cur == nil {
					continue
				}
				if end {
					if sel != nil {
						closeOption(sel, &opt, optSelected)
						cur.Fields = append(cur.Fields, *sel)
					}
					sel = nil
					continue
				}
				sel = &field{Name: attrs["name"], Attrs: attrs}
			case "option":
				if sel == nil {
					continue
				}
				closeOption(sel, &opt, optSelected)
				if end {
					continue
				}
				v, hasValue := attrs["value"]
				opt = &option{Value: v}
				if !hasValue {
					opt.Value = "\x00text" // the value is the text, known at the end
				}
				_, optSelected = attrs["selected"]
			}
		}
	}
}

// closeOption ends the option being read and records it in its select; a select sends its
// selected option, else its first.
func closeOption(sel *field, opt **option, selected bool) {
	o := *opt
	if o == nil || sel == nil {
		return
	}
	o.Text = strings.TrimSpace(o.Text)
	if o.Value == "\x00text" {
		o.Value = o.Text
	}
	if len(sel.Options) == 0 || selected {
		sel.Value = o.Value
	}
	sel.Options = append(sel.Options, *o)
	*opt = nil
}

// addInput records an input as the browser would send it.
func addInput(f *form, attrs map[string]string) {
	name := attrs["name"]
	if name == "" {
		return
	}
	_, checked := attrs["checked"]
	switch strings.ToLower(attrs["type"]) {
	case "submit", "button", "reset", "image":
		return
	case "radio", "checkbox":
		v := attrs["value"]
		if v == "" {
			v = "on"
		}
		fl, ok := f.Field(name)
		if !ok {
			// The group's place in the form is its first control; until one is checked it
			// sends nothing.
			f.Fields = append(f.Fields, field{Name: name, Omit: true, Attrs: attrs})
			fl = &f.Fields[len(f.Fields)-1]
		}
		if checked {
			fl.Value, fl.Omit = v, false
		}
	case "file":
		f.Fields = append(f.Fields, field{Name: name, File: true, Attrs: attrs})
	default:
		f.Fields = append(f.Fields, field{Name: name, Value: attrs["value"], Attrs: attrs})
	}
}
