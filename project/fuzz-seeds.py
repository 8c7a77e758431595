#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seed inputs for generic-fuzz-ppce500-pamu (project/fuzz).

Each seed is a generic-fuzz input (tests/qtest/fuzz/generic_fuzz.c): ops
separated by "FUZZ", whose MMIO addresses are (index, offset) pairs, the
index counting the fuzzable regions in address order.  The seeds program
the PAMU as Linux does, write PAACEs/SPAACEs through the PAMU's snoop
windows and start edu DMA, so that the fuzzer starts from inputs that
reach translation, subwindows and violations.

IOVA = PA in every seeded window: the fuzzer fills a device's payload
reads at the bus address, so identity windows make the filled bytes the
ones the device reads.  Mutations still reach translating windows.

    project/fuzz-seeds.py DIR     writes DIR/<name> for each seed
"""

import os
import struct
import sys

SEPARATOR = b"FUZZ"

# generic-fuzz opcodes (enum cmds)
OP_READ, OP_WRITE = 2, 3
OP_ADD_DMA_PATTERN, OP_CLOCK_STEP = 7, 9
SIZE_LONG, SIZE_QUAD = 2, 3

# The fuzzable regions of "-M ppce500 -device pamu -device edu" in address
# order, before any PAMU table is programmed; each table's snoop window
# then comes first (tables live in low RAM).
REGIONS = ["edu-mmio", "pci-conf-idx", "pci-conf-data", "pci-brr",
           "pci.reg", "pamu", "pamu-pamubypenr"]

PPAACT, PPAACT_ENTRIES = 0x1000000, 0x400
SPAACT, SPAACT_ENTRIES = 0x1100000, 0x400
OMT = 0x1200000
ENTRY_SIZE = 64
PCI_LIODN = 193             # the ppce500 PCI controller's LIODN

# PAMU unit registers (include/hw/iommu/pamu-regs.h)
PPBAH, PPBAL, PPLAH, PPLAL = 0x0, 0x4, 0x8, 0xc
SPBAH, SPBAL, SPLAH, SPLAL = 0x10, 0x14, 0x18, 0x1c
OBAH, OBAL, OLAH, OLAL = 0x20, 0x24, 0x28, 0x2c
AVS1, AVAL = 0x50, 0x5c
PC, PICS = 0xc10, 0xc1c
PC_ENABLE = (1 << 30) | (1 << 12) | (1 << 4) | 1      # PE, OCE, SPCC, PPCC
PICS_AVIE = 1 << 2

# edu BAR0 (hw/misc/edu.c)
EDU_DMA_SRC, EDU_DMA_DST, EDU_DMA_CNT, EDU_DMA_CMD = 0x80, 0x88, 0x90, 0x98
EDU_BUFFER = 0x40000
EDU_RUN, EDU_TO_RAM = 1, 2

AP_READ, AP_RW = 1, 3
ATM_WINDOW = 1


def paace_words(v=1, pt=0, ap=AP_RW, mw=0, wse=0, wba=0, atm=ATM_WINDOW,
                wce=0, twba=0, swse=0, fspi=0, liodn=0):
    """The eight words of a PAACE (pt=0) or SPAACE (pt=1), as
    tests/qtest/pamu-entry.h builds them."""
    addr = v | pt << 1 | ap << 3
    w = [0] * 8
    if pt:
        addr |= liodn << 16
    else:
        addr |= mw << 5 | wse << 6 | ((wba >> 12) & 0xfffff) << 12
        w[0] = wba >> 32
        w[6] = fspi
    w[1] = addr
    w[2] = 1 << 7                               # CR: coherency required
    w[3] = atm << 2 | wce << 4
    w[4] = twba >> 32
    w[5] = swse << 6 | ((twba >> 12) & 0xfffff) << 12
    return w


class Seed:
    def __init__(self):
        self.ops = []
        self.snoop = 0          # snoop windows in front of REGIONS

    def _index(self, region):
        return self.snoop + REGIONS.index(region)

    def write(self, region, offset, value, size=SIZE_LONG):
        self.ops.append(bytes([OP_WRITE]) + struct.pack(
            "<BBxxIQ", size, self._index(region), offset, value))

    def read(self, region, offset, size=SIZE_LONG):
        self.ops.append(bytes([OP_READ]) + struct.pack(
            "<BBxxI", size, self._index(region), offset))

    def snoop_write(self, window, offset, words):
        """Stores words big-endian through snoop window @window (0 is the
        lowest table)."""
        for i, w in enumerate(words):
            self.ops.append(bytes([OP_WRITE]) + struct.pack(
                "<BBxxIQ", SIZE_LONG, window, offset + 4 * i, w))

    def dma_pattern(self, data):
        self.ops.append(bytes([OP_ADD_DMA_PATTERN, 0, 0]) + data)

    def clock_step(self):
        self.ops.append(bytes([OP_CLOCK_STEP]))

    def bytes(self):
        return SEPARATOR.join(self.ops)


def program_unit(s, with_spaact=True):
    """Points unit 0 at the tables and enables it, as Linux's probe does;
    the snoop windows of PPAACT (and SPAACT) appear in front."""
    regs = [(PPBAH, 0), (PPBAL, PPAACT), (PPLAH, 0),
            (PPLAL, PPAACT + PPAACT_ENTRIES * ENTRY_SIZE)]
    if with_spaact:
        regs += [(SPBAH, 0), (SPBAL, SPAACT), (SPLAH, 0),
                 (SPLAL, SPAACT + SPAACT_ENTRIES * ENTRY_SIZE)]
    regs += [(OBAH, 0), (OBAL, OMT), (OLAH, 0), (OLAL, OMT + 0x800),
             (PICS, PICS_AVIE), (PC, PC_ENABLE)]
    for off, val in regs:
        s.write("pamu", off, val)
        # a table's snoop window appears once its limit is above its base
        if off in (PPLAL, SPLAL):
            s.snoop += 1
    s.write("pamu-pamubypenr", 0, 0)            # no unit bypassed


def edu_dma(s, addr, to_ram, count=0x100):
    """An edu DMA between RAM at @addr (through the PAMU) and its buffer."""
    src, dst = (EDU_BUFFER, addr) if to_ram else (addr, EDU_BUFFER)
    s.write("edu-mmio", EDU_DMA_SRC, src, SIZE_QUAD)
    s.write("edu-mmio", EDU_DMA_DST, dst, SIZE_QUAD)
    s.write("edu-mmio", EDU_DMA_CNT, count, SIZE_QUAD)
    s.write("edu-mmio", EDU_DMA_CMD,
            EDU_RUN | (EDU_TO_RAM if to_ram else 0), SIZE_QUAD)
    s.clock_step()


def seed_translate():
    """A 16 MiB identity window: DMA both ways is translated."""
    s = Seed()
    program_unit(s, with_spaact=False)
    s.snoop_write(0, PCI_LIODN * ENTRY_SIZE, paace_words(wse=23))
    s.dma_pattern(b"\x5a\xa5" * 8)
    edu_dma(s, 0x300000, to_ram=False)
    edu_dma(s, 0x300000, to_ram=True)
    return s


def seed_violation():
    """A read-only window: the write is blocked and latched in AVS1."""
    s = Seed()
    program_unit(s, with_spaact=False)
    s.snoop_write(0, PCI_LIODN * ENTRY_SIZE, paace_words(ap=AP_READ, wse=23))
    edu_dma(s, 0x300000, to_ram=True)
    s.read("pamu", AVS1)
    s.read("pamu", AVAL)
    s.write("pamu", AVS1, 1)                    # write-one-to-clear AV
    edu_dma(s, 0x2000000, to_ram=False)         # outside the window
    return s


def seed_subwindows():
    """A 1 MiB window at 0x300000 split in four: subwindow 0 from the
    PAACE, 1 and 2 from SPAACEs (2 read-only), 3 invalid."""
    s = Seed()
    program_unit(s)
    win, sub = 0x300000, 0x40000
    s.snoop_write(0, PCI_LIODN * ENTRY_SIZE,
                  paace_words(mw=1, wse=19, wba=win, wce=1, twba=win,
                              swse=17, fspi=0))
    s.snoop_write(1, 0 * ENTRY_SIZE,
                  paace_words(pt=1, liodn=PCI_LIODN, twba=win + sub, swse=17))
    s.snoop_write(1, 1 * ENTRY_SIZE,
                  paace_words(pt=1, ap=AP_READ, liodn=PCI_LIODN,
                              twba=win + 2 * sub, swse=17))
    s.dma_pattern(b"\x11\x22\x33\x44")
    edu_dma(s, win + 0x1000, to_ram=True)
    edu_dma(s, win + sub + 0x1000, to_ram=False)
    edu_dma(s, win + 2 * sub + 0x1000, to_ram=True)
    edu_dma(s, win + 3 * sub + 0x1000, to_ram=False)
    s.read("pamu", AVS1)
    return s


SEEDS = {
    "translate": seed_translate,
    "violation": seed_violation,
    "subwindows": seed_subwindows,
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, make in SEEDS.items():
        with open(os.path.join(sys.argv[1], name), "wb") as f:
            f.write(make().bytes())


if __name__ == "__main__":
    main()
