#!/usr/bin/env bash
# Builds dist/certcycle_VERSION_ARCH.deb: the release binary (Swift standard library and
# Foundation linked statically) at /usr/bin/certcycle, Jobs/ at /usr/share/certcycle/Jobs, the
# systemd units (adapted from Deploy/systemd) at /usr/lib/systemd/system, a configuration at
# /etc/certcycle/certcycle.toml, the example and copyright at /usr/share/doc/certcycle, and bash
# completion. The package's postinst creates the system user `certcycle` and the group
# `certcycle-staff`, which can read the notices. Then lintian checks the package (no error
# allowed) when it is installed.
#
#   Scripts/package-deb.sh            # build (15–25 minutes the first time on 2 cores) and package
#   SKIP_BUILD=1 Scripts/package-deb.sh   # package the release binary already built
#
# The release build has its own scratch folder (.build-release) so it never disturbs the debug
# build in .build. Needs: swift, dpkg-dev (dpkg-shlibdeps), and lintian for the check.
set -euo pipefail
cd "$(dirname "$0")/.."

SCRATCH=${CERTCYCLE_RELEASE_SCRATCH:-.build-release}
UPSTREAM=$(sed -n 's/.*static let number = "\(.*\)".*/\1/p' Sources/certcycle/Version.swift)
VERSION="$UPSTREAM-1"
ARCH=$(dpkg --print-architecture)
# The commit --version names: $CERTCYCLE_COMMIT when given (a build from an exported tree), else HEAD.
COMMIT=${CERTCYCLE_COMMIT:-$(git rev-parse HEAD 2>/dev/null || true)}
if [ -n "$COMMIT" ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  echo "note: the work tree has uncommitted changes; --version names $COMMIT all the same" >&2
fi

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "building the release binary in $SCRATCH (the first build takes 15–25 minutes on 2 cores)…" >&2
  CERTCYCLE_COMMIT="$COMMIT" swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product certcycle
fi
BINARY="$SCRATCH/release/certcycle"
[ -x "$BINARY" ] || { echo "no release binary at $BINARY (run without SKIP_BUILD=1)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/certcycle-deb.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOT="$WORK/certcycle_${VERSION}_$ARCH"
DOC="$ROOT/usr/share/doc/certcycle"
UNITS="$ROOT/usr/lib/systemd/system"
umask 022
mkdir -p "$ROOT/DEBIAN" "$ROOT/usr/bin" "$ROOT/usr/share/certcycle" "$DOC" "$UNITS" \
  "$ROOT/etc/certcycle" "$ROOT/usr/share/bash-completion/completions"

install -m 0755 "$BINARY" "$ROOT/usr/bin/certcycle"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$ROOT/usr/bin/certcycle"
cp -R Jobs "$ROOT/usr/share/certcycle/Jobs"
find "$ROOT/usr/share/certcycle" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
# Sourced by bash-completion, not run: no #! line.
"$ROOT/usr/bin/certcycle" --generate-completion-script bash | sed '1{/^#!/d}' > "$ROOT/usr/share/bash-completion/completions/certcycle"
chmod 0644 "$ROOT/usr/share/bash-completion/completions/certcycle"

# The units of Deploy/systemd, for the package: the installed binary, a real system user (the
# package makes it) whose group certcycle-staff reads the notices (UMask=0027), and nothing that
# needs a file or group the package does not bring (metrics folder, prometheus group,
# credentials: add them in a drop-in, see Deploy/README.md).
for unit in certcycle.service certcycle.timer certcycle-publish.service certcycle-publish.timer certcycle-failure@.service; do
  {
    echo "# Installed by the certcycle package from Deploy/systemd/$unit (explained there), adapted by"
    echo "# Scripts/package-deb.sh: /usr/bin/certcycle; the system user certcycle and the group"
    echo "# certcycle-staff, which reads the notices, instead of a dynamic user; no metrics file,"
    echo "# prometheus group or credentials (add them with a drop-in: systemctl edit UNIT)."
    echo "# An upgrade replaces this file."
    # The originals' comments describe the dynamic user and the metrics: left out here.
    sed -e '/^#/d' \
        -e 's#/usr/local/bin/certcycle#/usr/bin/certcycle#g' \
        -e '/^DynamicUser=/d' \
        -e 's#^Group=certcycle$#Group=certcycle-staff#' \
        -e '/^SupplementaryGroups=prometheus/d' \
        -e '/^ReadWritePaths=-\/var\/lib\/prometheus/d' \
        -e '/^LoadCredential=/d' \
        -e 's# --metrics-file [^ ]*##' \
        "Deploy/systemd/$unit" | cat -s
  } > "$UNITS/$unit"
  chmod 0644 "$UNITS/$unit"
done

# A configuration that works as installed: the register and notices in the state folder; Jobs/
# found at /usr/share/certcycle/Jobs (or /etc/certcycle/Jobs when an operator makes one).
cat > "$ROOT/etc/certcycle/certcycle.toml" <<'EOF'
# certcycle configuration (installed by the package; your changes are kept on upgrade).
# Every key: /usr/share/doc/certcycle/certcycle.toml.example and `certcycle --help`.
timezone = "Asia/Shanghai"
# The register: load it first with
#   sudo -u certcycle certcycle import --config /etc/certcycle/certcycle.toml DIR
db = "sqlite:/var/lib/certcycle/register.sqlite"
# One folder per day; readable by the group certcycle-staff.
notices = "/var/lib/certcycle/notices"
EOF
chmod 0644 "$ROOT/etc/certcycle/certcycle.toml"
echo "/etc/certcycle/certcycle.toml" > "$ROOT/DEBIAN/conffiles"

sed -e 's#^jobs = "/usr/local/share/certcycle/Jobs"#jobs = "/usr/share/certcycle/Jobs"#' \
  Deploy/certcycle.toml.example > "$DOC/certcycle.toml.example"

cat > "$DOC/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: certcycle
Comment:
 The binary links these Swift packages statically (each under its own licence, as
 published with its source): the Swift standard library and Foundation (Apache-2.0 with
 Runtime Library Exception), GRDB.swift (MIT), swift-argument-parser (Apache-2.0), TOMLKit
 and toml++ (MIT), swift-mustache (Apache-2.0), swift-crypto with BoringSSL (Apache-2.0,
 OpenSSL, ISC), swift-log, swift-nio, swift-nio-ssl (Apache-2.0) and postgres-nio (MIT).

Files: *
Copyright: 2026 杭州中奥质量认证有限公司
License: proprietary
 All rights reserved. For use by the certification body and its operators only.
EOF

DATE=$(date -R -u -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)" 2>/dev/null || date -R -u)
cat > "$WORK/changelog" <<EOF
certcycle ($VERSION) unstable; urgency=medium

  * Release $UPSTREAM${COMMIT:+ (commit ${COMMIT:0:12})}: the nightly job, notices, publication,
    PostgreSQL store; installable package; provisional calendar for years
    without an announcement (RULES §9).

 -- certcycle maintainers <certcycle@example.cn>  $DATE
EOF
gzip -9n -c "$WORK/changelog" > "$DOC/changelog.Debian.gz"
chmod 0644 "$DOC"/*

cat > "$ROOT/DEBIAN/postinst" <<'EOF'
#!/bin/sh
# Creates the system user certcycle (runs the units) and the group certcycle-staff (reads the
# notices; add staff accounts to it with `adduser NAME certcycle-staff`).
set -e
if [ "$1" = "configure" ]; then
    if ! getent group certcycle-staff >/dev/null; then
        addgroup --system --quiet certcycle-staff
    fi
    if ! getent passwd certcycle >/dev/null; then
        adduser --system --quiet --ingroup certcycle-staff --home /var/lib/certcycle --no-create-home \
            --comment "certcycle nightly job" certcycle
    fi
    if [ ! -d /var/lib/certcycle ]; then
        mkdir -p /var/lib/certcycle
        chown certcycle:certcycle-staff /var/lib/certcycle
        chmod 0750 /var/lib/certcycle
    fi
    if [ -d /run/systemd/system ]; then
        systemctl --system daemon-reload >/dev/null || true
    fi
fi
exit 0
EOF
cat > "$ROOT/DEBIAN/postrm" <<'EOF'
#!/bin/sh
# Keeps the user, the group and /var/lib/certcycle (the register and notices are records).
set -e
if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
fi
exit 0
EOF
chmod 0755 "$ROOT/DEBIAN/postinst" "$ROOT/DEBIAN/postrm"

# Depends: the packages of the shared libraries the binary links (dpkg-shlibdeps).
mkdir -p "$WORK/src/debian"
printf 'Source: certcycle\n\nPackage: certcycle\nArchitecture: any\n' > "$WORK/src/debian/control"
SHLIBS=$(cd "$WORK/src" && dpkg-shlibdeps -O -e"$ROOT/usr/bin/certcycle" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$SHLIBS" ] || { echo "dpkg-shlibdeps found no dependencies" >&2; exit 1; }

SIZE=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
cat > "$ROOT/DEBIAN/control" <<EOF
Package: certcycle
Version: $VERSION
Architecture: $ARCH
Maintainer: certcycle maintainers <certcycle@example.cn>
Installed-Size: $SIZE
Depends: $SHLIBS, adduser, tzdata
Section: misc
Priority: optional
Description: certification body's register: obligations, notices, status
 certcycle applies the implementation rules for after-sales service
 certification (GB/T 27922) to a certification body's register: it works out
 every surveillance, recertification, corrective-action, suspension and appeal
 obligation with its working-day deadline on the mainland-China calendar,
 writes the staff's daily digest and the letters to organisations, records
 everything in a tamper-evident ledger, and publishes certificate status
 changes to webhooks. The package brings systemd units (a nightly timer and a
 publication timer) that run as the system user certcycle.
EOF
(cd "$ROOT" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$ROOT/DEBIAN/md5sums"
chmod 0644 "$ROOT/DEBIAN/control" "$ROOT/DEBIAN/conffiles" "$ROOT/DEBIAN/md5sums"

mkdir -p dist
DEB="dist/certcycle_${VERSION}_$ARCH.deb"
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$DEB" >/dev/null
echo "$DEB ($(du -h "$DEB" | cut -f1))"

if command -v lintian >/dev/null; then
  # Errors fail the script; warnings and notes are shown.
  lintian --fail-on error --tag-display-limit 0 "$DEB" || { echo "lintian reported errors" >&2; exit 1; }
else
  echo "note: lintian is not installed (apt-get install lintian); the package was not checked" >&2
fi
