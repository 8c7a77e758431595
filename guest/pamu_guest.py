#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Boots the PAMU test guest and checks what the guest and the host see.

Subcommands (all paths are given by the shell scripts that call this):

  argv    print the QEMU command line of a guest boot, NUL-separated
  disk    create a test disk image
  test    boot the scenarios of one guest flavour and print one line per
          check: RESULT<TAB>name<TAB>pass|fail<TAB>detail
  bench   boot the benchmark with and without -device pamu, print figures

The guest program (guest/init/pamu-check.c) writes "PAMU-RESULT" lines to
the kernel log; this script reads them from the serial console, talks QMP
to read PAMU registers and memory from the host side (with -no-shutdown the
machine stays inspectable after the guest powers off), and reads the disk
image after QEMU exits.
"""

import argparse
import json
import os
import re
import resource
import shlex
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time
import zlib

# --- facts shared with the guest program and the machine ----------------------

DISK_SEED = 0x50414D55          # "PAMU": pattern of the whole disk image
FILL_SEED = 0x46494C4C          # "FILL": pre-fill of the violation buffer
REGION_A_OFF = 0                # read by the guest
REGION_B_OFF = 1 << 20          # written by the guest
REGION_LEN = 256 << 10
DISK_SIZE = 2 << 20
BENCH_DISK_SIZE = 256 << 20
BENCH_BS_MIN = 4 << 10          # pamu.bs: O_DIRECT request sizes the guest takes,
BENCH_BS_MAX = 16 << 20         # powers of two only

CCSR_BASE = 0xF_E000_0000       # ppce500
PAMU_BASE = CCSR_BASE + 0x20000  # unit 0
PAMUBYPENR = CCSR_BASE + 0xE0604
PAMU_UNIT0_BYPASS = 0x80000000
PCI_LIODN = 193                 # the e500 PCI host's default LIODN
PAACT_ENTRIES = 0x500           # what Linux allocates
# PPAACE Linux 6.1 setup_liodns() writes for a plain device (pamu-hw.md 4.4):
# 64 GiB identity window at 0 (WSE 35), AP read+write, V, CR=1.
LINUX_PAACE = [0, 0x000008D9, 0x00000080, 0, 0, 0, 0, 0]
PAACE_AP_READ = 0x08
PAACE_AP_WRITE = 0x10
PAACE_V = 0x01
LINUX_PC = 0x40001011           # PE | OCE | SPCC | PPCC
PICS_AVIE = 0x4
AVS1_AV = 0x1
AVS1_APV = 0x78

BOOT_TIMEOUT = float(os.environ.get('PAMU_GUEST_TIMEOUT', '240'))


def pattern_word(seed, idx):
    """Word idx of the pattern of seed; guest/init/pamu-check.c has the twin."""
    x = (seed + idx * 0x9E3779B1) & 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x85EBCA6B) & 0xFFFFFFFF
    x ^= x >> 13
    x = (x * 0xC2B2AE35) & 0xFFFFFFFF
    x ^= x >> 16
    return x


def pattern(seed, off, length):
    first = off // 4
    return struct.pack('>%dI' % (length // 4),
                       *(pattern_word(seed, first + i) for i in range(length // 4)))


def make_disk(path, size=DISK_SIZE):
    with open(path, 'wb') as f:
        f.write(pattern(DISK_SEED, 0, size))


def make_bench_disk(path):
    if os.path.exists(path) and os.path.getsize(path) == BENCH_DISK_SIZE:
        return
    with open(path + '.tmp', 'wb') as f:
        for _ in range(BENCH_DISK_SIZE >> 20):
            f.write(os.urandom(1 << 20))
    os.replace(path + '.tmp', path)


def read_region(path, off, length):
    with open(path, 'rb') as f:
        f.seek(off)
        return f.read(length)


# --- the QEMU command line ---------------------------------------------------------

def qemu_argv(a, disk, mode, pamu, seed=1, reps=3, iothread=False, rearm=0, edu=False,
              bs=None, pamu_opts='', sd=None, initiator=None, vhost_sock=None):
    append = ('console=ttyS0 printk.devkmsg=on pamu.test=%s pamu.seed=%d pamu.reps=%d'
              ' pamu.rearm=%d' % (mode, seed, reps, rearm))
    if bs is not None:
        append += ' pamu.bs=%d' % bs
    if sd:
        # the SoC's own DMA masters: the block checks on the eSDHC's card,
        # the ping through the eTSEC
        append += ' pamu.disk=mmcblk0 pamu.nic=fsl-gianfar'
    if initiator:
        append += ' pamu.initiator=%s' % initiator
    if vhost_sock:
        # the disk is served by guest/vhost-user-blk, which maps guest RAM:
        # RAM must be a shared memory backend whose file descriptor QEMU
        # can pass it
        machine = ['-M', 'ppce500,memory-backend=ram',
                   '-object', 'memory-backend-memfd,id=ram,size=512M,share=on']
        disk_args = ['-chardev', 'socket,id=vu,path=%s' % vhost_sock,
                     '-device', 'vhost-user-blk-pci,chardev=vu,iommu_platform=on,'
                                'disable-legacy=on']
    else:
        machine = ['-M', 'ppce500']
        disk_args = ['-drive', 'if=none,id=disk0,format=raw,file=%s' % disk,
                     # VIRTIO_F_ACCESS_PLATFORM: only then does virtio DMA go
                     # through the PCI bus master address space, i.e. the PAMU.
                     '-device', 'virtio-blk-pci,drive=disk0,disable-legacy=on,'
                                'iommu_platform=on,serial=pamu-disk%s'
                                % (',iothread=io0' if iothread else '')]
    argv = ([a.qemu] + machine + ['-cpu', a.cpu, '-m', '512', '-smp', '1',
                                  '-no-reboot', '-nic', 'none'] + disk_args +
            ['-kernel', a.kernel, '-initrd', a.initrd, '-append', append])
    if edu:
        # The function for vfio-pci.  Its IOMMU group is the controller's
        # (one LIODN): only functions the guest can unbind may share it,
        # so no NIC.  The mask keeps edu from folding IOVAs above 256 MiB.
        argv += ['-device', 'edu,dma_mask=0xffffffff']
    else:
        # the Debian +ds QEMU source has no option ROMs
        argv += ['-netdev', 'user,id=net0', '-device', 'e1000,netdev=net0,romfile=']
    if pamu:
        # the tests have every remembered translation checked by a walk
        check = mode not in ('demo', 'bench')
        opts = [o for o in (pamu_opts, 'x-check-cache=on' if check else '') if o]
        argv += ['-device', ','.join(['pamu'] + opts)]
    if iothread:
        # the disk's requests, and their DMA, run outside the BQL
        argv += ['-object', 'iothread,id=io0']
    if sd:
        argv += ['-drive', 'if=none,id=sd0,format=raw,file=%s' % sd,
                 '-device', 'sd-card,drive=sd0',
                 '-netdev', 'user,id=net1', '-device', 'eTSEC,netdev=net1']
    return argv


# --- QMP ---------------------------------------------------------------------------

class QMP:
    def __init__(self, path, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.buf = b''
        self.events = []
        self._recv(None)                    # greeting
        self.command('qmp_capabilities')

    def _recv(self, timeout):
        self.sock.settimeout(timeout)
        while b'\n' not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError('QMP connection closed')
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def command(self, name, **args):
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        self.sock.sendall(json.dumps(msg).encode() + b'\n')
        while True:
            reply = self._recv(30)
            if 'event' in reply:
                self.events.append(reply)
            elif 'error' in reply:
                raise RuntimeError('%s: %s' % (name, reply['error'].get('desc')))
            elif 'return' in reply:
                return reply['return']

    def wait_event(self, name, timeout):
        deadline = time.monotonic() + timeout
        while True:
            for ev in self.events:
                if ev['event'] == name:
                    return ev
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                self.events.append(self._recv(left))
            except socket.timeout:
                return None

    def hmp(self, line):
        return self.command('human-monitor-command', **{'command-line': line})

    def xp(self, addr, words):
        """Reads words 32-bit words of guest physical memory (CPU view)."""
        out = self.hmp('xp /%dwx 0x%x' % (words, addr))
        vals = []
        for line in out.splitlines():
            if ':' in line:
                vals += [int(v, 16) for v in re.findall(r'0x[0-9a-fA-F]+',
                                                        line.split(':', 1)[1])]
        if len(vals) != words:
            raise RuntimeError('xp 0x%x: unexpected output %r' % (addr, out))
        return vals


# --- one boot ------------------------------------------------------------------------

class Drainer(threading.Thread):
    """Stops and continues the VM over a second QMP monitor until told to
    finish: each stop drains every disk under the BQL, while the guest's
    DMA may be faulting in an iothread."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path = path
        self.done = threading.Event()
        self.cycles = 0
        self.error = None

    def run(self):
        try:
            qmp = QMP(self.path, 20)
            while not self.done.is_set():
                qmp.command('stop')
                # never resume a guest that powered off meanwhile
                if qmp.command('query-status')['status'] != 'paused':
                    break
                qmp.command('cont')
                self.cycles += 1
                time.sleep(0.005)
        except (OSError, EOFError, RuntimeError) as e:
            if not self.done.is_set():
                self.error = str(e)


class Boot:
    """Runs QEMU until the guest powers off, then lets the caller inspect."""

    def __init__(self, argv, workdir, name, trace=False, drain=False):
        self.name = name
        self.console_path = os.path.join(workdir, name + '.console')
        self.log_path = os.path.join(workdir, name + '.qemu.log')
        self.trace_path = os.path.join(workdir, name + '.trace')
        sock = os.path.join(workdir, name + '.qmp')
        for p in (self.console_path, self.trace_path, sock):
            if os.path.exists(p):
                os.unlink(p)
        argv = argv + ['-display', 'none', '-monitor', 'none', '-no-shutdown',
                       '-serial', 'file:' + self.console_path,
                       '-qmp', 'unix:%s,server=on,wait=off' % sock]
        if trace:
            argv += ['-trace', 'pamu_*', '-D', self.trace_path]
        drain_sock = os.path.join(workdir, name + '.drain.qmp')
        if drain:
            argv += ['-qmp', 'unix:%s,server=on,wait=off' % drain_sock]
        self.argv = argv
        with open(self.log_path, 'w') as log:
            log.write(' '.join(argv) + '\n')
        self.start = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=open(self.log_path, 'a'),
                                     stderr=subprocess.STDOUT)
        self.qmp = None
        self.error = None
        self.shutdown = None
        self.drainer = Drainer(drain_sock) if drain else None
        try:
            self.qmp = QMP(sock, 20)
            if self.drainer:
                self.drainer.start()
            self.shutdown = self.qmp.wait_event('SHUTDOWN', BOOT_TIMEOUT)
        except (OSError, EOFError) as e:
            # QEMU refused the command line (e.g. an unknown -device) or died
            self.qmp = None
            self.error = self._startup_error() or 'QMP: %s' % e
        if self.drainer:
            self.drainer.done.set()
        self.seconds = time.monotonic() - self.start
        if not self.error and self.shutdown is None:
            self.error = 'the guest did not power off within %d s' % BOOT_TIMEOUT

    def _startup_error(self):
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            return None
        lines = [l.strip() for l in open(self.log_path).read().splitlines()[1:] if l.strip()]
        return 'QEMU exited with %d: %s' % (self.proc.returncode,
                                             lines[0] if lines else 'no message')

    def finish(self):
        if self.qmp:
            try:
                self.qmp.command('quit')
            except (OSError, EOFError, RuntimeError):
                pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def console(self):
        try:
            return open(self.console_path, errors='replace').read()
        except OSError:
            return ''

    def results(self):
        """The guest's PAMU-RESULT lines as (what, {key: value}) pairs."""
        out = []
        for line in self.console().splitlines():
            m = re.search(r'PAMU-RESULT (\S+)(.*)', line)
            if m:
                kv = dict(t.split('=', 1) for t in m.group(2).split() if '=' in t)
                out.append((m.group(1), kv))
        return out

    def trace_liodns(self, event):
        """LIODNs named by the trace lines of event."""
        try:
            text = open(self.trace_path, errors='replace').read()
        except OSError:
            return set()
        return {int(m) for m in re.findall(r'\b%s\b.*?LIODN (\d+)' % re.escape(event), text)}

    def trace_count(self, event, exclude=None):
        """Number of trace lines of event (without those matching exclude)."""
        try:
            lines = open(self.trace_path, errors='replace').read().splitlines()
        except OSError:
            return 0
        return sum(1 for l in lines if re.search(r'\b%s\b' % re.escape(event), l)
                   and not (exclude and re.search(exclude, l)))


class VhostUserBlk:
    """guest/vhost-user-blk serving the disk image to the boot's QEMU on a
    socket of its own.  It exits when QEMU closes the connection and leaves
    its counters (IOTLB updates, invalidations, misses, requests) in a
    stats file."""

    def __init__(self, prog, workdir, name, disk):
        # short: the socket path, with .tmp, must fit in sun_path
        self.sock = os.path.join(workdir, name + '.vu')
        self.stats_path = os.path.join(workdir, name + '.vhost-stats')
        self.log_path = os.path.join(workdir, name + '.vhost.log')
        self.stats = {}
        for p in (self.sock, self.stats_path):
            if os.path.exists(p):
                os.unlink(p)
        if not prog or not os.access(prog, os.X_OK):
            raise RuntimeError('the vhost-user-blk backend is not built (%s)'
                               % (prog or 'no --vhost-user-blk given'))
        self.proc = subprocess.Popen([prog, '-v', '--serial', 'pamu-disk',
                                      '--stats', self.stats_path, '--socket', self.sock,
                                      disk],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(self.log_path, 'w'))
        # the socket appears once the backend listens
        deadline = time.monotonic() + 20
        while not os.path.exists(self.sock):
            if self.proc.poll() is not None:
                raise RuntimeError('vhost-user-blk exited with %d (log: %s)'
                                   % (self.proc.returncode, self.log_path))
            if time.monotonic() > deadline:
                self.finish()
                raise RuntimeError('vhost-user-blk did not listen on %s (log: %s)'
                                   % (self.sock, self.log_path))
            time.sleep(0.02)

    def finish(self):
        """Waits for the backend to see QEMU go (SIGTERM after 10 s), then
        reads its counters."""
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        try:
            with open(self.stats_path) as f:
                for line in f:
                    key, _, value = line.strip().partition('=')
                    self.stats[key] = int(value, 0)
        except (OSError, ValueError):
            self.stats = {}


# --- checks ------------------------------------------------------------------------------

class Checks:
    """Collects the checks of one scenario; every declared check is reported."""

    def __init__(self, prefix, names):
        self.prefix = prefix
        self.names = list(names)
        self.done = {}

    def record(self, name, ok, detail=''):
        assert name in self.names, name
        if name not in self.done:
            self.done[name] = (bool(ok), detail)

    def fail_rest(self, reason):
        for n in self.names:
            self.record(n, False, reason)

    def emit(self):
        for n in self.names:
            ok, detail = self.done.get(n, (False, 'not evaluated'))
            print('RESULT\t%s/%s\t%s\t%s' % (self.prefix, n, 'pass' if ok else 'fail',
                                             detail.replace('\t', ' ').replace('\n', ' ')))
        sys.stdout.flush()


def first(results, what):
    for w, kv in results:
        if w == what:
            return kv
    return None


def every(results, what):
    return [kv for w, kv in results if w == what]


def hexint(s, default=-1):
    try:
        return int(s, 0)
    except (TypeError, ValueError):
        return default


def check_common(c, boot, res):
    """Boot, power-off and the guest's own verdicts."""
    done = first(res, 'done')
    reason = (boot.shutdown or {}).get('data', {}).get('reason')
    c.record('boot-and-poweroff', done is not None and reason == 'guest-shutdown',
             'SHUTDOWN reason %s, guest program %s, %.1f s'
             % (reason, 'finished' if done else 'did not finish', boot.seconds))
    bad = ['%s(%s)' % (w, ' '.join('%s=%s' % i for i in kv.items()))
           for w, kv in res if kv.get('ok') == '0']
    c.record('guest-verdicts', done is not None and not bad and done.get('failures') == '0',
             '; '.join(bad) if bad else 'no failed in-guest check')


def check_blk(c, res, disk, seed, before_b, kind='virtio-blk'):
    rd = first(res, 'blk-read') or {}
    want = zlib.crc32(read_region(disk, REGION_A_OFF, REGION_LEN))
    c.record(kind + '-read', rd.get('ok') == '1' and hexint(rd.get('crc32')) == want,
             'guest crc32 %s, host image crc32 0x%08x, mismatched words %s'
             % (rd.get('crc32'), want, rd.get('mismatched-words')))
    wr = first(res, 'blk-write') or {}
    on_disk = read_region(disk, REGION_B_OFF, REGION_LEN)
    c.record(kind + '-write', wr.get('ok') == '1' and on_disk == pattern(seed, REGION_B_OFF, REGION_LEN)
             and on_disk != before_b,
             'guest read-back %s, host image region at %#x %s the pattern of seed %d'
             % ('ok' if wr.get('ok') == '1' else 'FAILED', REGION_B_OFF,
                'holds' if on_disk == pattern(seed, REGION_B_OFF, REGION_LEN) else 'does NOT hold',
                seed))


def check_net(c, res, name='e1000-ping'):
    net = first(res, 'net') or {}
    c.record(name, net.get('ok') == '1',
             'if %s link %s, %s of %s echo replies with intact %s-byte payload from %s'
             % (net.get('if'), net.get('link'), net.get('good-replies'), net.get('sent'),
                net.get('bytes'), net.get('peer')))


def pamu_host_state(boot):
    """PAMU registers and the PCI controller's PAACE, read through QMP."""
    q = boot.qmp
    regs = q.xp(PAMU_BASE, 4)
    st = {'ppba': regs[0] << 32 | regs[1], 'ppla': regs[2] << 32 | regs[3],
          'pc': q.xp(PAMU_BASE + 0xC10, 1)[0], 'pics': q.xp(PAMU_BASE + 0xC1C, 1)[0],
          'pamubypenr': q.xp(PAMUBYPENR, 1)[0]}
    st['paace'] = q.xp(st['ppba'] + PCI_LIODN * 64, 8) if st['ppba'] else None
    return st


def fmt_words(words):
    return ' '.join('%08x' % w for w in words) if words else 'none'


def check_pamu_setup(c, boot, res):
    """Driver probe and what it programmed, from the guest and the host."""
    dt = first(res, 'dt') or {}
    drv = first(res, 'driver') or {}
    km = first(res, 'kmsg') or {}
    c.record('driver-probe',
             dt.get('pamu-node', 'none') != 'none' and drv.get('bound') == '1'
             and hexint(drv.get('iommus'), 0) >= 1 and km.get('pamu-problems') == '0'
             and km.get('splats') == '0' and 'could not find a PAMU node' not in boot.console(),
             'node %s, fsl-of-pamu bound %s, iommus %s, PAMU/IOMMU warnings or errors %s '
             '(first: %s), WARN/BUG splats %s'
             % (dt.get('pamu-node'), drv.get('bound'), drv.get('iommus'),
                km.get('pamu-problems'), km.get('first-problem'), km.get('splats')))
    c.record('pci-liodn', dt.get('liodn') == str(PCI_LIODN),
             'fsl,liodn of %s is %s (expected %d)' % (dt.get('pci-node'), dt.get('liodn'), PCI_LIODN))
    st = pamu_host_state(boot)
    c.record('bypass-cleared', not st['pamubypenr'] & PAMU_UNIT0_BYPASS,
             'PAMUBYPENR = 0x%08x (unit 0 bit 0x%08x)' % (st['pamubypenr'], PAMU_UNIT0_BYPASS))
    c.record('pamu-enabled',
             st['pc'] == LINUX_PC and st['ppba'] != 0 and st['ppla'] == st['ppba'] + PAACT_ENTRIES * 64,
             'PC = 0x%08x (want 0x%08x), PPBA = 0x%x, PPLA = 0x%x'
             % (st['pc'], LINUX_PC, st['ppba'], st['ppla']))
    return st


def check_groups(c, res):
    pci = every(res, 'pci')
    eps = [d for d in pci if d.get('driver') in ('virtio-pci', 'e1000')]
    groups = {d.get('group') for d in eps}
    c.record('iommu-groups',
             len(eps) == 2 and 'none' not in groups and len(groups) == 1,
             'at boot, no re-scan: %s'
             % (', '.join('%s %s group %s' % (d.get('dev'), d.get('driver'), d.get('group'))
                          for d in eps) or 'no endpoints'))


# Word 1 of the controller's PAACE while vfio owns the group: the 64 GiB
# window (WSE 35), no access, valid (the blocking domain).
BLOCKED_WORD1 = 0x8c1


def check_ownership(c, res):
    """vfio owned the controller's group and let it go again."""
    own = first(res, 'vfio-owned') or {}
    rel = first(res, 'vfio-released') or {}
    rd = first(res, 'blk-read-after-vfio') or {}
    c.record('vfio-blocking-domain',
             own.get('ok') == '1' and hexint(own.get('word1')) == BLOCKED_WORD1,
             'vfio group %s of %s: viable %s, set-container %s, PAACE word 1 while owned %s '
             '(want 0x%08x: valid, no access)'
             % (own.get('group'), own.get('dev'), own.get('viable'), own.get('set-container'),
                own.get('word1'), BLOCKED_WORD1))
    c.record('dma-after-vfio',
             hexint(rel.get('word1')) == LINUX_PAACE[1] and rd.get('ok') == '1',
             'PAACE word 1 after release %s (want the boot entry\'s 0x%08x); disk read after '
             'the drivers were bound again: %s, mismatched words %s'
             % (rel.get('word1'), LINUX_PAACE[1], 'ok' if rd.get('ok') == '1' else 'FAILED',
                rd.get('mismatched-words')))


def scenario_io(a, c, boot, disk, seed, before_b, pamu):
    res = boot.results()
    check_common(c, boot, res)
    check_blk(c, res, disk, seed, before_b)
    check_net(c, res)
    if not pamu:
        dt = first(res, 'dt') or {}
        c.record('no-pamu', dt.get('pamu-node') == 'none'
                 and 'could not find a PAMU node' in boot.console(),
                 'PAMU node %s; driver says "could not find a PAMU node": %s'
                 % (dt.get('pamu-node'), 'could not find a PAMU node' in boot.console()))
        return
    st = check_pamu_setup(c, boot, res)
    check_groups(c, res)
    check_ownership(c, res)
    guest = first(res, 'paace') or {}
    c.record('paace', st['paace'] == LINUX_PAACE,
             'host PPAACE[%d] = %s (want %s); guest saw %s'
             % (PCI_LIODN, fmt_words(st['paace']), fmt_words(LINUX_PAACE), guest.get('words')))
    # translations of the PCI controller's LIODN that were not bypassed
    n = boot.trace_count('pamu_translate', exclude=r'bypass 1\b')
    liodns = boot.trace_liodns('pamu_translate')
    c.record('dma-through-pamu',
             n > 0 and boot.trace_count('pamu_violation') == 0 and liodns <= {PCI_LIODN},
             '%d pamu_translate events (not bypassed), LIODNs %s, %d pamu_violation events'
             % (n, sorted(liodns) or 'not shown', boot.trace_count('pamu_violation')))


def check_violation_report(c, boot, res, cleared):
    """The kernel's report, the PAACE Linux disabled, the trace."""
    con = boot.console()
    avs1 = [int(v, 16) for v in re.findall(r'AVS1=([0-9a-f]{8})', con)]
    ok = ('access violation interrupt' in con and 'Disabling liodn %x' % PCI_LIODN in con
          and len(avs1) >= 1 and avs1[0] >> 16 == PCI_LIODN and avs1[0] & AVS1_AV
          and avs1[0] & AVS1_APV)
    c.record('kernel-report', ok,
             'console: access violation interrupt %s, "Disabling liodn %x" %s, AVS1 %s '
             '(want LIODN %d, AV and an APV code)'
             % ('access violation interrupt' in con, PCI_LIODN,
                'Disabling liodn %x' % PCI_LIODN in con,
                ','.join('0x%08x' % v for v in avs1) or 'none', PCI_LIODN))
    st = pamu_host_state(boot)
    want = (LINUX_PAACE[1] & ~cleared) & ~PAACE_V
    word = st['paace'][1] if st['paace'] else None
    # A second report means the device faulted again on the disabled LIODN
    # (e.g. a restarted queue); then Linux's ISR clears AVIE (erratum
    # A-003638) and a later violation may stay latched without interrupt.
    # A guest that re-armed the record itself (pamu.rearm) raced the ISR:
    # PICS says nothing then.
    reports = con.count('access violation interrupt')
    guest = first(res, 'violation-read') or first(res, 'violation-write') or {}
    if hexint(guest.get('rearmed'), 0) > 0:
        pics_ok, pics_want = True, 'anything: the guest re-armed the record'
    elif reports < 2:
        pics_ok, pics_want = st['pics'] == PICS_AVIE, '0x%x: serviced, AVIE kept' % PICS_AVIE
    else:
        pics_ok = not st['pics'] & PICS_AVIE
        pics_want = 'AVIE cleared by the ISR for the disabled LIODN'
    c.record('liodn-disabled', word == want and pics_ok,
             'host PPAACE[%d] word 1 = %s (want 0x%08x: permission removed, V cleared by '
             'Linux), PICS = 0x%08x (want %s; %d report(s))'
             % (PCI_LIODN, '0x%08x' % word if word is not None else 'none', want,
                st['pics'], pics_want, reports))
    n = boot.trace_count('pamu_violation')
    c.record('violation-traced', n >= 1, '%d pamu_violation trace events' % n)


def check_violation(c, boot, cleared):
    """What both violation scenarios check: the boot, the guest's removal of
    permission @cleared from its PAACE and the report of the violation that
    followed.  Returns the guest's results."""
    res = boot.results()
    check_common(c, boot, res)
    edit = first(res, 'paace-edit') or {}
    what = {PAACE_AP_READ: 'read', PAACE_AP_WRITE: 'write'}[cleared]
    c.record('paace-edit', edit.get('ok') == '1' and hexint(edit.get('word1-before')) == LINUX_PAACE[1],
             'guest cleared AP %s: word 1 %s -> %s'
             % (what, edit.get('word1-before'), edit.get('word1-after')))
    check_violation_report(c, boot, res, cleared)
    return res


# The SoC's DMA masters and their LIODNs (QEMU's defaults: P4080's eSDHC
# LIODN; eTSEC has none on silicon with a PAMU, QEMU counts from 200)
ESDHC_LIODN = 156
ETSEC_LIODN = 200


def check_soc_initiators(c, boot, res):
    """The eSDHC and the eTSEC are behind the PAMU with their LIODNs, and
    their DMA was translated, not bypassed."""
    dt = first(res, 'dt') or {}
    con = boot.console()
    c.record('soc-iommu-groups',
             re.search(r'fe002e000\.sdhc: Adding to iommu group', con) is not None and
             re.search(r'ethernet@0: Adding to iommu group', con) is not None,
             'kernel put the eSDHC and the eTSEC in IOMMU groups: %s, %s'
             % ('sdhc' in con and 'yes' or 'no', 'ethernet' in con and 'yes' or 'no'))
    n = boot.trace_count('pamu_translate', exclude=r'bypass 1\b')
    liodns = boot.trace_liodns('pamu_translate')
    c.record('soc-dma-through-pamu', {ESDHC_LIODN, ETSEC_LIODN} <= liodns
             and boot.trace_count('pamu_violation') == 0,
             '%d pamu_translate events (not bypassed), LIODNs %s (want %d and %d among '
             'them), %d pamu_violation events'
             % (n, sorted(liodns) or 'none', ESDHC_LIODN, ETSEC_LIODN,
                boot.trace_count('pamu_violation')))
    return dt


def scenario_soc_io(a, c, boot, sd, seed, before_b):
    res = boot.results()
    check_common(c, boot, res)
    check_blk(c, res, sd, seed, before_b, kind='esdhc-sd')
    check_net(c, res, 'etsec-ping')
    check_soc_initiators(c, boot, res)


def check_soc_report(c, boot, res, what, liodn):
    """The guest's PAACE edit of @what's LIODN and the kernel's report."""
    dt = first(res, 'dt') or {}
    edit = first(res, 'paace-edit') or {}
    c.record(what + '-paace-edit', dt.get('liodn') == str(liodn) and edit.get('ok') == '1'
             and edit.get('liodn') == str(liodn),
             'guest found %s with fsl,liodn %s and edited LIODN %s\'s PAACE: %s -> %s'
             % (dt.get('initiator-node'), dt.get('liodn'), edit.get('liodn'),
                edit.get('word1-before'), edit.get('word1-after')))
    con = boot.console()
    avs1 = [int(v, 16) for v in re.findall(r'AVS1=([0-9a-f]{8})', con)]
    c.record(what + '-kernel-report',
             'Disabling liodn %x' % liodn in con and avs1 and
             avs1[0] >> 16 == liodn and avs1[0] & AVS1_AV and avs1[0] & AVS1_APV,
             'console: "Disabling liodn %x" %s, AVS1 %s (want LIODN %d, AV and APV)'
             % (liodn, 'Disabling liodn %x' % liodn in con,
                ','.join('0x%08x' % v for v in avs1) or 'none', liodn))


def scenario_soc_net_violation(a, c, boot):
    """pamu.initiator=etsec: the guest takes read permission away from the
    eTSEC's PAACE, then pings: the eTSEC cannot read its frames."""
    res = boot.results()
    check_common(c, boot, res)
    check_soc_report(c, boot, res, 'etsec', ETSEC_LIODN)
    v = first(res, 'violation-net') or {}
    c.record('etsec-ping-blocked', v.get('ok') == '1',
             'if %s link %s: %s of %s echo replies (want 0)'
             % (v.get('if'), v.get('link'), v.get('good-replies'), v.get('sent')))


def scenario_soc_violation(a, c, boot, sd, seed, before_b):
    """pamu.initiator=esdhc: the guest takes write permission away from the
    eSDHC's PAACE, then reads from the card: the card's DMA to memory is
    blocked, and the kernel reports LIODN 156."""
    res = boot.results()
    check_common(c, boot, res)
    check_soc_report(c, boot, res, 'esdhc', ESDHC_LIODN)
    v = first(res, 'violation-write') or {}
    phys = hexint(v.get('buffer-phys'), 0)
    host = boot.qmp.xp(phys, 16) if phys else None
    off = hexint(v.get('offset'), 0)
    card = [pattern_word(DISK_SEED, off // 4 + i) for i in range(16)]
    # The eSDHC driver reads through a bounce buffer, which the blocked DMA
    # never filled: the guest buffer gets stale bytes, not the card's data.
    c.record('esdhc-read-blocked', v.get('ok') == '1' and v.get('disk-words') == '0'
             and host is not None and host != card,
             'guest card read %s, words of card data in the guest buffer %s (want 0); '
             'host view of the buffer at 0x%x %s the card data'
             % (v.get('io-result'), v.get('disk-words'), phys,
                'does NOT hold' if host != card else 'HOLDS'))


def scenario_violation_read(a, c, boot, disk, seed, before_b):
    res = check_violation(c, boot, PAACE_AP_READ)
    v = first(res, 'violation-read') or {}
    on_disk = read_region(disk, REGION_B_OFF, REGION_LEN)
    c.record('write-blocked', v.get('ok') == '1' and on_disk == before_b,
             'guest disk write %s; host image region at %#x %s'
             % (v.get('io-result'), REGION_B_OFF,
                'unchanged' if on_disk == before_b else 'CHANGED'))


def scenario_violation_write(a, c, boot, disk, seed, before_b):
    res = check_violation(c, boot, PAACE_AP_WRITE)
    v = first(res, 'violation-write') or {}
    phys = hexint(v.get('buffer-phys'), 0)
    host = boot.qmp.xp(phys, 16) if phys else None
    want = [pattern_word(FILL_SEED, i) for i in range(16)]
    c.record('read-blocked', v.get('ok') == '1' and host == want,
             'guest disk read %s, guest buffer changed words %s; host view of the buffer at '
             '0x%x %s the fill pattern'
             % (v.get('io-result'), v.get('buffer-changed-words'), phys,
                'holds' if host == want else 'does NOT hold'))


def tap_results(res_lines):
    """The conformance suite's TAP lines (PAMU-TAP) as (name, status, detail)
    tuples, and the plan count (None if the suite did not finish)."""
    tests, plan, diag = [], None, []
    for line in res_lines:
        m = re.search(r'PAMU-TAP (.*)$', line)
        if not m:
            continue
        t = m.group(1).strip()
        mt = re.match(r'(not ok|ok) \d+ - (\S+)(?: # SKIP (.*))?$', t)
        if mt:
            status = 'fail' if mt.group(1) == 'not ok' else 'skip' if mt.group(3) else 'pass'
            tests.append((mt.group(2), status, mt.group(3) or '; '.join(diag)))
            diag = []
        elif t.startswith('#'):
            diag.append(t[1:].strip())
        elif re.match(r'1\.\.\d+$', t):
            plan = int(t[3:])
        elif t.startswith('Bail out!'):
            diag.append(t)
    return tests, plan, diag


# pamu_translate's trace line: which subwindow of the LIODN's PAACE served it
TRANSLATE_RE = re.compile(r'pamu_translate LIODN (\d+) 0x([0-9a-f]+) (\S+) bypass (\d+) '
                          r'-> 0x[0-9a-f]+ mask 0x[0-9a-f]+ subwindow (-?\d+)')


def check_spaace(c, boot):
    """Host side: translations of the controller's LIODN went through
    subwindows, i.e. the SPAACEs the driver wrote, not only the PAACE."""
    try:
        text = open(boot.trace_path, errors='replace').read()
    except OSError:
        text = ''
    subwins = {}
    for m in TRANSLATE_RE.finditer(text):
        if int(m.group(1)) == PCI_LIODN and m.group(4) == '0' and int(m.group(5)) >= 0:
            subwins[int(m.group(5))] = subwins.get(int(m.group(5)), 0) + 1
    spaace = [k for k in subwins if k >= 1]
    c.record('spaace-subwindows', len(spaace) >= 2,
             'translations of LIODN %d by subwindow: %s (want at least 2 subwindows >= 1, '
             'which live in SPAACEs)'
             % (PCI_LIODN, ', '.join('%d: %d' % i for i in sorted(subwins.items())) or 'none'))
    n = boot.trace_count('pamu_violation')
    c.record('violation-traced', n >= 1, '%d pamu_violation trace events' % n)


HOST_RE = re.compile(r'# host: (\d+)-bit PAMU, (\d+) windows at most, (\d+) MSI bank')
RANGE_RE = re.compile(r'#   \[0x([0-9a-f]+), 0x([0-9a-f]+)\]')


def sim_profile(console):
    """The simulation's configuration for the host the guest's conformance
    run reported (its '# host:' diagnostics), or None."""
    lines = [m.group(1) for m in re.finditer(r'PAMU-TAP (.*)', console)]
    cfg = None
    for line in lines:
        m = HOST_RE.match(line.strip())
        if m:
            cfg = ['addr_bits=%s' % m.group(1), 'max_windows=%s' % m.group(2),
                   'banks=%s' % m.group(3)]
            continue
        m = RANGE_RE.match(line.strip())
        if m and cfg is not None:
            start, last = int(m.group(1), 16), int(m.group(2), 16)
            if start != 0 or last != (1 << int(cfg[0][10:])) - 1:
                cfg.append('inbound=0x%x+0x%x' % (start, last - start + 1))
        elif cfg is not None:
            break
    return ','.join(cfg) if cfg else None


def run_sim_conformance(a, profile):
    """The conformance suite against the simulation of @profile: its TAP
    results as tap_results() gives them, or an error string."""
    build = os.path.dirname(os.path.abspath(a.qemu))
    d = os.path.join(build, 'tests', 'qtest', 'vfio-pamu-sim')
    prog, lib = os.path.join(d, 'vfio-pamu-conformance'), os.path.join(d, 'libvfio-pamu-sim.so')
    if not (os.path.exists(prog) and os.path.exists(lib)):
        return 'the simulation\'s conformance suite is not built (%s)' % prog
    env = dict(os.environ, LD_PRELOAD=lib, VFIO_PAMU_SIM=profile)
    try:
        out = subprocess.run([prog], env=env, capture_output=True, text=True, timeout=120).stdout
    except (OSError, subprocess.TimeoutExpired) as e:
        return 'running %s: %s' % (prog, e)
    return tap_results(['PAMU-TAP ' + l for l in out.splitlines()])


def check_same_as_simulation(a, c, boot, tests):
    """Every rule gives the same verdict on the guest kernel's driver as on
    the simulation of the same host (bank count, window limit, address
    width, reachable ranges as the guest reported them)."""
    profile = sim_profile(boot.console())
    if profile is None or not tests:
        c.record('conformance-same-as-simulation', False,
                 'the guest reported no host facts or no results')
        return
    sim = run_sim_conformance(a, profile)
    if isinstance(sim, str):
        c.record('conformance-same-as-simulation', False, sim)
        return
    sim_status = {n: st for n, st, _ in sim[0]}
    diff = ['%s: guest %s, simulation %s' % (n, st, sim_status.get(n, 'missing'))
            for n, st, _ in tests if sim_status.get(n) != st]
    c.record('conformance-same-as-simulation', not diff and len(sim[0]) == len(tests),
             'VFIO_PAMU_SIM=%s: %d rules, %d differ%s'
             % (profile, len(tests), len(diff), ': ' + '; '.join(diff) if diff else ''))


def scenario_vfio(a, c, boot, disk, seed, before_b):
    res = boot.results()
    check_common(c, boot, res)
    tests, plan, diag = tap_results(boot.console().splitlines())
    for name, status, detail in tests:
        print('RESULT\t%s/conformance/%s\t%s\t%s' % (c.prefix, name, status,
                                                    detail.replace('\t', ' ')))
    failed = [n for n, st, _ in tests if st == 'fail']
    c.record('conformance-complete', plan is not None and plan == len(tests) and plan > 0,
             'plan %s, %d results (%d failed, %d skipped)%s'
             % (plan, len(tests), len(failed), sum(1 for t in tests if t[1] == 'skip'),
                '; ' + ' '.join(diag) if diag else ''))
    check_same_as_simulation(a, c, boot, tests)
    setup = first(res, 'vfio-setup') or {}
    group = first(res, 'vfio-group') or {}
    c.record('vfio-setup', setup.get('ok') == '1',
             'edu %s in group %s, members %s; %s'
             % (setup.get('dev'), setup.get('group'), group.get('members'),
                ' '.join('%s=%s' % i for i in setup.items())))
    for check, what in (('planner-geometry', 'vfio-plan'), ('hugepage-backing', 'vfio-hugepages'),
                        ('map-plan', 'vfio-map'), ('dma-both-directions', 'vfio-dma'),
                        ('msi-eventfd', 'vfio-msi'), ('fault-disables-liodn', 'vfio-fault'),
                        ('fault-stops-all', 'vfio-fault-stops-all'),
                        ('fault-reenable', 'vfio-reenable'), ('memlock-enomem', 'vfio-memlock')):
        kv = first(res, what) or {}
        c.record(check, kv.get('ok') == '1',
                 ' '.join('%s=%s' % i for i in kv.items()) or 'no %s result' % what)
    rebind = first(res, 'vfio-rebind') or {}
    c.record('rebind', rebind.get('ok') == '1',
             'functions given back to their drivers: %s' % rebind.get('functions'))
    check_blk(c, res, disk, seed, before_b)
    check_spaace(c, boot)


PAMU_IO_CHECKS = ['boot-and-poweroff', 'guest-verdicts', 'driver-probe', 'pci-liodn',
                  'bypass-cleared', 'pamu-enabled', 'iommu-groups', 'paace',
                  'dma-through-pamu', 'virtio-blk-read', 'virtio-blk-write',
                  'e1000-ping', 'vfio-blocking-domain', 'dma-after-vfio']
VIOLATION_READ_CHECKS = ['boot-and-poweroff', 'guest-verdicts', 'paace-edit',
                         'kernel-report', 'liodn-disabled', 'violation-traced',
                         'write-blocked']

SCENARIOS = {
    # name: (guest mode, -device pamu, checks[, QEMU options])
    'nopamu-io': ('io', False, ['boot-and-poweroff', 'guest-verdicts', 'no-pamu',
                                'virtio-blk-read', 'virtio-blk-write', 'e1000-ping']),
    'pamu-io': ('io', True, PAMU_IO_CHECKS),
    'pamu-violation-read': ('violation-read', True, VIOLATION_READ_CHECKS),
    'pamu-violation-write': ('violation-write', True,
                             ['boot-and-poweroff', 'guest-verdicts', 'paace-edit',
                              'kernel-report', 'liodn-disabled', 'violation-traced',
                              'read-blocked']),
    # The disk on an iothread: its DMA faults outside the BQL, and the
    # interrupt must still reach the guest (from the main loop).
    # A second monitor keeps stopping the VM, which drains the disk under
    # the BQL, while that DMA faults and the guest keeps re-arming the record.
    'pamu-violation-iothread': ('violation-write', True,
                                ['boot-and-poweroff', 'guest-verdicts', 'paace-edit',
                                 'kernel-report', 'liodn-disabled', 'violation-traced',
                                 'read-blocked', 'irq-from-main-loop'],
                                {'iothread': True, 'drain': True, 'rearm': 1}),
    # The SoC's own DMA masters behind the PAMU, each with its LIODN: the
    # block checks on an SD card in the eSDHC, the ping through an eTSEC
    # (gianfar); then the eSDHC's PAACE loses write permission and a read
    # from the card is blocked.
    'pamu-soc-io': ('io', True, ['boot-and-poweroff', 'guest-verdicts', 'esdhc-sd-read',
                                 'esdhc-sd-write', 'etsec-ping', 'soc-iommu-groups',
                                 'soc-dma-through-pamu'], {'soc': True}),
    'pamu-soc-net-violation': ('violation-net', True,
                               ['boot-and-poweroff', 'guest-verdicts', 'etsec-paace-edit',
                                'etsec-kernel-report', 'etsec-ping-blocked'],
                               {'soc': True, 'initiator': 'etsec'}),
    'pamu-soc-violation': ('violation-write', True,
                           ['boot-and-poweroff', 'guest-verdicts', 'esdhc-paace-edit',
                            'esdhc-kernel-report', 'esdhc-read-blocked'],
                           {'soc': True, 'initiator': 'esdhc'}),
    # The PAMU vfio container (docs/devel/vfio-pamu.rst) on the guest
    # kernel's driver: the conformance suite, then the end to end program
    # with edu on vfio-pci, then virtio-blk DMA on the same controller.
    'pamu-vfio': ('vfio', True, ['boot-and-poweroff', 'guest-verdicts', 'vfio-setup',
                                 'conformance-complete', 'conformance-same-as-simulation',
                                 'planner-geometry',
                                 'hugepage-backing', 'map-plan', 'dma-both-directions',
                                 'msi-eventfd', 'fault-disables-liodn', 'fault-stops-all',
                                 'fault-reenable', 'memlock-enomem', 'rebind',
                                 'virtio-blk-read', 'virtio-blk-write', 'spaace-subwindows',
                                 'violation-traced'],
                  {'edu': True}),
    # The disk on vhost-user-blk-pci, served by guest/vhost-user-blk with a
    # device IOTLB: the backend gets its translations from the PAMU on IOTLB
    # misses and loses them through the PAMU's notifications.
    'pamu-vhost-user': ('io', True, PAMU_IO_CHECKS + ['vhost-user-features',
                                                      'backend-served-io',
                                                      'iotlb-through-pamu',
                                                      'iotlb-restart-empty'],
                        {'vhost_user': True}),
    # Linux never changes the identity window while the disk runs, so the
    # guest's PAACE edit of pamu-violation-read provides the change: the
    # backend must lose what it holds, and its next miss is refused.
    'pamu-vhost-user-violation': ('violation-read', True,
                                  VIOLATION_READ_CHECKS + ['iotlb-invalidated',
                                                           'miss-refused'],
                                  {'vhost_user': True}),
}

VIRTIO_F_VERSION_1 = 32
VIRTIO_F_ACCESS_PLATFORM = 33
VU_PROTOCOL_F_REPLY_ACK = 3
VU_PROTOCOL_F_BACKEND_REQ = 5
VU_PROTOCOL_F_CONFIG = 9


def check_vhost_io(c, boot, st):
    """The disk the guest read and wrote was the backend's, through vhost,
    on IOVAs the PAMU translated; a restarted device started empty."""
    feat, proto = st.get('features', 0), st.get('protocol-features', 0)
    want = (1 << VIRTIO_F_VERSION_1) | (1 << VIRTIO_F_ACCESS_PLATFORM)
    want_proto = ((1 << VU_PROTOCOL_F_REPLY_ACK) | (1 << VU_PROTOCOL_F_BACKEND_REQ)
                  | (1 << VU_PROTOCOL_F_CONFIG))
    c.record('vhost-user-features', feat & want == want and proto & want_proto == want_proto,
             'features acked 0x%x (VERSION_1 %s, ACCESS_PLATFORM %s: ring and buffer addresses '
             'are IOVAs), protocol features 0x%x (REPLY_ACK, BACKEND_REQ, CONFIG %s)'
             % (feat, bool(feat & (1 << VIRTIO_F_VERSION_1)),
                bool(feat & (1 << VIRTIO_F_ACCESS_PLATFORM)), proto,
                'all' if proto & want_proto == want_proto else 'NOT all'))
    g = st.get
    c.record('backend-served-io',
             g('requests-in', 0) >= 2 and g('bytes-read', 0) >= 2 * REGION_LEN
             and g('requests-out', 0) >= 1 and g('bytes-written', 0) >= REGION_LEN
             and g('requests-flush', 0) >= 1 and g('requests-get-id', 0) >= 1
             and g('requests-failed', 1) == 0 and g('stalls', 1) == 0,
             'backend: %s reads (%s bytes), %s writes (%s bytes), %s flushes, %s GET_ID '
             '(the serial the guest found the disk by), %s failed, %s stalled queues; '
             '%s buffers split across IOTLB entries'
             % (g('requests-in'), g('bytes-read'), g('requests-out'), g('bytes-written'),
                g('requests-flush'), g('requests-get-id'), g('requests-failed'),
                g('stalls'), g('split-buffers')))
    translations = boot.trace_count('pamu_translate', exclude=r'bypass 1\b')
    misses = g('iotlb-misses', 0)
    c.record('iotlb-through-pamu',
             g('iotlb-updates', 0) > 0 and misses > 0 and g('iotlb-misses-served') == misses
             and translations >= misses,
             'backend: %s IOTLB updates, %d misses of which %s served, %s refused, %s '
             'unanswered; %d pamu_translate events (not bypassed: vhost\'s misses and the '
             'e1000\'s DMA)'
             % (g('iotlb-updates'), misses, g('iotlb-misses-served'),
                g('iotlb-misses-refused'), g('iotlb-misses-unanswered'), translations))
    starts = g('ring-starts', 0)
    c.record('iotlb-restart-empty',
             starts >= 2 and g('iotlb-invalidations', 0) >= starts
             and g('iotlb-entries-at-ring-start', 1) == 0 and g('iotlb-entries-dropped', 0) > 0,
             'the ring started %d times (the vfio session stopped the device), %s '
             'invalidations dropped %s entries, %s entries left when a ring started '
             '(want 0); %s invalidations while the ring ran (Linux does not change the '
             'identity window meanwhile; the vfio session changes it while the device is '
             'stopped)'
             % (starts, g('iotlb-invalidations'), g('iotlb-entries-dropped'),
                g('iotlb-entries-at-ring-start'), g('iotlb-invalidations-running')))


def check_vhost_violation(c, boot, st):
    """The guest's PAACE edit took the backend's translations away while
    its ring ran; its next miss was refused."""
    g = st.get
    c.record('iotlb-invalidated',
             g('iotlb-invalidations-running', 0) > 0 and g('iotlb-entries-dropped-running', 0) > 0,
             'backend: %s invalidations while the ring ran dropped %s entries (of %s '
             'updates); %s invalidations in all'
             % (g('iotlb-invalidations-running'), g('iotlb-entries-dropped-running'),
                g('iotlb-updates'), g('iotlb-invalidations')))
    c.record('miss-refused',
             g('iotlb-misses-refused', 0) >= 1 and g('stalls', 0) >= 1
             and g('bytes-written', 1) == 0,
             'backend: %s misses, %s refused (the PAMU denied the read), %s stalled queues, '
             '%s bytes written to the image'
             % (g('iotlb-misses'), g('iotlb-misses-refused'), g('stalls'), g('bytes-written')))


def check_iothread(c, boot):
    """The disk's DMA faulted in its iothread while the VM was being stopped
    (its disks drained under the BQL) over and over; the guest kept
    re-arming the record so that those faults were latched, not lost."""
    n = boot.trace_count('pamu_irq_deferred')
    d = boot.drainer
    guest = first(boot.results(), 'violation-write') or {}
    rearmed = hexint(guest.get('rearmed'), 0)
    c.record('irq-from-main-loop', n >= 10 and rearmed >= 10 and d.cycles > 0 and not d.error,
             '%d violations latched in the iothread (want >= 10), their interrupt raised '
             'by the main loop; the guest re-armed the record %d times; the VM was stopped '
             '(disks drained) %d times meanwhile%s'
             % (n, rearmed, d.cycles, ', drainer: %s' % d.error if d.error else ''))


def run_scenario(a, name):
    mode, pamu, names = SCENARIOS[name][:3]
    opts = SCENARIOS[name][3] if len(SCENARIOS[name]) > 3 else {}
    c = Checks('guest/%s/%s' % (a.flavour, name), names)
    disk = os.path.join(a.workdir, name + '.img')
    make_disk(disk)
    sd = None
    if opts.get('soc'):
        sd = os.path.join(a.workdir, name + '-sd.img')
        make_disk(sd)
    seed = 1000 + sum(map(ord, a.flavour + name))
    before_b = read_region(sd or disk, REGION_B_OFF, REGION_LEN)
    vhost = None
    if opts.get('vhost_user'):
        try:
            vhost = VhostUserBlk(a.vhost_user_blk, a.workdir, name, disk)
        except (OSError, RuntimeError) as e:
            c.fail_rest(str(e))
            c.emit()
            return
    boot = Boot(qemu_argv(a, disk, mode, pamu, seed, iothread=opts.get('iothread', False),
                          rearm=opts.get('rearm', 0), edu=opts.get('edu', False), sd=sd,
                          initiator=opts.get('initiator'),
                          vhost_sock=vhost.sock if vhost else None),
                a.workdir, name, trace=pamu, drain=opts.get('drain', False))
    try:
        if boot.error:
            c.fail_rest('%s (log: %s)' % (boot.error, boot.log_path))
        elif sd and mode == 'io':
            scenario_soc_io(a, c, boot, sd, seed, before_b)
        elif sd and mode == 'violation-net':
            scenario_soc_net_violation(a, c, boot)
        elif sd:
            scenario_soc_violation(a, c, boot, sd, seed, before_b)
        elif mode == 'io':
            scenario_io(a, c, boot, disk, seed, before_b, pamu)
        elif mode == 'violation-read':
            scenario_violation_read(a, c, boot, disk, seed, before_b)
        elif mode == 'vfio':
            scenario_vfio(a, c, boot, disk, seed, before_b)
        else:
            scenario_violation_write(a, c, boot, disk, seed, before_b)
        if opts.get('iothread') and not boot.error:
            check_iothread(c, boot)
    except (OSError, EOFError, RuntimeError) as e:
        c.fail_rest('host-side inspection failed: %s' % e)
    finally:
        boot.finish()
        if vhost:
            vhost.finish()
    if vhost and not boot.error:
        if not vhost.stats:
            c.fail_rest('the backend left no counters (log: %s)' % vhost.log_path)
        elif mode == 'io':
            check_vhost_io(c, boot, vhost.stats)
        else:
            check_vhost_violation(c, boot, vhost.stats)
    c.fail_rest('not evaluated (console: %s)' % boot.console_path)
    c.emit()


# --- benchmark -----------------------------------------------------------------------------

def parse_sizes(text):
    """--bs: "1M,64K,4096" -> [1048576, 65536, 4096] (K and M are 1024 and 1024 x 1024)."""
    sizes = []
    for item in text.split(','):
        m = re.fullmatch(r'\s*(\d+)\s*([kKmM]?)\s*', item)
        if not m:
            raise argparse.ArgumentTypeError("'%s' is not a size (e.g. 64K, 1M, 4096)" % item)
        bs = int(m.group(1)) << {'': 0, 'k': 10, 'm': 20}[m.group(2).lower()]
        if not BENCH_BS_MIN <= bs <= BENCH_BS_MAX or bs & (bs - 1):
            raise argparse.ArgumentTypeError('%s: the request size must be a power of two '
                                             'from 4K to 16M' % item.strip())
        sizes.append(bs)
    return sizes


def size_name(bs):
    """65536 -> '64 KiB'; every request size is a power of two >= 4 KiB."""
    return '%d MiB' % (bs >> 20) if bs >= 1 << 20 else '%d KiB' % (bs >> 10)


# What the benchmark compares: name, -device pamu or not, its options.
BENCH_CONFIGS = [('without', False, ''), ('with', True, '')]
BENCH_UNCACHED = ('walking', True, 'x-cache=off')


def bench_boot(a, disk, bs, rnd, config):
    """One benchmark boot: its MB/s figures and the QEMU CPU time it took."""
    label, pamu, opts = config
    name = 'bench-%s-%s-%d' % (label, size_name(bs).replace(' ', ''), rnd)
    print('  %s requests, round %d, %s ...' % (size_name(bs), rnd + 1, label),
          file=sys.stderr, flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    boot = Boot(qemu_argv(a, disk, 'bench', pamu, reps=a.reps, bs=bs, pamu_opts=opts),
                a.workdir, name)
    boot.finish()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if boot.error:
        sys.exit('benchmark boot %s failed: %s (log: %s)' % (name, boot.error, boot.log_path))
    results = every(boot.results(), 'bench')
    failed = [l.split('PAMU-RESULT ', 1)[1] for l in boot.console().splitlines()
              if 'PAMU-RESULT bench ok=0' in l]
    if failed:
        sys.exit('benchmark boot %s: the guest failed: %s (console: %s)'
                 % (name, '; '.join(failed), boot.console_path))
    # an initramfs older than pamu.bs reads 1 MiB whatever it is asked
    other = {r.get('bs', 'none') for r in results if 'mbps' in r} - {str(bs)}
    if other:
        sys.exit('benchmark boot %s: the guest read with bs=%s, not %d (console: %s)'
                 % (name, ','.join(sorted(other)), bs, boot.console_path))
    reps = [float(r['mbps']) for r in results if 'mbps' in r]
    if len(reps) != a.reps:
        sys.exit('benchmark boot %s: %d of %d figures (console: %s)'
                 % (name, len(reps), a.reps, boot.console_path))
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return reps, cpu, boot.argv


def bench_size(a, disk, bs, configs):
    """The rounds of one request size: figures of each boot, per configuration.
    The configurations alternate within a round, starting with another one
    each round, so that the machine's drift hits them alike."""
    figures = {c[0]: [] for c in configs}
    per_round = {c[0]: [] for c in configs}
    cpu = {c[0]: [] for c in configs}
    argv = None
    for rnd in range(a.rounds):
        for k in range(len(configs)):
            config = configs[(k + rnd) % len(configs)]
            reps, used, boot_argv = bench_boot(a, disk, bs, rnd, config)
            figures[config[0]] += reps
            per_round[config[0]].append(statistics.median(reps))
            cpu[config[0]].append(used)
            if config[0] == 'with':
                argv = boot_argv
    return figures, per_round, cpu, argv


def bench(a):
    disk = os.path.join(a.workdir, 'bench-disk.img')
    make_bench_disk(disk)
    configs = BENCH_CONFIGS + ([BENCH_UNCACHED] if a.uncached else [])
    for i, bs in enumerate(a.bs):
        figures, per_round, cpu, argv = bench_size(a, disk, bs, configs)
        if i == 0:
            print('%s (%s -cpu %s): O_DIRECT sequential reads of a %d MiB virtio-blk disk, '
                  '%d round(s) per size, %d read(s) per boot'
                  % (a.flavour, os.path.basename(a.qemu), a.cpu, BENCH_DISK_SIZE >> 20,
                     a.rounds, a.reps))
            print('  QEMU command (without -device pamu the same minus it; pamu.bs= is the'
                  ' request size):')
            print('    ' + ' '.join(shlex.quote(w) for w in argv))
            if a.uncached:
                print('  "walking" is -device pamu,x-cache=off: a table walk on every access')
        without = statistics.median(figures['without'])
        print('%s requests (pamu.bs=%d):' % (size_name(bs), bs))
        for label, _, _ in configs:
            print('  %-7s -device pamu: median %7.1f MB/s  (%s)'
                  % (label, statistics.median(figures[label]),
                     ' '.join('%.0f' % v for v in figures[label])))
        for label, _, _ in configs[1:]:
            # the boots of a round run close together, so their ratio is
            # less exposed to the machine's drift than the medians are
            paired = [w / n for w, n in zip(per_round[label], per_round['without'])]
            print('  %s/without: ratio of the medians %.3f (target >= 0.97); of each'
                  ' round: median %.3f, min %.3f, max %.3f'
                  % (label, statistics.median(figures[label]) / without,
                     statistics.median(paired), min(paired), max(paired)))
        print('  QEMU CPU time of a boot (%d reads): median %s'
              % (a.reps, ', '.join('%.2f s %s' % (statistics.median(cpu[l]), l)
                                   for l, _, _ in configs)))
        sys.stdout.flush()


# --- the demo's closing view ------------------------------------------------------------------

def shutdown_report(a):
    """Waits on QMP for the guest to power off (QEMU then pauses, from
    -action shutdown=pause), prints the PAMU as "info pamu" shows it and
    quits QEMU.  A QEMU that goes away first (Ctrl-A x) ends it quietly."""
    # -nographic puts the terminal in raw mode: newlines need a return
    eol = '\r\n' if sys.stdout.isatty() else '\n'
    try:
        qmp = QMP(a.qmp, 60)
        while qmp.wait_event('SHUTDOWN', 3600) is None:
            pass
        out = qmp.hmp('info pamu')
        text = ['', "==> the guest's PAMU at power-off (info pamu):"] + out.splitlines()
        sys.stdout.write(eol.join(text) + eol)
        sys.stdout.flush()
        qmp.command('quit')
    except (OSError, EOFError, RuntimeError):
        pass


# --- command line --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    for name in ('argv', 'test', 'bench'):
        p = sub.add_parser(name)
        p.add_argument('--flavour', default='e500mc')
        p.add_argument('--qemu', required=True)
        p.add_argument('--cpu', required=True)
        p.add_argument('--kernel', required=True)
        p.add_argument('--initrd', required=True)
        if name == 'argv':
            p.add_argument('--disk', required=True)
            p.add_argument('--mode', default='demo')
            p.add_argument('--no-pamu', action='store_true')
            p.add_argument('--edu', action='store_true',
                           help='edu instead of e1000, as the pamu-vfio scenario has')
        else:
            p.add_argument('--workdir', required=True)
        if name == 'test':
            p.add_argument('--vhost-user-blk', metavar='PROGRAM',
                           help='the backend of the pamu-vhost-user scenarios '
                                '(guest/vhost-user-blk, built by guest/lib.sh)')
            p.add_argument('scenarios', nargs='*', default=list(SCENARIOS))
        if name == 'bench':
            p.add_argument('--rounds', type=int, default=2)
            p.add_argument('--reps', type=int, default=3)
            p.add_argument('--uncached', action='store_true',
                           help='also -device pamu,x-cache=off (a walk per access)')
            p.add_argument('--bs', type=parse_sizes, default='1M,64K',
                           help='O_DIRECT request sizes, comma-separated: 64K, 1M, bytes '
                                '(default 1M,64K)')
    p = sub.add_parser('disk')
    p.add_argument('path')
    p = sub.add_parser('shutdown-report')
    p.add_argument('--qmp', required=True, help='QMP socket of the demo QEMU')
    a = ap.parse_args()

    if a.cmd == 'disk':
        make_disk(a.path)
    elif a.cmd == 'shutdown-report':
        shutdown_report(a)
    elif a.cmd == 'argv':
        sys.stdout.write('\0'.join(qemu_argv(a, a.disk, a.mode, not a.no_pamu, edu=a.edu)) + '\0')
    elif a.cmd == 'test':
        os.makedirs(a.workdir, exist_ok=True)
        for s in a.scenarios:
            if s not in SCENARIOS:
                sys.exit('unknown scenario %s (scenarios: %s)' % (s, ' '.join(SCENARIOS)))
        for s in a.scenarios:
            run_scenario(a, s)
    else:
        if a.rounds < 1 or a.reps < 1:
            sys.exit('--rounds and --reps must be at least 1')
        os.makedirs(a.workdir, exist_ok=True)
        bench(a)


if __name__ == '__main__':
    main()
