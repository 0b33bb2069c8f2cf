/* pdf.c -- the PDF feed, reader side: runs huizong-pdf-pages (import/pdf/pdf_pages.c, the
 * only program linking poppler) in a child under memory, CPU and wall-clock limits, reads
 * its result from a pipe with a size bound and decodes it (pdf_wire.c). */
#include "pdf.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "pdf_wire.h"

#define PDF_READ_CHUNK 65536u
#define PDF_EXEC_FAILED 127      /* the child's exit status when execv() fails (as sh does) */

/* A sanitizer maps terabytes of shadow memory: under one, the child gets no memory limit
 * (it could not start), only its CPU and wall-clock limits. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PDF_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define PDF_SANITIZED 1
#endif
#endif
#ifndef PDF_SANITIZED
#define PDF_SANITIZED 0
#endif

void pdf_limits_default(pdf_limits_t *l) {
    *l = (pdf_limits_t){ .pages_max = PDF_PAGES_MAX, .file_bytes_max = PDF_FILE_BYTES_MAX,
                         .memory_bytes = PDF_MEMORY_BYTES, .cpu_seconds = PDF_CPU_SECONDS,
                         .wall_seconds = PDF_WALL_SECONDS, .result_bytes_max = PDF_RESULT_BYTES_MAX };
}

/* ---- finding the helper ---- */

static int s_executable(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

int pdf_helper_find(char *out, size_t outlen, char *err, size_t errlen) {
    assert(out && outlen);
    const char *env = getenv(PDF_HELPER_ENV);
    if (env && *env) {
        if (snprintf(out, outlen, "%s", env) < (int)outlen && s_executable(out)) return 0;
        out[0] = '\0';
        return error_set(err, errlen, "找不到 PDF 解析程序：环境变量 %s 指向的 %s 不存在或不可执行",
                         PDF_HELPER_ENV, env);
    }
    char tried[2 * PATH_MAX + 8] = "";
    /* beside the running program: bin/ of the build tree, or of an installed prefix */
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    char *slash = n > 0 ? (self[n] = '\0', strrchr(self, '/')) : NULL;
    if (slash) {
        *slash = '\0';
        if (snprintf(out, outlen, "%s/%s", self, PDF_HELPER_NAME) < (int)outlen &&
            s_executable(out))
            return 0;
        snprintf(tried, sizeof tried, "%s/%s", self, PDF_HELPER_NAME);
    }
#ifdef HUIZONG_PDF_HELPER_INSTALLED
    /* the configured install path: for a program copied away from its prefix */
    if (snprintf(out, outlen, "%s", HUIZONG_PDF_HELPER_INSTALLED) < (int)outlen &&
        s_executable(out))
        return 0;
    size_t tl = strlen(tried);
    if (strcmp(tried, HUIZONG_PDF_HELPER_INSTALLED))   /* run from the install directory */
        snprintf(tried + tl, sizeof tried - tl, "%s%s", tl ? "、" : "", HUIZONG_PDF_HELPER_INSTALLED);
#endif
    out[0] = '\0';
    return error_set(err, errlen, "找不到 PDF 解析程序 %s（找过：%s；它与 huizong-collector 安装在"
                     "同一目录，或用环境变量 %s 指定）", PDF_HELPER_NAME, tried, PDF_HELPER_ENV);
}

/* ---- the child: limits, then the helper ---- */

/* Between fork() and execv() only async-signal-safe calls: the collector may have threads
 * (ZeroMQ's) holding locks that the child would never see released. */
static void s_child(int fd, const char *helper, char *const argv[], const pdf_limits_t *l) {
    /* what the parent ignored or blocked would survive execv(): the limits need SIGXCPU
     * and SIGALRM to kill, and a closed pipe should stop the helper */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct sigaction dfl = { .sa_handler = SIG_DFL };
    sigaction(SIGXCPU, &dfl, NULL);
    sigaction(SIGALRM, &dfl, NULL);
    sigaction(SIGPIPE, &dfl, NULL);
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
    if (fd == STDOUT_FILENO) fcntl(fd, F_SETFD, 0);
    else if (dup2(fd, STDOUT_FILENO) < 0) _exit(PDF_EXEC_FAILED);
    /* the helper parses a hostile file: it gets none of the caller's descriptors (spool,
     * LMDB, sockets) beyond stdin, the pipe and stderr (close_range: Linux >= 5.9; on an
     * older kernel it fails with ENOSYS and the descriptors stay, as they did with fork) */
#ifdef SYS_close_range
    syscall(SYS_close_range, 3u, ~0u, 0u);
#endif
    alarm(l->wall_seconds);      /* preserved across execv() */
    execv(helper, argv);
    _exit(PDF_EXEC_FAILED);
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
    char helper[PATH_MAX], herr[PATH_MAX * 2 + 256];
    if (pdf_helper_find(helper, sizeof helper, herr, sizeof herr) < 0)
        return error_set(err, errlen, "%s：无法读取 PDF：%s", path, herr);
    char pages[16];
    snprintf(pages, sizeof pages, "%u", l.pages_max);
    char *argv[] = { (char *)PDF_HELPER_NAME, (char *)"--pages-max", pages, (char *)"--",
                     (char *)path, NULL };
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
        s_child(fds[1], helper, argv, &l);
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
    } else if (WIFEXITED(wst) && WEXITSTATUS(wst) == PDF_EXEC_FAILED)
        error_set(err, errlen, "%s：PDF 解析进程无法启动 %s（退出码 %d：程序或它需要的共享库缺失，"
                  "或内存上限 %llu MiB 过小）", path, helper, PDF_EXEC_FAILED,
                  (unsigned long long)(l.memory_bytes >> 20));
    else if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0)
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
