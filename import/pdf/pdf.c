/* pdf.c -- the PDF feed: poppler in a limited child process, the page geometry of
 * pdf_layout.c, and the length-prefixed result passed back over a pipe (format in pdf.h). */
#include "pdf.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <poppler.h>

#include "array.h"
#include "errors.h"
#include "fd.h"
#include "pdf_layout.h"

#define PDF_WIRE_MAGIC "HZPG"
#define PDF_WIRE_END "END!"
#define PDF_WIRE_VERSION 1u
#define PDF_MESSAGE_MAX 1024u
#define PDF_READ_CHUNK 65536u

#if defined(__SANITIZE_ADDRESS__)
#define PDF_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PDF_SANITIZED 1
#endif
#endif
#ifndef PDF_SANITIZED
#define PDF_SANITIZED 0
#endif

static const char s_no_text[] =
    "PDF 无文字层：不支持扫描件（no text layer; scanned documents are not supported）";

void pdf_limits_default(pdf_limits_t *l) {
    *l = (pdf_limits_t){ .pages_max = PDF_PAGES_MAX, .file_bytes_max = PDF_FILE_BYTES_MAX,
                         .memory_bytes = PDF_MEMORY_BYTES, .cpu_seconds = PDF_CPU_SECONDS,
                         .wall_seconds = PDF_WALL_SECONDS, .result_bytes_max = PDF_RESULT_BYTES_MAX };
}


void pdf_grids_free(grid_t ***grids, size_t *n) {
    if (!grids || !*grids) return;
    for (size_t i = 0; i < *n; i++) grid_destroy(&(*grids)[i]);
    free(*grids);
    *grids = NULL;
    *n = 0;
}

/* ---- the wire, child side ---- */

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

/* ---- extraction (in the child) ---- */

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
static uint32_t s_extract(const char *path, const pdf_limits_t *l, s_result_t *res, char *err,
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
    } else if ((uint32_t)npages > l->pages_max) {
        error_set(err, errlen, "%s：PDF 页数 %d 超过上限 %u", path, npages, l->pages_max);
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

static void s_child(int fd, const char *path, const pdf_limits_t *l) {
    struct rlimit r;
    if (l->memory_bytes && !PDF_SANITIZED) {
        r.rlim_cur = r.rlim_max = (rlim_t)l->memory_bytes;
        setrlimit(RLIMIT_AS, &r);
    }
    r.rlim_cur = l->cpu_seconds;
    r.rlim_max = (rlim_t)l->cpu_seconds + 1;
    setrlimit(RLIMIT_CPU, &r);
    r.rlim_cur = r.rlim_max = 0;
    setrlimit(RLIMIT_CORE, &r);
    alarm(l->wall_seconds);
    if (!getenv("HZ_PDF_DEBUG")) {
        /* poppler reports every syntax error of a damaged file on stderr: not for users */
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) { dup2(devnull, STDERR_FILENO); close(devnull); }
    }
    s_result_t res = {0};
    char err[PDF_MESSAGE_MAX] = "";
    uint32_t status = s_extract(path, l, &res, err, sizeof err);
    pdf_text_t out = {0};
    int ok = status == PDF_STATUS_OK;
    int bad = pdf_result_encode(status, err, res.grids, ok ? res.n : 0,
                                ok && res.narrative.data ? res.narrative.data : "",
                                ok ? res.narrative.len : 0, &out) < 0;
    if (bad || fd_write_all(fd, out.data, out.len) < 0) _exit(3);
    _exit(0);
}

/* ---- the wire, parent side ---- */

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
                memchr(s, '\0', sl) || !g_utf8_validate(s, (gssize)sl, NULL))
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
        !g_utf8_validate(s, (gssize)sl, NULL) || c.left != 4 || memcmp(c.p, PDF_WIRE_END, 4))
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

static double s_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int pdf_read_grids(const char *path, const pdf_limits_t *limits, grid_t ***grids, size_t *n,
                   char **narrative, char *err, size_t errlen) {
    assert(path && grids && n && narrative);
    pdf_limits_t l;
    if (limits) l = *limits;
    else pdf_limits_default(&l);
    *grids = NULL;
    *n = 0;
    *narrative = NULL;
    struct stat st;
    if (stat(path, &st) < 0)
        return error_set(err, errlen, "%s：无法打开（%s）", path, strerror(errno));
    if (!S_ISREG(st.st_mode)) return error_set(err, errlen, "%s：不是普通文件", path);
    if ((uint64_t)st.st_size > l.file_bytes_max)
        return error_set(err, errlen, "%s：文件过大（%lld 字节，上限 %llu）", path,
                         (long long)st.st_size, (unsigned long long)l.file_bytes_max);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) return error_set(err, errlen, "pipe：%s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return error_set(err, errlen, "fork：%s", strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        s_child(fds[1], path, &l);
    }
    close(fds[1]);
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0;
    int over = 0, timeout = 0;
    double deadline = s_now() + l.wall_seconds + 1;
    for (;;) {
        double left = deadline - s_now();
        if (left <= 0) { timeout = 1; break; }
        struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
        int pr = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) { if (pr == 0) timeout = 1; break; }
        if (len + PDF_READ_CHUNK > cap) {
            size_t nc = cap ? cap * 2 : PDF_READ_CHUNK * 4;
            unsigned char *nb = realloc(buf, nc);
            if (!nb) { over = 1; break; }
            buf = nb;
            cap = nc;
        }
        ssize_t r = read(fds[0], buf + len, PDF_READ_CHUNK);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        len += (size_t)r;
        if (len > l.result_bytes_max) { over = 1; break; }
    }
    close(fds[0]);
    if (timeout || over) kill(pid, SIGKILL);
    int wst = 0;
    while (waitpid(pid, &wst, 0) < 0 && errno == EINTR) {}
    int rc = PDF_ERR;
    if (timeout)
        error_set(err, errlen, "%s：PDF 解析超时（%u 秒），文件可能有害或损坏", path, l.wall_seconds);
    else if (over)
        error_set(err, errlen, "%s：PDF 解析结果过大（上限 %llu 字节）", path,
                  (unsigned long long)l.result_bytes_max);
    else if (WIFSIGNALED(wst)) {
        int sig = WTERMSIG(wst);
        if (sig == SIGXCPU || sig == SIGKILL)
            error_set(err, errlen, "%s：PDF 解析超过 CPU 时间上限（%u 秒），文件可能有害", path,
                      l.cpu_seconds);
        else if (sig == SIGALRM)
            error_set(err, errlen, "%s：PDF 解析超时（%u 秒），文件可能有害或损坏", path,
                      l.wall_seconds);
        else
            error_set(err, errlen, "%s：PDF 解析进程异常终止（信号 %d：%s；内存上限 %llu MiB），"
                      "文件损坏或有害", path, sig, strsignal(sig),
                      (unsigned long long)(l.memory_bytes >> 20));
    } else if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0)
        error_set(err, errlen, "%s：PDF 解析进程失败（退出码 %d，内存可能超限）", path,
                  WIFEXITED(wst) ? WEXITSTATUS(wst) : -1);
    else
        rc = pdf_result_decode(buf, len, &l, grids, n, narrative, err, errlen);
    free(buf);
    return rc;
}

int pdf_import_grids(const char *path, grid_t ***grids, size_t *n, char **narrative, char *err,
                     size_t errlen) {
    return pdf_read_grids(path, NULL, grids, n, narrative, err, errlen);
}
