/*
 * Freescale/NXP PAMU: the monitor commands of a QEMU built without it
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-pamu.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"

static void pamu_unavailable(Error **errp)
{
    error_setg(errp, "this QEMU has no PAMU model");
    error_append_hint(errp, "The PAMU exists on the ppce500 and mpc8544ds "
                      "machines of qemu-system-ppc and qemu-system-ppc64.\n");
}

PamuInfo *qmp_query_pamu(Error **errp)
{
    pamu_unavailable(errp);
    return NULL;
}

PamuTranslation *qmp_x_pamu_translate(uint32_t liodn, uint64_t address,
                                      PamuAccessKind access, bool has_unit,
                                      uint32_t unit, Error **errp)
{
    pamu_unavailable(errp);
    return NULL;
}

void hmp_info_pamu(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;

    pamu_unavailable(&err);
    hmp_handle_error(mon, err);
}
