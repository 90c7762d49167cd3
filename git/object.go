package git

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Person is the author, committer or tagger of a git object.
type Person struct {
	// Name is the display name.
	Name string `json:"name"`
	// Email is the address between the angle brackets, as recorded.
	Email string `json:"email"`
	// When is the recorded time, in the recorded time zone.
	When time.Time `json:"when"`
}

// rawCommit is a commit object parsed from its canonical bytes.
type rawCommit struct {
	tree      string
	parents   []string
	author    Person
	committer Person
	// sigs are the values of every gpgsig header (one signature each, unless
	// a header holds several armored blocks).
	sigs []string
	// mergetags are the raw tag objects of the mergetag headers.
	mergetags []string
	// payload is the object without its gpgsig and gpgsig-sha256 headers:
	// the bytes a commit signature covers.
	payload []byte
	message string
}

// parseCommit parses a commit object's content (without the "commit N\0"
// header). It keeps the exact bytes a signature covers.
func parseCommit(b []byte) (*rawCommit, error) {
	c := &rawCommit{}
	// The payload is b without its signature headers: b itself when it
	// has none (the common case), else built once the first one is met.
	var payload bytes.Buffer
	cut := false
	rest := b
	off := 0
	var inParents, hasAuthor, hasCommitter bool
	for {
		if len(rest) == 0 {
			return nil, fmt.Errorf("commit ends inside its header at byte %d", off)
		}
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return nil, fmt.Errorf("commit header line at byte %d has no newline", off)
		}
		line := rest[:i]
		if len(line) == 0 {
			if cut {
				payload.Write(rest)
			}
			c.message = string(rest[1:])
			break
		}
		// Gather the header's continuation lines (each starts with a space).
		end := i + 1
		for end < len(rest) && rest[end] == ' ' {
			j := bytes.IndexByte(rest[end:], '\n')
			if j < 0 {
				return nil, fmt.Errorf("commit header continuation at byte %d has no newline", off+end)
			}
			end += j + 1
		}
		field := rest[:end]
		key, value, _ := bytes.Cut(field[:len(field)-1], []byte(" "))
		val := strings.ReplaceAll(string(value), "\n ", "\n")
		// As git does, the tree is the first header, the parents are the
		// headers right after it, and the first author and committer
		// count; repeated or misplaced ones are ignored.
		switch string(key) {
		case "tree":
			if off == 0 {
				c.tree = val
			}
		case "parent":
			if inParents {
				c.parents = append(c.parents, val)
			}
		case "author":
			if !hasAuthor {
				p, err := parsePerson(val)
				if err != nil {
					return nil, fmt.Errorf("commit author at byte %d: %w", off, err)
				}
				c.author, hasAuthor = p, true
			}
		case "committer":
			if !hasCommitter {
				p, err := parsePerson(val)
				if err != nil {
					return nil, fmt.Errorf("commit committer at byte %d: %w", off, err)
				}
				c.committer, hasCommitter = p, true
			}
		case "mergetag":
			c.mergetags = append(c.mergetags, val+"\n")
		}
		switch string(key) {
		case "gpgsig", "gpgsig-sha256":
			// gpgsig-sha256 signs the SHA-256 form of the object; it is
			// not part of the payload either, and not verifiable in a
			// SHA-1 repository.
			if string(key) == "gpgsig" {
				c.sigs = append(c.sigs, val+"\n")
			}
			if !cut {
				payload.Grow(len(b))
				payload.Write(b[:off])
				cut = true
			}
		default:
			if cut {
				payload.Write(field)
			}
		}
		inParents = (string(key) == "tree" && off == 0) || (string(key) == "parent" && inParents)
		rest = rest[end:]
		off += end
	}
	if len(c.tree) != 40 && len(c.tree) != 64 {
		return nil, fmt.Errorf("commit has no valid tree header")
	}
	c.payload = b
	if cut {
		c.payload = payload.Bytes()
	}
	return c, nil
}

// parsePerson parses "Name <email> 1234567890 +0100".
func parsePerson(s string) (Person, error) {
	lt := strings.IndexByte(s, '<')
	gt := strings.LastIndexByte(s, '>')
	if lt < 0 || gt < lt {
		return Person{}, fmt.Errorf("ident %q has no <email>", s)
	}
	p := Person{Name: strings.TrimSpace(s[:lt]), Email: s[lt+1 : gt]}
	fields := strings.Fields(s[gt+1:])
	if len(fields) < 1 {
		return p, fmt.Errorf("ident %q has no date", s)
	}
	sec, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil {
		return p, fmt.Errorf("ident %q: bad timestamp", s)
	}
	loc := time.UTC
	if len(fields) > 1 {
		tz := fields[1]
		if len(tz) == 5 && (tz[0] == '+' || tz[0] == '-') {
			h, err1 := strconv.Atoi(tz[1:3])
			m, err2 := strconv.Atoi(tz[3:5])
			if err1 == nil && err2 == nil {
				off := (h*60 + m) * 60
				if tz[0] == '-' {
					off = -off
				}
				loc = fixedZone(tz, off)
			}
		}
	}
	p.When = time.Unix(sec, 0).In(loc)
	return p, nil
}

// zones caches the time zones of parsePerson by name: every commit names
// two, and a history uses a few.
var zones struct {
	sync.Mutex
	m map[string]*time.Location
}

// maxZones bounds zones: a history naming more (a hostile one) gets a new
// zone per date past them.
const maxZones = 256

// fixedZone is time.FixedZone(name, off), shared between the dates that
// name the same zone (a name gives its offset).
func fixedZone(name string, off int) *time.Location {
	zones.Lock()
	defer zones.Unlock()
	if loc, ok := zones.m[name]; ok {
		return loc
	}
	// A copy: name is a slice of a commit's text, which the cache would
	// otherwise keep.
	name = strings.Clone(name)
	loc := time.FixedZone(name, off)
	if zones.m == nil {
		zones.m = map[string]*time.Location{}
	}
	if len(zones.m) < maxZones {
		zones.m[name] = loc
	}
	return loc
}

// rawTag is an annotated tag object split into its signed payload and its
// trailing signature.
type rawTag struct {
	object  string
	typ     string
	name    string
	tagger  Person
	payload []byte
	sig     string
	// extraSigs counts signature blocks found before the last one.
	extraSigs int
}

// sigBegins are the armor lines git recognises as the start of a signature
// (gpg-interface.c).
var sigBegins = []string{
	"-----BEGIN PGP SIGNATURE-----",
	"-----BEGIN PGP MESSAGE-----",
	"-----BEGIN SSH SIGNATURE-----",
	"-----BEGIN SIGNED MESSAGE-----",
}

func isSigBegin(line []byte) bool {
	for _, b := range sigBegins {
		if bytes.HasPrefix(line, []byte(b)) {
			return true
		}
	}
	return false
}

// parseTag parses a tag object's content. As git does, the signature starts at
// the last line that begins with a signature armor header.
func parseTag(b []byte) (*rawTag, error) {
	t := &rawTag{}
	head, _, ok := bytes.Cut(b, []byte("\n\n"))
	if !ok {
		head = bytes.TrimSuffix(b, []byte("\n"))
	}
	// As git does, the object is the first line and the type the second;
	// later repeats of any header are ignored.
	hasTagger := false
	for i, line := range strings.Split(string(head), "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch {
		case k == "object" && i == 0:
			t.object = v
		case k == "type" && i == 1:
			t.typ = v
		case k == "tag" && t.name == "":
			t.name = v
		case k == "tagger" && !hasTagger:
			p, err := parsePerson(v)
			if err != nil {
				return nil, fmt.Errorf("tag tagger: %w", err)
			}
			t.tagger, hasTagger = p, true
		}
	}
	if t.object == "" {
		return nil, fmt.Errorf("tag has no object header")
	}
	match := len(b)
	starts := 0
	for off := 0; off < len(b); {
		if isSigBegin(b[off:]) {
			match = off
			starts++
		}
		i := bytes.IndexByte(b[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
	}
	t.payload = b[:match]
	t.sig = string(b[match:])
	if starts > 1 {
		t.extraSigs = starts - 1
	}
	return t, nil
}
