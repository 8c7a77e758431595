/*
 * qtest helpers for DMA from an "edu" PCI device on the e500 machines
 *
 * No firmware runs under qtest, so these helpers do what U-Boot or Linux
 * would: program the PCI host's outbound and inbound ATMU windows, assign
 * the edu BAR and start its DMA engine.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QTEST_E500_PCI_EDU_H
#define QTEST_E500_PCI_EDU_H

#include "libqtest.h"

/* What differs between the two e500 boards for these tests. */
typedef struct E500Board {
    const char *machine;      /* -M name */
    uint64_t ccsr;            /* CCSR base (CCSRBAR) */
    uint32_t first_devfn;     /* devfn of the first user PCI device */
    uint64_t mmio_cpu;        /* CPU address of the outbound window */
    uint64_t mmio_bus;        /* PCI bus address it maps to */
    const char *mpic_path;    /* QOM path of the MPIC */
} E500Board;

extern const E500Board e500_boards[];
extern const size_t e500_nr_boards;

/* An edu device whose BAR0 is mapped behind the outbound window. */
typedef struct E500Edu {
    QTestState *qts;
    const E500Board *board;
    uint32_t devfn;
    uint64_t bar;             /* CPU address of BAR0 */
} E500Edu;

/* Edu DMA engine limits (hw/misc/edu.c). */
#define EDU_BUF_ADDR   0x40000ULL     /* device address of the DMA buffer */
#define EDU_BUF_SIZE   0x1000ULL

/*
 * Writes a minimal firmware ELF (one "b ." instruction) and returns its
 * path; the Debian QEMU source ships no u-boot.e500.  g_free() and unlink()
 * it when done.
 */
char *e500_make_dummy_bios(void);

uint32_t e500_pci_cfg_readl(QTestState *qts, const E500Board *b,
                            uint32_t devfn, uint32_t offset);
void e500_pci_cfg_writel(QTestState *qts, const E500Board *b,
                         uint32_t devfn, uint32_t offset, uint32_t val);

/*
 * Programs inbound ATMU window @idx (0 = PIW1, 1 = PIW2, 2 = PIW3):
 * PCI addresses [@pci_addr, @pci_addr + 2^@size_log2) reach local address
 * @local_addr.
 */
void e500_set_inbound_window(QTestState *qts, const E500Board *b, int idx,
                             uint64_t pci_addr, uint64_t local_addr,
                             int size_log2);

/* Disables inbound ATMU window @idx. */
void e500_clear_inbound_window(QTestState *qts, const E500Board *b, int idx);

/*
 * Maps outbound window 1 and places BAR0 of the device at @devfn (a 32-bit
 * memory BAR of at most 512 MiB) at its start; enables memory decoding and
 * bus mastering.  Returns the CPU address of BAR0.
 */
uint64_t e500_pci_map_bar0(QTestState *qts, const E500Board *b,
                           uint32_t devfn);

/*
 * Maps outbound window 1 and the BAR of the edu at @devfn, enables its
 * memory decoding and bus mastering, and checks the identification register.
 */
void e500_edu_init(E500Edu *edu, QTestState *qts, const E500Board *b,
                   uint32_t devfn);

/*
 * Runs one edu DMA of @len bytes between bus address @bus_addr and the edu
 * buffer at offset @buf_off; @to_ram selects the direction.  Steps the
 * virtual clock until the engine is done.
 */
void e500_edu_dma(E500Edu *edu, uint64_t bus_addr, uint64_t buf_off,
                  uint64_t len, bool to_ram);

#endif
