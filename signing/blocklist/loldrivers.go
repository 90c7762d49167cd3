package blocklist

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/shipgate/shipgate/signing"
)

// minLOLSerialHex is the shortest serial (in hex digits, 64 bits) the
// LOLDrivers loader turns into a serial-only entry; shorter serials repeat
// across CAs, and the certificate stays blocked by its TBS hashes anyway.
const minLOLSerialHex = 16

// loldrivers reads LOLDrivers data: drivers.json (a JSON array of driver
// records) or one yaml/<uuid>.yaml record, which share field names. Every
// sample's file hashes and Authenticode hashes become file entries; every
// leaf certificate's TBS hashes and serial become certificate entries.
// Subject and issuer strings are never used as identities: the extractor
// mangles them (backslashes and dashes removed, unknown RDNs as "??=").
// CA certificates are not blocked (that would block everything they issued),
// nor Microsoft's certificates, which sign third-party drivers through WHCP;
// those samples stay blocked by their hashes.
func (p *parser) loldrivers(b []byte) error {
	root, err := p.parseYAML(b)
	if err != nil {
		return err
	}
	if root == nil {
		return p.errLine(1, "empty document")
	}
	var drivers []*yaml.Node
	switch root.Kind {
	case yaml.MappingNode:
		drivers = []*yaml.Node{root}
	case yaml.SequenceNode:
		drivers = root.Content
	default:
		return p.errLine(root.Line, "want a driver record or a list of them")
	}
	l := &lolState{seen: make(map[string]bool)}
	for _, d := range drivers {
		if err := p.lolDriver(d, l); err != nil {
			return err
		}
	}
	if l.microsoft > 0 {
		p.warnLine(0, "did not block %d Microsoft certificate(s) (WHCP signs third-party drivers); their samples are blocked by hash", l.microsoft)
	}
	if l.shortSerials > 0 {
		p.warnLine(0, "did not block %d serial(s) shorter than %d hex digits by serial alone; those certificates are blocked by TBS hash", l.shortSerials, minLOLSerialHex)
	}
	return nil
}

type lolState struct {
	seen         map[string]bool
	microsoft    int
	shortSerials int
}

// ynode helpers read a yaml.Node tree without following aliases.
func ymap(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func yscalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return strings.TrimSpace(n.Value)
}

func yseq(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

func (p *parser) lolDriver(d *yaml.Node, l *lolState) error {
	if d.Kind != yaml.MappingNode {
		return p.errLine(d.Line, "a driver record must be a mapping")
	}
	id := yscalar(ymap(d, "Id"))
	samples := ymap(d, "KnownVulnerableSamples")
	if id == "" || samples == nil {
		return p.errLine(d.Line, "driver record without Id or KnownVulnerableSamples")
	}
	if samples.Kind != yaml.SequenceNode {
		return p.errLine(samples.Line, "KnownVulnerableSamples must be a list")
	}
	category := yscalar(ymap(d, "Category"))
	ref := "LOLDrivers " + id
	for _, s := range samples.Content {
		if s.Kind != yaml.MappingNode {
			return p.errLine(s.Line, "a sample must be a mapping")
		}
		name := yscalar(ymap(s, "OriginalFilename"))
		if name == "" {
			name = yscalar(ymap(s, "Filename"))
		}
		note := strings.TrimSpace(fmt.Sprintf("%s %s", category, name))
		group := p.list.newGroup()
		add := func(k Kind, v *yaml.Node) error {
			val := yscalar(v)
			if val == "" || strings.EqualFold(val, "-") {
				return nil
			}
			key := k.String() + ":" + strings.ToLower(val)
			if l.seen[key] {
				return nil
			}
			l.seen[key] = true
			e := Entry{Kind: k, Value: val, Note: note, Reference: ref}
			if k.IsFile() {
				e.group = group
			}
			return p.addAt(e, v.Line, 0)
		}
		for _, f := range []struct {
			k   Kind
			key string
		}{{KindFileSHA256, "SHA256"}, {KindFileSHA1, "SHA1"}, {KindFileMD5, "MD5"},
			{KindAuthentihash, "AuthentihashSHA256"}, {KindAuthentihash, "AuthentihashSHA1"}, {KindAuthentihash, "AuthentihashMD5"}} {
			if err := add(f.k, ymap(s, f.key)); err != nil {
				return err
			}
		}
		ah := ymap(s, "Authentihash")
		for _, alg := range []string{"SHA256", "SHA1", "MD5"} {
			if err := add(KindAuthentihash, ymap(ah, alg)); err != nil {
				return err
			}
		}
		for _, sig := range yseq(ymap(s, "Signatures")) {
			for _, c := range yseq(ymap(sig, "Certificates")) {
				if err := p.lolCert(c, note, ref, l, add); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// lolCert blocks one leaf certificate by its TBS hashes and serial.
func (p *parser) lolCert(c *yaml.Node, note, ref string, l *lolState, add func(Kind, *yaml.Node) error) error {
	if c.Kind != yaml.MappingNode {
		return nil
	}
	isCA := strings.ToLower(yscalar(ymap(c, "IsCertificateAuthority")))
	if isCA == "" {
		isCA = strings.ToLower(yscalar(ymap(c, "IsCA")))
	}
	ctype := strings.ToLower(yscalar(ymap(c, "CertificateType")))
	if isCA == "true" || strings.HasPrefix(ctype, "ca") || strings.Contains(ctype, "root") || strings.Contains(ctype, "intermediate") {
		return nil
	}
	if isCA != "false" && !strings.HasPrefix(ctype, "leaf") {
		return nil // cannot tell a leaf: do not risk blocking a CA
	}
	// Subject strings are lossy, but good enough to keep Microsoft's shared
	// WHCP certificates out of the list: this only ever removes entries.
	subj := yscalar(ymap(c, "Subject"))
	if strings.Contains(strings.ToLower(subj), "microsoft") {
		l.microsoft++
		return nil
	}
	tbs := ymap(c, "TBS")
	for _, alg := range []string{"SHA256", "SHA1", "MD5", "SHA384"} {
		if err := add(KindTBS, ymap(tbs, alg)); err != nil {
			return err
		}
	}
	sn := ymap(c, "SerialNumber")
	if v, ok := normalSerial(yscalar(sn)); ok {
		if len(v) < minLOLSerialHex {
			l.shortSerials++
			return nil
		}
		return add(KindSerial, sn)
	}
	return nil
}

func normalSerial(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	return signing.NormalizeSerial(s)
}
