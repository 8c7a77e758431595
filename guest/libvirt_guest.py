#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Boots the PAMU test guest as a libvirt domain and checks it through virsh.

  test   (as root) runs one flavour: libvirt's daemons, a domain on the
         project's QEMU with -device pamu, the guest's verdicts, the PAMU
         through virsh qemu-monitor-command and qemu-monitor-event, destroy
         and undefine.  Prints one line per check:
         RESULT<TAB>libvirt/FLAVOUR/NAME<TAB>pass|fail<TAB>detail
         and INFO<TAB>text lines (figures).
  xml    print the domain XML of a flavour (the example of
         docs/system/ppc/pamu.rst)

Nothing of a libvirt the machine already runs is touched: "test" re-runs
itself ("inner") in a private mount namespace (unshare --mount) with tmpfs
over libvirt's configuration, state, run, log and cache directories, writes
its own qemu.conf there and starts its own daemons, whose pid files live in
that tmpfs.  The domain's name is unique to the run.  The namespace ends
with the last of its processes; the outer process then checks that the
host's libvirt directories hold nothing of the run and that no process of
it is left.

The guest runs pamu.test=demo (guest/init/pamu-check.c: virtio-blk and
e1000 DMA through the PAMU, then an access violation) with pamu.hold, so
that it waits for the host's go-ahead on the serial console before the
violation and before powering off: libvirt ends the domain at power-off,
so the monitor checks need the machine running.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import traceback
from xml.sax.saxutils import escape, quoteattr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pamu_guest as pg  # noqa: E402

# Everything libvirt keeps; each gets a tmpfs of its own in the namespace.
LIBVIRT_DIRS = ['/etc/libvirt', '/run/libvirt', '/var/lib/libvirt',
                '/var/log/libvirt', '/var/cache/libvirt']
RUN = '/run/libvirt'
LOGS = '/var/log/libvirt'
URI = 'qemu:///system'

ARCH = {'e500mc': 'ppc', 'e5500': 'ppc64'}
# Linux 6.1's PAACE for a plain device: a 64 GiB identity window at 0
WINDOW_SIZE = 1 << 36
HOLD_SECONDS = 120          # the guest goes on by itself after that
BOOT_TIMEOUT = pg.BOOT_TIMEOUT
VIRSH_TIMEOUT = 60

CHECKS = ['daemons-started', 'domain-defined', 'domain-started', 'driver-probe',
          'query-pamu', 'info-pamu', 'violation-event', 'query-pamu-after-violation',
          'guest-verdicts', 'virtio-blk-read', 'virtio-blk-write', 'e1000-ping',
          'destroy-undefine', 'daemons-stopped']
CLEANUP_CHECKS = ['destroy-undefine', 'daemons-stopped']


def info(text):
    print('INFO\t%s' % text, flush=True)


# --- the domain -------------------------------------------------------------------

def domain_xml(flavour, name, qemu, cpu, kernel, initrd, disk, console_log, cmdline):
    """The domain: libvirt creates the disk (virtio, non-transitional, with
    VIRTIO_F_ACCESS_PLATFORM: iommu='on'), the NIC and the serial port; what
    libvirt has no element for (-cpu on 32-bit ppc, the PAMU itself) goes
    through <qemu:commandline>."""
    q = quoteattr
    return """<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>{name}</name>
  <title>PAMU test guest ({flavour})</title>
  <memory unit='MiB'>512</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='{arch}' machine='ppce500'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{cmdline}</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>{qemu}</emulator>
    <disk type='file' device='disk' model='virtio-non-transitional'>
      <driver name='qemu' type='raw' iommu='on'/>
      <source file={disk}/>
      <target dev='vda' bus='virtio'/>
      <serial>pamu-disk</serial>
    </disk>
    <interface type='user'>
      <model type='e1000'/>
      <rom enabled='no'/>
    </interface>
    <controller type='usb' model='none'/>
    <serial type='pty'>
      <log file={log} append='off'/>
      <target port='0'/>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
    <memballoon model='none'/>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-cpu'/>
    <qemu:arg value={cpu}/>
    <qemu:arg value='-device'/>
    <qemu:arg value='pamu'/>
  </qemu:commandline>
</domain>
""".format(name=escape(name), flavour=escape(flavour), arch=ARCH[flavour],
           kernel=escape(kernel), initrd=escape(initrd), cmdline=escape(cmdline),
           qemu=escape(qemu), disk=q(disk), log=q(console_log), cpu=q(cpu))


def guest_cmdline(seed, hold):
    return ('console=ttyS0 printk.devkmsg=on pamu.test=demo pamu.seed=%d pamu.hold=%d'
            % (seed, hold))


# --- processes ---------------------------------------------------------------------

def alive(pid):
    """Whether pid runs (a zombie has ended)."""
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('State:'):
                    return 'Z' not in line.split()[1]
    except OSError:
        pass
    return False


def wait_gone(pids, timeout):
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [p for p in pids if alive(p)]


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def virsh(*args, timeout=VIRSH_TIMEOUT):
    """Runs virsh; returns (exit status, stdout, stderr), 124 on timeout."""
    try:
        p = subprocess.run(['virsh', '-q', '-c', URI] + list(args), capture_output=True,
                           text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout, p.stderr.strip()
    except subprocess.TimeoutExpired:
        return 124, '', 'virsh %s: no answer within %d s' % (args[0], timeout)


def one_line(text):
    return ' '.join(text.split())


# --- the run in the namespace ----------------------------------------------------

class Run:
    def __init__(self, a):
        self.a = a
        self.name = a.name
        self.c = pg.Checks('libvirt/%s' % a.flavour, CHECKS)
        self.work = a.workdir
        self.disk = os.path.join(self.work, 'disk.img')
        self.console_path = os.path.join(self.work, 'console.log')
        self.events_path = os.path.join(self.work, 'events.log')
        self.seed = 1000 + sum(map(ord, a.flavour + 'libvirt'))
        self.before_b = None
        self.daemons = []           # (name, pid)
        self.listener = None
        self.listening = False
        self.defined = False
        self.qemu_pid = None
        self.liodn = None
        self.figures = []
        self.t0 = time.monotonic()

    def figure(self, what, start):
        self.figures.append('%s %.1f s' % (what, time.monotonic() - start))

    # -- set-up ----------------------------------------------------------------

    def private_dirs(self):
        for d in LIBVIRT_DIRS:
            subprocess.run(['mount', '-t', 'tmpfs', '-o', 'mode=0755', 'pamu-libvirt', d],
                           check=True, timeout=30)
        os.makedirs(os.path.join(LOGS, 'qemu'))
        # libvirt still needs its compiled-in user to exist (project/test
        # creates it); the domain's QEMU runs as root, unconfined.
        with open('/etc/libvirt/qemu.conf', 'w') as f:
            f.write('# written by guest/libvirt_guest.py for one test run\n'
                    'user = "root"\ngroup = "root"\nsecurity_driver = "none"\n')
            # no private /dev for QEMU: libvirt cannot build one in a chroot
            # or a container (QEMU then fails: "Failed to create PTY")
            f.write('namespaces = []\n')
        for d in ('libvirtd', 'virtqemud', 'virtlogd'):
            with open('/etc/libvirt/%s.conf' % d, 'w') as f:
                f.write('log_outputs = "3:file:%s/%s.log"\n' % (LOGS, d))

    def start_daemons(self):
        """virtlogd (the default stdio handler of the QEMU driver), then
        virtqemud where the QEMU driver's own daemon is installed, else the
        monolithic libvirtd (what Debian 12's and 13's packages give)."""
        start = time.monotonic()
        main = 'virtqemud' if os.path.exists('/usr/sbin/virtqemud') else 'libvirtd'
        for d in ('virtlogd', main):
            pidfile = os.path.join(RUN, '%s-pamu.pid' % d)
            with open(os.path.join(LOGS, '%s.stderr' % d), 'w') as err:
                r = subprocess.run(['/usr/sbin/' + d, '-d', '-p', pidfile], stdin=subprocess.DEVNULL,
                                   stdout=err, stderr=err, timeout=60)
            deadline = time.monotonic() + 20
            pid = None
            while time.monotonic() < deadline and not (pid and alive(pid)):
                time.sleep(0.1)
                pid = read_pid(pidfile)
            if not pid or not alive(pid):
                return False, '%s -d exited with %d and left no live pid in %s' % (d, r.returncode, pidfile)
            self.daemons.append((d, pid))
            print('PID\t%d' % pid, flush=True)
        deadline = time.monotonic() + 30
        while True:
            # the daemon answers (no default emulator for the host needed)
            rc, out, err = virsh('list', '--all', timeout=20)
            if rc == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        self.figure('daemons up', start)
        if rc != 0:
            return False, 'virsh list --all: %s' % err
        version = subprocess.run(['/usr/sbin/' + main, '--version'], capture_output=True,
                                 text=True, timeout=30).stdout
        return True, '%s; %s answers (%s)' % (', '.join('%s pid %d' % d for d in self.daemons),
                                              one_line(version), ', '.join(self.figures))

    # -- the console --------------------------------------------------------------

    def console(self):
        try:
            with open(self.console_path, errors='replace') as f:
                return f.read()
        except OSError:
            return ''

    def results(self):
        out = []
        for line in self.console().splitlines():
            m = re.search(r'PAMU-RESULT (\S+)(.*)', line)
            if m:
                kv = dict(t.split('=', 1) for t in m.group(2).split() if '=' in t)
                out.append((m.group(1), kv))
        return out

    def wait_console(self, what, key, value, timeout):
        """Waits for the guest's result line 'what' with key=value; None if
        it did not come or the domain ended."""
        deadline = time.monotonic() + timeout
        next_state = time.monotonic() + 2
        while time.monotonic() < deadline:
            for w, kv in self.results():
                if w == what and kv.get(key) == value:
                    return kv
            if time.monotonic() > next_state:
                next_state = time.monotonic() + 2
                rc, out, _ = virsh('domstate', self.name, timeout=20)
                if rc == 0 and 'running' not in out and 'paused' not in out:
                    return None
            time.sleep(0.2)
        return None

    def release(self, point):
        """Sends 'go POINT' on the serial pty and waits for the guest's
        'resume at=POINT'.  The pty stays open until then: QEMU reads it only
        while a client holds it open, and what the guest echoes is drained
        so that its output never stalls on a full pty."""
        rc, out, err = virsh('ttyconsole', self.name, timeout=20)
        path = out.strip()
        if rc != 0 or not path.startswith('/dev/pts/'):
            return 'virsh ttyconsole: %s' % (err or out.strip())
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            os.write(fd, b'go %s\n' % point.encode())
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    os.read(fd, 65536)
                except OSError:
                    pass
                kv = [kv for w, kv in self.results() if w == 'resume' and kv.get('at') == point]
                if kv:
                    return None if kv[0].get('how') == 'go' else \
                        'the guest resumed by %s' % kv[0].get('how')
                time.sleep(0.1)
            return 'the guest did not take "go %s" from %s within 30 s' % (point, path)
        finally:
            os.close(fd)

    # -- the domain ------------------------------------------------------------------

    def define(self):
        a = self.a
        pg.make_disk(self.disk)
        self.before_b = pg.read_region(self.disk, pg.REGION_B_OFF, pg.REGION_LEN)
        xml = domain_xml(a.flavour, self.name, a.qemu, a.cpu, a.kernel, a.initrd, self.disk,
                         self.console_path, guest_cmdline(self.seed, HOLD_SECONDS))
        path = os.path.join(self.work, 'domain.xml')
        with open(path, 'w') as f:
            f.write(xml)
        start = time.monotonic()
        rc, out, err = virsh('define', path)
        self.figure('define (probes the binary)', start)
        if rc != 0:
            return False, 'virsh define: %s' % err
        self.defined = True
        rc, state, err = virsh('domstate', self.name)
        rc2, dump, _ = virsh('dumpxml', self.name)
        with open(os.path.join(self.work, 'domain.defined.xml'), 'w') as f:
            f.write(dump)
        ok = rc == 0 and state.strip() == 'shut off' and ('<emulator>%s</emulator>' % a.qemu) in dump
        return ok, '%s defined, state "%s", emulator %s' % (self.name, state.strip() or err,
                                                           a.qemu)

    def start(self):
        """Starts the domain and attaches the event listener."""
        start = time.monotonic()
        rc, out, err = virsh('start', self.name, timeout=120)
        if rc != 0:
            return False, 'virsh start: %s' % err
        self.figure('start', start)
        self.qemu_pid = read_pid(os.path.join(RUN, 'qemu', self.name + '.pid'))
        if self.qemu_pid:
            print('PID\t%d' % self.qemu_pid, flush=True)
        # line-buffered, so that the log shows each event as it arrives
        self.listener = subprocess.Popen(
            ['stdbuf', '-oL', 'virsh', '-c', URI, 'qemu-monitor-event', self.name, '--loop',
             '--timeout', str(int(BOOT_TIMEOUT + 2 * HOLD_SECONDS))],
            stdin=subprocess.DEVNULL, stdout=open(self.events_path, 'w'),
            stderr=subprocess.STDOUT)
        cmd = self.qemu_cmdline()
        want = ['-device pamu', 'virtio-blk-pci-non-transitional', '"iommu_platform":true',
                '"serial":"pamu-disk"', '"driver":"e1000"']
        missing = [w for w in want if w not in cmd]
        rc, state, _ = virsh('domstate', self.name)
        return (not missing and state.strip() == 'running',
                'state "%s", QEMU pid %s; QEMU command line by libvirt %s'
                % (state.strip(), self.qemu_pid,
                   'has ' + ', '.join(want) if not missing else 'lacks ' + ', '.join(missing)))

    def listener_ready(self):
        """Whether the event listener listens: virsh gives no sign when it
        has registered, so suspend and resume the domain (the guest waits
        in its hold anyway) until the listener logs a RESUME."""
        for _ in range(10):
            virsh('suspend', self.name)
            virsh('resume', self.name)
            if self.wait_event('RESUME', 1):
                return True
        return False

    def qemu_cmdline(self):
        try:
            with open(os.path.join(LOGS, 'qemu', self.name + '.log')) as f:
                return ' '.join(l.rstrip(' \\\n') for l in f)
        except OSError:
            return ''

    def events(self):
        """(event, data) of every event the listener logged."""
        out = []
        try:
            with open(self.events_path, errors='replace') as f:
                for line in f:
                    m = re.match(r"event (\S+) at \S+ for domain '[^']*': (.*)$", line.strip())
                    if m:
                        try:
                            data = json.loads(m.group(2))
                        except ValueError:
                            data = None
                        out.append((m.group(1), data))
        except OSError:
            pass
        return out

    def wait_event(self, name, timeout):
        deadline = time.monotonic() + timeout
        while True:
            found = [d for e, d in self.events() if e == name]
            if found:
                return found
            if time.monotonic() > deadline:
                return None
            time.sleep(0.1)

    # -- the PAMU through the monitor ---------------------------------------------

    def query_pamu(self):
        """The return value of QMP query-pamu, or an error string."""
        rc, out, err = virsh('qemu-monitor-command', self.name, '{"execute":"query-pamu"}')
        if rc != 0:
            return 'query-pamu: %s' % (err or 'virsh exited with %d' % rc)
        try:
            reply = json.loads(out)
            if 'error' in reply:
                return 'query-pamu: %s: %s' % (reply['error'].get('class'),
                                               reply['error'].get('desc'))
            return reply['return']
        except (ValueError, KeyError, TypeError, AttributeError):
            return 'query-pamu: unexpected answer %r' % out[:200]

    def pamu_entry(self, q):
        """The liodns[] entry of the PCI controller's LIODN, or an error."""
        if isinstance(q, str):
            return q
        try:
            entries = [e for e in q['liodns'] if e.get('liodn') == self.liodn]
        except (KeyError, TypeError, AttributeError):
            return 'query-pamu returned no "liodns" list: %s' % json.dumps(q)[:200]
        if len(entries) != 1:
            return 'query-pamu lists LIODNs %s, not the controller\'s %s once' % (
                [e.get('liodn') for e in q['liodns']], self.liodn)
        return entries[0]

    def check_query_pamu(self):
        q = self.query_pamu()
        e = self.pamu_entry(q)
        if isinstance(e, str):
            self.c.record('query-pamu', False, e)
            return None
        units = [u for u in q.get('units', []) if u.get('unit') == e.get('unit')]
        u = units[0] if units else {}
        p = e.get('paace') or {}
        ok = (u.get('enabled') is True and u.get('bypassed') is False and p.get('valid') is True
              and p.get('read') is True and p.get('write') is True
              and p.get('window-base') == 0 and p.get('window-size') == WINDOW_SIZE)
        self.c.record('query-pamu', ok,
                      '%s: unit %s enabled %s bypassed %s; LIODN %s PAACE %s (want valid, '
                      'read+write, window 0 + 0x%x: Linux\'s identity window)'
                      % (q.get('qom-path'), e.get('unit'), u.get('enabled'), u.get('bypassed'),
                         self.liodn, json.dumps(p) if p else e.get('paace-error', 'none'),
                         WINDOW_SIZE))
        return p

    def check_info_pamu(self, paace):
        rc, out, err = virsh('qemu-monitor-command', self.name, '--hmp', 'info pamu')
        with open(os.path.join(self.work, 'info-pamu.txt'), 'w') as f:
            f.write(out + err)
        lines = [l for l in out.splitlines()
                 if re.match(r'\s*LIODN 0x0*%x\b' % (self.liodn or 0), l)]
        if rc != 0 or 'unknown command' in out or not lines:
            self.c.record('info-pamu', False, 'info pamu: %s' % one_line(err or out)[:200]
                          + ' (no line "LIODN 0x%x")' % (self.liodn or 0))
            return
        base = (paace or {}).get('window-base', 0)
        ok = len(lines) == 1 and re.search(r'\bvalid\b', lines[0]) and \
            re.search(r'\bwindow 0x0*%x\b' % base, lines[0])
        self.c.record('info-pamu', ok, '%r (want "valid" and "window 0x%x")'
                      % (one_line(lines[0]), base))

    def check_violation(self):
        events = self.wait_event('PAMU_ACCESS_VIOLATION', 10) or []
        mine = [d for d in events if d and d.get('liodn') == self.liodn]
        good = [d for d in mine if d.get('access') == 'read' and d.get('violation') == 'permission'
                and d.get('avs1', 0) >> 16 == self.liodn]
        self.c.record('violation-event', bool(good),
                      'listener %s before the violation; %d PAMU_ACCESS_VIOLATION event(s), '
                      '%d of LIODN %s; first: %s (want access read, violation permission, '
                      'AVS1 naming the LIODN; log: %s)'
                      % ('ready (saw RESUME)' if self.listening else 'NOT seen ready',
                         len(events), len(mine), self.liodn,
                         json.dumps(mine[0] if mine else events[0] if events else None),
                         self.events_path))
        e = self.pamu_entry(self.query_pamu())
        if isinstance(e, str):
            self.c.record('query-pamu-after-violation', False, e)
            return
        p = e.get('paace') or {}
        self.c.record('query-pamu-after-violation',
                      p.get('valid') is False and p.get('read') is False,
                      'LIODN %s PAACE %s (want not valid: Linux disabled the LIODN, and no '
                      'read permission: the guest took it)'
                      % (self.liodn, json.dumps(p) if p else e.get('paace-error', 'none')))

    def check_guest(self):
        res = self.results()
        done = pg.first(res, 'done') or {}
        need = ['blk-read', 'blk-write', 'net', 'paace-edit', 'violation-read']
        missing = [w for w in need if pg.first(res, w) is None]
        bad = ['%s(%s)' % (w, ' '.join('%s=%s' % i for i in kv.items()))
               for w, kv in res if kv.get('ok') == '0']
        con = self.console()
        reported = 'access violation interrupt' in con and \
            'Disabling liodn %x' % (self.liodn or 0) in con
        self.c.record('guest-verdicts',
                      done.get('failures') == '0' and not missing and not bad and reported,
                      'guest program %s, failures %s; %s; kernel reported the violation and '
                      'disabled LIODN %s: %s'
                      % ('finished' if done else 'did not finish', done.get('failures'),
                         '; '.join(bad) if bad else 'missing results: ' + ' '.join(missing)
                         if missing else 'no failed in-guest check', self.liodn, reported))
        pg.check_net(self.c, res)
        return res

    def check_probe(self):
        res = self.results()
        dt = pg.first(res, 'dt') or {}
        drv = pg.first(res, 'driver') or {}
        self.liodn = pg.hexint(dt.get('liodn'), None)
        con = self.console()
        self.c.record('driver-probe',
                      dt.get('pamu-node', 'none') != 'none' and drv.get('bound') == '1'
                      and pg.hexint(drv.get('iommus'), 0) >= 1
                      and 'could not find a PAMU node' not in con and self.liodn is not None,
                      'serial log %s: PAMU node %s, fsl-of-pamu bound %s, iommus %s; PCI '
                      'controller %s LIODN %s'
                      % (self.console_path, dt.get('pamu-node'), drv.get('bound'),
                         drv.get('iommus'), dt.get('pci-node'), dt.get('liodn')))

    # -- the end --------------------------------------------------------------------------

    def leftovers(self):
        """Paths in libvirt's directories and cgroups that name the domain,
        but its log, which libvirt keeps on purpose (and which goes with the
        namespace's tmpfs)."""
        keep = os.path.join(LOGS, 'qemu', self.name + '.log')
        found = []
        for top in LIBVIRT_DIRS:
            for d, dirs, files in os.walk(top):
                found += [os.path.join(d, n) for n in dirs + files
                          if self.name in n and os.path.join(d, n) != keep]
        for d, dirs, files in os.walk('/sys/fs/cgroup'):
            if d.count('/') > 6:
                dirs[:] = []
            found += [os.path.join(d, n) for n in dirs if self.name in n]
        return found

    def destroy_undefine(self):
        start = time.monotonic()
        rc1, _, err1 = virsh('destroy', self.name)
        rc2, _, err2 = virsh('undefine', self.name)
        self.defined = rc2 != 0
        left = wait_gone([self.qemu_pid], 15) if self.qemu_pid else []
        rc3, names, err3 = virsh('list', '--all', '--name')
        listed = self.name in names.split()
        files = self.leftovers()
        self.figure('destroy + undefine', start)
        self.c.record('destroy-undefine',
                      rc1 == 0 and rc2 == 0 and self.qemu_pid and not left and rc3 == 0
                      and not listed and not files,
                      'destroy: %s; undefine: %s; QEMU pid %s %s; %s in virsh list --all; '
                      'files/cgroups naming it: %s'
                      % (err1 or 'ok', err2 or 'ok', self.qemu_pid,
                         'still runs' if left else 'gone', self.name if listed else
                         'not' if rc3 == 0 else err3, ' '.join(files) or 'none'))

    def stop_daemons(self):
        """Stops the daemons by pid, newest first; True if all ended by
        SIGTERM."""
        ok = True
        for d, pid in reversed(self.daemons):
            if alive(pid):
                os.kill(pid, signal.SIGTERM)
            if wait_gone([pid], 15):
                ok = False
                os.kill(pid, signal.SIGKILL)
                wait_gone([pid], 5)
        return ok

    def save_logs(self):
        for src in [os.path.join(LOGS, 'qemu', self.name + '.log')] + \
                [os.path.join(LOGS, n) for n in ('libvirtd.log', 'virtqemud.log', 'virtlogd.log',
                                                 'libvirtd.stderr', 'virtqemud.stderr',
                                                 'virtlogd.stderr')]:
            try:
                with open(src, 'rb') as f, \
                        open(os.path.join(self.work, os.path.basename(src)), 'wb') as g:
                    g.write(f.read())
            except OSError:
                pass

    def cleanup(self):
        """Whatever the run left: the listener, the domain, the daemons."""
        if self.listener and self.listener.poll() is None:
            self.listener.terminate()
            try:
                self.listener.wait(10)
            except subprocess.TimeoutExpired:
                self.listener.kill()
        if self.daemons and self.defined:
            virsh('destroy', self.name, timeout=30)
            virsh('undefine', self.name, timeout=30)
        if self.qemu_pid and alive(self.qemu_pid):
            os.kill(self.qemu_pid, signal.SIGKILL)
        self.save_logs()
        if self.daemons:
            pids = [p for _, p in self.daemons]
            ok = self.stop_daemons()
            left = [p for p in pids if alive(p)]
            self.c.record('daemons-stopped', ok and not left,
                          '%s: %s' % (', '.join('%s pid %d' % d for d in self.daemons),
                                      'ended on SIGTERM' if ok else
                                      'needed SIGKILL' if not left else
                                      'still run: %s' % left))

    # -- the run --------------------------------------------------------------------------

    def fail(self, reason):
        """Fails every check not yet made but those of the clean-up, which
        are still made."""
        for n in CHECKS:
            if n not in CLEANUP_CHECKS:
                self.c.record(n, False, reason)

    def steps(self):
        c = self.c
        self.private_dirs()
        ok, detail = self.start_daemons()
        c.record('daemons-started', ok, detail)
        if not ok:
            raise Abort('the daemons did not start (logs: %s)' % self.work)
        ok, detail = self.define()
        c.record('domain-defined', ok, detail)
        if not self.defined:
            raise Abort('no domain')
        ok, detail = self.start()
        c.record('domain-started', ok, detail)
        if not self.qemu_pid:
            raise Abort('the domain did not start')
        start = time.monotonic()
        if not self.wait_console('hold', 'at', 'violation', BOOT_TIMEOUT):
            c.record('driver-probe', False, 'the guest did not reach its hold before the '
                     'violation within %d s (serial log: %s)' % (BOOT_TIMEOUT, self.console_path))
            raise Abort('the guest did not reach its first hold')
        self.figure('boot to the hold', start)
        self.check_probe()
        paace = self.check_query_pamu()
        self.check_info_pamu(paace)
        self.listening = self.listener_ready()
        err = self.release('violation')
        if err:
            raise Abort(err)
        if not self.wait_console('hold', 'at', 'poweroff', 60):
            raise Abort('the guest did not reach its hold before power-off '
                        '(serial log: %s)' % self.console_path)
        self.check_violation()
        self.check_guest()

    def run(self):
        try:
            self.steps()
        except Abort as e:
            self.fail(str(e))
        if self.defined:
            self.destroy_undefine()
            # QEMU has ended: what the guest wrote is on the image
            pg.check_blk(self.c, self.results(), self.disk, self.seed, self.before_b)


class Abort(Exception):
    pass


def inner(a):
    r = Run(a)

    def stop(signum, frame):
        raise SystemExit('signal %d' % signum)

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, stop)
    try:
        r.run()
    except BaseException as e:
        r.fail('the run stopped: %s' % (e if isinstance(e, SystemExit)
                                        else one_line(traceback.format_exc(limit=3))))
    finally:
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        try:
            r.cleanup()
        finally:
            r.c.fail_rest('not evaluated')
            r.figures.append('whole run %.1f s' % (time.monotonic() - r.t0))
            info('%s: %s' % (a.flavour, ', '.join(r.figures)))
            r.c.emit()


# --- outside the namespace --------------------------------------------------------

def host_state(name):
    """What the run must not leave in the host's libvirt directories:
    paths naming the domain, and the contents of /etc/libvirt."""
    named, etc = [], {}
    for top in LIBVIRT_DIRS:
        for d, dirs, files in os.walk(top):
            for n in dirs + files:
                p = os.path.join(d, n)
                if name in n:
                    named.append(p)
                if top == '/etc/libvirt' and n in files:
                    try:
                        with open(p, 'rb') as f:
                            etc[p] = f.read()
                    except OSError:
                        etc[p] = None
    return named, etc


def processes_naming(name):
    out = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                if name.encode() in f.read() and alive(int(pid)):
                    out.append(int(pid))
        except OSError:
            pass
    return out


def test(a):
    if os.geteuid() != 0:
        sys.exit('libvirt_guest.py test needs root (mount namespace, daemons)')
    os.makedirs(a.workdir, exist_ok=True)
    name = 'pamu-test-%s-%d' % (a.flavour, os.getpid())
    _, etc_before = host_state(name)
    argv = ['unshare', '--mount', '--propagation', 'private', '--',
            sys.executable, os.path.abspath(__file__), 'inner', '--name', name,
            '--flavour', a.flavour, '--qemu', a.qemu, '--cpu', a.cpu, '--kernel', a.kernel,
            '--initrd', a.initrd, '--workdir', a.workdir]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            stderr=open(os.path.join(a.workdir, 'inner.log'), 'w'))
    pids = []
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        proc.terminate()            # the inner run cleans up on SIGTERM
        time.sleep(60)
        for p in [proc.pid] + pids:
            if alive(p):
                os.kill(p, signal.SIGKILL)

    timer = threading.Timer(a.timeout, kill)
    timer.daemon = True
    timer.start()
    results = 0
    for line in proc.stdout:
        tag = line.split('\t', 1)[0]
        if tag == 'PID':
            pids.append(int(line.split('\t')[1]))
        elif tag in ('RESULT', 'INFO'):
            results += tag == 'RESULT'
            sys.stdout.write(line)
            sys.stdout.flush()
    proc.wait()
    timer.cancel()
    if results == 0:
        print('RESULT\tlibvirt/%s/run\tfail\tthe run in the namespace reported nothing '
              '(exit %d%s; log: %s/inner.log)' % (a.flavour, proc.returncode,
                                                  ', killed after %d s' % a.timeout
                                                  if timed_out.is_set() else '', a.workdir))
    left = [p for p in pids if alive(p)] + [p for p in processes_naming(name) if p not in pids]
    named, etc_after = host_state(name)
    changed = sorted(p for p in set(etc_before) | set(etc_after)
                     if etc_before.get(p) != etc_after.get(p))
    ok = not left and not named and not changed
    print('RESULT\tlibvirt/%s/host-untouched\t%s\t%s' % (
        a.flavour, 'pass' if ok else 'fail',
        'after the namespace ended: processes of the run %s; paths naming %s in the host\'s '
        '%s: %s; changed files in /etc/libvirt: %s'
        % (left or 'none', name, ' '.join(LIBVIRT_DIRS), ' '.join(named) or 'none',
           ' '.join(changed) or 'none')), flush=True)
    uid, gid = os.environ.get('SUDO_UID'), os.environ.get('SUDO_GID')
    if uid and gid:
        for d, dirs, files in os.walk(a.workdir):
            for n in [d] + [os.path.join(d, f) for f in files]:
                os.chown(n, int(uid), int(gid))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    for cmd in ('test', 'inner', 'xml'):
        p = sub.add_parser(cmd)
        p.add_argument('--flavour', default='e500mc', choices=sorted(ARCH))
        p.add_argument('--qemu', required=True)
        p.add_argument('--cpu', required=True)
        p.add_argument('--kernel', required=True)
        p.add_argument('--initrd', required=True)
        if cmd == 'xml':
            p.add_argument('--name', default='pamu-demo')
            p.add_argument('--disk', required=True)
            p.add_argument('--console-log', required=True)
        else:
            p.add_argument('--workdir', required=True)
        if cmd == 'test':
            p.add_argument('--timeout', type=int, default=int(BOOT_TIMEOUT) + 300)
        if cmd == 'inner':
            p.add_argument('--name', required=True)
    a = ap.parse_args()
    if a.cmd == 'xml':
        sys.stdout.write(domain_xml(a.flavour, a.name, a.qemu, a.cpu, a.kernel, a.initrd,
                                    a.disk, a.console_log, guest_cmdline(1, 0)))
    elif a.cmd == 'test':
        test(a)
    else:
        inner(a)


if __name__ == '__main__':
    main()
