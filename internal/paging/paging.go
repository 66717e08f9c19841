// Package paging is the one shape of a list request, for every list of the desk and every
// edge: a page of a given size. A list answers the page's items and whether another page
// follows, or, where its page shows one, the count of everything it selects.
package paging

// Size is the length of a page of every list of the desk.
const Size = 50

// MaxPage bounds page numbers: a list that counts nothing would otherwise scan everything
// before a far page, and Number × Size must never overflow. The edges refuse a page beyond it.
const MaxPage = 10000

// Page is which page of a list to read: Number from 1, Size rows; a Size of 0 reads every row.
type Page struct {
	Number, Size int
}

// Number is page n of the desk's page size.
func Number(n int) Page { return Page{Number: n, Size: Size} }

// Within bounds p whatever its caller let through: Number from 1 to MaxPage, Size from 0 (every
// row) to maxSize.
func (p Page) Within(maxSize int) Page {
	return Page{Number: min(max(p.Number, 1), MaxPage), Size: min(max(p.Size, 0), maxSize)}
}

// Limit is the page's length for a query; 0 means no limit.
func (p Page) Limit() int { return max(p.Size, 0) }

// Offset is how many rows come before the page.
func (p Page) Offset() int {
	if p.Size <= 0 {
		return 0
	}
	return (max(p.Number, 1) - 1) * p.Size
}
