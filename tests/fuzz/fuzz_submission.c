/* fuzz_submission.c -- libFuzzer target for the aggregator's decoder of untrusted bytes
 * (core/wire.c, wire_unpack_submission), and for what runs on a decoded submission.
 *
 * Whatever decodes must: pass submission_validate again (the decoder promised it did),
 * go through the rule engine without harm, and pack and
 * unpack again to the same facts. A refusal must say why (non-empty message). The same
 * bytes also go to the ack, flag and event decoders (wire_unpack_ack / _finding / _event). A
 * broken promise aborts, so libFuzzer saves the input like any crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"
#include "rules.h"
#include "submission.h"
#include "wire.h"

static rule_settings_t *settings;

static void broken(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_submission: broken promise: %s: %s\n", what, detail ? detail : "");
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char err[512];
    settings = rule_settings_load(NULL, err, sizeof err);
    if (!settings) broken("rule_settings_load(NULL)", err);
    return 0;
}

static void run_rules(const submission_t *s)
{
    findings_t out;
    findings_init(&out);
    rules_check(s, settings, &out);
    for (size_t i = 0; i < out.count; i++) {
        const finding_t *f = &out.items[i];
        if (f->verdict == VERDICT_EXACT) broken("rules appended an EXACT finding", f->rule);
        if (f->severity == SEV_OFF) broken("rules appended a switched-off finding", f->rule);
    }
    findings_clear(&out);
}

static void same_facts(const submission_t *a, const submission_t *b)
{
    if (a->count != b->count) broken("round trip changed the fact count", a->entity);
    if (a->year != b->year || a->scope != b->scope || a->created_ms != b->created_ms ||
        strcmp(a->id, b->id) || strcmp(a->entity, b->entity) || strcmp(a->source, b->source))
        broken("round trip changed the header", a->entity);
    for (size_t i = 0; i < a->count; i++) {
        const fact_t *x = &a->facts[i], *y = &b->facts[i];
        if (x->table != y->table || x->column != y->column || x->fen != y->fen ||
            x->line != y->line || strcmp(x->row, y->row) || strcmp(x->name, y->name))
            broken("round trip changed a fact", x->row);
    }
}

/* The same bytes as an ack (what a collector receives), a stored flag and a PUB event: the
 * decoders share the string and enum checks, and what decodes must pack back to itself. */
static void other_decoders(const uint8_t *data, size_t size)
{
    ack_t ack, back;
    char err[1024] = "";
    if (wire_unpack_ack(data, size, &ack, err, sizeof err) == 0) {
        uint8_t *buf = NULL;
        size_t len = 0;
        if (wire_pack_ack(&ack, &buf, &len)) abort();
        if (wire_unpack_ack(buf, len, &back, err, sizeof err))
            broken("a decoded ack does not decode after packing", err);
        free(buf);
        if (back.flags.count != ack.flags.count || back.status != ack.status ||
            strcmp(back.submission_id, ack.submission_id) || strcmp(back.reason, ack.reason))
            broken("ack round trip changed it", ack.submission_id);
        ack_clear(&back);
        ack_clear(&ack);
    } else if (!err[0]) {
        broken("ack refused without a reason", NULL);
    }
    finding_t f;
    if (wire_unpack_finding(data, size, &f) == 0) finding_free(&f);
    event_t ev, ev2;
    if (wire_unpack_event(data, size, &ev, err, sizeof err) == 0) {
        uint8_t *buf = NULL;
        size_t len = 0;
        if (wire_pack_event(&ev, &buf, &len)) abort();
        if (wire_unpack_event(buf, len, &ev2, err, sizeof err))
            broken("a decoded event does not decode after packing", err);
        free(buf);
        /* wire_unpack_event zeroes the whole struct first, so bytes compare exactly */
        if (memcmp(&ev, &ev2, sizeof ev) != 0) broken("event round trip changed it", ev.kind);
    }
}

/* The same bytes as a file of several parts (Submission.members): what decodes must pack
 * back to the same parts. */
static void file_decoder(const uint8_t *data, size_t size)
{
    char err[1024] = "";
    submission_t *one = NULL;
    submission_group_t *g = NULL;
    if (wire_unpack_message(data, size, &one, &g, err, sizeof err) != 0) {
        if (!err[0]) broken("message refused without a reason", NULL);
        return;
    }
    submission_destroy(&one);
    if (!g) return;
    uint8_t *buf = NULL;
    size_t len = 0;
    if (wire_pack_group(g, &buf, &len)) abort();
    submission_group_t *back = NULL;
    if (wire_unpack_message(buf, len, &one, &back, err, sizeof err) || !back)
        broken("a decoded file does not decode after packing", err);
    free(buf);
    if (back->count != g->count) broken("file round trip changed its parts", g->id);
    for (size_t i = 0; i < g->count; i++) same_facts(g->members[i], back->members[i]);
    group_destroy(&back);
    group_destroy(&g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    other_decoders(data, size);
    file_decoder(data, size);
    char err[1024] = "";
    submission_t *s = wire_unpack_submission(data, size, err, sizeof err);
    if (!s) {
        if (!err[0]) broken("refused without a reason", NULL);
        return 0;
    }
    if (submission_validate(s, err, sizeof err)) broken("decoded submission fails validation", err);
    run_rules(s);

    uint8_t *buf = NULL;
    size_t len = 0;
    if (wire_pack_submission(s, &buf, &len)) abort();
    submission_t *back = wire_unpack_submission(buf, len, err, sizeof err);
    free(buf);
    if (!back) broken("a decoded submission does not decode after packing", err);
    same_facts(s, back);
    submission_destroy(&back);
    submission_destroy(&s);
    return 0;
}
