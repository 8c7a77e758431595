/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The conformance suite of the PAMU vfio container
 * (tests/qtest/vfio-pamu-sim/conformance.c) against the guest kernel's
 * driver, with QEMU's edu device as the assigned function.  /init runs it
 * and passes its TAP output to the host harness.
 *
 *   vfio-conformance [RULE-PREFIX]
 */

#include <stdio.h>

#include "vfio-edu.h"

/* a violation and an MSI each cross the PAMU model and an interrupt */
#define SETTLE_MS   500

int main(int argc, char **argv)
{
    char why[256], name[96];
    EduFunc e;
    ConfHost host = {
        .dev = &edu_dev_ops,
        .settle_ms = SETTLE_MS,
    };

    if (edu_setup(&e, why, sizeof(why))) {
        printf("TAP version 13\nBail out! %s\n", why);
        return 1;
    }
    snprintf(name, sizeof(name), "the Linux guest (group %d)", e.group);
    host.name = name;
    host.group_path = e.group_path;
    host.device = e.bdf;
    return conf_run(&host, argc > 1 ? argv[1] : NULL);
}
