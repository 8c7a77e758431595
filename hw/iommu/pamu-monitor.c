/*
 * Freescale/NXP PAMU: introspection for the monitor
 *
 * query-pamu and "info pamu" decode the units' registers and the table
 * entries of every LIODN that has an initiator; x-pamu-translate answers
 * what the PAMU would do with one access; PAMU_ACCESS_VIOLATION tells a
 * management layer why a device's DMA stopped.  Reading goes through the
 * same walk and fetch as DMA does, minus every side effect.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-pamu.h"
#include "qapi/qapi-events-pamu.h"
#include "qemu/cutils.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "hw/iommu/pamu.h"

#define ENTRY_EX(w, word, field) \
    FIELD_EX32((w)[R_PAACE_##word], PAACE_##word, field)

/* 2^@log2 bytes, with 0 standing for 2^64 (QAPI has no wider integer). */
static uint64_t pow2_size(unsigned log2)
{
    return log2 >= 64 ? 0 : 1ULL << log2;
}

static PAMUState *pamu_find(Error **errp)
{
    bool ambiguous = false;
    Object *obj = object_resolve_path_type("", TYPE_PAMU, &ambiguous);

    if (!obj) {
        error_setg(errp, "%s", ambiguous ? "there is more than one PAMU" :
                   "the machine has no PAMU");
        if (!ambiguous) {
            error_append_hint(errp, "Start QEMU with -device pamu on a "
                              "ppce500 or mpc8544ds machine.\n");
        }
        return NULL;
    }
    return PAMU(obj);
}

/*
 * The class of @avs1 as QAPI names it.  False for OTV, which the model
 * never latches, and for a record whose class bits the guest cleared
 * while leaving AV set.
 */
static bool pamu_qapi_class(uint32_t avs1, PamuViolationClass *cls,
                            unsigned *code)
{
    static const PamuViolationClass classes[] = {
        [PAMU_CLASS_GATE_CLOSED] = PAMU_VIOLATION_CLASS_GATE_CLOSED,
        [PAMU_CLASS_DISABLED] = PAMU_VIOLATION_CLASS_DISABLED,
        [PAMU_CLASS_LIODN] = PAMU_VIOLATION_CLASS_LIODN,
        [PAMU_CLASS_WINDOW] = PAMU_VIOLATION_CLASS_WINDOW,
        [PAMU_CLASS_PERMISSION] = PAMU_VIOLATION_CLASS_PERMISSION,
    };
    PAMUAvs1Class c = pamu_avs1_class(avs1, code);

    if (c == PAMU_CLASS_NONE || c >= ARRAY_SIZE(classes)) {
        return false;
    }
    *cls = classes[c];
    return true;
}

void pamu_send_violation_event(unsigned unit, uint32_t liodn, uint64_t addr,
                               PAMUAccess access, uint32_t record)
{
    PamuViolationClass cls;
    unsigned code;

    /* the walk always sets exactly one class */
    if (pamu_qapi_class(record, &cls, &code)) {
        qapi_event_send_pamu_access_violation(unit, liodn, addr,
            access == PAMU_ACCESS_WRITE ? PAMU_ACCESS_KIND_WRITE :
                                          PAMU_ACCESS_KIND_READ,
            cls, record);
    }
}

/* --- query-pamu ------------------------------------------------------ */

static PamuViolationRecord *pamu_query_record(const PAMUUnit *u)
{
    PamuViolationRecord *r = g_new0(PamuViolationRecord, 1);
    unsigned code;

    r->avs1 = PAMU_UREG(u, AVS1);
    r->avs2 = PAMU_UREG(u, AVS2);
    r->liodn = FIELD_EX32(r->avs1, AVS1, LIODN);
    r->address = PAMU_UREG64(u, AVA);
    r->has_violation = pamu_qapi_class(r->avs1, &r->violation, &code);
    r->sub_code = code;
    r->reason = g_strdup(pamu_avs1_reason(r->avs1));
    return r;
}

static PamuUnitInfo *pamu_query_unit(PAMUState *s, unsigned unit)
{
    PamuUnitInfo *info = g_new0(PamuUnitInfo, 1);
    PAMUUnit u;

    pamu_unit_snapshot(s, unit, &u, &info->bypassed, &info->lost_violations);
    info->unit = unit;
    info->pc = PAMU_UREG(&u, PC);
    info->gate_closed = FIELD_EX32(info->pc, PC, PGC);
    info->enabled = FIELD_EX32(info->pc, PC, PE);
    info->ppaact_base = PAMU_UREG64(&u, PPBA);
    info->ppaact_limit = PAMU_UREG64(&u, PPLA);
    info->spaact_base = PAMU_UREG64(&u, SPBA);
    info->spaact_limit = PAMU_UREG64(&u, SPLA);
    info->omt_base = PAMU_UREG64(&u, OBA);
    info->omt_limit = PAMU_UREG64(&u, OLA);
    info->max_liodn = s->max_liodn;
    info->max_subwindows = s->max_subwindows;
    info->pics = PAMU_UREG(&u, PICS);
    info->violation_interrupt = FIELD_EX32(info->pics, PICS, AVIE);
    if (FIELD_EX32(PAMU_UREG(&u, AVS1), AVS1, AV)) {
        info->violation = pamu_query_record(&u);
    }
    return info;
}

/* Fills what a PAACE and an SPAACE have in common. */
static void pamu_decode_entry(uint64_t addr, const uint32_t *w,
                              bool governs_subwindow, PamuEntryInfo *e)
{
    uint32List **tail = &e->words;
    unsigned i;

    e->address = addr;
    for (i = 0; i < PAMU_PAACE_WORDS; i++) {
        QAPI_LIST_APPEND(tail, w[i]);
    }
    e->valid = ENTRY_EX(w, ADDR, V);
    e->read = ENTRY_EX(w, ADDR, AP) & PAMU_AP_READ;
    e->write = ENTRY_EX(w, ADDR, AP) & PAMU_AP_WRITE;
    e->atm = ENTRY_EX(w, IMPL, ATM);
    e->translated_base = pamu_reg_pair(w[R_PAACE_TWBAH],
                                  ENTRY_EX(w, WIN, TWBAL) <<
                                  R_PAACE_WIN_TWBAL_SHIFT);
    if (governs_subwindow) {
        e->has_mapped_size = true;
        e->mapped_size = pow2_size(ENTRY_EX(w, WIN, SWSE) + 1);
    }
}

/* Where the tables of one unit are, for decoding entries. */
typedef struct PAMUTables {
    PAMUState *s;
    unsigned unit;
    uint64_t ppaact_base, ppaact_entries;
    uint64_t spaact_base, spaact_entries;
} PAMUTables;

/* Entries of the table [@base, @limit), as the walk counts them */
static uint64_t pamu_table_entries(uint64_t base, uint64_t limit)
{
    return limit > base ? (limit - base) / PAMU_PAACE_SIZE : 0;
}

static void pamu_tables(PAMUState *s, unsigned unit, PAMUTables *t)
{
    PAMUWalkRegs r;

    pamu_unit_walk_regs(s, unit, &r);
    t->s = s;
    t->unit = unit;
    t->ppaact_base = r.ppba;
    t->ppaact_entries = pamu_table_entries(r.ppba, r.ppla);
    t->spaact_base = r.spba;
    t->spaact_entries = pamu_table_entries(r.spba, r.spla);
}

static PamuSpaaceInfo *pamu_query_spaace(const PAMUTables *t, uint32_t fspi,
                                         uint32_t k)
{
    PamuSpaaceInfo *info = g_new0(PamuSpaaceInfo, 1);
    uint32_t w[PAMU_PAACE_WORDS];
    uint64_t addr;

    info->subwindow = k;
    info->index = fspi + k - 1;
    addr = t->spaact_base + (uint64_t)info->index * PAMU_PAACE_SIZE;
    if (info->index >= t->spaact_entries) {
        info->error = g_strdup("beyond the SPAACT limit");
    } else if (!pamu_read_entry(t->s, t->unit, addr, w)) {
        info->error = g_strdup("unreadable: not in RAM");
    } else {
        info->entry = g_new0(PamuEntryInfo, 1);
        pamu_decode_entry(addr, w, true, info->entry);
        info->entry->valid = info->entry->valid && ENTRY_EX(w, ADDR, PT);
    }
    return info;
}

static PamuPaaceInfo *pamu_query_paace(const PAMUTables *t, uint32_t liodn,
                                       char **error)
{
    PamuPaaceInfo *p;
    PamuSpaaceInfoList **tail;
    uint32_t w[PAMU_PAACE_WORDS], k, count;
    uint64_t addr = t->ppaact_base + (uint64_t)liodn * PAMU_PAACE_SIZE;

    if (liodn >= t->ppaact_entries) {
        *error = g_strdup("LIODN beyond the PPAACT limit");
        return NULL;
    }
    if (!pamu_read_entry(t->s, t->unit, addr, w)) {
        *error = g_strdup("unreadable: not in RAM");
        return NULL;
    }

    p = g_new0(PamuPaaceInfo, 1);
    pamu_decode_entry(addr, w, ENTRY_EX(w, ADDR, MW),
                      qapi_PamuPaaceInfo_base(p));
    p->window_base = pamu_reg_pair(w[R_PAACE_WBAH], ENTRY_EX(w, ADDR, WBAL) <<
                              R_PAACE_ADDR_WBAL_SHIFT);
    p->window_size = pow2_size(ENTRY_EX(w, ADDR, WSE) + 1);
    if (!ENTRY_EX(w, ADDR, MW)) {
        return p;
    }
    p->subwindows = 1u << (ENTRY_EX(w, IMPL, WCE) + 1);
    p->has_fspi = p->has_spaaces = true;
    p->fspi = w[R_PAACE_FSPI];
    tail = &p->spaaces;
    /* past the PC3 limit the walk uses none of them */
    count = MIN(p->subwindows, t->s->max_subwindows);
    for (k = 1; k < count; k++) {
        QAPI_LIST_APPEND(tail, pamu_query_spaace(t, p->fspi, k));
    }
    return p;
}

static gint pamu_compare_liodn(gconstpointer a, gconstpointer b)
{
    const PAMULiodnSpace *x = *(PAMULiodnSpace *const *)a;
    const PAMULiodnSpace *y = *(PAMULiodnSpace *const *)b;

    return x->liodn < y->liodn ? -1 : x->liodn > y->liodn;
}

static PamuLiodnInfo *pamu_query_liodn(PAMUState *s, PAMULiodnSpace *sp)
{
    PamuLiodnInfo *info = g_new0(PamuLiodnInfo, 1);
    PAMUTables t;

    info->liodn = sp->liodn;
    info->unit = sp->unit;
    info->initiator = g_strdup(sp->initiator);
    pamu_tables(s, sp->unit, &t);
    info->paace = pamu_query_paace(&t, sp->liodn, &info->paace_error);
    info->walks = qatomic_read(&sp->walks);
    info->cache_hits = qatomic_read(&sp->cache_hits);
    return info;
}

PamuInfo *qmp_query_pamu(Error **errp)
{
    PAMUState *s = pamu_find(errp);
    g_autoptr(GPtrArray) spaces = NULL;
    PamuUnitInfoList **units;
    PamuLiodnInfoList **liodns;
    PamuInfo *info;
    GHashTableIter iter;
    gpointer sp;
    unsigned i;

    if (!s) {
        return NULL;
    }
    info = g_new0(PamuInfo, 1);
    info->qom_path = object_get_canonical_path(OBJECT(s));
    units = &info->units;
    for (i = 0; i < s->num_units; i++) {
        QAPI_LIST_APPEND(units, pamu_query_unit(s, i));
    }

    spaces = g_ptr_array_new();
    g_hash_table_iter_init(&iter, s->spaces);
    while (g_hash_table_iter_next(&iter, NULL, &sp)) {
        g_ptr_array_add(spaces, sp);
    }
    g_ptr_array_sort(spaces, pamu_compare_liodn);
    liodns = &info->liodns;
    for (i = 0; i < spaces->len; i++) {
        QAPI_LIST_APPEND(liodns, pamu_query_liodn(s, spaces->pdata[i]));
    }
    return info;
}

/* --- x-pamu-translate ------------------------------------------------ */

static bool pamu_translate_unit(PAMUState *s, uint32_t liodn, bool has_unit,
                                uint32_t unit, unsigned *out, Error **errp)
{
    PAMULiodnSpace *sp = g_hash_table_lookup(s->spaces,
                                             GUINT_TO_POINTER(liodn));

    if (has_unit) {
        if (unit >= s->num_units) {
            error_setg(errp, "PAMU unit %u does not exist (num-units=%u)",
                       unit, s->num_units);
            return false;
        }
        *out = unit;
    } else if (sp) {
        *out = sp->unit;
    } else if (s->num_units == 1) {
        *out = 0;
    } else {
        error_setg(errp, "LIODN %u has no initiator, so no unit serves it",
                   liodn);
        error_append_hint(errp, "Give the unit to check with: 'unit'.\n");
        return false;
    }
    if (liodn > s->max_liodn) {
        error_setg(errp, "LIODN %u is above max-liodn=%u", liodn,
                   s->max_liodn);
        return false;
    }
    return true;
}

PamuTranslation *qmp_x_pamu_translate(uint32_t liodn, uint64_t address,
                                      PamuAccessKind access, bool has_unit,
                                      uint32_t unit, Error **errp)
{
    static const PAMUAccess accesses[] = {
        [PAMU_ACCESS_KIND_READ] = PAMU_ACCESS_READ,
        [PAMU_ACCESS_KIND_WRITE] = PAMU_ACCESS_WRITE,
        [PAMU_ACCESS_KIND_NONE] = PAMU_ACCESS_QUERY,
    };
    PAMUState *s = pamu_find(errp);
    PamuTranslation *t;
    PAMUWalkResult res;
    unsigned u, code;

    if (!s || !pamu_translate_unit(s, liodn, has_unit, unit, &u, errp)) {
        return NULL;
    }
    pamu_probe(s, u, liodn, address, accesses[access], &res);

    t = g_new0(PamuTranslation, 1);
    t->bypassed = res.status == PAMU_WALK_BYPASS;
    t->allowed = res.status != PAMU_WALK_VIOLATION;
    if (!t->allowed) {
        t->has_violation = pamu_qapi_class(res.avs1, &t->violation, &code);
        t->has_avs1 = true;
        t->avs1 = res.avs1;
        return t;
    }
    t->has_translated_address = t->has_size = true;
    t->translated_address = res.xlat + (address - res.iova);
    t->size = pow2_size(res.size_log2);
    t->has_read = t->has_write = true;
    t->read = res.perm & PAMU_ACCESS_READ;
    t->write = res.perm & PAMU_ACCESS_WRITE;
    if (res.subwindow >= 0) {
        t->has_subwindow = true;
        t->subwindow = res.subwindow;
    }
    return t;
}

/* --- info pamu ------------------------------------------------------- */

static void hmp_print_size(Monitor *mon, uint64_t size)
{
    g_autofree char *str = size ? size_to_str(size) : g_strdup("16 EiB");

    monitor_puts(mon, str);
}

static void hmp_print_table(Monitor *mon, const char *name, uint64_t base,
                            uint64_t limit, bool entries)
{
    monitor_printf(mon, "  %-6s 0x%016" PRIx64 "..0x%016" PRIx64, name, base,
                   limit);
    if (limit <= base) {
        monitor_puts(mon, " (empty)\n");
    } else if (entries) {
        monitor_printf(mon, " (%" PRIu64 " entries)\n",
                       (limit - base) / PAMU_PAACE_SIZE);
    } else {
        monitor_puts(mon, " (");
        hmp_print_size(mon, limit - base);
        monitor_puts(mon, ")\n");
    }
}

static void hmp_print_unit(Monitor *mon, const PamuUnitInfo *u)
{
    const PamuViolationRecord *v = u->violation;

    monitor_printf(mon, "unit %u: %s, %s, %s\n", u->unit,
                   u->bypassed ? "bypassed (PAMUBYPENR)" : "not bypassed",
                   u->enabled ? "enabled" : "disabled",
                   u->gate_closed ? "gate closed" : "gate open");
    monitor_printf(mon, "  PC 0x%08x, PC2 max LIODN 0x%x, PC3 %u subwindows "
                   "at most, PICS 0x%08x (violation interrupt %s)\n", u->pc,
                   u->max_liodn, u->max_subwindows, u->pics,
                   u->violation_interrupt ? "enabled" : "disabled");
    hmp_print_table(mon, "PPAACT", u->ppaact_base, u->ppaact_limit, true);
    hmp_print_table(mon, "SPAACT", u->spaact_base, u->spaact_limit, true);
    hmp_print_table(mon, "OMT", u->omt_base, u->omt_limit, false);
    if (v) {
        monitor_printf(mon, "  violation: LIODN 0x%x, address 0x%016" PRIx64
                       ": %s %u (%s), AVS1 0x%08x, AVS2 0x%08x\n", v->liodn,
                       v->address, v->has_violation ?
                       PamuViolationClass_str(v->violation) : "no class",
                       v->sub_code, v->reason, v->avs1, v->avs2);
    } else {
        monitor_puts(mon, "  violation: none latched\n");
    }
    monitor_printf(mon, "  lost violations: %" PRIu64 "\n",
                   u->lost_violations);
}

/* The part of an entry's line that PAACE and SPAACE share. */
static void hmp_print_entry(Monitor *mon, const PamuEntryInfo *e)
{
    monitor_printf(mon, "%s%s, ATM %s -> 0x%016" PRIx64,
                   e->read ? "r" : "-", e->write ? "w" : "-",
                   PamuAtmMode_str(e->atm), e->translated_base);
    if (e->has_mapped_size) {
        monitor_puts(mon, ", ");
        hmp_print_size(mon, e->mapped_size);
        monitor_puts(mon, " mapped");
    }
}

static void hmp_print_spaace(Monitor *mon, const PamuSpaaceInfo *sw)
{
    monitor_printf(mon, "  subwindow %u: SPAACE 0x%x", sw->subwindow,
                   sw->index);
    if (!sw->entry) {
        monitor_printf(mon, ": %s\n", sw->error);
        return;
    }
    monitor_printf(mon, " at 0x%016" PRIx64 ": %s, ", sw->entry->address,
                   sw->entry->valid ? "valid" : "invalid");
    hmp_print_entry(mon, sw->entry);
    monitor_puts(mon, "\n");
}

static void hmp_print_liodn(Monitor *mon, const PamuLiodnInfo *l)
{
    const PamuPaaceInfo *p = l->paace;
    PamuSpaaceInfoList *sw;

    monitor_printf(mon, "LIODN 0x%x (unit %u, %s): ", l->liodn, l->unit,
                   l->initiator);
    if (!p) {
        monitor_printf(mon, "no PAACE: %s\n", l->paace_error);
        return;
    }
    /* an invalid entry's fields still tell what the guest meant */
    monitor_printf(mon, "PAACE at 0x%016" PRIx64 ": %s, window 0x%016" PRIx64
                   " (", p->address, p->valid ? "valid" : "invalid",
                   p->window_base);
    hmp_print_size(mon, p->window_size);
    monitor_puts(mon, "), ");
    hmp_print_entry(mon, qapi_PamuPaaceInfo_base((PamuPaaceInfo *)p));
    if (p->subwindows) {
        monitor_printf(mon, ", %u subwindows, FSPI 0x%x", p->subwindows,
                       p->fspi);
    }
    monitor_puts(mon, "\n");
    for (sw = p->spaaces; sw; sw = sw->next) {
        hmp_print_spaace(mon, sw->value);
    }
}

static void hmp_print_counts(Monitor *mon, const PamuLiodnInfo *l)
{
    monitor_printf(mon, "  %" PRIu64 " walks, %" PRIu64 " cache hits\n",
                   l->walks, l->cache_hits);
}

void hmp_info_pamu(Monitor *mon, const QDict *qdict)
{
    g_autoptr(PamuInfo) info = NULL;
    PamuUnitInfoList *u;
    PamuLiodnInfoList *l;
    Error *err = NULL;

    info = qmp_query_pamu(&err);
    if (hmp_handle_error(mon, err)) {
        return;
    }
    monitor_printf(mon, "PAMU %s\n", info->qom_path);
    for (u = info->units; u; u = u->next) {
        hmp_print_unit(mon, u->value);
    }
    if (!info->liodns) {
        monitor_puts(mon, "no LIODN has an initiator\n");
    }
    for (l = info->liodns; l; l = l->next) {
        hmp_print_liodn(mon, l->value);
        hmp_print_counts(mon, l->value);
    }
}
