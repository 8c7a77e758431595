# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared set-up for project/test, project/run and project/export: system
# packages, the pinned QEMU source, the patch series, the overlay and the
# build.  Sourced, not run.  Every step is idempotent and cheap when there is
# nothing to do, so both README commands simply run all of them.

set -euo pipefail

PROJECT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=project/qemu.pin
. "$PROJECT_ROOT/project/qemu.pin"

# Downloads live outside the repo and survive clones; nothing depends on them
# being there.  Everything derived from the repo lives in build/ (git-ignored).
PAMU_CACHE=${PAMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pamu-qemu}
BUILD_ROOT=${PAMU_BUILD_ROOT:-$PROJECT_ROOT/build}
QEMU_SRC=$BUILD_ROOT/qemu-src
QEMU_BUILD=$BUILD_ROOT/qemu-build
STAMPS=$BUILD_ROOT/stamps

# Top-level directories of the repo that mirror QEMU paths (the overlay).
OVERLAY_DIRS=(hw include tests docs qapi)

QEMU_TARGETS=ppc-softmmu,ppc64-softmmu
QEMU_CC=cc
QEMU_BUILD_KIND=
CONFIGURE_STAMP=configure
QEMU_CONFIGURE_ARGS=(
    --target-list="$QEMU_TARGETS"
    --python=/usr/bin/python3
    # The Debian +ds source carries no firmware blobs (u-boot.e500,
    # openbios-ppc, option ROMs): tests pass -bios/-kernel explicitly.
    --disable-install-blobs
    --disable-docs
    --enable-werror
)

# Build dependencies; meson >= 1.5 and pycotap come from bookworm-backports
# on Debian 12.
SYSTEM_PKGS=(gcc make git xz-utils pkg-config ninja-build python3-venv
             libglib2.0-dev libpixman-1-dev libfdt-dev libslirp-dev
             device-tree-compiler flex bison ccache
             valgrind    # the unit suite's leak check
             # U-Boot for ppce500 (build_firmware)
             gcc-powerpc-linux-gnu binutils-powerpc-linux-gnu libssl-dev bc)
MESON_PKGS=(meson python3-pycotap)

msg()  { printf '==> %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }
loud() {
    printf '\n%s\n' "************************************************************" >&2
    printf '*** %s\n' "$@" >&2
    printf '%s\n\n' "************************************************************" >&2
}

as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "this step needs root: run as root or install sudo ($*)"
    fi
}

# --- system ------------------------------------------------------------------

# apt-get update, at most once per command (several set-up steps may ask).
APT_UPDATED=0
apt_update_once() {
    [ $APT_UPDATED = 1 ] && return 0
    msg "apt-get update"
    as_root apt-get update -qq
    APT_UPDATED=1
}

os_codename() {
    local id='' version_id='' version_codename=''
    # shellcheck disable=SC1091
    [ -r /etc/os-release ] && . /etc/os-release
    id=${ID:-}; version_id=${VERSION_ID:-}; version_codename=${VERSION_CODENAME:-}
    if [ "$id" = debian ] && { [ "$version_id" = 12 ] || [ "$version_id" = 13 ]; }; then
        echo "$version_codename"
    fi
}

unsupported_system() {
    cat >&2 <<EOF
error: the automatic set-up supports Debian 12 (bookworm) and 13 (trixie) only.

On another system, install by hand:
  - a C compiler, make, git, xz, pkg-config, ninja, ccache, flex, bison,
    python3 with venv, meson >= 1.5 and pycotap >= 1.1
  - development files of glib 2, pixman, libfdt and libslirp; dtc
  - the QEMU source tarball $QEMU_ORIG_TARBALL
    (sha256 $QEMU_ORIG_SHA256) in $PAMU_CACHE/src/
then run the command again with PAMU_SKIP_SYSTEM_SETUP=1.
EOF
    exit 1
}

pkg_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = 'install ok installed' ]
}

# The Debian mirror this machine already uses for its own release; our apt
# sources file points at the same one.
debian_mirror() {
    # awk reads to the end: an early exit would make apt-cache fail (pipefail)
    apt-cache policy 2>/dev/null |
        awk -v s="$1/main" '!found && $3 == s && $2 ~ /^(https?|file):/ { print $2; found = 1 }'
}

write_apt_sources() {
    local codename=$1 mirror file=/etc/apt/sources.list.d/pamu-qemu.sources
    local want keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    mirror=$(debian_mirror "$codename")
    [ -n "$mirror" ] || die "no Debian mirror for $codename/main in the apt configuration; add one and retry"

    want="# Written by the PAMU QEMU overlay (project/lib.sh); safe to delete.
Types: deb-src
URIs: $mirror
Suites: trixie
Components: main
Signed-By: $keyring"
    if [ "$codename" = bookworm ]; then
        want="$want

Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: $keyring"
    fi
    if [ "$(cat "$file" 2>/dev/null)" != "$want" ]; then
        msg "writing $file"
        printf '%s\n' "$want" | as_root tee "$file" >/dev/null
        return 0
    fi
    return 1
}

setup_system() {
    [ "${PAMU_SKIP_SYSTEM_SETUP:-0}" = 1 ] && return 0
    local codename missing=() meson_missing=() p
    codename=$(os_codename)
    [ -n "$codename" ] || unsupported_system

    if write_apt_sources "$codename" ||
        [ "$(apt-cache showsrc qemu 2>/dev/null | grep -c '^Version: ')" = 0 ]; then
        apt_update_once
    fi
    for p in "${SYSTEM_PKGS[@]}"; do
        pkg_installed "$p" || missing+=("$p")
    done
    for p in "${MESON_PKGS[@]}"; do
        pkg_installed "$p" || meson_missing+=("$p")
    done
    if pkg_installed meson && ! dpkg --compare-versions \
        "$(dpkg-query -W -f='${Version}' meson)" ge 1.5; then
        meson_missing+=(meson)
    fi
    if [ ${#missing[@]} -gt 0 ] || [ ${#meson_missing[@]} -gt 0 ]; then
        apt_update_once
        if [ ${#missing[@]} -gt 0 ]; then
            msg "installing ${missing[*]}"
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
        fi
        if [ ${#meson_missing[@]} -gt 0 ]; then
            msg "installing ${meson_missing[*]}"
            local target=()
            [ "$codename" = bookworm ] && target=(-t bookworm-backports)
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                "${target[@]}" "${meson_missing[@]}" >/dev/null
        fi
    fi
}

# --- QEMU source ---------------------------------------------------------------

# "1:10.0.13+ds-0+deb13u1" -> "10.0.13+ds"
deb_upstream_version() {
    local v=${1#*:}
    echo "${v%-*}"
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# Downloads the source package of Debian version $1 into the cache and prints
# the path of its .orig tarball.
download_qemu_source() {
    local version=$1 dir=$PAMU_CACHE/src tarball
    tarball=$dir/qemu_$(deb_upstream_version "$version").orig.tar.xz
    if [ ! -f "$tarball" ]; then
        mkdir -p "$dir"
        msg "apt-get source qemu=$version (into $dir)"
        (cd "$dir" && apt-get source -qq --download-only "qemu=$version" >/dev/null 2>&1) ||
            return 1
    fi
    [ -f "$tarball" ] || return 1
    echo "$tarball"
}

# Sets QEMU_TARBALL to a verified pinned tarball, or to the newest 10.0.x the
# archive serves, with a loud warning.
fetch_qemu_source() {
    local cached=$PAMU_CACHE/src/$QEMU_ORIG_TARBALL v
    if [ -f "$cached" ] && [ "$(sha256_of "$cached")" = "$QEMU_ORIG_SHA256" ]; then
        QEMU_TARBALL=$cached
        QEMU_USED_VERSION=$QEMU_DEB_VERSION
        return 0
    fi
    rm -f "$cached"
    if [ "${PAMU_SKIP_SYSTEM_SETUP:-0}" != 1 ] && QEMU_TARBALL=$(download_qemu_source "$QEMU_DEB_VERSION"); then
        [ "$(sha256_of "$QEMU_TARBALL")" = "$QEMU_ORIG_SHA256" ] ||
            die "$QEMU_TARBALL: SHA-256 $(sha256_of "$QEMU_TARBALL") is not the pinned $QEMU_ORIG_SHA256"
        QEMU_USED_VERSION=$QEMU_DEB_VERSION
        return 0
    fi
    [ "${PAMU_SKIP_SYSTEM_SETUP:-0}" != 1 ] || die "missing $cached (see the set-up notes in README.md)"

    loud "The pinned QEMU source $QEMU_DEB_VERSION is no longer served by apt." \
         "Falling back to the newest $QEMU_SERIES.x whose patches apply." \
         "Update project/qemu.pin once you have checked it."
    for v in $(apt-cache showsrc qemu | awk '/^Version:/ { print $2 }' |
               grep -E "^([0-9]+:)?${QEMU_SERIES//./\\.}\.[0-9]+" | sort -Vr -u); do
        QEMU_TARBALL=$(download_qemu_source "$v") || continue
        QEMU_USED_VERSION=$v
        if patches_apply_to "$QEMU_TARBALL"; then
            loud "Using QEMU $v (sha256 $(sha256_of "$QEMU_TARBALL"))."
            return 0
        fi
        msg "the patch series does not apply to $v"
    done
    die "no QEMU $QEMU_SERIES.x source package served by apt takes the patch series"
}

# --- patch series ---------------------------------------------------------------

# Patch file names from patches/series (first column; '#' starts a comment).
series_patches() {
    sed -e 's/#.*//' "$PROJECT_ROOT/patches/series" | awk 'NF { print $1 }'
}

series_key() {
    { cat "$PROJECT_ROOT/patches/series"
      series_patches | while read -r p; do cat "$PROJECT_ROOT/patches/$p"; done
    } | sha256sum | cut -d' ' -f1
}

git_q() { git -C "$1" -c user.name='PAMU overlay' -c user.email='pamu@invalid' -c gc.auto=0 "${@:2}"; }

# Applies the series on top of the current HEAD of the git tree $1.  A failed
# apply is an error that names the patch.
apply_series() {
    local tree=$1 p
    while read -r p; do
        [ -f "$PROJECT_ROOT/patches/$p" ] || die "patches/series names $p, which does not exist"
        if ! git_q "$tree" am -q --keep-cr "$PROJECT_ROOT/patches/$p" >/dev/null 2>&1; then
            git_q "$tree" am --abort >/dev/null 2>&1 || true
            echo "patches/$p does not apply to QEMU ${QEMU_USED_VERSION:-?}"
            return 1
        fi
    done < <(series_patches)
}

# new_pristine_tree DIR [TARBALL]: DIR becomes a git tree holding the QEMU
# source (by default the one in use) as one commit tagged "pristine".
new_pristine_tree() {
    local tarball=${2:-$QEMU_TARBALL}
    rm -rf "$1"
    mkdir -p "$1"
    tar -xf "$tarball" -C "$1" --strip-components=1
    git_q "$1" init -q
    git_q "$1" add -A -f .
    git_q "$1" commit -q -m "QEMU ${QEMU_USED_VERSION:-$(basename "$tarball")} (pristine)"
    git_q "$1" tag pristine
}

patches_apply_to() {
    local tmp ok=0
    tmp=$(mktemp -d)
    new_pristine_tree "$tmp" "$1"
    apply_series "$tmp" >/dev/null || ok=1
    rm -rf "$tmp"
    return $ok
}

# The QEMU tree in build/qemu-src is a git repository: the pristine source as
# commit "pristine", the series on top as one commit per patch.  Resetting
# only rewrites files that differ, so unchanged files keep their timestamps
# and the build stays incremental.
prepare_tree() {
    local want key err
    want="$(sha256_of "$QEMU_TARBALL")"
    mkdir -p "$STAMPS"
    if [ "$(cat "$STAMPS/pristine" 2>/dev/null)" != "$want" ] || [ ! -d "$QEMU_SRC/.git" ]; then
        msg "extracting $(basename "$QEMU_TARBALL")"
        rm -rf "$QEMU_BUILD" "${STAMPS:?}"/*
        new_pristine_tree "$QEMU_SRC"
        echo "$want" > "$STAMPS/pristine"
    fi
    key=$(series_key)
    if [ "$(cat "$STAMPS/series" 2>/dev/null)" != "$key" ]; then
        msg "applying the patch series"
        git_q "$QEMU_SRC" am --abort >/dev/null 2>&1 || true
        git_q "$QEMU_SRC" reset -q --hard pristine
        err=$(apply_series "$QEMU_SRC") || die "$err"
        echo "$key" > "$STAMPS/series"
    fi
}

# --- overlay ---------------------------------------------------------------------

overlay_files() {
    local d dirs=()
    for d in "${OVERLAY_DIRS[@]}"; do
        [ -d "$PROJECT_ROOT/$d" ] && dirs+=("$d")
    done
    [ ${#dirs[@]} -gt 0 ] || return 0
    (cd "$PROJECT_ROOT" && find "${dirs[@]}" -type f \
        ! -name '*~' ! -name '*.orig' ! -name '*.rej' ! -name '.*.swp' | LC_ALL=C sort)
}

# Copies changed project files into the tree (so only their dependents
# rebuild) and removes files that left the project since the last sync.
sync_overlay() {
    local manifest=$STAMPS/overlay-manifest new clash f
    new=$(overlay_files)
    clash=$(comm -12 <(printf '%s\n' "$new") \
        <(git -C "$QEMU_SRC" ls-tree -r --name-only pristine -- "${OVERLAY_DIRS[@]}" | LC_ALL=C sort))
    [ -z "$clash" ] || die "these project files replace upstream QEMU files; change upstream files with a patch in patches/ instead:
$clash"
    while read -r f; do
        [ -n "$f" ] || continue
        if ! cmp -s "$PROJECT_ROOT/$f" "$QEMU_SRC/$f"; then
            mkdir -p "$(dirname "$QEMU_SRC/$f")"
            cp "$PROJECT_ROOT/$f" "$QEMU_SRC/$f"
        fi
    done <<< "$new"
    if [ -f "$manifest" ]; then
        comm -23 "$manifest" <(printf '%s\n' "$new") | while read -r f; do
            [ -n "$f" ] && rm -f "$QEMU_SRC/$f"
        done
    fi
    printf '%s\n' "$new" > "$manifest"
}

# --- build -------------------------------------------------------------------------

# The configure arguments, with ccache when present: configure hands meson a
# fixed compiler command, so ccache must be named.  Decided after
# setup_system has installed it, so a fresh machine does not configure twice.
qemu_configure_args() {
    local ccache=
    CONFIGURE_ARGS=("${QEMU_CONFIGURE_ARGS[@]}")
    command -v ccache >/dev/null 2>&1 && ccache='ccache '
    if [ "$QEMU_CC" = clang ]; then
        CONFIGURE_ARGS+=(--cc="${ccache}clang" --cxx="${ccache}clang++")
    elif [ -n "$ccache" ]; then
        CONFIGURE_ARGS+=(--cc="${ccache}cc")
    fi
}

configure_qemu() {
    local want stamp=$STAMPS/$CONFIGURE_STAMP
    qemu_configure_args
    want="${CONFIGURE_ARGS[*]}"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -f "$QEMU_BUILD/build.ninja" ]; then
        msg "configuring QEMU ($QEMU_TARGETS${QEMU_BUILD_KIND:+, $QEMU_BUILD_KIND})"
        rm -rf "$QEMU_BUILD"
        mkdir -p "$QEMU_BUILD"
        (cd "$QEMU_BUILD" && "$QEMU_SRC/configure" "${CONFIGURE_ARGS[@]}" > configure.log 2>&1) ||
            { tail -n 30 "$QEMU_BUILD/configure.log" >&2; die "QEMU configure failed (log: $QEMU_BUILD/configure.log)"; }
        echo "$want" > "$stamp"
    fi
}

# --- the sanitizer build -------------------------------------------------------

# One clang build with ASan, UBSan and libFuzzer's instrumentation gives both
# the sanitized qemu-system-ppc64 (it runs both e500 machines) that
# "project/test --sanitize" tests and the fuzzer qemu-fuzz-ppc64 of
# project/fuzz.  It has its own build directory, so switching between it and
# the normal build rebuilds neither.
SANITIZE_PKGS=(clang lld libclang-rt-dev)

# Makes the rest of this file (configure_qemu, ninja_quiet, the suites)
# work on the sanitizer build.
use_sanitize_build() {
    QEMU_BUILD=$BUILD_ROOT/qemu-build-sanitize
    QEMU_BUILD_KIND='ASan + UBSan + fuzzer'
    CONFIGURE_STAMP=configure-sanitize
    QEMU_CC=clang
    QEMU_TARGETS=ppc64-softmmu
    QEMU_CONFIGURE_ARGS=(--target-list="$QEMU_TARGETS" --python=/usr/bin/python3
                         --disable-install-blobs --disable-docs --enable-werror
                         --enable-asan --enable-ubsan --enable-fuzzing)
    SYSTEM_PKGS+=("${SANITIZE_PKGS[@]}")
}

# ccache keys on paths relative to the repo, so a second checkout (or the
# export check) reuses the objects of the first.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PROJECT_ROOT}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}

# Runs ninja in the QEMU build tree on the given targets, printing a progress
# line every 250 steps plus everything that is not a progress line.
ninja_quiet() {
    ninja -C "$QEMU_BUILD" "$@" 2>&1 |
        awk '/^\[[0-9]+\/[0-9]+\] / {
                 split(substr($1, 2), n, "/")
                 if (n[1] % 250 == 0 || n[1] == n[2]) { print "    " $1; fflush() }
                 next
             }
             { print; fflush() }'
}

build_qemu() {
    msg "building qemu-system-ppc and qemu-system-ppc64"
    ninja_quiet qemu-system-ppc qemu-system-ppc64 "$@" || die "QEMU build failed"
    build_firmware
}

# --- firmware ----------------------------------------------------------------

# U-Boot for ppce500 (u-boot.e500): the Debian +ds source ships its source
# in roms/u-boot but not the binary, so QEMU started with neither -bios nor
# -kernel would find no firmware.  Built with the cross compiler the guests
# use, cached by input hash, and put where the build tree's QEMU looks.
# Bump when the recipe changes in a way the hashed inputs do not show.
FIRMWARE_RECIPE=2

firmware_hash() {
    {
        cat "$PROJECT_ROOT/project/qemu.pin"
        echo "recipe $FIRMWARE_RECIPE"
        powerpc-linux-gnu-gcc --version | head -n 1
    } | sha256sum | cut -c1-16
}

# Sets FIRMWARE to the cached u-boot.e500, building it if need be.
firmware_build_cached() {
    local dir tmp src=$QEMU_SRC/roms/u-boot
    dir=$PAMU_CACHE/firmware/u-boot-e500-$(firmware_hash)
    FIRMWARE=$dir/u-boot.e500
    [ -f "$FIRMWARE" ] && return 0
    [ -f "$src/configs/qemu-ppce500_defconfig" ] ||
        die "no U-Boot source in $src: the QEMU source should ship roms/u-boot"
    msg "building U-Boot for ppce500 (u-boot.e500) from roms/u-boot"
    mkdir -p "$PAMU_CACHE/firmware"
    tmp=$(mktemp -d "$PAMU_CACHE/firmware/build.XXXXXX")
    # the banner's build date: the source's, so that builds are reproducible
    export SOURCE_DATE_EPOCH
    SOURCE_DATE_EPOCH=$(stat -c %Y "$src/Makefile")
    if ! { make -C "$src" O="$tmp/obj" qemu-ppce500_defconfig &&
           make -C "$src" O="$tmp/obj" CROSS_COMPILE=powerpc-linux-gnu- \
               -j"$(nproc)" &&
           powerpc-linux-gnu-strip "$tmp/obj/u-boot" -o "$tmp/u-boot.e500"
         } > "$tmp/build.log" 2>&1; then
        die "the U-Boot build failed (log: $tmp/build.log)"
    fi
    mkdir -p "$dir"
    mv "$tmp/u-boot.e500" "$FIRMWARE.tmp"
    mv "$FIRMWARE.tmp" "$FIRMWARE"
    rm -rf "$tmp"
}

# Installs u-boot.e500 into the build tree's data directory (qemu-bundle),
# where QEMU run from the build tree finds its firmware.
build_firmware() {
    local datadir
    firmware_build_cached
    datadir=$(sed -n 's/^#define CONFIG_QEMU_DATADIR "\(.*\)"$/\1/p' \
                  "$QEMU_BUILD/config-host.h")
    [ -n "$datadir" ] || die "no CONFIG_QEMU_DATADIR in $QEMU_BUILD/config-host.h"
    if ! cmp -s "$FIRMWARE" "$QEMU_BUILD/qemu-bundle$datadir/u-boot.e500"; then
        install -D -m 644 "$FIRMWARE" "$QEMU_BUILD/qemu-bundle$datadir/u-boot.e500"
    fi
}

# Everything both README commands need before they can do their job.
setup_all() {
    setup_system
    fetch_qemu_source
    prepare_tree
    sync_overlay
    configure_qemu
}
