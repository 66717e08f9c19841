package paging

import "testing"

func TestPageBoundsAndQueryTerms(t *testing.T) {
	for _, c := range []struct {
		in            Page
		want          Page // within 1000
		limit, offset int  // of in
	}{
		{Number(1), Page{1, Size}, Size, 0},
		{Number(3), Page{3, Size}, Size, 2 * Size},
		{Page{0, 10}, Page{1, 10}, 10, 0},
		{Page{-4, 10}, Page{1, 10}, 10, 0},
		{Page{MaxPage + 1, 10}, Page{MaxPage, 10}, 10, MaxPage * 10},
		{Page{2, 0}, Page{2, 0}, 0, 0},  // every row
		{Page{2, -5}, Page{2, 0}, 0, 0}, // every row
		{Page{1, 100000}, Page{1, 1000}, 100000, 0},
	} {
		if got := c.in.Within(1000); got != c.want {
			t.Errorf("%+v within 1000: %+v, want %+v", c.in, got, c.want)
		}
		if c.in.Limit() != c.limit || c.in.Offset() != c.offset {
			t.Errorf("%+v: limit %d offset %d, want %d %d", c.in, c.in.Limit(), c.in.Offset(), c.limit, c.offset)
		}
	}
}
