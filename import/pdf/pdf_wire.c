/* pdf_wire.c -- the length-prefixed result of huizong-pdf-pages (format in pdf_wire.h):
 * encoded by the helper, validated and decoded by the reader (and the grids freed by both). */
#include "pdf_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "submission.h"          /* submission_utf8_valid: the one UTF-8 check */

#define PDF_WIRE_MAGIC "HZPG"
#define PDF_WIRE_END "END!"
#define PDF_WIRE_VERSION 1u

void pdf_grids_free(grid_t ***grids, size_t *n) {
    if (!grids || !*grids) return;
    for (size_t i = 0; i < *n; i++) grid_destroy(&(*grids)[i]);
    free(*grids);
    *grids = NULL;
    *n = 0;
}

/* ---- encoding (in the helper) ---- */

static int s_w32(pdf_text_t *b, uint32_t v) {
    char x[4] = { (char)(v & 0xFF), (char)((v >> 8) & 0xFF), (char)((v >> 16) & 0xFF),
                  (char)((v >> 24) & 0xFF) };
    return pdf_text_append(b, x, 4);
}

static int s_wbytes(pdf_text_t *b, const char *s, size_t len) {
    if (len > UINT32_MAX) return -1;
    if (s_w32(b, (uint32_t)len) < 0) return -1;
    return len ? pdf_text_append(b, s, len) : 0;
}

static int s_wgrid(pdf_text_t *b, const grid_t *g);

int pdf_result_encode(uint32_t status, const char *message, grid_t *const *grids, size_t n,
                      const char *narrative, size_t narrative_len, pdf_text_t *out) {
    int bad = pdf_text_append(out, PDF_WIRE_MAGIC, 4) < 0 || s_w32(out, PDF_WIRE_VERSION) < 0 ||
              s_w32(out, status) < 0 || s_wbytes(out, message, strlen(message)) < 0 ||
              s_w32(out, (uint32_t)n) < 0;
    for (size_t i = 0; i < n && !bad; i++) bad = s_wgrid(out, grids[i]) < 0;
    bad = bad || s_wbytes(out, narrative, narrative_len) < 0 ||
          pdf_text_append(out, PDF_WIRE_END, 4) < 0;
    return bad ? -1 : 0;
}

static int s_wgrid(pdf_text_t *b, const grid_t *g) {
    if (s_wbytes(b, g->name, strlen(g->name)) < 0 || s_w32(b, (uint32_t)g->count) < 0) return -1;
    for (size_t i = 0; i < g->count; i++) {
        const grid_cell_t *c = &g->cells[i];
        char kd[2] = { (char)c->kind, (char)c->decimals };
        if (s_w32(b, c->row) < 0 || s_w32(b, c->col) < 0 || pdf_text_append(b, kd, 2) < 0 ||
            s_wbytes(b, c->text, strlen(c->text)) < 0)
            return -1;
    }
    if (s_w32(b, (uint32_t)g->nmerges) < 0) return -1;
    for (size_t i = 0; i < g->nmerges; i++) {
        const grid_merge_t *m = &g->merges[i];
        if (s_w32(b, m->r0) < 0 || s_w32(b, m->c0) < 0 || s_w32(b, m->r1) < 0 ||
            s_w32(b, m->c1) < 0)
            return -1;
    }
    return 0;
}

/* ---- decoding (in the reader) ---- */

typedef struct {
    const unsigned char *p;
    size_t left;
} s_cursor_t;

static int s_r32(s_cursor_t *c, uint32_t *v) {
    if (c->left < 4) return -1;
    *v = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8 | (uint32_t)c->p[2] << 16 |
         (uint32_t)c->p[3] << 24;
    c->p += 4;
    c->left -= 4;
    return 0;
}

static int s_rbytes(s_cursor_t *c, size_t max, const char **s, size_t *len) {
    uint32_t n;
    if (s_r32(c, &n) < 0 || n > max || n > c->left) return -1;
    *s = (const char *)c->p;
    *len = n;
    c->p += n;
    c->left -= n;
    return 0;
}

int pdf_result_decode(const unsigned char *buf, size_t len, const pdf_limits_t *l,
                      grid_t ***grids, size_t *n, char **narrative, char *err, size_t errlen) {
    s_cursor_t c = { buf, len };
    uint32_t version, status, ngrids = 0;
    const char *s;
    size_t sl;
    grid_t **gs = NULL;
    size_t ng = 0;
    if (len < 4 || memcmp(buf, PDF_WIRE_MAGIC, 4)) goto corrupt;
    c.p += 4;
    c.left -= 4;
    if (s_r32(&c, &version) < 0 || version != PDF_WIRE_VERSION || s_r32(&c, &status) < 0 ||
        s_rbytes(&c, PDF_MESSAGE_MAX, &s, &sl) < 0)
        goto corrupt;
    if (status != PDF_STATUS_OK) {
        snprintf(err, errlen, "%.*s", (int)sl, s);
        return status == PDF_STATUS_NO_TEXT ? PDF_ERR_NO_TEXT : PDF_ERR;
    }
    if (s_r32(&c, &ngrids) < 0 || ngrids > l->pages_max) goto corrupt;
    gs = calloc(ngrids ? ngrids : 1, sizeof *gs);
    if (!gs) return error_set(err, errlen, "内存不足");
    for (; ng < ngrids; ng++) {
        uint32_t ncells, nmerges;
        if (s_rbytes(&c, 256, &s, &sl) < 0) goto corrupt;
        char name[257];
        memcpy(name, s, sl);
        name[sl] = '\0';
        gs[ng] = grid_new(name);
        if (!gs[ng]) { error_set(err, errlen, "内存不足"); goto fail; }
        if (s_r32(&c, &ncells) < 0 || ncells > GRID_CELLS_MAX) goto corrupt;
        for (uint32_t i = 0; i < ncells; i++) {
            uint32_t row, col;
            if (s_r32(&c, &row) < 0 || s_r32(&c, &col) < 0 || c.left < 2) goto corrupt;
            uint8_t kind = c.p[0], dec = c.p[1];
            c.p += 2;
            c.left -= 2;
            if (kind > GRID_ERROR || s_rbytes(&c, GRID_TEXT_MAX, &s, &sl) < 0 ||
                memchr(s, '\0', sl) || !submission_utf8_valid(s, sl))
                goto corrupt;
            char cerr[256];
            if (grid_set(gs[ng], row, col, (grid_kind)kind, s, sl, dec, cerr, sizeof cerr) < 0) {
                error_set(err, errlen, "PDF 解析结果无效：%s", cerr);
                goto fail;
            }
        }
        if (s_r32(&c, &nmerges) < 0 || nmerges > GRID_CELLS_MAX) goto corrupt;
        for (uint32_t i = 0; i < nmerges; i++) {
            uint32_t m[4];
            for (int k = 0; k < 4; k++)
                if (s_r32(&c, &m[k]) < 0) goto corrupt;
            if (m[0] > m[2] || m[1] > m[3] || m[2] >= GRID_ROWS_MAX || m[3] >= GRID_COLS_MAX)
                goto corrupt;
            char cerr[256];
            if (grid_merge(gs[ng], m[0], m[1], m[2], m[3], cerr, sizeof cerr) < 0) {
                error_set(err, errlen, "PDF 解析结果无效：%s", cerr);
                goto fail;
            }
        }
        grid_finish(gs[ng]);
    }
    if (s_rbytes(&c, PDF_NARRATIVE_BYTES_MAX, &s, &sl) < 0 || memchr(s, '\0', sl) ||
        !submission_utf8_valid(s, sl) || c.left != 4 || memcmp(c.p, PDF_WIRE_END, 4))
        goto corrupt;
    char *narr = malloc(sl + 1);
    if (!narr) { error_set(err, errlen, "内存不足"); goto fail; }
    memcpy(narr, s, sl);
    narr[sl] = '\0';
    *grids = gs;
    *n = ng;
    *narrative = narr;
    return 0;
corrupt:
    error_set(err, errlen, "PDF 解析进程返回的数据无效");
fail:
    if (gs) {
        ng = ngrids;             /* calloc'd: the slots not reached are NULL */
        pdf_grids_free(&gs, &ng);
    }
    return PDF_ERR;
}
