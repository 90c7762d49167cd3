#!/bin/sh
# build.sh DIR: build osslsigncode 2.10 or later (the first to sign .js
# files) from Debian's source package into DIR/osslsigncode, for the .js
# cross-check in signing/authenticode (TestOsslsigncodeJScript), which reads
# SHIPGATE_OSSLSIGNCODE=DIR/osslsigncode. Debian 12 ships 2.5 (2.9 in
# backports), neither of which signs .js.
#
# The source comes from the unstable suite of the Debian mirror the system's
# apt already uses, fetched with an apt configuration of its own under a
# temporary directory (the system's sources are left as they are); apt checks
# the files against the suite's signed index. Needs apt-get, cmake, a C
# compiler, make, libssl-dev and zlib1g-dev. The binary is never committed.
set -eu
dir=${1:?usage: build.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
for tool in apt-get cmake cc make tar; do
	command -v "$tool" >/dev/null 2>&1 || { echo "build.sh: $tool not found" >&2; exit 1; }
done
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
uri=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | tr ' ' '\n' | grep '/debian/*$' | head -n1 || true)
if [ -z "$uri" ]; then
	uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/*$/) { print $i; exit } }' /etc/apt/sources.list 2>/dev/null || true)
fi
[ -n "$uri" ] || { echo "build.sh: no Debian mirror in apt's sources" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
echo "deb-src [signed-by=$keyring] $uri unstable main" >"$work/sources.list"
set -- -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null \
	-o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root
apt-get "$@" -qq update
cd "$work/src"
apt-get "$@" -qq source --download-only osslsigncode
tar -xzf osslsigncode_*.orig.tar.gz
src=$(dirname "$(find . -maxdepth 2 -name CMakeLists.txt | head -n1)")
cmake -S "$src" -B build -DCMAKE_BUILD_TYPE=Release >build.log 2>&1 &&
	make -C build -j"$(nproc 2>/dev/null || echo 2)" osslsigncode >>build.log 2>&1 ||
	{ cat build.log >&2; exit 1; }
version=$(./build/osslsigncode --version | sed -n '1s/^osslsigncode \([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1 \2/p')
set -- $version
if [ $# -ne 2 ] || [ "$1" -lt 2 ] || { [ "$1" -eq 2 ] && [ "$2" -lt 10 ]; }; then
	echo "build.sh: built osslsigncode '$version' is older than 2.10" >&2
	exit 1
fi
cp build/osslsigncode "$dir/osslsigncode"
"$dir/osslsigncode" --version | head -n1
