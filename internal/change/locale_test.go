package change

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// loadMessages returns every message of lang found in the repository's locale files (en.toml,
// change.en.toml…), by flat key, whichever file or TOML form holds it.
func loadMessages(t testing.TB, lang string) map[string]string {
	t.Helper()
	msgs := map[string]string{}
	err := filepath.WalkDir(filepath.Join("..", "..", "locales"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if name := d.Name(); name != lang+".toml" && !strings.HasSuffix(name, "."+lang+".toml") {
			return nil
		}
		var raw map[string]any
		if _, err := toml.DecodeFile(path, &raw); err != nil {
			return err
		}
		flatten("", raw, msgs)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func flatten(prefix string, m map[string]any, out map[string]string) {
	for k, v := range m {
		if prefix != "" {
			k = prefix + "." + k
		}
		switch v := v.(type) {
		case string:
			out[k] = v
		case map[string]any:
			if other, ok := v["other"].(string); ok {
				out[k] = other
			} else {
				flatten(k, v, out)
			}
		}
	}
}

var (
	keyInCode   = regexp.MustCompile(`"(change\.error\.[a-z_]+)"`)
	placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
)

// placeholders returns the sorted template arguments a message uses.
func placeholders(msg string) []string {
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(msg, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// TestErrorKeysTranslated checks that every key the package's code returns has a message in
// English and in French, and that both use the same arguments.
func TestErrorKeysTranslated(t *testing.T) {
	en, fr := loadMessages(t, "en"), loadMessages(t, "fr")
	files, _ := filepath.Glob("*.go")
	found := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyInCode.FindAllStringSubmatch(string(src), -1) {
			found++
			key := m[1]
			if strings.TrimSpace(en[key]) == "" || strings.TrimSpace(fr[key]) == "" {
				t.Errorf("%s: %q has no English or French message", file, key)
				continue
			}
			if a, b := placeholders(en[key]), placeholders(fr[key]); !slices.Equal(a, b) {
				t.Errorf("%q: English uses %v, French %v", key, a, b)
			}
		}
	}
	if found < 10 {
		t.Errorf("found only %d keys in the code", found)
	}
}

// checkArgs fails when the messages of e's key use an argument e does not carry.
func checkArgs(t testing.TB, msgs map[string]string, key string, args map[string]any) {
	t.Helper()
	for _, name := range placeholders(msgs[key]) {
		if _, ok := args[name]; !ok {
			t.Errorf("%s: message uses {{.%s}}, the error carries %v", key, name, args)
		}
	}
}
