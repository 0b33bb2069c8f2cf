/* import_int.h -- import_read_file in its two halves, for the read-ahead of many files
 * (read_ahead.c). Not for other modules: they call import_read_file / import_read_files.
 *
 * import_prepare touches nothing but its own file and output, so several run at once on
 * different files; import_finish adds to the caller's list and must run in file order on
 * one thread (the recogniser checks a fact against the files read before it).
 */
#ifndef HUIZONG_IMPORT_INT_H
#define HUIZONG_IMPORT_INT_H

#include "import.h"

typedef struct {
    import_format fmt;
    grid_list_t grids;      /* xlsx, xls, printed CSV: the file's sheets */
    int rc;                 /* -1: err says why the file could not be read */
    char err[1024];
} import_prepared_t;

/* Detects the format and reads a workbook or printed sheet into grids (a v1 CSV or a PDF is
 * only detected: import_finish reads it). Thread-safe for distinct outputs. */
void import_prepare(const char *path, const import_opts_t *opts, import_prepared_t *out);
/* Recognises what import_prepare read (or reads a v1 CSV / PDF) into list, as
 * import_read_file does, and frees p's grids. Returns 0, or -1 with every error in report. */
int import_finish(const char *path, import_prepared_t *p, const import_opts_t *opts,
                  submission_list_t *list, recognise_report_t *report);
void import_prepared_free(import_prepared_t *p);

#endif
