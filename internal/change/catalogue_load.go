package change

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/BurntSushi/toml"
)

//go:embed catalogue.toml
var embeddedCatalogue []byte

// LoadCatalogue reads the catalogue from the TOML file at path, or the one shipped in the
// binary when path is empty (GUICHET_CATALOGUE overrides it). It refuses a catalogue with an
// unknown key or any inconsistency, naming every item and field at fault.
func LoadCatalogue(path string) (*Catalogue, error) {
	name, data := "embedded catalogue.toml", embeddedCatalogue
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("change: catalogue: %w", err)
		}
		name = path
	}
	c, err := parseCatalogue(data)
	if err != nil {
		return nil, fmt.Errorf("change: catalogue %s: %w", name, err)
	}
	return c, nil
}

func parseCatalogue(data []byte) (*Catalogue, error) { return parse(data, false) }

func parseServices(data []byte) (*Catalogue, error) { return parse(data, true) }

func parse(data []byte, services bool) (*Catalogue, error) {
	var c Catalogue
	md, err := toml.Decode(string(data), &c)
	if err != nil {
		return nil, err
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = k.String()
		}
		return nil, fmt.Errorf("unknown keys: %s", strings.Join(names, ", "))
	}
	if errs := checkCatalogue(&c, services); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, col := range c.Collections {
		for _, cat := range col.Categories {
			cat.collection = col
			for _, it := range cat.Items {
				it.category = cat
			}
		}
	}
	return &c, nil
}
