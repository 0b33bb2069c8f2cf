/* import.c -- one entry for every input file: the format by content, the reader, then the
 * table recogniser (see import.h). */
#include "import_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errors.h"
#ifdef HUIZONG_HAVE_PDF
#include "pdf.h"
#endif

#define S_SNIFF 4096     /* bytes read to tell formats apart */

static const unsigned char S_OLE2[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

const char *import_format_name(import_format f)
{
    switch (f) {
    case IMPORT_V1_CSV: return "csv";
    case IMPORT_PRINTED_CSV: return "printed-csv";
    case IMPORT_XLSX: return "xlsx";
    case IMPORT_XLS: return "xls";
    case IMPORT_PDF: return "pdf";
    default: return "unknown";
    }
}

size_t import_utf8_cut(const char *text, size_t len, size_t max)
{
    if (len <= max) return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80) n--;
    return n;
}

/* Whether the first record of a text is a v1 header (English or Chinese). */
static bool s_v1_header(const char *d, size_t n)
{
    size_t bom = csv_bom_length(d, n);
    d += bom;
    n -= bom;
    const char *nl = memchr(d, '\n', n);
    size_t l = nl ? (size_t)(nl - d) : n;
    char line[512];
    if (l >= sizeof line) return false;
    memcpy(line, d, l);
    line[l] = '\0';
    char *p = line;
    for (char *q = p; *q; q++)
        if (*q == '"' || *q == ' ' || *q == '\r') memmove(q, q + 1, strlen(q)), q--;
    return strncasecmp(p, "entity,year,table,", 18) == 0 || strncmp(p, "单位代码,年度,表,", strlen("单位代码,年度,表,")) == 0;
}

import_format import_detect(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return IMPORT_UNKNOWN;
    unsigned char b[S_SNIFF];
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    if (n >= 4 && memcmp(b, "PK\x03\x04", 4) == 0) return IMPORT_XLSX;   /* checked further by xlsx_read */
    if (n >= 8 && memcmp(b, S_OLE2, 8) == 0) return IMPORT_XLS;
    if (n >= 5 && memcmp(b, "%PDF-", 5) == 0) return IMPORT_PDF;
    if (memchr(b, '\0', n)) return IMPORT_UNKNOWN;                      /* binary, not text */
    if (s_v1_header((const char *)b, n)) return IMPORT_V1_CSV;
    /* a v1 header saved as GB18030: convert the first line before deciding */
    return IMPORT_PRINTED_CSV;
}

static bool s_v1_gb18030(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    char b[512];
    size_t n = fread(b, 1, sizeof b - 1, f);
    fclose(f);
    /* 单位代码 in GB18030 is B5 A5 CE BB B4 FA C2 EB */
    static const char GB[] = "\xb5\xa5\xce\xbb\xb4\xfa\xc2\xeb";
    return n >= 8 && memcmp(b, GB, 8) == 0;
}

/* Error into the report, naming the file. */
/* Appends msg to the report's errors (counted even when it cannot be kept). Returns -1. */
static int s_fail(recognise_report_t *r, const char *msg)
{
    /* counted only once stored: out of memory loses this line, never the count's truth */
    char **v = realloc(r->errors, (r->nerrors + 1) * sizeof *v);
    if (!v) return -1;
    r->errors = v;
    v[r->nerrors] = strdup(msg);
    if (v[r->nerrors]) r->nerrors++;
    return -1;
}

/* A v1 CSV: every error of the file (up to opts->max_errors) into the report, as printed
 * tables report theirs, and a last line with the total. */
static int s_read_v1(const char *path, const import_opts_t *opts, submission_list_t *list,
                     recognise_report_t *report)
{
    csv_errors_t errs;
    csv_errors_init(&errs, opts->max_errors);
    int rc = csv_read_file_errors(path, opts->enc, list, &errs);
    if (rc != 0) {
        for (size_t k = 0; k < errs.count; k++) s_fail(report, errs.items[k].message);
        char line[512];
        if (errs.total > errs.count)
            snprintf(line, sizeof line, "%s: ……另有 %zu 处错误未列出（--max-errors %zu）", path,
                     errs.total - errs.count, errs.max);
        else
            snprintf(line, sizeof line, "%s: 共 %zu 处错误，整个文件未读入", path, errs.total);
        s_fail(report, line);
    }
    csv_errors_free(&errs);
    return rc;
}

/* A published PDF: poppler in a limited child (import/pdf/pdf.c) gives one grid per page
 * holding a table, which go to the one recogniser like sheets; the narrative is kept in the
 * report (report->narrative) for the text checks. */
static int s_read_pdf(const char *path, const import_opts_t *opts, submission_list_t *list,
                      recognise_report_t *report)
{
    char err[1024] = "";
#ifdef HUIZONG_HAVE_PDF
    grid_t **grids = NULL;
    size_t n = 0;
    char *narrative = NULL;
    int rc = pdf_import_grids(path, &grids, &n, &narrative, err, sizeof err);
    if (rc != 0) return s_fail(report, err);   /* PDF_ERR_NO_TEXT too: exit 2 like any input error */
    recognise_opts_t ro = { .file = path, .entity = opts->entity, .year = opts->year,
                            .hierarchy = opts->hierarchy, .names = opts->names,
                            .continued_pages = true };
    rc = recognise_grids(grids, n, &ro, list, report);
    /* the report keeps the pages (check shows them) and the narrative */
    report->grids = grids;
    report->ngrids = n;
    report->narrative = narrative;
    return rc;
#else
    (void)opts;
    (void)list;
    snprintf(err, sizeof err, "%s：本程序构建时没有 poppler-glib，不能读取 PDF", path);
    return s_fail(report, err);
#endif
}

const char *import_narrative(const recognise_report_t *report)
{
    return report && report->narrative && report->narrative[0] ? report->narrative : NULL;
}

void import_prepare(const char *path, const import_opts_t *opts, import_prepared_t *out)
{
    memset(out, 0, sizeof *out);
    import_format fmt = import_detect(path);
    if (fmt == IMPORT_PRINTED_CSV && s_v1_gb18030(path)) fmt = IMPORT_V1_CSV;
    out->fmt = fmt;
    switch (fmt) {
    case IMPORT_UNKNOWN: {
        FILE *f = fopen(path, "rb");
        if (!f) snprintf(out->err, sizeof out->err, "%s：无法打开文件", path);
        else {
            fclose(f);
            snprintf(out->err, sizeof out->err, "%s：无法识别的文件格式（支持 .xlsx/.xlsm、.xls、CSV）", path);
        }
        out->rc = -1;
        return;
    }
    case IMPORT_PDF:
    case IMPORT_V1_CSV:
        return;                 /* read by import_finish: straight into the list */
    default: break;
    }
    out->rc = fmt == IMPORT_XLSX ? xlsx_read(path, &out->grids, out->err, sizeof out->err)
            : fmt == IMPORT_XLS ? xls_read(path, &out->grids, out->err, sizeof out->err)
                                : printed_csv_read(path, opts->enc, &out->grids, out->err, sizeof out->err);
}

void import_prepared_free(import_prepared_t *p)
{
    grid_list_free(&p->grids);
}

int import_finish(const char *path, import_prepared_t *p, const import_opts_t *opts,
                  submission_list_t *list, recognise_report_t *report)
{
    int rc;
    if (p->rc != 0) rc = s_fail(report, p->err);
    else if (p->fmt == IMPORT_PDF) rc = s_read_pdf(path, opts, list, report);
    else if (p->fmt == IMPORT_V1_CSV) rc = s_read_v1(path, opts, list, report);
    else {
        recognise_opts_t ro = { .file = path, .entity = opts->entity, .year = opts->year,
                                .hierarchy = opts->hierarchy, .names = opts->names };
        rc = recognise_grids(p->grids.items, p->grids.count, &ro, list, report);
    }
    import_prepared_free(p);
    return rc;
}

int import_read_file(const char *path, const import_opts_t *opts, submission_list_t *list,
                     recognise_report_t *report, import_format *format)
{
    import_prepared_t p;
    import_prepare(path, opts, &p);
    if (format) *format = p.fmt;
    return import_finish(path, &p, opts, list, report);
}
