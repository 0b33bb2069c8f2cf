/* output.c -- shared plumbing of the `huizong` subcommands (see output.h). */
#include "output.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codes.h"

int output_format_parse(const char *name)
{
    if (!strcmp(name, "text")) return FORMAT_TEXT;
    if (!strcmp(name, "csv")) return FORMAT_CSV;
    if (!strcmp(name, "json")) return FORMAT_JSON;
    fprintf(stderr, "huizong: unknown format '%s' (text, csv or json)\n", name);
    return -1;
}

store_t *tool_open_store(const char *dir)
{
    char err[512] = "";
    if (!dir) {
        fprintf(stderr, "huizong: --db DIR is required\n");
        return NULL;
    }
    store_t *store = store_open(dir, STORE_READONLY, err, sizeof err);
    if (!store) {
        fprintf(stderr, "huizong: cannot open database %s: %s\n", dir, err);
        return NULL;
    }
    /* One command, one committed state: every figure it prints is read in this snapshot,
     * so a parent and its children add up however fast the aggregator commits. */
    if (store_snapshot_begin(store) != 0) {
        fprintf(stderr, "huizong: cannot read database %s: no read transaction\n", dir);
        store_destroy(&store);
    }
    return store;
}

uint32_t tool_parse_year(const char *text)
{
    char *end = NULL;
    long y = text ? strtol(text, &end, 10) : 0;
    if (!text || *end || y < 1900 || y > 9999) {
        fprintf(stderr, "huizong: --year needs a 4-digit year, got '%s'\n", text ? text : "");
        return 0;
    }
    return (uint32_t)y;
}

const char *tool_row_label(store_t *store, table_id t, const char *row)
{
    const char *label = table_fixed_row_label(t, row);
    if (label) return label;
    if (code_is_numeric(row)) {
        code_kind kind = code_kind_for_table(t);
        if (kind == CODE_NONE) kind = CODE_FUNCTION; /* summary/fiscal class rows */
        label = code_known_name(kind, row);
        if (label) return label;
    }
    label = store ? store_row_label(store, t, row) : NULL;
    return label ? label : "";
}

bool tool_use_colour(FILE *out)
{
    return isatty(fileno(out)) && getenv("NO_COLOR") == NULL;
}
