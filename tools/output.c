/* output.c -- shared plumbing of the `huizong` subcommands (see output.h). */
#include "output.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "codes.h"
#include "fd.h"

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

int tool_option_year(void *to, const char *text)
{
    uint32_t y = tool_parse_year(text);
    if (!y) return -1;
    *(uint32_t *)to = y;
    return 0;
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

static int s_format(void *to, const char *arg)
{
    int f = output_format_parse(arg);
    if (f < 0) return -1;
    ((output_opts_t *)to)->format = (output_format)f;
    return 0;
}

static int s_header(void *to, const char *arg)
{
    output_opts_t *o = to;
    if (!strcmp(arg, "ids")) o->header_ids = true;
    else if (!strcmp(arg, "zh")) o->header_ids = false;
    else { fprintf(stderr, "huizong: --header is zh or ids, got '%s'\n", arg); return -1; }
    return 0;
}

static int s_encoding(void *to, const char *arg)
{
    output_opts_t *o = to;
    if (!strcasecmp(arg, "utf-8-bom") || !strcasecmp(arg, "utf8-bom")) o->encoding = ENCODING_UTF8_BOM;
    else if (!strcasecmp(arg, "utf-8") || !strcasecmp(arg, "utf8")) o->encoding = ENCODING_UTF8;
    else if (!strcasecmp(arg, "gb18030")) o->encoding = ENCODING_GB18030;
    else {
        fprintf(stderr, "huizong: --encoding is utf-8-bom, utf-8 or gb18030, got '%s'\n", arg);
        return -1;
    }
    return 0;
}

const opt_t *output_options(output_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->saved_stdout = -1;
    const opt_t rows[] = { opt_call("format", o, s_format), opt_call("header", o, s_header),
                           opt_call("encoding", o, s_encoding), opt_end() };
    _Static_assert(sizeof rows == sizeof o->rows, "output_opts_t.rows holds output's rows");
    memcpy(o->rows, rows, sizeof rows);
    return o->rows;
}

static const char UTF8_BOM[] = "\xEF\xBB\xBF";

int output_begin(output_opts_t *o)
{
    o->saved_stdout = -1;
    o->spill = NULL;
    if (o->encoding == ENCODING_DEFAULT) o->encoding = o->header_ids ? ENCODING_UTF8 : ENCODING_UTF8_BOM;
    if (o->format != FORMAT_CSV || o->encoding == ENCODING_UTF8) return 0;
    if (o->encoding == ENCODING_UTF8_BOM) { fputs(UTF8_BOM, stdout); return 0; }
    /* gb18030: every command prints to stdout, so stdout itself is pointed at a temporary
     * file and converted as a whole at the end (a multi-byte character never splits). */
    fflush(stdout);
    o->spill = tmpfile();
    if (!o->spill || (o->saved_stdout = dup(STDOUT_FILENO)) < 0 ||
        dup2(fileno(o->spill), STDOUT_FILENO) < 0) {
        fprintf(stderr, "huizong: cannot buffer the output for gb18030: %s\n", strerror(errno));
        if (o->saved_stdout >= 0) close(o->saved_stdout);
        if (o->spill) fclose(o->spill);
        o->saved_stdout = -1;
        o->spill = NULL;
        return -1;
    }
    return 0;
}

int output_end(output_opts_t *o)
{
    if (!o->spill) return 0;
    fflush(stdout);
    int rc = -1, out = o->saved_stdout;
    char *text = NULL, *conv = NULL;
    long len = ftell(o->spill);
    dup2(out, STDOUT_FILENO);           /* stdout is the real one again, whatever follows */
    close(out);
    o->saved_stdout = -1;
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    if (cd == (iconv_t)-1) fprintf(stderr, "huizong: no UTF-8 to GB18030 converter: %s\n", strerror(errno));
    if (len < 0 || cd == (iconv_t)-1) goto done;
    text = malloc((size_t)len + 1);
    conv = malloc(2 * (size_t)len + 16);   /* GB18030 takes at most 4 bytes where UTF-8 takes 2+ */
    if (!text || !conv || fseek(o->spill, 0, SEEK_SET) != 0 ||
        fread(text, 1, (size_t)len, o->spill) != (size_t)len)
        goto done;
    char *in = text, *op = conv;
    size_t inleft = (size_t)len, outleft = 2 * (size_t)len + 16;
    if (iconv(cd, &in, &inleft, &op, &outleft) == (size_t)-1) {
        fprintf(stderr, "huizong: the output cannot be written as gb18030 at byte %ld: %s\n",
                (long)(in - text), strerror(errno));
        goto done;
    }
    rc = fd_write_all(STDOUT_FILENO, conv, (size_t)(op - conv));
done:
    if (cd != (iconv_t)-1) iconv_close(cd);
    free(text);
    free(conv);
    fclose(o->spill);
    o->spill = NULL;
    return rc;
}

table_id tool_parse_table(const char *prog, const char *arg)
{
    table_id t = table_from_name(arg);
    for (int i = 1; t == TABLE_NONE && i < TABLE_COUNT; i++)
        if (!strcmp(arg, table_label((table_id)i))) t = (table_id)i;
    if (t == TABLE_NONE) t = table_title_match(arg);
    if (t != TABLE_NONE) return t;
    fprintf(stderr, "%s: 未知表 '%s'；可用的表（代码或名称）：\n", prog, arg);
    for (int i = 1; i < TABLE_COUNT; i++)
        fprintf(stderr, "  %-12s %s\n", table_name((table_id)i), table_label((table_id)i));
    return TABLE_NONE;
}
