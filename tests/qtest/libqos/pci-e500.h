/*
 * libqos PCI bindings for the Freescale e500 PCI host (ppce500, mpc8544ds)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef LIBQOS_PCI_E500_H
#define LIBQOS_PCI_E500_H

#include "pci.h"

/*
 * Where the machine puts the controller.  After reset every ATMU window
 * of the controller is off: qpci_init_e500() opens an outbound window for
 * memory BARs, one for I/O BARs and an inbound window onto RAM, as
 * firmware would.
 */
typedef struct QPCIE500Layout {
    uint64_t regs;          /* CPU address of CFG_ADDR (CCSR + 0x8000) */
    uint64_t mmio_cpu;      /* CPU address of the memory window */
    uint64_t mmio_bus;      /* PCI address it maps to */
    int mmio_size_log2;
    uint64_t pio_cpu;       /* CPU address of the 64 KiB I/O window */
    int ram_size_log2;      /* inbound: PCI 0 -> RAM 0, 2^n bytes */
} QPCIE500Layout;

typedef struct QPCIBusE500 {
    QPCIBus bus;
    QPCIE500Layout layout;
} QPCIBusE500;

void qpci_init_e500(QPCIBusE500 *e500, QTestState *qts,
                    const QPCIE500Layout *layout);
QPCIBus *qpci_new_e500(QTestState *qts, const QPCIE500Layout *layout);
void qpci_free_e500(QPCIBus *bus);

#endif
