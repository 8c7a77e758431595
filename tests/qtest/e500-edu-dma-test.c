/*
 * e500 baseline: a PCI device's DMA reaches guest RAM through the PCI
 * host's inbound ATMU window, and only through it
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "e500-pci-edu.h"

#define SRC_PA      0x100000ULL
#define DST_PA      0x200000ULL
#define LEN         256

static QTestState *start(const E500Board *b, const char *bios)
{
    return qtest_initf("-M %s -nodefaults -bios %s "
                       "-device edu,dma_mask=0xffffffffffffffff",
                       b->machine, bios);
}

static void fill_pattern(uint8_t *buf, size_t len, uint8_t seed)
{
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = seed + i * 7;
    }
}

/* Without an inbound window the DMA goes nowhere; with one it lands. */
static void test_identity_window(const void *data)
{
    const E500Board *b = data;
    g_autofree char *bios = e500_make_dummy_bios();
    QTestState *qts = start(b, bios);
    uint8_t pattern[LEN], got[LEN], zero[LEN] = { 0 };
    E500Edu edu;

    e500_edu_init(&edu, qts, b, b->first_devfn);
    fill_pattern(pattern, LEN, 0x11);
    qtest_memwrite(qts, SRC_PA, pattern, LEN);

    /* No inbound window yet: the read sees nothing, the write is lost. */
    e500_edu_dma(&edu, SRC_PA, 0, LEN, false);
    e500_edu_dma(&edu, DST_PA, 0, LEN, true);
    qtest_memread(qts, DST_PA, got, LEN);
    g_assert_cmpmem(got, LEN, zero, LEN);

    /* PIW1: PCI [0, 2 GiB) -> local [0, 2 GiB) */
    e500_set_inbound_window(qts, b, 0, 0, 0, 31);
    e500_edu_dma(&edu, SRC_PA, 0, LEN, false);
    e500_edu_dma(&edu, DST_PA, 0, LEN, true);
    qtest_memread(qts, DST_PA, got, LEN);
    g_assert_cmpmem(got, LEN, pattern, LEN);

    qtest_quit(qts);
    unlink(bios);
}

/* An inbound window whose PCI and local addresses differ translates. */
static void test_translating_window(const void *data)
{
    const E500Board *b = data;
    g_autofree char *bios = e500_make_dummy_bios();
    QTestState *qts = start(b, bios);
    const uint64_t bus_base = 0x80000000ULL;
    uint8_t pattern[LEN], got[LEN], zero[LEN] = { 0 };
    E500Edu edu;

    e500_edu_init(&edu, qts, b, b->first_devfn);
    fill_pattern(pattern, LEN, 0x5a);
    qtest_memwrite(qts, SRC_PA, pattern, LEN);

    /* PIW2: PCI [2 GiB, 2 GiB + 64 MiB) -> local [0, 64 MiB) */
    e500_set_inbound_window(qts, b, 1, bus_base, 0, 26);
    e500_edu_dma(&edu, bus_base + SRC_PA, 0, LEN, false);
    e500_edu_dma(&edu, bus_base + DST_PA, 0, LEN, true);
    qtest_memread(qts, DST_PA, got, LEN);
    g_assert_cmpmem(got, LEN, pattern, LEN);

    /* A bus address outside every window does not reach RAM. */
    e500_edu_dma(&edu, DST_PA + 0x1000, 0, LEN, true);
    qtest_memread(qts, DST_PA + 0x1000, got, LEN);
    g_assert_cmpmem(got, LEN, zero, LEN);

    qtest_quit(qts);
    unlink(bios);
}

int main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    if (!qtest_has_device("edu")) {
        g_test_skip("edu device not available");
        return g_test_run();
    }
    for (i = 0; i < e500_nr_boards; i++) {
        const E500Board *b = &e500_boards[i];
        g_autofree char *p1 = NULL, *p2 = NULL;

        if (!qtest_has_machine(b->machine)) {
            continue;
        }
        p1 = g_strdup_printf("e500/edu-dma/%s/identity-window", b->machine);
        p2 = g_strdup_printf("e500/edu-dma/%s/translating-window", b->machine);
        qtest_add_data_func(p1, b, test_identity_window);
        qtest_add_data_func(p2, b, test_translating_window);
    }
    return g_test_run();
}
