/* make_seeds.c -- writes the fuzz_submission seed corpus: every submission in the given
 * CSV files, packed as the collector would send it, one file each.
 *
 *   fuzz_make_seeds OUTDIR file.csv...   ->  OUTDIR/<csv name>-<entity>-<year>.pb
 *
 * The id and timestamp are fixed ("seed-N", 0) so the same CSVs give the same bytes.
 * Files the reader refuses are reported and skipped (a seed corpus may hold those too).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "wire.h"

static int write_seed(const char *dir, const char *csv, const submission_t *s)
{
    const char *base = strrchr(csv, '/');
    base = base ? base + 1 : csv;
    char path[4096];
    snprintf(path, sizeof path, "%s/%.*s-%s-%u.pb", dir, (int)strcspn(base, "."), base,
             s->entity, s->year);
    uint8_t *buf;
    size_t len;
    if (wire_pack_submission(s, &buf, &len)) { fprintf(stderr, "%s: pack failed\n", path); return -1; }
    FILE *f = fopen(path, "wb");
    int rc = f && fwrite(buf, 1, len, f) == len ? 0 : -1;
    if (f && fclose(f)) rc = -1;
    free(buf);
    if (rc) perror(path);
    else printf("%s (%zu facts, %zu bytes)\n", path, s->count, len);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUTDIR file.csv...\n", argv[0]);
        return 2;
    }
    int rc = 0, n = 0;
    for (int i = 2; i < argc; i++) {
        submission_list_t list;
        submission_list_init(&list);
        char err[1024];
        if (csv_read_file(argv[i], CSV_ENCODING_AUTO, &list, err, sizeof err)) {
            fprintf(stderr, "skipped: %s\n", err);
            continue;
        }
        for (size_t k = 0; k < list.count; k++) {
            submission_t *s = list.items[k];
            snprintf(s->id, sizeof s->id, "seed-%d", ++n);
            s->created_ms = 0;
            if (write_seed(argv[1], argv[i], s)) rc = 1;
        }
        submission_list_free(&list);
    }
    return rc;
}
