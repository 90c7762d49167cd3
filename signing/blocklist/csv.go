package blocklist

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// CSV indicator lists put the indicator type in one column and the value in
// another. Sophos writes "Indicator,Data,Note" (or Indicator_type, details,
// Notes), Volexity "value,entity_type,description"; files carry a UTF-8 BOM,
// CRLF line ends, defanged domains and stray format characters (U+200E).

// csvTypeColumns and csvValueColumns list header names, best first.
var (
	csvTypeColumns  = []string{"indicator_type", "indicatortype", "entity_type", "type", "ioc_type", "indicator"}
	csvValueColumns = []string{"data", "value", "ioc", "indicator_value", "indicator"}
	csvNoteColumns  = []string{"note", "notes", "details", "description", "comment"}
)

// csvKind maps a normalized indicator type to an entry kind; kindByLength
// means "a hash (or several packed in one cell), kind from its length".
const kindByLength Kind = -1

var csvKinds = map[string]Kind{
	"sha256": KindFileSHA256, "sha-256": KindFileSHA256, "sha_256": KindFileSHA256, "filehash-sha256": KindFileSHA256,
	"file_sha256": KindFileSHA256, "hash_sha256": KindFileSHA256,
	"sha1": KindFileSHA1, "sha-1": KindFileSHA1, "sha_1": KindFileSHA1, "filehash-sha1": KindFileSHA1, "file_sha1": KindFileSHA1,
	"md5": KindFileMD5, "filehash-md5": KindFileMD5, "file_md5": KindFileMD5,
	"file": kindByLength, "hash": kindByLength, "filehash": kindByLength, "file_hash": kindByLength,
	"authentihash": KindAuthentihash, "authentihash_sha256": KindAuthentihash, "authentihash_sha1": KindAuthentihash,
	"pesha256": KindAuthentihash, "pesha1": KindAuthentihash,
	"certificate_serial": KindSerial, "certificate serial": KindSerial, "cert_serial": KindSerial,
	"code_signing_serial": KindSerial, "codesigning_serial": KindSerial,
	"certificate_sha1": KindCertSHA1, "certificate_thumbprint": KindCertSHA1, "thumbprint": KindCertSHA1,
	"x509-fingerprint-sha1": KindCertSHA1, "cert_sha1": KindCertSHA1,
	"certificate_sha256": KindCertSHA256, "x509-fingerprint-sha256": KindCertSHA256, "cert_sha256": KindCertSHA256,
	"spki_sha256": KindSPKISHA256, "tbs": KindTBS, "tbs_hash": KindTBS,
	"team_id": KindTeamID, "teamid": KindTeamID, "apple_team_id": KindTeamID,
	"cdhash": KindCDHash,
}

// cleanCell trims spaces, quotes and invisible format characters (U+200B..F,
// U+FEFF, U+2060) that copy-pasted feeds carry.
func cleanCell(s string) string {
	if hasNonASCII(s) {
		s = strings.Map(func(r rune) rune {
			switch r {
			case '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\ufeff', '\u2060':
				return -1
			case '\u00a0':
				return ' '
			}
			return r
		}, s)
	}
	return strings.Trim(strings.TrimSpace(s), "\"' ")
}

// refang undoes the usual defanging of URLs and domains.
func refang(s string) string {
	return strings.NewReplacer("[.]", ".", "(.)", ".", "[:]", ":", "hxxps", "https", "hxxp", "http", "[://]", "://").Replace(s)
}

func findColumn(header []string, names []string, except int) int {
	for _, n := range names {
		for i, h := range header {
			if i != except && h == n {
				return i
			}
		}
	}
	return -1
}

// csv reads a CSV indicator list.
func (p *parser) csv(b []byte) error {
	body := bytes.TrimPrefix(b, utf8BOM)
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	csvErr := func(err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return p.errLine(pe.Line, "%v", pe.Err)
		}
		return p.errLine(0, "%v", err)
	}
	rec, err := r.Read()
	if err != nil {
		if err == io.EOF {
			return p.errLine(1, "empty file")
		}
		return csvErr(err)
	}
	header := make([]string, len(rec))
	for i, h := range rec {
		header[i] = strings.ToLower(cleanCell(h))
	}
	valCol := findColumn(header, csvValueColumns, -1)
	typCol := findColumn(header, csvTypeColumns, valCol)
	noteCol := findColumn(header, csvNoteColumns, -1)
	if valCol < 0 || typCol < 0 {
		return p.errLine(1, "header %q names no indicator type column (%s) and value column (%s)",
			strings.Join(rec, ","), strings.Join(csvTypeColumns, ", "), strings.Join(csvValueColumns, ", "))
	}
	ignored := map[string]int{}
	reference := ""
	first := p.list.Len()
	p.list.grow(bytes.Count(body, []byte{'\n'}))
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return csvErr(err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && cleanCell(rec[0]) == "" {
			continue
		}
		if typCol >= len(rec) || valCol >= len(rec) {
			return p.errLine(line, "%d fields, want at least %d", len(rec), max(typCol, valCol)+1)
		}
		typ := strings.ToLower(cleanCell(rec[typCol]))
		val := cleanCell(rec[valCol])
		note := ""
		if noteCol >= 0 && noteCol < len(rec) {
			note = cleanCell(rec[noteCol])
		}
		if typ == "" && val == "" {
			continue
		}
		if typ == "description" {
			if f := strings.Fields(val); reference == "" && len(f) > 0 {
				reference = refang(f[0])
			}
			continue
		}
		k, ok := csvKinds[typ]
		if !ok {
			ignored[typ]++
			continue
		}
		if err := p.csvRow(csvRow{kind: k, val: val, note: note, line: line}); err != nil {
			return err
		}
	}
	// A Description row (Sophos) names the advisory the whole file is from,
	// wherever it stands.
	if reference != "" {
		for i := first; i < p.list.Len(); i++ {
			p.list.entries[i].Reference = reference
		}
	}
	if len(ignored) > 0 {
		types := make([]string, 0, len(ignored))
		for t, n := range ignored {
			types = append(types, fmt.Sprintf("%s (%d)", t, n))
		}
		sort.Strings(types)
		p.warnLine(0, "ignored indicators of types that name neither a file nor a signer: %s", strings.Join(types, ", "))
	}
	return nil
}

type csvRow struct {
	kind Kind
	val  string
	note string
	line int
}

// csvRow adds one indicator; a cell may pack several hashes of one file
// ("sha256,sha1,md5", Volexity) which become one group.
func (p *parser) csvRow(row csvRow) error {
	e := Entry{Kind: row.kind, Value: row.val, Note: row.note}
	if row.kind != kindByLength && !strings.ContainsAny(row.val, ",;") {
		return p.addAt(e, row.line, 0)
	}
	parts := strings.FieldsFunc(row.val, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '|' })
	if len(parts) == 0 {
		return p.errLine(row.line, "empty hash cell")
	}
	var group int32
	if len(parts) > 1 {
		group = p.list.newGroup()
	}
	for _, part := range parts {
		e := e
		e.group = group
		e.Value = cleanCell(part)
		if row.kind == kindByLength || row.kind.IsFile() && row.kind != KindAuthentihash {
			k, ok := fileKindByLength(len(e.Value))
			if !ok {
				return p.errLine(row.line, "%q is not an MD5, SHA-1 or SHA-256 hash", e.Value)
			}
			e.Kind = k
		}
		if err := p.addAt(e, row.line, 0); err != nil {
			return err
		}
	}
	return nil
}

func fileKindByLength(n int) (Kind, bool) {
	switch n {
	case 32:
		return KindFileMD5, true
	case 40:
		return KindFileSHA1, true
	case 64:
		return KindFileSHA256, true
	}
	return KindInvalid, false
}

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}
