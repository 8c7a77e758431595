/*
 * Freescale/NXP PAMU: register file and table entry layout
 *
 * Shared by the device model, its table walk, the unit tests and the
 * qtests.  Names follow the Linux fsl_pamu driver and the Freescale
 * hypervisor; bit numbers are LSB-0.  See docs/system/ppc/pamu.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_IOMMU_PAMU_REGS_H
#define HW_IOMMU_PAMU_REGS_H

#include "hw/registerfields.h"

/* Each PAMU unit owns 4 KiB of CCSR; units follow each other. */
#define PAMU_UNIT_SIZE          0x1000
#define PAMU_MAX_UNITS          16

/*
 * Registers of one unit.  All are 32 bits wide and big-endian.
 */

/* Primary PAACT (PPAACT): base and exclusive end, as 64-bit pairs */
REG32(PPBAH, 0x000)
REG32(PPBAL, 0x004)
REG32(PPLAH, 0x008)
REG32(PPLAL, 0x00c)
/* Secondary PAACT (SPAACT) */
REG32(SPBAH, 0x010)
REG32(SPBAL, 0x014)
REG32(SPLAH, 0x018)
REG32(SPLAL, 0x01c)
/* Operation mapping table (OMT) */
REG32(OBAH, 0x020)
REG32(OBAL, 0x024)
REG32(OLAH, 0x028)
REG32(OLAL, 0x02c)

/* Operation error status and address */
REG32(POES1, 0x040)
    FIELD(POES1, POED, 0, 1)            /* operation error detected */
REG32(POES2, 0x044)
REG32(POEAH, 0x048)
REG32(POEAL, 0x04c)

/* Access violation status (the latched record) and address */
REG32(AVS1, 0x050)
    FIELD(AVS1, AV, 0, 1)               /* record valid */
    FIELD(AVS1, OTV, 1, 2)              /* operation translation violation */
    FIELD(AVS1, APV, 3, 4)              /* access permission violation */
    FIELD(AVS1, WAV, 7, 3)              /* window access violation */
    FIELD(AVS1, LAV, 10, 3)             /* LIODN violation */
    FIELD(AVS1, GCV, 13, 1)             /* gate closed violation */
    FIELD(AVS1, PDV, 14, 1)             /* PAMU disabled violation */
    FIELD(AVS1, LIODN, 16, 16)          /* LIODN of the violating access */
REG32(AVS2, 0x054)
REG32(AVAH, 0x058)
REG32(AVAL, 0x05c)

/* Bits of AVS1 that software clears by writing 1 (all but LIODN). */
#define PAMU_AVS1_W1C           0x7fffu

/* ECC error detection and reporting */
REG32(EECTL, 0x060)
    FIELD(EECTL, CNT, 0, 8)             /* error count */
    FIELD(EECTL, THR, 16, 8)            /* count threshold */
REG32(EEDIS, 0x064)
REG32(EEINTEN, 0x068)
REG32(EEDET, 0x06c)
REG32(EEATTR, 0x070)
    FIELD(EEATTR, V, 0, 1)
REG32(EEAHI, 0x074)
REG32(EEALO, 0x078)
REG32(EEDHI, 0x07c)
REG32(EEDLO, 0x080)
REG32(EECC, 0x084)
REG32(UDAD, 0x090)

/* Identification and capabilities (read-only) */
REG32(PR1, 0xbf8)
    FIELD(PR1, VERSION, 0, 16)
REG32(PR2, 0xbfc)
REG32(PC1, 0xc00)
REG32(PC2, 0xc04)
    FIELD(PC2, MLIODN, 16, 16)          /* highest LIODN accepted */
REG32(PC3, 0xc08)
    FIELD(PC3, MWCE, 21, 4)             /* max subwindows = 2^(MWCE + 1) */
REG32(PC4, 0xc0c)

/* Control */
REG32(PC, 0xc10)
    FIELD(PC, PPCC, 0, 1)               /* primary PAACE cache enable */
    FIELD(PC, SPCC, 4, 1)               /* secondary PAACE cache enable */
    FIELD(PC, OCE, 12, 1)               /* OMT cache enable */
    FIELD(PC, PE, 30, 1)                /* PAMU enable */
    FIELD(PC, PGC, 31, 1)               /* gate closed: block everything */
REG32(PFA1, 0xc14)                      /* attributes of table fetches */
REG32(PFA2, 0xc18)
REG32(PICS, 0xc1c)                      /* interrupt control and status */
    FIELD(PICS, POEIE, 0, 1)
    FIELD(PICS, POEICS, 1, 1)
    FIELD(PICS, AVIE, 2, 1)
    FIELD(PICS, AVICS, 3, 1)

/* Debug registers; not modelled */
REG32(PD1, 0xf00)
REG32(PD4, 0xf0c)

/*
 * GUTS/DCFG PAMUBYPENR (offset 0x604 in GUTS): unit n is bypassed while
 * bit (31 - n) is set.
 */
#define PAMU_GUTS_PAMUBYPENR    0x604
#define PAMU_BYPASS_BIT(unit)   (0x80000000u >> (unit))

/*
 * PAMU access control table entries.  PPAACT[LIODN] is the primary entry
 * (PAACE) of a LIODN; SPAACT holds secondary entries (SPAACE) for
 * subwindows 1..n-1.  An entry is 64 bytes of big-endian words; only the
 * first eight words are defined.  REG32 gives each word's byte offset
 * (A_) and index (R_).
 */
#define PAMU_PAACE_SIZE         64
#define PAMU_PAACE_WORDS        8

REG32(PAACE_WBAH, 0x00)                 /* window base, bits 63:32 */
REG32(PAACE_ADDR, 0x04)
    FIELD(PAACE_ADDR, V, 0, 1)          /* valid */
    FIELD(PAACE_ADDR, PT, 1, 1)         /* 0 primary, 1 secondary */
    FIELD(PAACE_ADDR, DD, 2, 1)         /* destination: 0 host, 1 I/O */
    FIELD(PAACE_ADDR, AP, 3, 2)         /* access permission */
    FIELD(PAACE_ADDR, MW, 5, 1)         /* window split into subwindows */
    FIELD(PAACE_ADDR, WSE, 6, 6)        /* window size 2^(WSE + 1) */
    FIELD(PAACE_ADDR, WBAL, 12, 20)     /* window base, bits 31:12 */
    FIELD(SPAACE_ADDR, LIODN, 16, 16)   /* SPAACE: owning LIODN */
REG32(PAACE_DOMAIN, 0x08)
    FIELD(PAACE_DOMAIN, CR, 7, 1)       /* coherency required */
    FIELD(PAACE_DOMAIN, SNPID, 8, 8)    /* snoop id */
    FIELD(PAACE_DOMAIN, PID, 16, 8)     /* partition id */
    FIELD(PAACE_DOMAIN, DID, 24, 8)     /* destination id */
REG32(PAACE_IMPL, 0x0c)
    FIELD(PAACE_IMPL, OTM, 0, 2)        /* operation translation mode */
    FIELD(PAACE_IMPL, ATM, 2, 2)        /* address translation mode */
    FIELD(PAACE_IMPL, WCE, 4, 4)        /* 2^(WCE + 1) subwindows */
    FIELD(PAACE_IMPL, CID, 16, 8)       /* stash target id */
REG32(PAACE_TWBAH, 0x10)                /* translated base, bits 63:32 */
REG32(PAACE_WIN, 0x14)
    FIELD(PAACE_WIN, SWSE, 6, 6)        /* mapped size 2^(SWSE + 1) */
    FIELD(PAACE_WIN, TWBAL, 12, 20)     /* translated base, bits 31:12 */
REG32(PAACE_FSPI, 0x18)                 /* SPAACT index of subwindow 1 */
REG32(PAACE_OP, 0x1c)
    FIELD(PAACE_OP, OMI, 0, 16)         /* OMT index (OTM = indexed) */

/* AP: bit 0 allows reads ("query"), bit 1 writes ("update") */
#define PAMU_AP_DENIED          0
#define PAMU_AP_READ            1
#define PAMU_AP_WRITE           2
#define PAMU_AP_RW              3

/* ATM */
#define PAMU_ATM_NONE           0       /* address passes unchanged */
#define PAMU_ATM_WINDOW         1       /* window translation */
#define PAMU_ATM_PAGE           2       /* page translation, not modelled */
#define PAMU_ATM_WINDOW_PAGE    3       /* window + page, not modelled */

/* Smallest window and subwindow: 4 KiB, i.e. WSE/SWSE 11 */
#define PAMU_MIN_SIZE_ENC       11

/*
 * Sub-codes this model puts in the AVS1 violation fields; the hardware
 * sources only define LAV = 1.  See docs/system/ppc/pamu.rst.
 */
#define PAMU_LAV_NOT_IN_PPAACT  1       /* LIODN beyond the PPAACT limit */
#define PAMU_LAV_INVALID        2       /* PAACE invalid or unreadable */
#define PAMU_LAV_BAD_SIZE       3       /* WSE below 4 KiB */
#define PAMU_WAV_OUTSIDE        1       /* address outside the window */
#define PAMU_WAV_SUBWINDOW      2       /* no usable entry for the subwindow */
#define PAMU_WAV_UNMAPPED       3       /* beyond the mapped part */
#define PAMU_WAV_UNIMPLEMENTED  4       /* ATM 2/3: page translation */
#define PAMU_WAV_WRAP           5       /* translation would pass 2^64 */
#define PAMU_APV_READ           1       /* read without AP read */
#define PAMU_APV_WRITE          2       /* write without AP write */

#endif
