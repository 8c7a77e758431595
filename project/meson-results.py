#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn meson's testlog.json into one result line per TAP subtest.

Usage: meson-results.py TESTLOG.json NAME...
Prints "pass|fail|skip<TAB>name<TAB>detail" lines.  A test that printed no
TAP result lines counts as one result with meson's own verdict, and a test
that is missing from the log counts as failed.
"""

import json
import re
import sys

TAP = re.compile(r'^(not ok|ok)\s+\d+\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(SKIP|TODO)\b\s*(.*))?$',
                 re.IGNORECASE)


def load(path):
    tests = {}
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                line = line.strip()
                if line:
                    entry = json.loads(line)
                    # "qemu:qtest+qtest-ppc / qtest-ppc/foo" -> "qtest-ppc/foo"
                    tests[entry['name'].split(' / ')[-1]] = entry
    except FileNotFoundError:
        pass
    return tests


def main():
    tests = load(sys.argv[1])
    for name in sys.argv[2:]:
        entry = tests.get(name)
        if entry is None:
            print(f'fail\t{name}\tdid not run')
            continue
        verdict = entry.get('result', 'ERROR')
        subtests = 0
        for line in (entry.get('stdout') or '').splitlines():
            m = TAP.match(line.strip())
            if not m:
                continue
            subtests += 1
            sub = f'{name}{m.group(2).strip() and " " + m.group(2).strip()}'
            if m.group(3) and m.group(3).upper() == 'SKIP':
                print(f'skip\t{sub}\t{m.group(4) or ""}')
            elif m.group(1).lower() == 'ok':
                print(f'pass\t{sub}\t')
            else:
                print(f'fail\t{sub}\t')
        # A crash after the last subtest, or a test with no TAP output at all.
        if verdict not in ('OK', 'SKIP', 'EXPECTEDFAIL') and (subtests == 0 or entry.get('returncode')):
            print(f'fail\t{name}\tmeson verdict {verdict}, exit {entry.get("returncode")}')
        elif subtests == 0:
            print(f'{"skip" if verdict == "SKIP" else "pass"}\t{name}\t')


if __name__ == '__main__':
    main()
