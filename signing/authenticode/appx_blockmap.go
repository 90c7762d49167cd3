package authenticode

import (
	"bytes"
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/shipgate/shipgate/internal/x509name"
	"github.com/shipgate/shipgate/signing"
)

// appxBlockSize is the size of the blocks the block map hashes.
const appxBlockSize = 64 << 10

// appxBlockMapNS is the block map's XML namespace.
const appxBlockMapNS = "http://schemas.microsoft.com/appx/2010/blockmap"

// The block map's hash methods.
var appxHashMethods = map[string]crypto.Hash{
	"http://www.w3.org/2001/04/xmlenc#sha256":       crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384": crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":       crypto.SHA512,
}

// blockMapXML is AppxBlockMap.xml as encoding/xml reads it.
type blockMapXML struct {
	XMLName    xml.Name `xml:"BlockMap"`
	HashMethod string   `xml:"HashMethod,attr"`
	Files      []struct {
		Name   string `xml:"Name,attr"`
		Size   string `xml:"Size,attr"`
		Blocks []struct {
			Hash string `xml:"Hash,attr"`
		} `xml:"Block"`
	} `xml:"File"`
}

// appxBlockFile is one file of the block map.
type appxBlockFile struct {
	name   string // as the block map gives it, with backslashes
	size   uint64
	blocks [][]byte
}

// appxBlockMap is a parsed block map.
type appxBlockMap struct {
	hash  crypto.Hash
	files map[string]*appxBlockFile // by zip name ("/"-separated)
	order []string
}

// parseAPPXBlockMap parses the block map b: its hash method, and each file
// with its size and block hashes, which must be as many as its size needs.
func parseAPPXBlockMap(b []byte) (*appxBlockMap, error) {
	var x blockMapXML
	d := xml.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&x); err != nil {
		return nil, fmt.Errorf("does not parse: %w", err)
	}
	if x.XMLName.Space != appxBlockMapNS {
		return nil, fmt.Errorf("root element is {%s}%s, not {%s}BlockMap", x.XMLName.Space, x.XMLName.Local, appxBlockMapNS)
	}
	h, ok := appxHashMethods[x.HashMethod]
	if !ok {
		return nil, fmt.Errorf("unknown HashMethod %q", x.HashMethod)
	}
	bm := &appxBlockMap{hash: h, files: map[string]*appxBlockFile{}}
	for _, f := range x.Files {
		size, err := strconv.ParseUint(f.Size, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("file %q: Size %q is not a number", f.Name, f.Size)
		}
		want := (size + appxBlockSize - 1) / appxBlockSize
		if uint64(len(f.Blocks)) != want {
			return nil, fmt.Errorf("file %q of %d bytes lists %d blocks, want %d", f.Name, size, len(f.Blocks), want)
		}
		bf := &appxBlockFile{name: f.Name, size: size}
		for _, blk := range f.Blocks {
			sum, err := base64.StdEncoding.DecodeString(blk.Hash)
			if err != nil || len(sum) != h.Size() {
				return nil, fmt.Errorf("file %q: block hash %q is not a base64 %d-byte digest", f.Name, blk.Hash, h.Size())
			}
			bf.blocks = append(bf.blocks, sum)
		}
		key := partKey(strings.ReplaceAll(f.Name, `\`, "/"))
		if _, dup := bm.files[key]; dup {
			return nil, fmt.Errorf("file %q is listed twice", f.Name)
		}
		bm.files[key] = bf
		bm.order = append(bm.order, key)
	}
	return bm, nil
}

// appxBlockMap reads and parses AppxBlockMap.xml; nil, reported, when it
// is missing or does not parse.
func (v *verifier) appxBlockMap() *appxBlockMap {
	z := v.sub.(*appxSubject).z
	e := z.byName[appxBlockMapName]
	if e == nil {
		v.appxProblem(RuleMSIXMalformedPackage, signing.SeverityError, z.cdOff, "the package has no "+appxBlockMapName+": its files cannot be checked")
		return nil
	}
	b, err := z.readAll(v.r, e, maxAPPXXML)
	if err != nil {
		v.appxProblem(RuleMSIXMalformedPackage, signing.SeverityError, e.local, appxBlockMapName+" cannot be read: "+err.Error())
		return nil
	}
	bm, err := parseAPPXBlockMap(b)
	if err != nil {
		v.appxProblem(RuleMSIXMalformedPackage, signing.SeverityError, e.local, appxBlockMapName+" "+err.Error())
		return nil
	}
	return bm
}

// appxPartName is the name a zip entry has in the block map: zip names of
// OPC packages percent-encode what is not allowed in a part name.
func appxPartName(zipName string) string {
	if n, err := url.PathUnescape(zipName); err == nil {
		return n
	}
	return zipName
}

// partKey is the key a part name is compared by: OPC part names are
// equal regardless of case (ECMA-376-2 §6.2.2.3).
func partKey(name string) string { return strings.ToLower(name) }

// appxCheckBlocks checks every file against the block map.
func (v *verifier) appxCheckBlocks(bm *appxBlockMap) {
	sub := v.sub.(*appxSubject)
	z := sub.z
	seen := map[string]bool{}
	zipNames := map[string]string{}
	// Files the block map need not list: the code integrity catalog, which
	// AXCI covers, and a bundle's packages, which AXPC covers and which
	// carry their own signatures (a bundle's block map lists its manifest
	// alone). The value is the size the bundle manifest gives, or -1.
	exempt := map[string]int64{partKey(appxCodeIntegrityName): -1}
	if sub.bundle {
		v.appxBundlePackages(exempt)
	}
	for _, e := range z.entries {
		switch e.name {
		case appxBlockMapName, appxContentTypesName, appxSignatureName:
			continue
		}
		if strings.HasSuffix(e.name, "/") && e.uncomp == 0 {
			continue // a folder
		}
		name := partKey(appxPartName(e.name))
		if other, dup := zipNames[name]; dup {
			v.appxProblem(RuleMSIXMalformedPackage, signing.SeverityError, e.local,
				fmt.Sprintf("%s and %s name the same part: Windows refuses the package, and an extractor keeps one of them", other, e.name))
			continue
		}
		zipNames[name] = e.name
		bf := bm.files[name]
		if want, ok := exempt[name]; ok && bf == nil {
			if want >= 0 && uint64(want) != e.uncomp {
				v.appxProblem(RuleMSIXMalformedPackage, signing.SeverityError, e.local,
					fmt.Sprintf("%s holds %d bytes, the bundle manifest gives %d", e.name, e.uncomp, want))
			}
			continue
		}
		if bf == nil {
			v.appxProblem(RuleMSIXFileNotInBlockMap, signing.SeverityError, e.local,
				fmt.Sprintf("%s is in the package but not in the block map: Windows refuses the package, and no hash vouches for the file", e.name))
			continue
		}
		seen[name] = true
		if why := v.appxCheckFile(z, e, bf, bm.hash); why != "" {
			v.appxProblem(RuleMSIXBlockMapMismatch, signing.SeverityError, e.local, fmt.Sprintf("%s does not match the block map: %s", e.name, why))
		}
	}
	for _, name := range bm.order {
		if !seen[name] {
			v.appxProblem(RuleMSIXBlockMapFileMissing, signing.SeverityError, z.cdOff,
				fmt.Sprintf("the block map lists %s, which the package does not hold", bm.files[name].name))
		}
	}
}

// bundleManifestXML is the package list of an AppxBundleManifest.xml.
type bundleManifestXML struct {
	Packages []struct {
		FileName string `xml:"FileName,attr"`
		Size     string `xml:"Size,attr"`
	} `xml:"Packages>Package"`
}

// appxBundlePackages adds the packages a bundle's manifest lists to
// exempt, with their sizes. A manifest that cannot be read exempts nothing;
// the publisher check reports it.
func (v *verifier) appxBundlePackages(exempt map[string]int64) {
	z := v.sub.(*appxSubject).z
	e := z.byName[appxBundleManifestName]
	if e == nil {
		return
	}
	b, err := z.readAll(v.r, e, maxAPPXXML)
	if err != nil {
		return
	}
	var m bundleManifestXML
	if xml.NewDecoder(bytes.NewReader(b)).Decode(&m) != nil {
		return
	}
	for _, p := range m.Packages {
		size := int64(-1)
		if n, err := strconv.ParseInt(p.Size, 10, 64); err == nil && n > 0 {
			size = n
		}
		exempt[partKey(strings.ReplaceAll(p.FileName, `\`, "/"))] = size
	}
}

// appxCheckFile hashes e's uncompressed data block by block and compares
// it with bf; it returns why they differ, or "".
func (v *verifier) appxCheckFile(z *appxZip, e *appxEntry, bf *appxBlockFile, h crypto.Hash) string {
	if e.uncomp != bf.size {
		return fmt.Sprintf("its header gives %d bytes, the block map %d", e.uncomp, bf.size)
	}
	rd, err := z.open(v.r, e, int64(bf.size)+1)
	if err != nil {
		return err.Error()
	}
	buf := make([]byte, min(appxBlockSize, bf.size+1))
	var n uint64
	for k := 0; ; k++ {
		m, err := io.ReadFull(rd, buf)
		if m > 0 {
			if k >= len(bf.blocks) {
				return fmt.Sprintf("it holds more than the %d bytes the block map gives", bf.size)
			}
			if !bytes.Equal(sum(h, buf[:m]), bf.blocks[k]) {
				return fmt.Sprintf("block %d (uncompressed bytes %d-%d) has another hash", k, n, n+uint64(m)-1)
			}
			n += uint64(m)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return "its data cannot be read: " + err.Error()
		}
	}
	if n != bf.size {
		return fmt.Sprintf("it holds %d bytes, the block map gives %d", n, bf.size)
	}
	return ""
}

// manifestXML is the Identity of an AppxManifest.xml or a bundle's
// AppxBundleManifest.xml.
type manifestXML struct {
	XMLName  xml.Name
	Identity []struct {
		Publisher string `xml:"Publisher,attr"`
	} `xml:"Identity"`
}

// appxPublisher reads the Identity Publisher of the package's manifest;
// why it cannot is left in the subject.
func (v *verifier) appxPublisher() string {
	sub := v.sub.(*appxSubject)
	name := appxManifestName
	if sub.bundle {
		name = appxBundleManifestName
	}
	e := sub.z.byName[name]
	if e == nil {
		sub.publisherErr = "the package has no " + name
		return ""
	}
	b, err := sub.z.readAll(v.r, e, maxAPPXXML)
	if err != nil {
		sub.publisherErr = name + " cannot be read: " + err.Error()
		return ""
	}
	var m manifestXML
	if err := xml.NewDecoder(bytes.NewReader(b)).Decode(&m); err != nil {
		sub.publisherErr = name + " does not parse: " + err.Error()
		return ""
	}
	want := "Package"
	if sub.bundle {
		want = "Bundle"
	}
	switch {
	case m.XMLName.Local != want:
		sub.publisherErr = fmt.Sprintf("%s's root element is %s, not %s", name, m.XMLName.Local, want)
	case len(m.Identity) != 1:
		sub.publisherErr = fmt.Sprintf("%s has %d Identity elements, want one", name, len(m.Identity))
	case m.Identity[0].Publisher == "":
		sub.publisherErr = name + " names no Identity Publisher"
	default:
		return m.Identity[0].Publisher
	}
	return ""
}

// checkPublisher compares the manifest's publisher with the signer's
// subject, as names (RFC 5280 §7.1), and reports whether they match.
func (a *appxSubject) checkPublisher(j *judgement) bool {
	cert := j.chk.Cert
	switch {
	case cert == nil:
		return true // the signature check says so already
	case a.publisherErr != "":
		j.sig.AddCheck(CheckPublisher, false, a.publisherErr)
		j.finding(RuleMSIXPublisherMismatch, signing.SeverityError, fmt.Sprintf("signature %d: %s; Windows checks it against the signer %q", j.i, a.publisherErr, cert.Subject.String()))
		return false
	}
	der, err := publisherName(a.publisher)
	if err == nil && x509name.Equal(der, cert.RawSubject) {
		j.sig.AddCheck(CheckPublisher, true, fmt.Sprintf("the manifest's publisher %q is the signer's subject", a.publisher))
		return true
	}
	why := fmt.Sprintf("the manifest's publisher %q is not the signer's subject %q", a.publisher, cert.Subject.String())
	if err != nil {
		why = fmt.Sprintf("the manifest's publisher %q is not a distinguished name (%v)", a.publisher, err)
	}
	j.sig.AddCheck(CheckPublisher, false, why)
	j.finding(RuleMSIXPublisherMismatch, signing.SeverityError, fmt.Sprintf("signature %d: %s: Windows refuses to install the package", j.i, why))
	return false
}

// dnTypes maps the attribute names Windows and RFC 4514 write to their
// object identifiers.
var dnTypes = map[string]asn1.ObjectIdentifier{
	"CN": {2, 5, 4, 3}, "SN": {2, 5, 4, 4}, "SERIALNUMBER": {2, 5, 4, 5}, "C": {2, 5, 4, 6},
	"L": {2, 5, 4, 7}, "S": {2, 5, 4, 8}, "ST": {2, 5, 4, 8}, "STREET": {2, 5, 4, 9},
	"O": {2, 5, 4, 10}, "OU": {2, 5, 4, 11}, "T": {2, 5, 4, 12}, "TITLE": {2, 5, 4, 12},
	"POSTALCODE": {2, 5, 4, 17}, "G": {2, 5, 4, 42}, "GN": {2, 5, 4, 42}, "I": {2, 5, 4, 43},
	"E": {1, 2, 840, 113549, 1, 9, 1}, "EMAIL": {1, 2, 840, 113549, 1, 9, 1},
	"DC": {0, 9, 2342, 19200300, 100, 1, 25}, "UID": {0, 9, 2342, 19200300, 100, 1, 1},
}

// maxDNLen bounds the publisher strings parsed.
const maxDNLen = 8 << 10

// publisherName turns a publisher string as Windows writes it ("CN=Contoso,
// O=Contoso Ltd, C=US": most specific first, values quoted with "…" or
// escaped with \) into the DER of the Name it stands for.
func publisherName(s string) ([]byte, error) {
	if len(s) > maxDNLen {
		return nil, fmt.Errorf("longer than %d bytes", maxDNLen)
	}
	var rdns pkix.RDNSequence
	var rdn pkix.RelativeDistinguishedNameSET
	i := 0
	skip := func() {
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	for {
		skip()
		k := strings.IndexByte(s[i:], '=')
		if k <= 0 {
			return nil, fmt.Errorf("attribute at byte %d has no type", i)
		}
		typ := strings.ToUpper(strings.TrimSpace(s[i : i+k]))
		i += k + 1
		oid, ok := dnTypes[typ]
		if !ok {
			var err error
			if oid, err = parseDottedOID(strings.TrimPrefix(typ, "OID.")); err != nil {
				return nil, fmt.Errorf("unknown attribute type %q", typ)
			}
		}
		skip()
		var val strings.Builder
		if i < len(s) && s[i] == '"' {
			i++
			for {
				if i >= len(s) {
					return nil, errors.New("unterminated quoted value")
				}
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' { // "" is a quote
						val.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				val.WriteByte(s[i])
				i++
			}
			skip()
		} else {
			for i < len(s) && s[i] != ',' && s[i] != ';' && s[i] != '+' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				val.WriteByte(s[i])
				i++
			}
		}
		rdn = append(rdn, pkix.AttributeTypeAndValue{Type: oid, Value: strings.TrimRight(val.String(), " ")})
		if i >= len(s) {
			rdns = append(rdns, rdn)
			break
		}
		switch s[i] {
		case '+':
		case ',', ';':
			rdns = append(rdns, rdn)
			rdn = nil
		default:
			return nil, fmt.Errorf("unexpected %q at byte %d", s[i], i)
		}
		i++
	}
	// The string lists the most specific name first; the certificate's
	// RDNSequence starts at the root.
	for a, b := 0, len(rdns)-1; a < b; a, b = a+1, b-1 {
		rdns[a], rdns[b] = rdns[b], rdns[a]
	}
	for _, r := range rdns {
		for k := range r {
			str := r[k].Value.(string)
			r[k].Value = asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(str)}
		}
	}
	return asn1.Marshal(rdns)
}

func parseDottedOID(s string) (asn1.ObjectIdentifier, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 32 {
		return nil, errors.New("not an object identifier")
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for k, p := range parts {
		n, err := strconv.ParseUint(p, 10, 31)
		if err != nil {
			return nil, err
		}
		oid[k] = int(n)
	}
	return oid, nil
}
