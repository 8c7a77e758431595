#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Boots U-Boot (u-boot.e500, which project/lib.sh builds and installs
into the build tree) on ppce500 with -device pamu and neither -bios nor
-kernel, and reads PAMU PR1 and GUTS PAMUBYPENR from its console with
md.l.  Prints one "RESULT<TAB>name<TAB>pass|fail<TAB>detail" line per
check, for project/test.

  firmware_check.py --qemu QEMU [--workdir DIR]
"""

import argparse
import os
import re
import select
import subprocess
import sys
import time

# 32-bit U-Boot for ppce500 maps CCSR at 0xe0000000 (CONFIG_SYS_CCSRBAR)
CCSR = 0xe0000000
PAMU_PR1 = CCSR + 0x20000 + 0xbf8
PAMUBYPENR = CCSR + 0xe0000 + 0x604
PROMPT = b'=> '


class Console:
    """QEMU with -nographic: the serial console on its stdin/stdout."""

    def __init__(self, argv, log_path):
        self.log = open(log_path, 'wb')
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.buf = b''

    def wait_for(self, what, timeout):
        """Reads until @what (bytes or a compiled regex) shows up; returns
        the match (or True), or None after @timeout seconds."""
        end = time.monotonic() + timeout
        while True:
            m = what.search(self.buf) if hasattr(what, 'search') else (what in self.buf)
            if m:
                return m
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if not r:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                return None
            self.log.write(chunk)
            self.log.flush()
            self.buf += chunk

    def send(self, text):
        self.buf = b''
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()


def md_l(con, addr):
    """The 32-bit word at @addr as U-Boot's md.l shows it, or None."""
    con.send('md.l 0x%x 1\n' % addr)
    m = con.wait_for(re.compile(rb'%08x: ([0-9a-f]{8})' % addr), 10)
    if m is None:
        return None
    con.wait_for(PROMPT, 10)
    return int(m.group(1), 16)


def check(qemu, units, workdir, results):
    """One boot with a PAMU of @units units."""
    name = 'firmware/%s/u-boot-units-%d' % (os.path.basename(qemu), units)
    log = os.path.join(workdir, 'u-boot-units-%d.log' % units)
    argv = [qemu, '-M', 'ppce500', '-nographic', '-nic', 'none', '-no-reboot',
            '-device', 'pamu,num-units=%d' % units]
    con = Console(argv, log)
    try:
        if not con.wait_for(b'Hit any key to stop autoboot', 60):
            results.append((name + '/prompt', False, 'no U-Boot banner within 60 s (log: %s)' % log))
            return
        con.send('\n')
        if not con.wait_for(PROMPT, 10):
            results.append((name + '/prompt', False, 'no U-Boot prompt (log: %s)' % log))
            return
        results.append((name + '/prompt', True, 'U-Boot started without -bios or -kernel'))
        pr1 = md_l(con, PAMU_PR1)
        results.append((name + '/pr1', pr1 == 1,
                        'PAMU PR1 at 0x%x reads %s (want 0x00000001: PAMU version 1)'
                        % (PAMU_PR1, 'nothing' if pr1 is None else '0x%08x' % pr1)))
        # every existing unit bypassed at reset, one bit each from bit 31
        want = (0xffffffff << (32 - units)) & 0xffffffff
        byp = md_l(con, PAMUBYPENR)
        results.append((name + '/pamubypenr', byp == want,
                        'PAMUBYPENR at 0x%x reads %s (want 0x%08x)'
                        % (PAMUBYPENR, 'nothing' if byp is None else '0x%08x' % byp, want)))
    finally:
        con.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--qemu', required=True)
    ap.add_argument('--workdir', default='.')
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    results = []
    for units in (1, 2):
        check(a.qemu, units, a.workdir, results)
    for name, ok, detail in results:
        print('RESULT\t%s\t%s\t%s' % (name, 'pass' if ok else 'fail', detail))
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
