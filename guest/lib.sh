# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Builds the Linux guests that boot on the emulated PAMU: a 32-bit e500mc
# and a 64-bit e5500 kernel from Debian's linux-source package, and an
# initramfs holding static programs: /init (guest/init/pamu-check.c) and
# the PAMU vfio tests it runs, the conformance suite shared with the
# simulation (tests/qtest/vfio-pamu-sim/conformance*.c) and the end to end
# program (guest/init/vfio-e2e.c, with the project's planner
# hw/vfio/fsl-pamu-plan.c).
# Sourced after project/lib.sh, not run.
#
# Artifacts live outside the repo in $PAMU_CACHE/guest, in directories named
# after a hash of every input (source package version and checksum, config
# fragments, cross compiler and linker versions, init program source), so a
# second run finds them and builds nothing.

GUEST_DIR=$PROJECT_ROOT/guest
# shellcheck source=guest/kernel.pin
. "$GUEST_DIR/kernel.pin"
GUEST_CACHE=$PAMU_CACHE/guest
GUEST_JOBS=${PAMU_GUEST_JOBS:-2}
# Bump when a build step changes in a way the hashed inputs do not show.
GUEST_RECIPE=1

GUEST_FLAVOURS=(e500mc e5500)

GUEST_PATCH_DIR=$GUEST_DIR/linux-patches
GUEST_PATCH_HASH=

GUEST_PKGS=(gcc linux-libc-dev make xz-utils bc flex bison libssl-dev libelf-dev cpio patch
            gcc-powerpc-linux-gnu binutils-powerpc-linux-gnu libc6-dev-powerpc-cross
            gcc-powerpc64-linux-gnu binutils-powerpc64-linux-gnu libc6-dev-ppc64-cross)

# Sets G_CROSS (toolchain prefix), G_QEMU (QEMU binary) and G_CPU for a
# guest flavour.
# shellcheck disable=SC2034
guest_flavour() {
    case $1 in
    e500mc) G_CROSS=powerpc-linux-gnu- G_QEMU=qemu-system-ppc G_CPU=e500mc ;;
    e5500) G_CROSS=powerpc64-linux-gnu- G_QEMU=qemu-system-ppc64 G_CPU=e5500 ;;
    *) die "unknown guest flavour '$1' (flavours: ${GUEST_FLAVOURS[*]})" ;;
    esac
}

# --- system ------------------------------------------------------------------

guest_unsupported_system() {
    cat >&2 <<EOF
error: the automatic guest set-up supports Debian 12 (bookworm) and 13 (trixie) only.

On another system, install by hand:
  - gcc, make, xz, bc, flex, bison, cpio, OpenSSL and libelf development files
  - cross compilers and C libraries for powerpc-linux-gnu (32-bit) and
    powerpc64-linux-gnu (64-bit, big-endian)
  - Debian's $LINUX_SOURCE_PKG package file
    ${LINUX_SOURCE_PKG}_${LINUX_SOURCE_DEB_VERSION}_all.deb
    (sha256 $LINUX_SOURCE_DEB_SHA256) in $PAMU_CACHE/src/
then run the command again with PAMU_SKIP_SYSTEM_SETUP=1.
EOF
    exit 1
}

# linux-source-6.1 is a Debian 12 package.  Debian 13 machines get Debian
# 12's security suite as a download-only source: apt-get download fetches
# the one package file, nothing from that suite is ever installed.
guest_write_bookworm_source() {
    local mirror file=/etc/apt/sources.list.d/pamu-qemu-guest.sources want
    local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    mirror=$(debian_mirror trixie-security)
    [ -n "$mirror" ] || die "no trixie-security source in the apt configuration; add one and retry"
    want="# Written by the PAMU QEMU overlay (guest/lib.sh) for $LINUX_SOURCE_PKG; safe to delete.
Types: deb
URIs: $mirror
Suites: bookworm-security
Components: main
Signed-By: $keyring"
    [ "$(cat "$file" 2>/dev/null)" != "$want" ] || return 1
    msg "writing $file"
    printf '%s\n' "$want" | as_root tee "$file" >/dev/null
    # Never prefer anything from there over the machine's own release.
    printf 'Package: *\nPin: release n=bookworm-security\nPin-Priority: 1\n' |
        as_root tee /etc/apt/preferences.d/pamu-qemu-guest >/dev/null
}

guest_setup_system() {
    [ "${PAMU_SKIP_SYSTEM_SETUP:-0}" = 1 ] && return 0
    local codename p missing=() update=0
    codename=$(os_codename)
    [ -n "$codename" ] || guest_unsupported_system
    if [ "$codename" = trixie ] && guest_write_bookworm_source; then
        update=1
    fi
    for p in "${GUEST_PKGS[@]}"; do
        pkg_installed "$p" || missing+=("$p")
    done
    if [ $update = 1 ] || [ ${#missing[@]} -gt 0 ]; then
        apt_update_once
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        msg "installing ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

# --- kernel source -------------------------------------------------------------

# SHA-256 of a (large) package file, remembered next to it for as long as
# its size and modification time stay the same.
guest_sha256() {
    local f=$1 memo=$1.sha256 id
    id=$(stat -c '%s %Y' "$f")
    if [ "$(head -n 1 "$memo" 2>/dev/null)" != "$id" ]; then
        printf '%s\n%s\n' "$id" "$(sha256_of "$f")" > "$memo"
    fi
    sed -n 2p "$memo"
}

# Downloads the linux-source package file of Debian version $1 into the
# cache and prints its path.
guest_download_source() {
    local version=$1 dir=$PAMU_CACHE/src deb
    deb=$dir/${LINUX_SOURCE_PKG}_${version}_all.deb
    if [ ! -f "$deb" ]; then
        mkdir -p "$dir"
        if ! apt-cache show "$LINUX_SOURCE_PKG=$version" >/dev/null 2>&1; then
            apt_update_once
        fi
        msg "apt-get download $LINUX_SOURCE_PKG=$version (into $dir, ~140 MB)"
        (cd "$dir" && apt-get download -qq "$LINUX_SOURCE_PKG=$version" >/dev/null 2>&1) ||
            return 1
    fi
    [ -f "$deb" ] || return 1
    echo "$deb"
}

# Sets GUEST_LINUX_DEB and GUEST_LINUX_VERSION to the verified pinned
# package, or to the newest one apt serves, with a loud warning.
guest_fetch_source_package() {
    local deb=$PAMU_CACHE/src/${LINUX_SOURCE_PKG}_${LINUX_SOURCE_DEB_VERSION}_all.deb v
    if [ -f "$deb" ] && [ "$(guest_sha256 "$deb")" = "$LINUX_SOURCE_DEB_SHA256" ]; then
        GUEST_LINUX_DEB=$deb GUEST_LINUX_VERSION=$LINUX_SOURCE_DEB_VERSION
        return 0
    fi
    rm -f "$deb"
    [ "${PAMU_SKIP_SYSTEM_SETUP:-0}" != 1 ] || die "missing $deb (see guest/README.md)"
    if deb=$(guest_download_source "$LINUX_SOURCE_DEB_VERSION"); then
        [ "$(guest_sha256 "$deb")" = "$LINUX_SOURCE_DEB_SHA256" ] ||
            die "$deb: SHA-256 $(guest_sha256 "$deb") is not the pinned $LINUX_SOURCE_DEB_SHA256"
        GUEST_LINUX_DEB=$deb GUEST_LINUX_VERSION=$LINUX_SOURCE_DEB_VERSION
        return 0
    fi
    v=$(apt-cache madison "$LINUX_SOURCE_PKG" 2>/dev/null | awk '{ print $3 }' | sort -Vr | head -n 1)
    [ -n "$v" ] || die "apt serves no $LINUX_SOURCE_PKG package"
    loud "The pinned $LINUX_SOURCE_PKG $LINUX_SOURCE_DEB_VERSION is no longer served by apt." \
         "Falling back to $LINUX_SOURCE_PKG $v (part of the artifact cache key)." \
         "Update guest/kernel.pin once you have checked it."
    deb=$(guest_download_source "$v") || die "apt-get download $LINUX_SOURCE_PKG=$v failed"
    GUEST_LINUX_DEB=$deb GUEST_LINUX_VERSION=$v
}

# Sets GUEST_LINUX_SRC to the unpacked kernel tree of the package.
guest_fetch_source() {
    local dir stamp want
    guest_fetch_source_package
    dir=$PAMU_CACHE/linux/$GUEST_LINUX_VERSION
    stamp=$dir/.unpacked
    want=$(guest_sha256 "$GUEST_LINUX_DEB")
    GUEST_LINUX_SRC=$dir/$LINUX_SOURCE_PKG
    [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && [ -f "$GUEST_LINUX_SRC/Makefile" ] && return 0
    msg "unpacking $LINUX_SOURCE_PKG $GUEST_LINUX_VERSION into $dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    dpkg-deb --fsys-tarfile "$GUEST_LINUX_DEB" |
        tar -x -O "./usr/src/$LINUX_SOURCE_PKG.tar.xz" | tar -xJ -C "$dir" ||
        die "unpacking $GUEST_LINUX_DEB failed"
    [ -f "$GUEST_LINUX_SRC/Makefile" ] || die "$GUEST_LINUX_DEB holds no $LINUX_SOURCE_PKG tree"
    echo "$want" > "$stamp"
}

# --- kernel patches --------------------------------------------------------------

# The patches guest/linux-patches/series names, one per line in the order
# they apply ('#' starts a comment), as paths.
guest_patches() {
    local line
    [ -f "$GUEST_PATCH_DIR/series" ] || return 0
    while read -r line; do
        line=${line%%#*}
        line=${line//[[:space:]]/}
        [ -z "$line" ] || echo "$GUEST_PATCH_DIR/$line"
    done < "$GUEST_PATCH_DIR/series"
}

# Hash of the series: the names and contents of its patches, in order.
guest_patches_hash() {
    local p
    for p in $(guest_patches); do
        echo "== $(basename "$p")"
        cat "$p"
    done | sha256sum | cut -c1-16
}

# Copies the pristine files that patch $2 modifies over their hard links
# in tree $1, so that patching never writes into the unpacked tree.
guest_unlink_patched_files() {
    local tree=$1 f
    for f in $(sed -n 's|^+++ b/||p' "$2"); do
        if [ -f "$tree/$f" ]; then
            cp --remove-destination "$GUEST_LINUX_SRC/$f" "$tree/$f" ||
                die "copying $f for patching failed"
        fi
    done
}

# Points GUEST_LINUX_SRC at the unpacked tree with the series applied and
# sets GUEST_PATCH_HASH (empty without patches).  The patched tree lives in
# $PAMU_CACHE/linux-patched/VERSION-HASH, HASH covering the source package
# and the series, and is made once: hard links to the unpacked tree, except
# the files the patches touch.
guest_patch_source() {
    local patches p dir tmp
    mapfile -t patches < <(guest_patches)
    GUEST_PATCH_HASH=
    [ ${#patches[@]} -gt 0 ] || return 0
    for p in "${patches[@]}"; do
        [ -f "$p" ] || die "guest/linux-patches/series names $(basename "$p"), which does not exist"
    done
    GUEST_PATCH_HASH=$(guest_patches_hash)
    dir=$PAMU_CACHE/linux-patched/$GUEST_LINUX_VERSION-$(
        { guest_sha256 "$GUEST_LINUX_DEB"; echo "$GUEST_PATCH_HASH"; } |
        sha256sum | cut -c1-16)
    if [ ! -f "$dir/.patched" ]; then
        msg "applying the ${#patches[@]} kernel patches of guest/linux-patches to a copy of $LINUX_SOURCE_PKG"
        tmp=$dir.tmp.$$
        rm -rf "$tmp"
        mkdir -p "$tmp"
        cp -al "$GUEST_LINUX_SRC" "$tmp/" || die "copying $GUEST_LINUX_SRC failed"
        for p in "${patches[@]}"; do
            guest_unlink_patched_files "$tmp/$LINUX_SOURCE_PKG" "$p"
        done
        for p in "${patches[@]}"; do
            patch -d "$tmp/$LINUX_SOURCE_PKG" -p1 --batch --forward --quiet \
                  < "$p" > "$tmp/patch.log" 2>&1 ||
                { cat "$tmp/patch.log" >&2
                  die "guest/linux-patches/$(basename "$p") does not apply to $LINUX_SOURCE_PKG $GUEST_LINUX_VERSION"; }
        done
        touch "$tmp/.patched"
        rm -rf "$dir"
        mv "$tmp" "$dir"
    fi
    GUEST_LINUX_SRC=$dir/$LINUX_SOURCE_PKG
}

# --- kernel ----------------------------------------------------------------------

guest_fragments() {
    echo "$GUEST_DIR/config/common.config" "$GUEST_DIR/config/$1.config"
}

guest_tool_versions() {
    "${G_CROSS}gcc" --version | head -n 1
    "${G_CROSS}ld" --version | head -n 1
}

guest_kernel_key() {
    local f
    { echo "recipe $GUEST_RECIPE flavour $1"
      echo "source $LINUX_SOURCE_PKG $GUEST_LINUX_VERSION $(guest_sha256 "$GUEST_LINUX_DEB")"
      [ -z "$GUEST_PATCH_HASH" ] || echo "patches $GUEST_PATCH_HASH"
      guest_tool_versions
      for f in $(guest_fragments "$1"); do echo "== $(basename "$f")"; cat "$f"; done
    } | sha256sum | cut -c1-16
}

# Fails unless every option the fragments set ended up in the .config:
# allnoconfig silently drops options whose dependencies are missing.
guest_check_config() {
    local config=$1 bad=() line sym; shift
    while read -r line; do
        case $line in
        CONFIG_*=*)
            grep -qxF "$line" "$config" || bad+=("$line") ;;
        '# CONFIG_'*' is not set')
            sym=${line#\# }; sym=${sym%% *}
            ! grep -q "^$sym=" "$config" || bad+=("$line") ;;
        esac
    done < <(cat "$@")
    [ ${#bad[@]} -eq 0 ] ||
        die "the kernel config does not take these fragment lines (unmet dependencies?): ${bad[*]}"
}

# Prints one line per 250 compiled objects so a long build shows progress.
guest_make_progress() {
    awk -v out="$1" '{ print >> out; fflush(out) }
         /^  (CC|AS) / { n++; if (n % 250 == 0) { printf "    %d objects compiled\n", n; fflush() } }
         /^  LD      vmlinux$/ { print "    linking vmlinux"; fflush() }'
}

# Sets GUEST_VMLINUX for flavour $1, building it unless a cached one with
# the same inputs exists.  PAMU_GUEST_VMLINUX_<FLAVOUR> overrides it with a
# kernel of your own.
guest_build_kernel() {
    local flavour=$1 key out obj log start var frags
    var=PAMU_GUEST_VMLINUX_${flavour^^}
    if [ -n "${!var:-}" ]; then
        [ -f "${!var}" ] || die "$var=${!var}: no such file"
        GUEST_VMLINUX=${!var}
        return 0
    fi
    guest_flavour "$flavour"
    key=$(guest_kernel_key "$flavour")
    out=$GUEST_CACHE/kernel-$flavour-$key
    GUEST_VMLINUX=$out/vmlinux
    [ -f "$GUEST_VMLINUX" ] && return 0

    # Each patch series gets its own object tree, so that builds of
    # different series (other clones sharing the cache) never share one.
    obj=$GUEST_CACHE/obj-$flavour${GUEST_PATCH_HASH:+-p$GUEST_PATCH_HASH}
    if [ "$(cat "$obj/.pamu-source" 2>/dev/null)" != "$GUEST_LINUX_SRC" ]; then
        rm -rf "$obj"
    fi
    mkdir -p "$obj"
    echo "$GUEST_LINUX_SRC" > "$obj/.pamu-source"
    read -ra frags <<< "$(guest_fragments "$flavour")"
    cat "${frags[@]}" > "$obj/pamu-fragment.config"
    log=$obj/build.log
    local mk=(make -C "$GUEST_LINUX_SRC" O="$obj" ARCH=powerpc CROSS_COMPILE="$G_CROSS")
    "${mk[@]}" KCONFIG_ALLCONFIG="$obj/pamu-fragment.config" allnoconfig > "$log" 2>&1 ||
        die "kernel configuration failed (log: $log)"
    guest_check_config "$obj/.config" "${frags[@]}"

    msg "building the $flavour guest kernel (Linux $GUEST_LINUX_VERSION, ~3-4 minutes with $GUEST_JOBS jobs; log: $log)"
    start=$(date +%s)
    "${mk[@]}" -j"$GUEST_JOBS" vmlinux 2>&1 | guest_make_progress "$log" ||
        { tail -n 30 "$log" >&2; die "the $flavour kernel build failed (log: $log)"; }
    rm -rf "$out.tmp"
    mkdir -p "$out.tmp"
    cp "$obj/vmlinux" "$obj/.config" "$out.tmp/"
    { echo "flavour $flavour"; echo "source $LINUX_SOURCE_PKG $GUEST_LINUX_VERSION"
      [ -z "$GUEST_PATCH_HASH" ] || echo "patches $GUEST_PATCH_HASH: $(guest_patches | xargs -n1 basename | tr '\n' ' ')"
      guest_tool_versions; echo "built in $(($(date +%s) - start)) s"; } > "$out.tmp/inputs"
    rm -rf "$out"
    mv "$out.tmp" "$out"
    msg "built $GUEST_VMLINUX in $(($(date +%s) - start)) s"
}

# --- initramfs -------------------------------------------------------------------

# Paths and names are cut to their buffers on purpose.
GUEST_INIT_CFLAGS=(-static -O2 -Wall -Wextra -Werror -Wno-format-truncation
                   -D_FILE_OFFSET_BITS=64)

# The vfio test programs: sources shared with the QEMU tree, and the
# headers that let the planner build without QEMU and GLib.
GUEST_VFIO_SRC=("$PROJECT_ROOT/tests/qtest/vfio-pamu-sim/conformance.c"
                "$PROJECT_ROOT/tests/qtest/vfio-pamu-sim/conformance-harness.c"
                "$GUEST_DIR/init/vfio-edu.c")
GUEST_VFIO_CFLAGS=(-iquote "$GUEST_DIR/init/qemu-shim" -I "$PROJECT_ROOT/include"
                   -I "$PROJECT_ROOT/tests/qtest/vfio-pamu-sim" -I "$GUEST_DIR/init")

guest_initramfs_inputs() {
    cat "$GUEST_DIR"/init/*.[ch] "$GUEST_DIR"/init/qemu-shim/qemu/*.h \
        "$PROJECT_ROOT"/tests/qtest/vfio-pamu-sim/conformance*.[ch] \
        "$PROJECT_ROOT"/include/hw/vfio/fsl-pamu-*.h "$PROJECT_ROOT"/hw/vfio/fsl-pamu-plan.c
}

guest_initramfs_key() {
    { echo "recipe $GUEST_RECIPE flavour $1 cflags ${GUEST_INIT_CFLAGS[*]}"
      guest_tool_versions
      guest_initramfs_inputs
    } | sha256sum | cut -c1-16
}

# Compiles the vfio test programs for flavour $G_CROSS into directory $1.
guest_build_vfio_programs() {
    local cc=("${G_CROSS}gcc" "${GUEST_INIT_CFLAGS[@]}" "${GUEST_VFIO_CFLAGS[@]}")
    "${cc[@]}" -o "$1/vfio-conformance" "$GUEST_DIR/init/vfio-conformance.c" \
        "${GUEST_VFIO_SRC[@]}" || return 1
    # the planner is QEMU code: parameters an interface has may go unused
    "${cc[@]}" -Wno-unused-parameter -o "$1/vfio-e2e" "$GUEST_DIR/init/vfio-e2e.c" \
        "${GUEST_VFIO_SRC[@]}" "$PROJECT_ROOT/hw/vfio/fsl-pamu-plan.c"
}

# Sets GUEST_INITRD for flavour $1: an uncompressed cpio with the static
# in-guest check program as /init and the vfio test programs beside it
# (the kernel's built-in initramfs already provides /dev/console).
guest_build_initramfs() {
    local flavour=$1 key out stage
    guest_flavour "$flavour"
    key=$(guest_initramfs_key "$flavour")
    out=$GUEST_CACHE/initramfs-$flavour-$key
    GUEST_INITRD=$out/initramfs.cpio
    [ -f "$GUEST_INITRD" ] && return 0
    msg "building the $flavour in-guest check program"
    rm -rf "$out.tmp"
    stage=$out.tmp/root
    mkdir -p "$stage/dev" "$stage/proc" "$stage/sys"
    "${G_CROSS}gcc" "${GUEST_INIT_CFLAGS[@]}" -o "$stage/init" "$GUEST_DIR/init/pamu-check.c" ||
        die "compiling guest/init/pamu-check.c for $flavour failed"
    guest_build_vfio_programs "$stage" ||
        die "compiling the vfio test programs (guest/init/vfio-*.c) for $flavour failed"
    (cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
        cpio -o -H newc -R 0:0 --reproducible --quiet) > "$out.tmp/initramfs.cpio" ||
        die "creating the initramfs failed"
    rm -rf "$stage" "$out"
    mv "$out.tmp" "$out"
}

# --- the vhost-user-blk backend ---------------------------------------------------

# The backend of the pamu-vhost-user scenarios (guest/vhost-user-blk/): a
# host program, built with the host's gcc (no GLib) into
# $BUILD_ROOT/guest-tools, again only when its source, flags or compiler
# changed.
GUEST_VHOST_SRC=$GUEST_DIR/vhost-user-blk/vhost-user-blk.c
GUEST_VHOST_CFLAGS=(-O2 -g -std=gnu11 -Wall -Wextra -Werror)

# Sets GUEST_VHOST_USER_BLK to the backend program, building it if needed.
guest_build_vhost_user_blk() {
    local out=$BUILD_ROOT/guest-tools key
    GUEST_VHOST_USER_BLK=$out/vhost-user-blk
    key=$({ echo "${GUEST_VHOST_CFLAGS[*]}"; gcc --version | head -n 1
            cat "$GUEST_VHOST_SRC"; } | sha256sum | cut -c1-16)
    if [ -x "$GUEST_VHOST_USER_BLK" ] &&
        [ "$(cat "$out/vhost-user-blk.key" 2>/dev/null)" = "$key" ]; then
        return 0
    fi
    msg "building guest/vhost-user-blk (host gcc)"
    mkdir -p "$out"
    gcc "${GUEST_VHOST_CFLAGS[@]}" -o "$GUEST_VHOST_USER_BLK.tmp" "$GUEST_VHOST_SRC" ||
        return 1
    mv "$GUEST_VHOST_USER_BLK.tmp" "$GUEST_VHOST_USER_BLK"
    echo "$key" > "$out/vhost-user-blk.key"
}

# Everything a guest boot of flavour $1 needs: sets GUEST_VMLINUX,
# GUEST_INITRD, G_QEMU and G_CPU.
guest_build() {
    guest_setup_system
    local var=PAMU_GUEST_VMLINUX_${1^^}
    if [ -z "${!var:-}" ] && [ -z "${GUEST_LINUX_SRC:-}" ]; then
        guest_fetch_source
        guest_patch_source
    fi
    guest_build_kernel "$1"
    guest_build_initramfs "$1"
    guest_flavour "$1"
}
