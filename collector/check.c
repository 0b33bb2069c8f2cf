/* check.c -- `huizong-collector check`: read, validate and run the submission rules
 * locally, before anything is sent.
 *
 * Invariant: the rules are the same code the aggregator runs (rules_check),
 * so a clean check means the aggregator will raise no submission-level flag either
 * (level rules, which need the other entities, only run in the aggregator).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "json.h"
#include "collector.h"
#include "rules.h"
#include "tables.h"

static void check_usage(FILE *f)
{
    fprintf(f,
        "usage: huizong-collector check FILE... [--encoding utf-8|gb18030|auto]\n"
        "                               [--hierarchy entities.csv] [--settings rules.conf]\n"
        "                               [--entity CODE] [--year Y] [--format text|json]\n"
        "                               [--max-errors N] [--chart FILE] [--readers N]\n"
        "                               [--text DOC.txt [--text-entity CODE] [--text-encoding E]]\n"
        "\n"
        "Reads budget files, validates every submission and runs the submission rules\n"
        "locally. Nothing is sent. Each entity's level comes from --hierarchy; without it the\n"
        "level is unknown and the tables each level must publish are not checked. With\n"
        "--hierarchy, an entity that is not in it is an input error (the aggregator would\n"
        "refuse it). The level decides the tables that must be present (table.required;\n"
        "--settings require.LEVEL). --chart FILE (kind,code,name,first_year,last_year) flags\n"
        "every code the chart does not list for the year (code.unknown). Every input error of\n"
        "a file is printed at once (at most --max-errors per file, default %d).\n"
        "FILE is told apart by its content: a v1 CSV (examples/FORMAT.md), or the budget\n"
        "tables as printed: an .xlsx/.xlsm or .xls workbook (one sheet per table, or several\n"
        "tables on one sheet), a CSV saved from one printed sheet (UTF-8 or GB18030), or a\n"
        "published PDF (its text layer; for a PDF check also prints, per page, the tables\n"
        "found and the grid of cells rebuilt from the word positions; a scanned PDF exits 2).\n"
        "Printed tables are found by their titles; check prints the mapping it made (sheet\n"
        "and cells, table id, each column's id, unit, rows read, what was skipped and why).\n"
        "Several printed files of one entity and year form one submission.\n"
        "  --entity CODE  the entity of printed tables; without it the 编制单位/title is\n"
        "                 matched against the names in --hierarchy\n"
        "  --year Y       the fiscal year of printed tables; without it, from the titles\n"
        "  --readers N    threads that unzip and parse workbooks ahead of the recogniser\n"
        "                 (default: one per processor, at most 8); the result is the same\n"
        "\n"
        "读取预算文件并在本地校验，不发送。文件按内容识别：v1 CSV，或印刷版表格（.xlsx/.xlsm、\n"
        ".xls 工作簿，由一张表另存的 CSV，UTF-8 或 GB18030，或公开的 PDF：逐页列出找到的表和\n"
        "按文字位置重建的单元格；扫描件无文字层，退出码 2）。按表题识别各表，并列出识别结果\n"
        "（工作表与单元格范围、表、各列、单位、读取行数、跳过的内容及原因）。\n"
        "  --entity 单位代码   印刷版表格所属单位；不给时按编制单位名称或表题在 --hierarchy 中匹配\n"
        "  --year 年度         印刷版表格的年度；不给时取表题中的年度\n"
        "  --readers N         预读工作簿的线程数（默认每个处理器一个，至多 8），结果相同\n"
        "\n"
        "--text DOC.txt attaches the document's text (its 说明) to the submission of the\n"
        "highest-level entity read (by --hierarchy, else the shortest code; --text-entity CODE\n"
        "chooses another) and checks what it says against that submission's tables: amounts,\n"
        "增加/减少 and 增长/下降 percentages, shares (占 S%%) and the funding of 项目支出 (rules\n"
        "text.*). It is read as --text-encoding says (default: as --encoding), and may hold at\n"
        "most 2 MiB of UTF-8. The changes against the previous year are checked by the\n"
        "aggregator, which has that year's submission.\n"
        "\n"
        "Exit status: 0 no error-severity findings, 1 error-severity findings,\n"
        "2 usage error or an input file that cannot be read (each error is printed).\n",
        CSV_MAX_ERRORS_DEFAULT);
}

int cmd_check(int argc, char **argv)
{
    const char *format = "text";
    collector_input_t in;
    const opt_t options[] = { opt_text("format", &format), opt_table(collector_input_options(&in)), opt_end() };
    int parsed = options_parse("huizong-collector", options, argc, argv, check_usage);
    if (parsed != OPTIONS_OK) return parsed == OPTIONS_HELP ? COL_EXIT_OK : COL_EXIT_INPUT;
    int json = strcmp(format, "json") == 0;
    if (!json && strcmp(format, "text") != 0) {
        fprintf(stderr, "huizong-collector: --format must be text or json\n");
        return COL_EXIT_INPUT;
    }
    if (optind >= argc) {
        fprintf(stderr, "huizong-collector: check needs at least one FILE (see check --help)\n");
        return COL_EXIT_INPUT;
    }
    csv_encoding enc, text_enc;
    if (collector_encoding(in.enc_name, &enc) != 0) return COL_EXIT_INPUT;
    if (collector_encoding(in.text_enc_name ? in.text_enc_name : in.enc_name, &text_enc) != 0) return COL_EXIT_INPUT;
    if (collector_input_check(&in) != 0) return COL_EXIT_INPUT;
    hierarchy_t h;
    int have_h;
    if (collector_load_hierarchy(in.hierarchy, &h, &have_h) != 0) return COL_EXIT_INPUT;
    char err[512] = "";
    rule_settings_t *settings = rule_settings_load(in.settings, err, sizeof err);
    if (!settings) {
        fprintf(stderr, "%s\n", err[0] ? err : in.settings);
        hierarchy_free(&h);
        return COL_EXIT_INPUT;
    }

    chart_t *chart = NULL;
    if (collector_load_chart(in.chart, settings, &chart) != 0) {
        rule_settings_destroy(&settings);
        hierarchy_free(&h);
        return COL_EXIT_INPUT;
    }

    submission_list_t list;
    submission_list_init(&list);
    char *mapbuf = NULL;
    size_t maplen = 0;
    collector_import.hierarchy_path = in.hierarchy;
    collector_import.json = json;
    collector_import.mapping = json ? open_memstream(&mapbuf, &maplen) : stdout;
    size_t failed = collector_read_files_max(argv + optind, (size_t)(argc - optind), enc,
                                             in.max_errors, &list);
    if (json && collector_import.mapping) fclose(collector_import.mapping);
    collector_import.mapping = NULL;
    if (in.text && list.count &&
        collector_attach_text(in.text, in.text_entity, text_enc, &list, have_h ? &h : NULL) != 0)
        failed++;
    /* a published PDF's own 说明 goes with its submission like a --text (issue 15) */
    if (collector_import.ntexts && collector_attach_pdf_texts(&list, have_h ? &h : NULL) != 0)
        failed++;
    unsigned total_e = 0, total_w = 0, total_i = 0;
    if (json) fputs("{\"submissions\":[", stdout);
    for (size_t i = 0; i < list.count; i++) {
        submission_t *s = list.items[i];
        findings_t fs;
        findings_init(&fs);
        entity_level level = collector_level(have_h ? &h : NULL, s->entity);
        const entity_t *known = have_h ? hierarchy_find(&h, s->entity) : NULL;
        if (have_h && !known) {
            /* the aggregator refuses an entity it does not know: an input error here too */
            fprintf(stderr, "%s: 单位代码 %s 不在层级文件 %s 中（%u 年度 %zu 个数字）；"
                            "the aggregator would refuse it\n",
                    s->source && s->source[0] ? s->source : "input", s->entity, in.hierarchy,
                    s->year, s->count);
            failed++;
        }
        /* Without a hierarchy the level is a guess: the required tables are not checked
         * (a unit taken as a department would lack seven of them). */
        if (rules_check_entity(s, have_h ? level : LEVEL_NONE, settings, &fs) != 0) {
            fprintf(stderr, "huizong-collector: the rule engine failed on %s %u\n", s->entity, s->year);
            failed++;
        }
        narrative_summary_t m;
        if (collector_check_text(s, settings, &fs, &m) != 0) {
            fprintf(stderr, "huizong-collector: the text check failed on %s %u\n", s->entity, s->year);
            failed++;
        }
        unsigned ne, nw, ni;
        findings_count(&fs, &ne, &nw, &ni);
        total_e += ne;
        total_w += nw;
        total_i += ni;
        if (json) {
            printf("%s{\"entity\":", i ? "," : "");
            json_write_string(stdout, s->entity);
            printf(",\"year\":%u,\"facts\":%zu,\"level\":", s->year, s->count);
            json_write_string(stdout, level_name(level));
            fputs(",\"source\":", stdout);
            json_write_string(stdout, s->source);
            if (s->text) {
                fputs(",\"text\":", stdout);
                json_write_string(stdout, s->text_name);
                fputs(",\"text_summary\":", stdout);
                narrative_summary_write_json(stdout, &m);
            }
            printf(",\"errors\":%u,\"warnings\":%u,\"info\":%u,\"findings\":[", ne, nw, ni);
            for (size_t k = 0; k < fs.count; k++) {
                if (k) fputc(',', stdout);
                findings_write_json(stdout, &fs.items[k], 0);
            }
            fputs("]}", stdout);
        } else {
            const entity_t *e = have_h ? hierarchy_find(&h, s->entity) : NULL;
            printf("%s %u：%zu 个数据（%s%s%s，%s）：错误 %u，警告 %u，提示 %u\n",
                   s->entity, s->year, s->count, e ? e->name : "", e ? "，" : "",
                   level_label(level), s->source && s->source[0] ? s->source : "-", ne, nw, ni);
            for (size_t k = 0; k < fs.count; k++) findings_write_line(stdout, &fs.items[k]);
            if (s->text) {
                printf("  %s: ", s->text_name);
                narrative_summary_print(stdout, &m);
            }
        }
        findings_clear(&fs);
    }
    if (!have_h && !json && list.count)
        printf("注：未给 --hierarchy，单位级次未知，未核对各级必报表（table.required）\n");
    if (json)
        printf("],\"mappings\":[%s],\"input_errors\":%zu,\"errors\":%u,\"warnings\":%u,\"info\":%u}\n",
               mapbuf ? mapbuf : "", failed, total_e, total_w, total_i);
    else if (list.count > 1 || failed)
        printf("共 %zu 份报送：错误 %u，警告 %u，提示 %u%s\n", list.count, total_e, total_w,
               total_i, failed ? "；另有输入错误（见上）" : "");
    free(mapbuf);
    collector_texts_free();
    submission_list_free(&list);
    rule_settings_destroy(&settings);
    chart_destroy(&chart);
    hierarchy_free(&h);
    if (failed) return COL_EXIT_INPUT;
    return total_e ? COL_EXIT_FINDINGS : COL_EXIT_OK;
}
