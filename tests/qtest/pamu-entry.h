/*
 * PAMU tests: PAACE and SPAACE encoding, shared by the table-walk unit
 * test and the qtest so that both build entries one way, from the same
 * field definitions the model decodes them with.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef TESTS_PAMU_ENTRY_H
#define TESTS_PAMU_ENTRY_H

#include "qemu/bswap.h"
#include "hw/iommu/pamu-regs.h"

/* A PAACE (pt = false) or SPAACE (pt = true), field by field. */
typedef struct PAMUTestEntry {
    bool v, pt, dd, mw;
    unsigned ap, wse, wce, atm, swse;
    uint64_t wba, twba;
    uint32_t fspi, liodn;   /* fspi: PAACE only; liodn: SPAACE only */
} PAMUTestEntry;

/* The eight words of @e in host order; the caller stores them big-endian. */
static inline void pamu_test_entry_words(const PAMUTestEntry *e,
                                         uint32_t w[PAMU_PAACE_WORDS])
{
    uint32_t a = 0;

    memset(w, 0, PAMU_PAACE_WORDS * sizeof(w[0]));
    a = FIELD_DP32(a, PAACE_ADDR, V, e->v);
    a = FIELD_DP32(a, PAACE_ADDR, PT, e->pt);
    a = FIELD_DP32(a, PAACE_ADDR, DD, e->dd);
    a = FIELD_DP32(a, PAACE_ADDR, AP, e->ap);
    if (e->pt) {
        a = FIELD_DP32(a, SPAACE_ADDR, LIODN, e->liodn);
    } else {
        a = FIELD_DP32(a, PAACE_ADDR, MW, e->mw);
        a = FIELD_DP32(a, PAACE_ADDR, WSE, e->wse);
        a = FIELD_DP32(a, PAACE_ADDR, WBAL, e->wba >> 12);
        w[R_PAACE_WBAH] = e->wba >> 32;
        w[R_PAACE_FSPI] = e->fspi;
    }
    w[R_PAACE_ADDR] = a;
    w[R_PAACE_DOMAIN] = FIELD_DP32(0, PAACE_DOMAIN, CR, 1);
    w[R_PAACE_IMPL] = FIELD_DP32(0, PAACE_IMPL, ATM, e->atm);
    w[R_PAACE_IMPL] = FIELD_DP32(w[R_PAACE_IMPL], PAACE_IMPL, WCE, e->wce);
    w[R_PAACE_TWBAH] = e->twba >> 32;
    w[R_PAACE_WIN] = FIELD_DP32(0, PAACE_WIN, SWSE, e->swse);
    w[R_PAACE_WIN] = FIELD_DP32(w[R_PAACE_WIN], PAACE_WIN, TWBAL,
                                e->twba >> 12);
}

/* @e as the PAMU reads it from memory: its eight words, big-endian. */
static inline void pamu_test_entry_bytes(const PAMUTestEntry *e,
                                         uint8_t out[PAMU_PAACE_WORDS * 4])
{
    uint32_t w[PAMU_PAACE_WORDS];
    unsigned i;

    pamu_test_entry_words(e, w);
    for (i = 0; i < PAMU_PAACE_WORDS; i++) {
        stl_be_p(out + i * 4, w[i]);
    }
}

/* The PAACE Linux writes at boot: a 64 GiB identity window at 0. */
static inline PAMUTestEntry pamu_test_identity_entry(unsigned ap)
{
    PAMUTestEntry e = { .v = true, .ap = ap, .wse = 35 };
    return e;
}

/* AVS1 violation fields */
#define LAV(code)   FIELD_DP32(0, AVS1, LAV, code)
#define WAV(code)   FIELD_DP32(0, AVS1, WAV, code)
#define APV(code)   FIELD_DP32(0, AVS1, APV, code)

#endif
