/* pgload.c -- turns the generated data into PostgreSQL COPY input for the comparison in
 * bench/run.sh, reading it with core/ (csv_read_file, hierarchy_load) so PostgreSQL gets
 * exactly the facts huizong gets, with amounts already int64 fen (bigint) -- never floats.
 *
 * usage: pgload ENTITIES_CSV OUT_DIR CSV...
 * writes OUT_DIR/entities.tsv  code, level, parent
 *        OUT_DIR/closure.tsv   ancestor, descendant, depth   (every entity is its own
 *                                                             ancestor at depth 0)
 *        OUT_DIR/facts.tsv     entity, year, table, row, column, fen   (text COPY format)
 *        and the same with integer keys, as an expert would load them (C-collated text
 *        only in the dictionaries): OUT_DIR/ientity.tsv (id, level number, code),
 *        OUT_DIR/iclosure.tsv (ancestor id, descendant id, depth), OUT_DIR/irow.tsv
 *        (id, row code), OUT_DIR/ifacts.tsv (entity id, year, table number, row id,
 *        column number, fen); an entity's id is its line in entities.csv, minus 2
 * prints: pg_input_facts, pg_input_submissions, pg_input_entities
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "csv.h"
#include "hierarchy.h"

/* A text-format COPY field: backslash, tab and line ends escaped. */
static void put_field(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\\': fputs("\\\\", f); break;
        case '\t': fputs("\\t", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        default: fputc(*s, f);
        }
    }
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    return f;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: pgload ENTITIES_CSV OUT_DIR CSV...\n");
        return 2;
    }
    hierarchy_t h;
    char err[1024] = "";
    memset(&h, 0, sizeof h);
    if (hierarchy_load(&h, argv[1], err, sizeof err) != 0) {
        fprintf(stderr, "pgload: %s\n", err);
        return 1;
    }
    FILE *ent = open_out(argv[2], "entities.tsv");
    FILE *clo = open_out(argv[2], "closure.tsv");
    FILE *ient = open_out(argv[2], "ientity.tsv");
    FILE *iclo = open_out(argv[2], "iclosure.tsv");
    for (size_t i = 0; i < h.count; i++) {
        const entity_t *e = &h.items[i];
        put_field(ent, e->code);
        fprintf(ent, "\t%s\t", level_name(e->level));
        if (e->parent[0]) put_field(ent, e->parent);
        else fputs("\\N", ent);
        fputc('\n', ent);
        fprintf(ient, "%zu\t%d\t", i, (int)e->level);
        put_field(ient, e->code);
        fputc('\n', ient);
        int depth = 0;
        for (const entity_t *a = e; a; a = a->parent[0] ? hierarchy_find(&h, a->parent) : NULL) {
            fprintf(iclo, "%td\t%zu\t%d\n", a - h.items, i, depth);
            put_field(clo, a->code);
            fputc('\t', clo);
            put_field(clo, e->code);
            fprintf(clo, "\t%d\n", depth++);
        }
    }
    fclose(ent);
    fclose(clo);
    fclose(ient);
    fclose(iclo);

    FILE *facts = open_out(argv[2], "facts.tsv");
    FILE *ifacts = open_out(argv[2], "ifacts.tsv");
    bench_rows_t rows;
    bench_rows_init(&rows);
    long total = 0, submissions = 0;
    for (int a = 3; a < argc; a++) {
        submission_list_t list;
        submission_list_init(&list);
        if (csv_read_file(argv[a], CSV_ENCODING_UTF8, &list, err, sizeof err) != 0) {
            fprintf(stderr, "pgload: %s\n", err);
            return 1;
        }
        for (size_t i = 0; i < list.count; i++) {
            const submission_t *s = list.items[i];
            const entity_t *se = hierarchy_find(&h, s->entity);
            if (!se) {
                fprintf(stderr, "pgload: %s: entity %s is not in %s\n", argv[a], s->entity, argv[1]);
                return 1;
            }
            submissions++;
            for (size_t j = 0; j < s->count; j++) {
                const fact_t *f = &s->facts[j];
                put_field(facts, s->entity);
                fprintf(facts, "\t%u\t%s\t", s->year, table_name(f->table));
                put_field(facts, f->row);
                fprintf(facts, "\t%s\t%lld\n", column_name(f->column), (long long)f->fen);
                fprintf(ifacts, "%td\t%u\t%d\t%d\t%d\t%lld\n", se - h.items, s->year, (int)f->table,
                        bench_rows_intern(&rows, f->row), (int)f->column, (long long)f->fen);
                total++;
            }
        }
        submission_list_free(&list);
    }
    if (fclose(facts) != 0 || fclose(ifacts) != 0) {
        perror("facts.tsv");
        return 1;
    }
    FILE *irow = open_out(argv[2], "irow.tsv");
    for (int i = 0; i < BENCH_ROW_BUCKETS; i++)
        if (rows.code[i]) {
            fprintf(irow, "%d\t", rows.id[i]);
            put_field(irow, rows.code[i]);
            fputc('\n', irow);
        }
    fclose(irow);
    printf("pg_input_facts=%ld\n", total);
    printf("pg_input_submissions=%ld\n", submissions);
    printf("pg_input_entities=%zu\n", h.count);
    hierarchy_free(&h);
    return 0;
}
