#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Summarises libFuzzer's -print_coverage=1 output (project/fuzz
--coverage) for the files the PAMU fuzzing is about: edges reached and
functions entered, per file.

    project/fuzz-coverage.py COVERAGE-LOG
"""

import collections
import re
import sys

FILES = re.compile(r'(hw/iommu/pamu[^:]*\.c|hw/pci-host/ppce500\.c|hw/misc/edu\.c)')
FUNC = re.compile(r'^(COVERED|UNCOVERED)_FUNC: hits: (\d+) edges: (\d+)/(\d+) (\S+) (\S+)')


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    edges = collections.defaultdict(lambda: [0, 0, 0, 0])
    with open(sys.argv[1], errors='replace') as f:
        for line in f:
            m = FUNC.match(line)
            if not m:
                continue
            where = FILES.search(m.group(6))
            if not where:
                continue
            e = edges[where.group(1)]
            e[0] += int(m.group(3))
            e[1] += int(m.group(4))
            e[2] += m.group(1) == 'COVERED'
            e[3] += 1
    if not edges:
        sys.exit('no coverage lines for the PAMU sources in %s' % sys.argv[1])
    total = [0, 0]
    for name in sorted(edges):
        hit, all_, fn_hit, fn_all = edges[name]
        total[0] += hit
        total[1] += all_
        print('COVERAGE: %-28s %5d/%-5d edges (%3d%%), %d/%d functions'
              % (name, hit, all_, 100 * hit // max(all_, 1), fn_hit, fn_all))
    print('COVERAGE: %-28s %5d/%-5d edges (%3d%%)'
          % ('all of the above', total[0], total[1], 100 * total[0] // max(total[1], 1)))


if __name__ == '__main__':
    main()
