package chart

import "testing"

func TestPresentation(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"stroked path",
			`<path d="M 0 0
L 1 1" style="stroke-width:2;stroke:rgb(11,79,138);fill:none"/>`,
			`<path d="M 0 0
L 1 1" stroke-width="2" stroke="#0b4f8a" fill="none"/>`},
		{"filled path, named colour",
			`<path d="M 0 0" style="stroke:none;fill:white"/>`,
			`<path d="M 0 0" stroke="none" fill="white"/>`},
		{"translucent fill",
			`<path d="M 0 0" style="stroke:none;fill:rgba(21,128,61,0.2)"/>`,
			`<path d="M 0 0" stroke="none" fill="#15803d" fill-opacity="0.2"/>`},
		{"opaque rgba has no opacity",
			`<circle cx="1" cy="2" r="3" style="stroke-width:1;stroke:rgba(0,0,0,1);fill:none"/>`,
			`<circle cx="1" cy="2" r="3" stroke-width="1" stroke="#000000" fill="none"/>`},
		{"text",
			`<text x="7" y="51" style="stroke:none;fill:rgb(31,41,55);font-size:14px;font-family:'Roboto',sans-serif">1 400</text>`,
			`<text x="7" y="51" stroke="none" fill="#1f2937" font-size="14" font-family="sans-serif">1 400</text>`},
		{"rotated text keeps its transform",
			`<text x="1" y="2" style="fill:black;font-size:10.5px;font-family:sans-serif" transform="rotate(-45.00,1,2)">a</text>`,
			`<text x="1" y="2" fill="black" font-size="10.5" font-family="sans-serif" transform="rotate(-45.00,1,2)">a</text>`},
		{"dash array before the style",
			`<path stroke-dasharray="4, 2" d="M 0 0" style="stroke-width:1;stroke:black;fill:none"/>`,
			`<path stroke-dasharray="4, 2" d="M 0 0" stroke-width="1" stroke="black" fill="none"/>`},
		{"text that looks like a style attribute is text",
			`<text x="1" y="2" style="fill:black">a style="fill:red" b</text>`,
			`<text x="1" y="2" fill="black">a style="fill:red" b</text>`},
		{"no style", `<path d="M 0 0" fill="red"/>`, `<path d="M 0 0" fill="red"/>`},
		{"other declaration passes through",
			`<path d="M 0 0" style="stroke-linecap:round"/>`,
			`<path d="M 0 0" stroke-linecap="round"/>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := presentation([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("presentation:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestPresentationRejectsWhatItCannotRead(t *testing.T) {
	for _, in := range []string{
		`<path style="fill:rgb(1,2)"/>`,
		`<path style="fill:rgb(1,2,300)"/>`,
		`<path style="fill:rgba(1,2,3,2)"/>`,
		`<path style="fill red"/>`,
		`<path style="Fill:red"/>`,
		`<path style="fill:red/>`,
		`<path d="M 0 0"`,
	} {
		if got, err := presentation([]byte(in)); err == nil {
			t.Errorf("presentation(%q) = %q, want an error", in, got)
		}
	}
}
