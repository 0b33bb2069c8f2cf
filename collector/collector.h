/* collector.h -- the commands of huizong-collector and what they share.
 *
 * Exit codes (every command; documented in --help and docs/protocol.md):
 *   0  everything accepted / no error-severity findings
 *   1  a submission was rejected, or error-severity findings (check, submit --strict)
 *   2  usage error or unreadable input (CSV, hierarchy): nothing was sent
 *   3  local failure (spool directory cannot be written, socket cannot be set up)
 *   4  some submissions are still pending in the spool (aggregator not reachable in time)
 */
#ifndef HUIZONG_COL_COLLECTOR_H
#define HUIZONG_COL_COLLECTOR_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "csv.h"
#include "curve.h"
#include "findings.h"
#include "hierarchy.h"
#include "options.h"
#include "rules.h"
#include "submission.h"

enum {
    COL_EXIT_OK = 0, COL_EXIT_FINDINGS = 1, COL_EXIT_INPUT = 2, COL_EXIT_LOCAL = 3,
    COL_EXIT_PENDING = 4
};

int cmd_check(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_flush(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_probe(int argc, char **argv);   /* diagnostic: raw bytes in, ack out */
int cmd_status(int argc, char **argv);  /* review state of the latest version (status.c) */
/* After submit: for each entity/year whose previous version had been returned (退回),
 * prints that it is now superseded (status.c). Silent on any failure. */
typedef struct { char entity[SUBMISSION_ENTITY_MAX + 1]; unsigned year; } collector_entity_year_t;
void collector_report_superseded(const char *to, const char *key, const char *server_key,
                                 const collector_entity_year_t *ey, size_t n);

/* Set by SIGTERM/SIGINT once collector_signals() ran. */
extern volatile sig_atomic_t collector_stop;
void collector_signals(void);

/* --encoding NAME -> 0, or -1 with a message on stderr. */
int collector_encoding(const char *name, csv_encoding *out);
/* How printed-layout files (xlsx, xls, printed-sheet CSV; import/import.h) are read: set
 * by check/submit from --entity, --year and --hierarchy before collector_read_files().
 * mapping: where each file's recognised mapping goes (NULL: nowhere); json: as JSON
 * objects separated by commas (check --format json puts them in its "mappings" array). */
typedef struct {
    const char *entity;
    unsigned year;
    const char *hierarchy_path;
    FILE *mapping;
    int json;
    unsigned readers;            /* --readers: threads reading workbooks ahead (0: one per processor) */
    /* filled by collector_read_files(): the narrative text of each PDF read (file, text) */
    struct collector_text { char *file; char *text; } *texts;
    size_t ntexts;
} collector_import_t;
extern collector_import_t collector_import;

/* Reads every file into list (all of them, reporting each error on stderr) and validates
 * every submission. Files are told apart by content (import_read_file): v1 CSVs as before,
 * workbooks and printed-sheet CSVs through the table recogniser, several files of one
 * entity/year merging into one submission. Returns the number of files or submissions
 * that failed. */
size_t collector_read_files(char **files, size_t n, csv_encoding enc, submission_list_t *list);
/* Same, keeping at most max_errors errors per file (--max-errors; every error of a file is
 * printed, one a line, then a line with the file's error count). */
size_t collector_read_files_max(char **files, size_t n, csv_encoding enc, size_t max_errors,
                                submission_list_t *list);
/* --max-errors N: 1..COLLECTOR_MAX_ERRORS_LIMIT. */
#define COLLECTOR_MAX_ERRORS_LIMIT 100000

/* The input options check and submit share: how the files are read (--encoding, --entity,
 * --year, --max-errors, --hierarchy, --readers), the rules they are checked with (--settings, --chart)
 * and the document text (--text, --text-entity, --text-encoding). --entity and --year go
 * to collector_import. */
typedef struct {
    const char *enc_name, *hierarchy, *settings, *chart;
    const char *text, *text_entity, *text_enc_name;
    size_t max_errors;
    opt_t rows[12];              /* collector_input_options' rows, opt_end() included */
} collector_input_t;
/* Sets in's defaults (utf-8, CSV_MAX_ERRORS_DEFAULT) and returns the rows of the options
 * that read into it, for an opt_table() row of the command's own table. */
const opt_t *collector_input_options(collector_input_t *in);
/* After parsing: --text-entity or --text-encoding without --text is refused. 0, or -1
 * with the message on stderr. */
int collector_input_check(const collector_input_t *in);
/* --chart FILE: loads the chart into *out and attaches it to settings (NULL path: none).
 * 0, or -1 with every error of the file on stderr. */
int collector_load_chart(const char *path, rule_settings_t *settings, chart_t **out);
/* The same, and *groups (malloc'd, one entry per submission of list, NULL if none) says
 * which submissions belong together: those read from one file -- and from files sharing an
 * entity/year, which are merged -- have the same value (issue 10, finding 3: a file is
 * applied whole). */
size_t collector_read_files_grouped(char **files, size_t n, csv_encoding enc, size_t max_errors,
                                    submission_list_t *list, size_t **groups);
/* The narrative text (lines outside the tables, reading order, '\n'-terminated lines, an
 * empty line between pages) of a PDF that collector_read_files() read in this run, looked
 * up by the path as given or by its base name, which is the source of the submissions it
 * gave: collector_text_of(s->source). NULL when the file had none (workbooks, CSVs) or was
 * not read. Freed by collector_texts_free() (also at exit). */
/* Attaches each PDF's narrative (collector_text_of) to the highest-level submission read
 * from that PDF (by h, as --text does) that has no text yet, so the 说明 a published PDF
 * prints is checked like a --text. 0, or -1 when a text could not go (messages on stderr). */
int collector_attach_pdf_texts(submission_list_t *list, const hierarchy_t *h);
const char *collector_text_of(const char *file);
void collector_texts_free(void);
/* Level of an entity: from the hierarchy when given and known, else LEVEL_DEPARTMENT. */
entity_level collector_level(const hierarchy_t *h, const char *entity);
/* Loads --hierarchy when path is not NULL. Returns 0 or -1 with a message on stderr. */
int collector_load_hierarchy(const char *path, hierarchy_t *h, int *loaded);

/* The collector commands' --key/--server-key: neither given, *enabled = 0 (plain text,
 * with a warning on stderr for a tcp:// endpoint: only an --insecure aggregator accepts
 * it); both given, the keys are loaded and *enabled = 1; one alone or a bad file: an
 * error on stderr and -1. */
int collector_curve_options(curve_client_t *c, int *enabled, const char *key_file,
                            const char *server_key_file, const char *endpoint);;

/* --text PATH (collector/text.c): reads the text (enc as --encoding reads a CSV: utf-8
 * must be valid UTF-8, gb18030 and auto keep UTF-8 and convert GB18030), checks its size
 * (SUBMISSION_TEXT_MAX) and attaches it to the submission of `entity` (--text-entity), or
 * of the highest-level entity in list (by h when given, else the shortest code). Returns
 * 0, or -1 with the reason, naming the file, on stderr (nothing attached). */
int collector_attach_text(const char *path, const char *entity, csv_encoding enc,
                          submission_list_t *list, const hierarchy_t *h);
/* Judges the text s carries (if any) with the text.* rules, offline (no previous year):
 * appends the findings to out and fills *summary (zero without a text). 0 or -1. */
#include "narrative_check.h"
int collector_check_text(const submission_t *s, const rule_settings_t *settings, findings_t *out,
                         narrative_summary_t *summary);

/* The collector's sender log (sender_opts_t.log): each line on stderr. */
void collector_log_line(void *arg, const char *line);


/* Progress lines: core/progress.h. */
#include "progress.h"

#endif
