#!/bin/sh
# fetch.sh DIR: download Debian 12's signed EFI binaries and extract them into
# DIR for the cross-check test in signing/authenticode (TestDebianSecureBoot),
# which reads SHIPGATE_DEBIAN_EFI=DIR. Needs apt-get and dpkg-deb (a Debian or
# Ubuntu host with the bookworm archive configured); run as root or with a
# writable apt cache. The binaries are never committed.
#
# Packages: fwupd-amd64-signed (fwupdx64.efi.signed, whose SpcIndirectDataContent
# has the nonstandard inner type 1.3.6.1.4.1.311.2.1.21), grub-efi-amd64-signed,
# shim-helpers-amd64-signed (mm, fb), shim-signed (shimx64.efi, signed by
# Microsoft's UEFI CA; its .vendor_cert section holds the Debian Secure Boot
# CA), and the signed kernel named by SHIPGATE_DEBIAN_KERNEL (default: the
# newest linux-image-*-amd64 the archive offers; set it to "none" to skip the
# ~70 MB download).
set -eu
dir=${1:?usage: fetch.sh DIR}
mkdir -p "$dir/debs" "$dir/root"
dir=$(cd "$dir" && pwd)
if [ "${SHIPGATE_APT_UPDATE:-1}" = 1 ]; then
	apt-get update -qq
fi
pkgs="fwupd-amd64-signed grub-efi-amd64-signed shim-helpers-amd64-signed shim-signed"
kernel=${SHIPGATE_DEBIAN_KERNEL:-}
if [ -z "$kernel" ]; then
	kernel=$(apt-cache search --names-only '^linux-image-[0-9.]+-[0-9]+-amd64$' | cut -d' ' -f1 | sort -V | tail -n1)
fi
if [ -n "$kernel" ] && [ "$kernel" != none ]; then
	pkgs="$pkgs $kernel"
fi
cd "$dir/debs"
# apt's _apt user may not write here; the download then runs as the caller.
apt-get download $pkgs
for deb in *.deb; do
	dpkg-deb -x "$deb" "$dir/root"
done
find "$dir/root" \( -name '*.efi.signed' -o -name 'vmlinuz-*' \) -type f | sort
