#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Judges what ASan, LeakSanitizer and UBSan wrote during project/test
--sanitize (their log_path files in DIR: san.PID).

Prints tab-separated lines for project/test:
    RESULT <name> pass|fail <detail>
    INFO <text>

* any AddressSanitizer error or UBSan runtime error fails;
* a leak whose allocation stack passes through this project's code fails
  (hw/iommu/pamu*, the vfio PAMU backend, the simulated host, the tests);
* other leaks (QEMU's own exit-time leaks) are counted, not judged.

    project/sanitizer-reports.py DIR
"""

import os
import re
import sys

PROJECT_CODE = re.compile(r'hw/iommu/pamu|hw/vfio/fsl-pamu|vfio-pamu-sim|'
                          r'tests/qtest/(pamu|vfio-pamu|e500-)|'
                          r'tests/unit/test-(pamu|vfio-pamu)|libqos/pci-e500')
LEAK = re.compile(r'^(Direct|Indirect) leak of (\d+) byte')
FRAME = re.compile(r'^\s+#\d+ 0x[0-9a-f]+ in (\S+) (\S+)')


def leaks(text):
    """Yields (header, frames) for each leak record of a LeakSanitizer
    report."""
    header, frames = None, []
    for line in text.splitlines():
        if LEAK.match(line):
            if header:
                yield header, frames
            header, frames = line, []
        elif header and FRAME.match(line):
            frames.append(line.strip())
        elif header and not line.strip() and frames:
            yield header, frames
            header, frames = None, []
    if header:
        yield header, frames


def first_lines(text, pattern, n=6):
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if pattern in line:
            return ' | '.join(l.strip() for l in lines[i:i + n])
    return ''


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    errors, project_leaks, other_leaks, files = [], [], 0, 0
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        path = os.path.join(d, name)
        with open(path, errors='replace') as f:
            text = f.read()
        files += 1
        if 'ERROR: AddressSanitizer' in text:
            errors.append('%s: %s' % (name, first_lines(text, 'ERROR: AddressSanitizer')))
        if 'runtime error:' in text:
            errors.append('%s: %s' % (name, first_lines(text, 'runtime error:')))
        for header, frames in leaks(text):
            if any(PROJECT_CODE.search(fr) for fr in frames):
                where = next(fr for fr in frames if PROJECT_CODE.search(fr))
                project_leaks.append('%s: %s at %s' % (name, header, where))
            else:
                other_leaks += 1
    print('INFO\tsanitizer logs: %d files, %d leak records outside project code (not judged)'
          % (files, other_leaks))
    if errors:
        print('RESULT\tsanitize/no-asan-or-ubsan-errors\tfail\t%d: %s'
              % (len(errors), errors[0]))
    else:
        print('RESULT\tsanitize/no-asan-or-ubsan-errors\tpass\t')
    if project_leaks:
        print('RESULT\tsanitize/no-leaks-in-project-code\tfail\t%d: %s'
              % (len(project_leaks), project_leaks[0]))
    else:
        print('RESULT\tsanitize/no-leaks-in-project-code\tpass\t')


if __name__ == '__main__':
    main()
