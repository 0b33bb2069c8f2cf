/* pdf_extract.c -- poppler-glib's text layer to grids: each page's characters and boxes go to
 * pdf_layout.c, the document's result to pdf_wire.c. Runs only inside huizong-pdf-pages,
 * under the limits pdf_read_grids() set before it started the program. */
#include "pdf_extract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <poppler.h>

#include "array.h"
#include "errors.h"
#include "pdf.h"
#include "pdf_wire.h"

static const char s_no_text[] =
    "PDF 无文字层：不支持扫描件（no text layer; scanned documents are not supported）";

typedef struct {
    grid_t **grids;
    size_t n, cap;
    pdf_text_t narrative;
    size_t chars;                /* non-space characters seen in the whole document */
    int tables_seen;             /* a page with a table came already */
} s_result_t;

static int s_page(PopplerPage *page, const char *label, s_result_t *res, char *err,
                  size_t errlen) {
    char *text = poppler_page_get_text(page);
    PopplerRectangle *rects = NULL;
    guint nrects = 0;
    if (!text) return 0;
    if (!poppler_page_get_text_layout(page, &rects, &nrects)) nrects = 0;
    glong nchars = g_utf8_strlen(text, -1);
    size_t n = (size_t)nchars < nrects ? (size_t)nchars : nrects;
    if (n > PDF_CHARS_MAX) {
        g_free(text);
        g_free(rects);
        return error_set(err, errlen, "%s：字符过多（上限 %u）", label, PDF_CHARS_MAX);
    }
    pdf_char_t *chars = calloc(n ? n : 1, sizeof *chars);
    double *sizes = calloc(n ? n : 1, sizeof *sizes);
    if (!chars || !sizes) {
        free(chars); free(sizes); g_free(text); g_free(rects);
        return error_set(err, errlen, "内存不足");
    }
    GList *attrs = poppler_page_get_text_attributes(page);
    for (GList *a = attrs; a; a = a->next) {
        const PopplerTextAttributes *t = a->data;
        for (gint k = t->start_index; k <= t->end_index && k >= 0 && (size_t)k < n; k++)
            sizes[k] = t->font_size;
    }
    poppler_page_free_text_attributes(attrs);
    const char *p = text;
    for (size_t i = 0; i < n; i++) {
        gunichar u = g_utf8_get_char(p);
        p = g_utf8_next_char(p);
        chars[i] = (pdf_char_t){ .ch = u, .x0 = rects[i].x1, .y0 = rects[i].y1,
                                 .x1 = rects[i].x2, .y1 = rects[i].y2, .size = sizes[i] };
        if (!g_unichar_isspace(u) && u != 0x3000) res->chars++;
    }
    g_free(text);
    g_free(rects);
    free(sizes);
    grid_t *g = NULL;
    int tables = 0;
    int rc = pdf_layout_page_text(chars, n, label, &g, &tables, &res->narrative, err, errlen);
    free(chars);
    if (rc < 0) return -1;
    /* text-only pages before the first table (the cover: year, entity, 目录) go to the
     * recogniser too; later ones (说明 prose) are narrative only */
    if (tables) res->tables_seen = 1;
    else if (res->tables_seen) grid_destroy(&g);
    if (pdf_text_append(&res->narrative, "\n", 1) < 0) {
        grid_destroy(&g);
        return error_set(err, errlen, "内存不足");
    }
    if (!g) return 0;
    if (array_reserve(&res->grids, &res->cap, res->n + 1, sizeof *res->grids, 16)) {
        grid_destroy(&g);
        return error_set(err, errlen, "内存不足");
    }

    res->grids[res->n++] = g;
    return 0;
}

/* Opens and rebuilds the document; returns a PDF_STATUS_*, message in err. */
static uint32_t s_extract(const char *path, uint32_t pages_max, s_result_t *res, char *err,
                          size_t errlen) {
    gchar *data = NULL;
    gsize len = 0;
    GError *e = NULL;
    if (!g_file_get_contents(path, &data, &len, &e)) {
        error_set(err, errlen, "%s：无法读取（%s）", path, e ? e->message : "?");
        g_clear_error(&e);
        return PDF_STATUS_ERROR;
    }
    GBytes *bytes = g_bytes_new_take(data, len);
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &e);
    g_bytes_unref(bytes);
    if (!doc) {
        if (e && e->domain == POPPLER_ERROR && e->code == POPPLER_ERROR_ENCRYPTED)
            error_set(err, errlen, "%s：PDF 已加密，需要密码：不支持（encrypted PDF）", path);
        else
            error_set(err, errlen, "%s：PDF 文件损坏或无法解析（%s）", path,
                      e ? e->message : "未知原因");
        g_clear_error(&e);
        return PDF_STATUS_ERROR;
    }
    int npages = poppler_document_get_n_pages(doc);
    uint32_t status = PDF_STATUS_OK;
    if (npages <= 0) {
        error_set(err, errlen, "%s：PDF 没有页面（文件损坏）", path);
        status = PDF_STATUS_ERROR;
    } else if ((uint32_t)npages > pages_max) {
        error_set(err, errlen, "%s：PDF 页数 %d 超过上限 %u", path, npages, pages_max);
        status = PDF_STATUS_ERROR;
    }
    for (int i = 0; i < npages && status == PDF_STATUS_OK; i++) {
        char label[32];
        snprintf(label, sizeof label, "第%d页", i + 1);
        PopplerPage *page = poppler_document_get_page(doc, i);
        if (!page) {
            error_set(err, errlen, "%s：%s无法读取（文件损坏）", path, label);
            status = PDF_STATUS_ERROR;
            break;
        }
        char perr[512] = "";
        if (s_page(page, label, res, perr, sizeof perr) < 0) {
            error_set(err, errlen, "%s：%s", path, perr);
            status = PDF_STATUS_ERROR;
        }
        g_object_unref(page);
    }
    g_object_unref(doc);
    if (status == PDF_STATUS_OK && res->chars == 0) {
        error_set(err, errlen, "%s：%s", path, s_no_text);
        status = PDF_STATUS_NO_TEXT;
    }
    return status;
}

int pdf_extract_encode(const char *path, uint32_t pages_max, pdf_text_t *out) {
    s_result_t res = {0};
    char err[PDF_MESSAGE_MAX] = "";
    uint32_t status = s_extract(path, pages_max, &res, err, sizeof err);
    int ok = status == PDF_STATUS_OK;
    int rc = pdf_result_encode(status, err, res.grids, ok ? res.n : 0,
                               ok && res.narrative.data ? res.narrative.data : "",
                               ok ? res.narrative.len : 0, out);
    pdf_grids_free(&res.grids, &res.n);
    pdf_text_free(&res.narrative);
    return rc;
}
