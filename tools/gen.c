/* gen.c -- `huizong gen`: a realistic, deterministic hierarchy of budgets for tests and
 * benchmarks (issue #5).
 *
 * Writes DIR/entities.csv, one v1 CSV per department under DIR/submissions/ (its units'
 * OWN submissions and the department's DECLARED consolidated submission) and, with
 * --faults, DIR/faults.csv listing exactly what was injected.
 *
 * Invariants:
 *  - Deterministic from --seed: every department draws from its own splitmix64 stream
 *    seeded from (seed, department index), faults from separate streams, so the same
 *    seed gives the same bytes and --faults F changes nothing but the injected faults.
 *  - Money is int64 fen, every drawn amount a multiple of 0.01 万元 (10,000 fen), built
 *    bottom-up from each 项's components (gen_item_t), so every printed figure is exact
 *    and every identity holds to the fen: 项 -> 款 -> 类 -> total, total = basic + project
 *    (+ to_sub), basic = personnel + public, income = expense by row, summary / fiscal /
 *    gpb_econ / three_public / projects agree with the tables they summarise.
 *  - A department's declared figures are the exact sum of its units' printed figures
 *    (projects: the total row only, since project ids are numbered per entity).
 *  - A 本级 unit's expense to_sub equals the other units' income upper.
 *  - Streaming: one department's facts are in memory at a time.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "amount.h"
#include "array.h"
#include "codes.h"
#include "commands.h"
#include "csv.h"
#include "progress.h"
#include "export_rows.h"
#include "sort.h"
#include "tables.h"
#include "template.h"

#define CENT 10000LL               /* 0.01 万元 in fen: the printed unit */
#define GEN_MAX_ITEMS 16
#define GEN_ROW_MAX 24

/* ---- Deterministic randomness (splitmix64: tiny, fast, good enough for test data). ---- */

typedef struct { uint64_t s; } gen_rng_t;

static uint64_t rng_next(gen_rng_t *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static gen_rng_t rng_seeded(uint64_t seed, uint64_t stream, uint64_t index)
{
    gen_rng_t r = { seed ^ (stream * 0xD1B54A32D192ED03ULL) };
    r.s ^= rng_next(&r) + index * 0x8CB92BA72F3D8DD7ULL;
    rng_next(&r);
    return r;
}

/* Uniform in [0, n); the modulo bias is irrelevant for test data. */
static uint64_t rng_below(gen_rng_t *r, uint64_t n) { return n ? rng_next(r) % n : 0; }
static int rng_percent(gen_rng_t *r, int p) { return (int)rng_below(r, 100) < p; }
/* An amount between lo and hi 万元, in whole 0.01 万元. */
static int64_t rng_money(gen_rng_t *r, int lo_wan, int hi_wan)
{
    int64_t cents = (int64_t)lo_wan * 100 + (int64_t)rng_below(r, (uint64_t)(hi_wan - lo_wan) * 100 + 1);
    return cents * CENT;
}

/* ---- The charts the seeds use (names from core/classes.c where it knows them). ---- */

typedef enum { ITEM_PERSONNEL, ITEM_OPERATION, ITEM_PROJECT, ITEM_SOE } item_type;

typedef struct {
    const char *code;
    item_type type;
} pool_item_t;

static const pool_item_t FUNC_POOL[] = {
    { "2010301", ITEM_OPERATION }, { "2019999", ITEM_PROJECT },
    { "2080101", ITEM_OPERATION }, { "2080102", ITEM_PROJECT }, { "2080109", ITEM_OPERATION },
    { "2080501", ITEM_PERSONNEL }, { "2080502", ITEM_PERSONNEL }, { "2080505", ITEM_PERSONNEL },
    { "2080506", ITEM_PERSONNEL }, { "2080801", ITEM_PERSONNEL }, { "2089999", ITEM_PROJECT },
    { "2100101", ITEM_OPERATION }, { "2100199", ITEM_PROJECT }, { "2101101", ITEM_PERSONNEL },
    { "2101102", ITEM_PERSONNEL }, { "2101103", ITEM_PERSONNEL }, { "2101301", ITEM_PROJECT },
    { "2101501", ITEM_OPERATION }, { "2101502", ITEM_PROJECT }, { "2101504", ITEM_PROJECT },
    { "2101506", ITEM_PROJECT }, { "2101550", ITEM_OPERATION }, { "2101599", ITEM_PROJECT },
    { "2109999", ITEM_PROJECT }, { "2210201", ITEM_PERSONNEL }, { "2210202", ITEM_PERSONNEL },
    { "2210203", ITEM_PERSONNEL },
};
#define NFUNC_POOL (sizeof FUNC_POOL / sizeof FUNC_POOL[0])
static const pool_item_t SOE_ITEM = { "2239901", ITEM_SOE };

/* The chart name of a code the generator prints ("" when core/classes.c has none). */
static const char *gen_code_name(code_kind kind, const char *code)
{
    const char *name = code_known_name(kind, code);
    return name ? name : "";
}

/* Economic 款: personnel (301/303), public (302), and which 302 codes projects use. */
static const char *const ECON_PERSONNEL[] = {
    "30101", "30102", "30103", "30107", "30108", "30109", "30110", "30112", "30113",
    "30199", "30302", "30305",
};
static const char *const ECON_PUBLIC[] = {
    "30201", "30205", "30206", "30207", "30209", "30211", "30213", "30215", "30216",
    "30218", "30226", "30227", "30228", "30229", "30239", "30299",
};
static const char *const ECON_PROJECT[] = { "30201", "30211", "30218", "30226", "30227", "30299" };
#define ECON_ABROAD "30212"
#define ECON_VEHICLE "30231"
#define ECON_RECEPTION "30217"
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const PROJECT_TITLES[] = {
    "信息化建设经费", "业务专项经费", "基金监管经费", "政策宣传经费", "经办服务能力提升经费",
    "设备购置经费", "信息系统运维经费", "专项调查经费", "业务培训经费", "办公用房维修经费",
    "课题研究经费", "应急储备经费", "档案数字化经费", "政府购买服务经费", "绩效评价经费",
    "督导检查经费", "数据治理经费", "公共服务补助经费", "重点工作保障经费", "办公场所租赁经费",
};

static const struct { const char *code, *name; } PROVINCES[] = {
    { "13", "河北省" }, { "14", "山西省" }, { "21", "辽宁省" }, { "22", "吉林省" },
    { "23", "黑龙江省" }, { "32", "江苏省" }, { "33", "浙江省" }, { "34", "安徽省" },
    { "35", "福建省" }, { "36", "江西省" }, { "37", "山东省" }, { "41", "河南省" },
    { "42", "湖北省" }, { "43", "湖南省" }, { "44", "广东省" }, { "46", "海南省" },
    { "51", "四川省" }, { "52", "贵州省" }, { "53", "云南省" }, { "61", "陕西省" },
    { "62", "甘肃省" }, { "63", "青海省" },
};
static const char *const CITY_A[] = { "江", "临", "安", "永", "平", "清", "新", "德", "宁", "长",
                                      "丰", "兴", "福", "宜", "昌", "南", "东", "西", "华", "金" };
static const char *const CITY_B[] = { "阳", "州", "城", "川", "山", "原", "宁", "安", "丰", "和",
                                      "水", "林", "台", "泉", "河", "陵", "溪", "都", "门", "口" };
static const char *const DISTRICTS[] = { "东湖", "西城", "南山", "北塘", "新华", "长安", "青山",
                                         "江岸", "白云", "天河", "金水", "高新", "开发", "滨江",
                                         "河西", "城关", "铁西", "中山", "鼓楼", "玄武" };
static const char *const BUREAUS[] = {
    "医疗保障局", "教育局", "卫生健康委员会", "财政局", "人力资源和社会保障局", "住房和城乡建设局",
    "民政局", "农业农村局", "交通运输局", "自然资源和规划局", "生态环境局", "市场监督管理局",
    "文化和旅游局", "应急管理局", "水务局", "统计局", "审计局", "司法局", "科学技术局", "商务局",
    "退役军人事务局", "林业局", "体育局", "城市管理局", "发展和改革委员会",
};
static const char *const CENTRES[] = { "服务中心", "信息中心", "稽核中心", "事务中心", "管理所",
                                       "监督所", "综合执法大队", "培训中心", "档案馆", "研究中心" };

/* ---- The model of one unit: a few 项 with their money by source. ---- */

typedef struct {
    const pool_item_t *pool;
    int64_t pers, pub;         /* 一般公共预算 basic: 人员经费, 公用经费 */
    int64_t pcur, pcarry;      /* 一般公共预算 project: this year's, carried over */
    int64_t psoe, pupper, pother;  /* project funded by 国有资本经营, 上级补助, 其他收入 */
    int64_t tosub;             /* 对下级补助 (本级 only), funded by 其他收入 */
    const char *title;         /* project title when the item has project money */
} gen_item_t;

typedef struct {
    char code[72];
    char name[384];
    int is_main;               /* the department's 本级 unit */
    size_t nitems;
    gen_item_t items[GEN_MAX_ITEMS];
    int64_t abroad, vehicle_op, reception;
    int64_t econ_pers[NELEM(ECON_PERSONNEL)], econ_pub[NELEM(ECON_PUBLIC)];
    int64_t econ_proj[NELEM(ECON_PROJECT)];
} gen_unit_t;

static int64_t item_basic(const gen_item_t *it) { return it->pers + it->pub; }
static int64_t item_gpb_project(const gen_item_t *it) { return it->pcur + it->pcarry; }
static int64_t item_project(const gen_item_t *it)
{
    return item_gpb_project(it) + it->psoe + it->pupper + it->pother;
}

/* By code; a unit holds each pool item once (unit_has_item), so codes are unique and
 * this is a total order. */
static int item_cmp(const void *a, const void *b)
{
    const pool_item_t *x = ((const gen_item_t *)a)->pool, *y = ((const gen_item_t *)b)->pool;
    int c = strcmp(x->code, y->code);
    return c ? c : (x > y) - (x < y);
}

static int unit_has_item(const gen_unit_t *u, const pool_item_t *p)
{
    for (size_t i = 0; i < u->nitems; i++)
        if (u->items[i].pool == p) return 1;
    return 0;
}

/* Adds up to n distinct pool items of a type. */
static void unit_pick(gen_unit_t *u, gen_rng_t *r, item_type type, int n)
{
    for (int tries = 0; n > 0 && tries < 200 && u->nitems < GEN_MAX_ITEMS - 1; tries++) {
        const pool_item_t *p = &FUNC_POOL[rng_below(r, NFUNC_POOL)];
        if (p->type != type || unit_has_item(u, p)) continue;
        gen_item_t *it = &u->items[u->nitems++];
        memset(it, 0, sizeof *it);
        it->pool = p;
        n--;
    }
}

/* Splits total (a multiple of CENT) into n parts, each a multiple of CENT. */
static void split_money(gen_rng_t *r, int64_t total, int64_t *parts, size_t n)
{
    uint64_t w[32], sum = 0;
    for (size_t i = 0; i < n; i++) sum += (w[i] = 1 + rng_below(r, 100));
    int64_t cents = total / CENT, left = cents;
    for (size_t i = 0; i + 1 < n; i++) {
        int64_t c = (int64_t)((uint64_t)cents * w[i] / sum);
        parts[i] += c * CENT;
        left -= c;
    }
    parts[n - 1] += left * CENT;
}

/* Spreads total over k distinct slots of a code list (added into acc). */
static void spread(gen_rng_t *r, int64_t total, int64_t *acc, size_t nslots, size_t k)
{
    int64_t parts[32] = { 0 };
    size_t idx[32];
    if (total == 0) return;
    if (k > nslots) k = nslots;
    for (size_t i = 0; i < k; i++) {
        size_t j;
        int again;
        do {
            j = rng_below(r, nslots);
            again = 0;
            for (size_t m = 0; m < i; m++) again |= idx[m] == j;
        } while (again);
        idx[i] = j;
    }
    split_money(r, total, parts, k);
    for (size_t i = 0; i < k; i++) acc[idx[i]] += parts[i];
}

static void unit_build(gen_unit_t *u, gen_rng_t *r, int is_main)
{
    u->is_main = is_main;
    u->nitems = 0;
    unit_pick(u, r, ITEM_OPERATION, 1);
    unit_pick(u, r, ITEM_PERSONNEL, 2 + (int)rng_below(r, 2));
    unit_pick(u, r, ITEM_PROJECT, (int)rng_below(r, 3));
    if (rng_percent(r, 15)) {
        gen_item_t *it = &u->items[u->nitems++];
        memset(it, 0, sizeof *it);
        it->pool = &SOE_ITEM;
    }
    for (size_t i = 0; i < u->nitems; i++) {
        gen_item_t *it = &u->items[i];
        switch (it->pool->type) {
        case ITEM_PERSONNEL: it->pers = rng_money(r, 5, 150); break;
        case ITEM_OPERATION:
            it->pers = rng_money(r, 80, 900);
            it->pub = rng_money(r, 20, 200);
            break;
        case ITEM_PROJECT:
            it->pcur = rng_money(r, 10, 800);
            if (rng_percent(r, 25)) it->pcarry = rng_money(r, 1, 120);
            if (rng_percent(r, 15)) it->pother = rng_money(r, 1, 300);
            break;
        case ITEM_SOE: it->psoe = rng_money(r, 50, 900); break;
        }
    }
    sort_array(u->items, u->nitems, sizeof u->items[0], item_cmp);
}

/* Economic split of the basic and project money, and the three public expenses (paid out
 * of 公用经费, so 30212/30231/30217 carry them). Called once the items are final. */
static void unit_split(gen_unit_t *u, gen_rng_t *r)
{
    int64_t pers = 0, pub = 0, proj = 0;
    memset(u->econ_pers, 0, sizeof u->econ_pers);
    memset(u->econ_pub, 0, sizeof u->econ_pub);
    memset(u->econ_proj, 0, sizeof u->econ_proj);
    for (size_t i = 0; i < u->nitems; i++) {
        pers += u->items[i].pers;
        pub += u->items[i].pub;
        proj += item_gpb_project(&u->items[i]);
    }
    /* Each of the three at most 1/12 of 公用经费, so the rest stays positive. */
    int64_t cap = pub / 12 / CENT;
    u->abroad = rng_percent(r, 20) ? (int64_t)rng_below(r, (uint64_t)cap + 1) * CENT : 0;
    u->vehicle_op = rng_percent(r, 60) ? (int64_t)rng_below(r, (uint64_t)cap + 1) * CENT : 0;
    u->reception = rng_percent(r, 80) ? (int64_t)rng_below(r, (uint64_t)cap + 1) * CENT : 0;
    spread(r, pers, u->econ_pers, NELEM(ECON_PERSONNEL), 2 + rng_below(r, 4));
    spread(r, pub - u->abroad - u->vehicle_op - u->reception, u->econ_pub, NELEM(ECON_PUBLIC),
           2 + rng_below(r, 4));
    spread(r, proj, u->econ_proj, NELEM(ECON_PROJECT), 1 + rng_below(r, 3));
}

/* ---- Facts: one printed figure. Department sums are by (table,row,column). ---- */

typedef struct {
    uint8_t table, column;
    char row[GEN_ROW_MAX];
    const char *name;
    int64_t fen;
} gen_fact_t;

typedef struct {
    gen_fact_t *items;
    size_t count, cap;
} gen_facts_t;

static int facts_add(gen_facts_t *f, table_id t, const char *row, const char *name,
                     column_id c, int64_t fen)
{
    if (array_reserve(&f->items, &f->cap, f->count + 1, sizeof *f->items, 1024)) return -1;

    gen_fact_t *x = &f->items[f->count++];
    x->table = (uint8_t)t;
    x->column = (uint8_t)c;
    snprintf(x->row, sizeof x->row, "%s", row);
    x->name = name ? name : "";
    x->fen = fen;
    return 0;
}

static uint8_t column_rank[TABLE_COUNT][COL_COUNT];

static int fact_cmp(const void *pa, const void *pb)
{
    const gen_fact_t *a = pa, *b = pb;
    if (a->table != b->table) return a->table < b->table ? -1 : 1;
    int c = export_row_cmp((table_id)a->table, a->row, b->row);
    if (c) return c;
    int ca = column_rank[a->table][a->column], cb = column_rank[b->table][b->column];
    if (ca != cb) return (ca > cb) - (ca < cb);
    /* the rest of a CSV line, so the order is total and the output independent of the
     * sort algorithm (faults may print one key twice) */
    if (a->fen != b->fen) return (a->fen > b->fen) - (a->fen < b->fen);
    return strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

/* Columns in the printed order of their table (tables.h), filled once. */
static void column_rank_init(void)
{
    for (int t = 0; t < TABLE_COUNT; t++) {
        column_id cols[COL_COUNT];
        int n = table_valid(t) ? table_columns((table_id)t, cols) : 0;
        for (int c = 0; c < COL_COUNT; c++) column_rank[t][c] = COL_COUNT + c;
        for (int i = 0; i < n; i++) column_rank[t][cols[i]] = (uint8_t)i;
    }
}

/* ---- The tables of a unit, from its model. ---- */

static int64_t item_value(const gen_item_t *it, table_id t, column_id c)
{
    int64_t basic = item_basic(it), project = item_project(it);
    switch (t) {
    case TABLE_EXPENSE:
        switch (c) {
        case COL_TOTAL: return basic + project + it->tosub;
        case COL_BASIC: return basic;
        case COL_PROJECT: return project;
        case COL_TO_SUB: return it->tosub;
        default: return 0;
        }
    case TABLE_INCOME:
        switch (c) {
        case COL_TOTAL: return basic + project + it->tosub;
        case COL_GPB: return basic + it->pcur;
        case COL_SOE: return it->psoe;
        case COL_UPPER: return it->pupper;
        case COL_OTHER: return it->pother + it->tosub;
        case COL_CARRY: return it->pcarry;
        default: return 0;
        }
    case TABLE_GPB_FUNC:
        switch (c) {
        case COL_TOTAL: return basic + item_gpb_project(it);
        case COL_BASIC: return basic;
        case COL_PERSONNEL: return it->pers;
        case COL_PUBLIC: return it->pub;
        case COL_PROJECT: return item_gpb_project(it);
        case COL_CURRENT: return basic + it->pcur;
        case COL_CARRY: return it->pcarry;
        default: return 0;
        }
    default: return 0;
    }
}

/* Sum of column c over the items whose code starts with prefix ("" = all) that belong to
 * table t (gpb_func only lists 一般公共预算 money). *any says whether any item matched. */
static int64_t unit_sum(const gen_unit_t *u, table_id t, column_id c, const char *prefix, int *any)
{
    int64_t s = 0;
    size_t plen = strlen(prefix);
    *any = 0;
    for (size_t i = 0; i < u->nitems; i++) {
        const gen_item_t *it = &u->items[i];
        if (strncmp(it->pool->code, prefix, plen)) continue;
        if (t == TABLE_GPB_FUNC && item_basic(it) + item_gpb_project(it) == 0) continue;
        *any = 1;
        s += item_value(it, t, c);
    }
    return s;
}

/* A function-coded table: total, then 类, 款, 项 rows (the comparator orders them). Columns
 * in always[] are printed even at 0.00; the others only where not empty. */
static int emit_function_table(gen_facts_t *f, const gen_unit_t *u, table_id t,
                               const column_id *cols, size_t ncols, size_t nalways)
{
    char prefixes[3 * GEN_MAX_ITEMS + 1][8];
    size_t np = 0;
    strcpy(prefixes[np++], "");
    for (size_t i = 0; i < u->nitems; i++)
        for (size_t len = 3; len <= 7; len += 2) {
            char p[8];
            memcpy(p, u->items[i].pool->code, len);
            p[len] = '\0';
            size_t k = 0;
            while (k < np && strcmp(prefixes[k], p)) k++;
            if (k == np) strcpy(prefixes[np++], p);
        }
    for (size_t k = 0; k < np; k++) {
        const char *row = k == 0 ? "total" : prefixes[k];
        const char *name = k == 0 ? "合计" : gen_code_name(CODE_FUNCTION, row);
        for (size_t c = 0; c < ncols; c++) {
            int any;
            int64_t v = unit_sum(u, t, cols[c], prefixes[k], &any);
            if (!any || (c >= nalways && v == 0)) continue;
            if (facts_add(f, t, row, name, cols[c], v)) return -1;
        }
    }
    return 0;
}

static int emit_fixed(gen_facts_t *f, table_id t, const char *row, column_id c, int64_t v)
{
    const char *name = table_fixed_row_label(t, row);
    return facts_add(f, t, row, name, c, v);
}

typedef struct { int64_t gpb_cur, soe, upper, other, carry, total; } unit_income_t;

static unit_income_t unit_income(const gen_unit_t *u)
{
    unit_income_t in = { 0 };
    int any;
    in.gpb_cur = unit_sum(u, TABLE_INCOME, COL_GPB, "", &any);
    in.soe = unit_sum(u, TABLE_INCOME, COL_SOE, "", &any);
    in.upper = unit_sum(u, TABLE_INCOME, COL_UPPER, "", &any);
    in.other = unit_sum(u, TABLE_INCOME, COL_OTHER, "", &any);
    in.carry = unit_sum(u, TABLE_INCOME, COL_CARRY, "", &any);
    in.total = unit_sum(u, TABLE_INCOME, COL_TOTAL, "", &any);
    return in;
}

/* The distinct 类 of the unit's items. */
static size_t unit_classes(const gen_unit_t *u, char cls[][4])
{
    size_t n = 0;
    for (size_t i = 0; i < u->nitems; i++) {
        char c[4];
        memcpy(c, u->items[i].pool->code, 3);
        c[3] = '\0';
        if (n == 0 || strcmp(cls[n - 1], c)) strcpy(cls[n++], c);   /* items are sorted */
    }
    return n;
}

static int emit_summary_fiscal(gen_facts_t *f, const gen_unit_t *u)
{
    unit_income_t in = unit_income(u);
    char cls[GEN_MAX_ITEMS][4];
    size_t ncls = unit_classes(u, cls);
    int any, rc = 0;
    rc |= emit_fixed(f, TABLE_SUMMARY, "gpb", COL_AMOUNT, in.gpb_cur);
    if (in.soe) rc |= emit_fixed(f, TABLE_SUMMARY, "soe", COL_AMOUNT, in.soe);
    if (in.upper) rc |= emit_fixed(f, TABLE_SUMMARY, "upper", COL_AMOUNT, in.upper);
    if (in.other) rc |= emit_fixed(f, TABLE_SUMMARY, "other", COL_AMOUNT, in.other);
    if (in.carry) rc |= emit_fixed(f, TABLE_SUMMARY, TABLE_ROW_CARRY_IN, COL_AMOUNT, in.carry);
    rc |= emit_fixed(f, TABLE_SUMMARY, TABLE_ROW_INCOME_TOTAL, COL_AMOUNT, in.total);
    for (size_t i = 0; i < ncls; i++)
        rc |= facts_add(f, TABLE_SUMMARY, cls[i], gen_code_name(CODE_FUNCTION, cls[i]), COL_AMOUNT,
                        unit_sum(u, TABLE_EXPENSE, COL_TOTAL, cls[i], &any));
    rc |= emit_fixed(f, TABLE_SUMMARY, TABLE_ROW_EXPENSE_TOTAL, COL_AMOUNT,
                     unit_sum(u, TABLE_EXPENSE, COL_TOTAL, "", &any));

    /* 财政拨款: 一般公共预算 (this year's + carried over) and 国有资本经营. */
    int64_t gpb_all = unit_sum(u, TABLE_GPB_FUNC, COL_TOTAL, "", &any);
    rc |= emit_fixed(f, TABLE_FISCAL, "cur_gpb", COL_TOTAL, gpb_all - in.carry);
    if (in.soe) rc |= emit_fixed(f, TABLE_FISCAL, "cur_soe", COL_TOTAL, in.soe);
    if (in.carry) rc |= emit_fixed(f, TABLE_FISCAL, "carry_gpb", COL_TOTAL, in.carry);
    rc |= emit_fixed(f, TABLE_FISCAL, TABLE_ROW_INCOME_TOTAL, COL_TOTAL, gpb_all + in.soe);
    for (size_t i = 0; i < ncls; i++) {
        int64_t g = unit_sum(u, TABLE_GPB_FUNC, COL_TOTAL, cls[i], &any);
        int64_t s = unit_sum(u, TABLE_INCOME, COL_SOE, cls[i], &any);
        if (g + s == 0) continue;
        const char *name = gen_code_name(CODE_FUNCTION, cls[i]);
        rc |= facts_add(f, TABLE_FISCAL, cls[i], name, COL_TOTAL, g + s);
        rc |= facts_add(f, TABLE_FISCAL, cls[i], name, COL_GPB, g);
        if (in.soe) rc |= facts_add(f, TABLE_FISCAL, cls[i], name, COL_SOE, s);
    }
    rc |= emit_fixed(f, TABLE_FISCAL, TABLE_ROW_EXPENSE_TOTAL, COL_TOTAL, gpb_all + in.soe);
    rc |= emit_fixed(f, TABLE_FISCAL, TABLE_ROW_EXPENSE_TOTAL, COL_GPB, gpb_all);
    if (in.soe) rc |= emit_fixed(f, TABLE_FISCAL, TABLE_ROW_EXPENSE_TOTAL, COL_SOE, in.soe);
    return rc;
}

/* gpb_econ: 款 rows by personnel / public / project, their 类, and the total. */
static int emit_econ(gen_facts_t *f, const gen_unit_t *u)
{
    typedef struct { const char *code; int64_t pers, pub, proj; } econ_row_t;
    econ_row_t rows[64];
    size_t n = 0;
#define ECON_ADD(codestr, field, v) do { \
        size_t k_ = 0; \
        while (k_ < n && strcmp(rows[k_].code, (codestr))) k_++; \
        if (k_ == n) { rows[n].code = (codestr); rows[n].pers = rows[n].pub = rows[n].proj = 0; n++; } \
        rows[k_].field += (v); \
    } while (0)
    for (size_t i = 0; i < NELEM(ECON_PERSONNEL); i++)
        if (u->econ_pers[i]) ECON_ADD(ECON_PERSONNEL[i], pers, u->econ_pers[i]);
    for (size_t i = 0; i < NELEM(ECON_PUBLIC); i++)
        if (u->econ_pub[i]) ECON_ADD(ECON_PUBLIC[i], pub, u->econ_pub[i]);
    if (u->abroad) ECON_ADD(ECON_ABROAD, pub, u->abroad);
    if (u->vehicle_op) ECON_ADD(ECON_VEHICLE, pub, u->vehicle_op);
    if (u->reception) ECON_ADD(ECON_RECEPTION, pub, u->reception);
    for (size_t i = 0; i < NELEM(ECON_PROJECT); i++)
        if (u->econ_proj[i]) ECON_ADD(ECON_PROJECT[i], proj, u->econ_proj[i]);
#undef ECON_ADD
    /* Class rows and the total: sums of the 款 rows. */
    static const char *const CLASSES[] = { "301", "302", "303" };
    econ_row_t sums[4] = { { "total", 0, 0, 0 } };
    for (size_t c = 0; c < 3; c++) sums[c + 1].code = CLASSES[c];
    int present[4] = { 1, 0, 0, 0 };
    for (size_t k = 0; k < n; k++)
        for (size_t c = 0; c < 4; c++)
            if (c == 0 || !strncmp(rows[k].code, sums[c].code, 3)) {
                sums[c].pers += rows[k].pers;
                sums[c].pub += rows[k].pub;
                sums[c].proj += rows[k].proj;
                present[c] = 1;
            }
    int rc = 0;
    for (size_t k = 0; k < n + 4; k++) {
        const econ_row_t *r = k < n ? &rows[k] : &sums[k - n];
        if (k >= n && !present[k - n]) continue;
        const char *name = k == n ? "合计" : gen_code_name(CODE_ECONOMIC, r->code);
        int64_t basic = r->pers + r->pub;
        rc |= facts_add(f, TABLE_GPB_ECON, r->code, name, COL_TOTAL, basic + r->proj);
        rc |= facts_add(f, TABLE_GPB_ECON, r->code, name, COL_BASIC, basic);
        /* Empty cells are not written (FORMAT.md); the totals print every column. */
        int all = k >= n;
        if (all || r->pers) rc |= facts_add(f, TABLE_GPB_ECON, r->code, name, COL_PERSONNEL, r->pers);
        if (all || r->pub) rc |= facts_add(f, TABLE_GPB_ECON, r->code, name, COL_PUBLIC, r->pub);
        if (all || r->proj) rc |= facts_add(f, TABLE_GPB_ECON, r->code, name, COL_PROJECT, r->proj);
    }
    return rc;
}

static int emit_three_projects(gen_facts_t *f, const gen_unit_t *u)
{
    int rc = 0;
    rc |= emit_fixed(f, TABLE_THREE_PUBLIC, TABLE_ROW_TOTAL, COL_AMOUNT, u->abroad + u->vehicle_op + u->reception);
    rc |= emit_fixed(f, TABLE_THREE_PUBLIC, "abroad", COL_AMOUNT, u->abroad);
    rc |= emit_fixed(f, TABLE_THREE_PUBLIC, TABLE_ROW_THREE_PUBLIC_VEHICLE, COL_AMOUNT, u->vehicle_op);
    rc |= emit_fixed(f, TABLE_THREE_PUBLIC, "vehicle_purchase", COL_AMOUNT, 0);
    rc |= emit_fixed(f, TABLE_THREE_PUBLIC, "vehicle_operation", COL_AMOUNT, u->vehicle_op);
    rc |= emit_fixed(f, TABLE_THREE_PUBLIC, TABLE_ROW_THREE_PUBLIC_RECEPTION, COL_AMOUNT, u->reception);

    int64_t tot[4] = { 0 };
    int np = 0;
    static const column_id PCOLS[4] = { COL_TOTAL, COL_GPB, COL_SOE, COL_CARRY_GPB };
    for (size_t i = 0; i < u->nitems; i++) {
        const gen_item_t *it = &u->items[i];
        if (item_project(it) == 0) continue;
        char id[16];
        snprintf(id, sizeof id, "P%02d", ++np % 1000);
        int64_t v[4] = { item_project(it), it->pcur, it->psoe, it->pcarry };
        for (int c = 0; c < 4; c++) {
            tot[c] += v[c];
            if (c < 2 || v[c]) rc |= facts_add(f, TABLE_PROJECTS, id, it->title, PCOLS[c], v[c]);
        }
        int64_t unit_funds = it->pupper + it->pother;
        if (unit_funds) rc |= facts_add(f, TABLE_PROJECTS, id, it->title, COL_UNIT_FUNDS, unit_funds);
    }
    if (np) {
        int64_t uf = tot[0] - tot[1] - tot[2] - tot[3];
        for (int c = 0; c < 4; c++)
            if (c < 2 || tot[c]) rc |= facts_add(f, TABLE_PROJECTS, "total", "合计", PCOLS[c], tot[c]);
        if (uf) rc |= facts_add(f, TABLE_PROJECTS, "total", "合计", COL_UNIT_FUNDS, uf);
    }
    return rc;
}

static int unit_emit(gen_facts_t *f, const gen_unit_t *u)
{
    static const column_id EXP[] = { COL_TOTAL, COL_BASIC, COL_PROJECT, COL_TO_SUB };
    static const column_id INC[] = { COL_TOTAL, COL_GPB, COL_SOE, COL_UPPER, COL_OTHER, COL_CARRY };
    static const column_id GPB[] = { COL_TOTAL, COL_BASIC, COL_PROJECT, COL_CURRENT, COL_PERSONNEL,
                                     COL_PUBLIC, COL_CARRY };
    int rc = 0;
    rc |= emit_summary_fiscal(f, u);
    rc |= emit_function_table(f, u, TABLE_INCOME, INC, NELEM(INC), 2);
    rc |= emit_function_table(f, u, TABLE_EXPENSE, EXP, NELEM(EXP), 3);
    /* 当年拨款 on every row (a department adds it up over units with and without a
     * carry-over, so it must be complete), 上年结转 where not empty. */
    rc |= emit_function_table(f, u, TABLE_GPB_FUNC, GPB, NELEM(GPB), 4);
    rc |= emit_econ(f, u);
    rc |= emit_three_projects(f, u);
    /* The fund tables a 部门预算 must publish (table.required): the 国有资本经营 spending the
     * income side names, or the empty-table marker (a total of 0, examples/FORMAT.md). */
    unit_income_t in = unit_income(u);
    rc |= facts_add(f, TABLE_GFB_FUNC, TABLE_ROW_TOTAL, "本表无数据", COL_TOTAL, 0);
    rc |= facts_add(f, TABLE_SOE_FUNC, TABLE_ROW_TOTAL, in.soe ? "合计" : "本表无数据", COL_TOTAL, in.soe);
    return rc;
}

/* ---- Faults. ---- */

typedef enum {
    FAULT_INTRA, FAULT_CROSS, FAULT_MALFORMED, FAULT_MISSING,   /* targets a unit */
    FAULT_LEVEL, FAULT_TRANSFER,                                /* targets a department */
    FAULT_KINDS
} fault_kind;

static const char *const FAULT_NAMES[FAULT_KINDS] = {
    "intra_table", "cross_table", "malformed_code", "missing_unit", "level_mismatch",
    "transfer_mismatch",
};

typedef struct {
    fault_kind kind;
    uint64_t target;     /* global unit or department index */
} fault_t;

typedef struct {
    /* options */
    const char *out;
    uint64_t seed;
    unsigned year;
    long provinces, cities, districts, departments, units, faults;
    /* state */
    fault_t *plan;
    size_t nplan;
    FILE *entities, *faultsf;
    char year_text[8];
    uint64_t units_total, units_done, depts_total;
    progress_t progress;
    char path[4096];
    int xlsx;                       /* --format xlsx: printed-layout workbooks (template.c),
                                     * 1 texts as shared strings (as Excel saves), 2 inline
                                     * (--format xlsx-inline: libxlsxwriter's constant memory) */
} gen_ctx_t;

static int plan_has(const gen_ctx_t *g, fault_kind kind, uint64_t target)
{
    for (size_t i = 0; i < g->nplan; i++)
        if (g->plan[i].kind == kind && g->plan[i].target == target) return 1;
    return 0;
}

/* F distinct targets per kind; unit kinds never share a unit, department kinds never share
 * a department, a missing unit is never a 本级 (when there is another unit), and a transfer
 * fault needs a department with more than one unit. */
static int plan_faults(gen_ctx_t *g)
{
    size_t F = (size_t)g->faults;
    g->plan = calloc(F * FAULT_KINDS + 1, sizeof *g->plan);
    if (!g->plan) return -1;
    gen_rng_t r = rng_seeded(g->seed, 0xFA017, 0);
    for (int k = 0; k < FAULT_KINDS; k++) {
        int per_dept = k >= FAULT_LEVEL;
        if (k == FAULT_TRANSFER && g->units < 2) {
            fprintf(stderr, "huizong gen: no transfer faults: a department needs 2 units or more\n");
            continue;
        }
        uint64_t space = per_dept ? g->depts_total : g->units_total;
        for (size_t i = 0; i < F; i++) {
            uint64_t t;
            int ok = 0;
            for (int tries = 0; tries < 100000 && !ok; tries++) {
                t = rng_below(&r, space);
                if (k == FAULT_MISSING && g->units > 1 && t % (uint64_t)g->units == 0) continue;
                ok = 1;
                for (size_t j = 0; j < g->nplan && ok; j++)
                    if ((g->plan[j].kind >= FAULT_LEVEL) == per_dept && g->plan[j].target == t) ok = 0;
            }
            if (!ok) return -1;
            g->plan[g->nplan].kind = (fault_kind)k;
            g->plan[g->nplan++].target = t;
        }
    }
    return 0;
}

static void fault_write(gen_ctx_t *g, fault_kind k, const char *entity, table_id t,
                        const char *row, column_id c, const char *detail)
{
    fprintf(g->faultsf, "%s,%s,%u,%s,", FAULT_NAMES[k], entity, g->year, t ? table_name(t) : "");
    csv_write_field(g->faultsf, row);
    fprintf(g->faultsf, ",%s,", c ? column_name(c) : "");
    csv_write_field(g->faultsf, detail);
    fputc('\n', g->faultsf);
}

/* Picks a random fact of table t whose row has rowlen characters (0 = any row) and column
 * c (COL_NONE = any). NULL if none. */
static gen_fact_t *pick_fact(gen_facts_t *f, size_t from, size_t to, gen_rng_t *r,
                             table_id t, size_t rowlen, column_id c)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        gen_fact_t *x = &f->items[i];
        if ((t == TABLE_NONE || x->table == t) && (!rowlen || strlen(x->row) == rowlen) &&
            (c == COL_NONE || x->column == c) && code_is_numeric(x->row) == (rowlen != 0)) n++;
    }
    if (n == 0) return NULL;
    size_t want = rng_below(r, n);
    for (size_t i = from; i < to; i++) {
        gen_fact_t *x = &f->items[i];
        if ((t == TABLE_NONE || x->table == t) && (!rowlen || strlen(x->row) == rowlen) &&
            (c == COL_NONE || x->column == c) && code_is_numeric(x->row) == (rowlen != 0) &&
            want-- == 0) return x;
    }
    return NULL;
}

static void fault_shift(gen_ctx_t *g, fault_kind k, const char *entity, gen_fact_t *x, gen_rng_t *r)
{
    char was[AMOUNT_BUF], now[AMOUNT_BUF], detail[256];
    int64_t delta = rng_money(r, 1, 99);
    amount_format(x->fen, was);
    x->fen += delta;
    snprintf(detail, sizeof detail, "printed %s instead of %s", amount_format(x->fen, now), was);
    fault_write(g, k, entity, x->table, x->row, x->column, detail);
}

/* Unit faults that change printed figures (after the unit's tables were built). */
static void unit_faults(gen_ctx_t *g, gen_facts_t *f, size_t from, size_t to,
                        const gen_unit_t *u, uint64_t gunit)
{
    if (plan_has(g, FAULT_INTRA, gunit)) {
        gen_rng_t r = rng_seeded(g->seed, 0xFA100 + FAULT_INTRA, gunit);
        gen_fact_t *x = pick_fact(f, from, to, &r, TABLE_GPB_FUNC, 5, COL_TOTAL);
        if (x) fault_shift(g, FAULT_INTRA, u->code, x, &r);
    }
    if (plan_has(g, FAULT_CROSS, gunit)) {
        gen_rng_t r = rng_seeded(g->seed, 0xFA100 + FAULT_CROSS, gunit);
        gen_fact_t *x = pick_fact(f, from, to, &r, TABLE_SUMMARY, 3, COL_AMOUNT);
        if (x) fault_shift(g, FAULT_CROSS, u->code, x, &r);
    }
    if (plan_has(g, FAULT_MALFORMED, gunit)) {
        gen_rng_t r = rng_seeded(g->seed, 0xFA100 + FAULT_MALFORMED, gunit);
        gen_fact_t *x = pick_fact(f, from, to, &r, TABLE_INCOME, 7, COL_NONE);
        if (x) {
            char good[GEN_ROW_MAX], bad[GEN_ROW_MAX], detail[128];
            strcpy(good, x->row);
            snprintf(bad, sizeof bad, "%.6s", good);
            for (size_t i = from; i < to; i++)
                if (f->items[i].table == TABLE_INCOME && !strcmp(f->items[i].row, good))
                    strcpy(f->items[i].row, bad);
            snprintf(detail, sizeof detail, "function code %s printed with 6 digits as %s", good, bad);
            fault_write(g, FAULT_MALFORMED, u->code, TABLE_INCOME, bad, COL_NONE, detail);
        }
    }
}

/* ---- Output. ---- */

static void facts_write(FILE *out, const char *entity, const char *year, const gen_fact_t *x, size_t n)
{
    char amount[AMOUNT_BUF];
    for (size_t i = 0; i < n; i++, x++) {
        fputs(entity, out);
        fputc(',', out);
        fputs(year, out);
        fputc(',', out);
        fputs(table_name((table_id)x->table), out);
        fputc(',', out);
        csv_write_field(out, x->row);
        fputc(',', out);
        csv_write_field(out, x->name);
        fputc(',', out);
        fputs(column_name((column_id)x->column), out);
        fputc(',', out);
        csv_write_field(out, amount_format(x->fen, amount));
        fputc('\n', out);
    }
}

static void entity_write(gen_ctx_t *g, const char *code, const char *name, const char *level,
                         const char *parent)
{
    fprintf(g->entities, "%s,", code);
    csv_write_field(g->entities, name);
    fprintf(g->entities, ",%s,%s\n", level, parent);
}

/* Progress by units written (core/progress.h); done closes the line. */
static void progress(gen_ctx_t *g, int done)
{
    progress_advance(&g->progress, g->units_done - g->progress.done);
    if (done) progress_end(&g->progress);
}

static int fact_key_cmp(const gen_fact_t *a, const gen_fact_t *b)
{
    return a->table == b->table && a->column == b->column && !strcmp(a->row, b->row) ? 0 : 1;
}

/* --format xlsx: one printed-layout workbook per entity (units, then the department's
 * declared one) through the template's writer, so the bench reads what offices hand in. */
static int gen_workbook(gen_ctx_t *g, const char *code, const char *name, const gen_fact_t *x, size_t n)
{
    template_fact_t *tf = malloc((n ? n : 1) * sizeof *tf);
    if (!tf) return -1;
    for (size_t i = 0; i < n; i++)
        tf[i] = (template_fact_t){ (table_id)x[i].table, (column_id)x[i].column, x[i].row, x[i].name, x[i].fen };
    snprintf(g->path, sizeof g->path, "%s/submissions/%s.xlsx", g->out, code);
    int rc = template_write_opt(g->path, code, name, g->year, tf, n, g->xlsx == 1) ? -2 : 0;
    free(tf);
    return rc;
}

static int gen_workbooks(gen_ctx_t *g, uint64_t dindex, const char *code, const char *name,
                         const gen_unit_t *units, const size_t *start, const gen_facts_t *all,
                         const gen_facts_t *dept)
{
    int rc = 0;
    for (long k = 0; k < g->units && !rc; k++) {
        uint64_t gunit = dindex * (uint64_t)g->units + (uint64_t)k;
        if (plan_has(g, FAULT_MISSING, gunit)) {
            fault_write(g, FAULT_MISSING, units[k].code, TABLE_NONE, "", COL_NONE,
                        "the unit's submission is not written; its department declared it");
            continue;
        }
        rc = gen_workbook(g, units[k].code, units[k].name, all->items + start[k], start[k + 1] - start[k]);
    }
    if (!rc) rc = gen_workbook(g, code, name, dept->items, dept->count);
    return rc;
}

/* The department's declaration: the exact sum of every unit's printed figures (missing
 * units included: the department declared them), projects as the total row only. */
static int dept_declare(gen_facts_t *all, gen_facts_t *dept)
{
    dept->count = 0;
    for (size_t i = 0; i < all->count; i++)
        if (facts_add(dept, all->items[i].table, all->items[i].row, all->items[i].name,
                      all->items[i].column, all->items[i].fen)) return -1;
    sort_array(dept->items, dept->count, sizeof dept->items[0], fact_cmp);
    size_t w = 0;
    for (size_t i = 0; i < dept->count; i++) {
        gen_fact_t *x = &dept->items[i];
        if (x->table == TABLE_PROJECTS && strcmp(x->row, "total")) continue;
        if (w > 0 && !fact_key_cmp(&dept->items[w - 1], x)) {
            if (!amount_add(&dept->items[w - 1].fen, x->fen)) return -1;
        } else {
            dept->items[w++] = *x;
        }
    }
    dept->count = w;
    return 0;
}

static int gen_department(gen_ctx_t *g, uint64_t dindex, const char *code, const char *name,
                          gen_facts_t *all, gen_facts_t *dept)
{
    gen_unit_t *units = calloc((size_t)g->units, sizeof *units);
    size_t *start = calloc((size_t)g->units + 1, sizeof *start);
    if (!units || !start) { free(units); free(start); return -1; }
    gen_rng_t r = rng_seeded(g->seed, 0xDE97, dindex);
    int64_t upper_sum = 0;
    for (long k = 0; k < g->units; k++) {
        gen_unit_t *u = &units[k];
        snprintf(u->code, sizeof u->code, "%s%03u", code, (unsigned)((k + 1) % 1000));
        if (k == 0) snprintf(u->name, sizeof u->name, "%s本级", name);
        else if ((size_t)k <= NELEM(CENTRES)) snprintf(u->name, sizeof u->name, "%s%s", name, CENTRES[k - 1]);
        else snprintf(u->name, sizeof u->name, "%s%s%ld", name, CENTRES[(k - 1) % NELEM(CENTRES)],
                      (k - 1) / (long)NELEM(CENTRES) + 1);
        unit_build(u, &r, k == 0);
        if (k > 0) {
            /* 上级补助: the 本级 passes money down for a project of this unit. */
            gen_item_t *it = &u->items[u->nitems - 1];
            it->pupper = rng_money(&r, 10, 200);
            upper_sum += it->pupper;
        }
        for (size_t i = 0; i < u->nitems; i++)
            if (item_project(&u->items[i]))
                u->items[i].title = PROJECT_TITLES[rng_below(&r, NELEM(PROJECT_TITLES))];
        entity_write(g, u->code, u->name, "unit", code);
    }
    /* The 本级 unit's 对下级补助 balances the others' 上级补助 (funded by its 其他收入). */
    units[0].items[0].tosub = upper_sum;
    if (plan_has(g, FAULT_TRANSFER, dindex)) {
        gen_rng_t fr = rng_seeded(g->seed, 0xFA100 + FAULT_TRANSFER, dindex);
        int64_t delta = rng_money(&fr, 1, 99);
        char a[AMOUNT_BUF], b[AMOUNT_BUF], detail[256];
        units[0].items[0].tosub += delta;
        snprintf(detail, sizeof detail, "本级 to_sub %s but the other units' income upper sum to %s",
                 amount_format(upper_sum + delta, a), amount_format(upper_sum, b));
        fault_write(g, FAULT_TRANSFER, units[0].code, TABLE_EXPENSE, "total", COL_TO_SUB, detail);
    }

    all->count = 0;
    int rc = 0;
    for (long k = 0; k < g->units && !rc; k++) {
        uint64_t gunit = dindex * (uint64_t)g->units + (uint64_t)k;
        unit_split(&units[k], &r);
        start[k] = all->count;
        rc = unit_emit(all, &units[k]);
        if (rc) break;
        unit_faults(g, all, start[k], all->count, &units[k], gunit);
        sort_array(all->items + start[k], all->count - start[k], sizeof all->items[0], fact_cmp);
    }
    start[g->units] = all->count;
    if (!rc) rc = dept_declare(all, dept);
    if (!rc && plan_has(g, FAULT_LEVEL, dindex)) {
        gen_rng_t fr = rng_seeded(g->seed, 0xFA100 + FAULT_LEVEL, dindex);
        gen_fact_t *x = &dept->items[rng_below(&fr, dept->count)];
        fault_shift(g, FAULT_LEVEL, code, x, &fr);
    }

    if (!rc && g->xlsx) {
        rc = gen_workbooks(g, dindex, code, name, units, start, all, dept);
        g->units_done += (uint64_t)g->units;
        free(units);
        free(start);
        return rc;
    }
    FILE *out = NULL;
    if (!rc) {
        snprintf(g->path, sizeof g->path, "%s/submissions/%s.csv", g->out, code);
        out = fopen(g->path, "w");
        if (!out) {
            fprintf(stderr, "huizong gen: cannot write %s: %s\n", g->path, strerror(errno));
            rc = -2;
        }
    }
    if (!rc) {
        fputs("entity,year,table,row,name,column,amount\n", out);
        for (long k = 0; k < g->units; k++) {
            uint64_t gunit = dindex * (uint64_t)g->units + (uint64_t)k;
            if (plan_has(g, FAULT_MISSING, gunit)) {
                fault_write(g, FAULT_MISSING, units[k].code, TABLE_NONE, "", COL_NONE,
                            "the unit's submission is not written; its department declared it");
                continue;
            }
            facts_write(out, units[k].code, g->year_text, all->items + start[k], start[k + 1] - start[k]);
        }
        facts_write(out, code, g->year_text, dept->items, dept->count);
        if (ferror(out) | fclose(out)) {
            fprintf(stderr, "huizong gen: cannot write %s: %s\n", g->path, strerror(errno));
            rc = -2;
        }
    }
    g->units_done += (uint64_t)g->units;
    free(units);
    free(start);
    return rc;
}

static int gen_tree(gen_ctx_t *g)
{
    gen_facts_t all = { 0 }, dept = { 0 };
    uint64_t dindex = 0;
    int rc = 0;
    char pcode[32], ccode[32], dcode[32], kcode[48];
    char cname[64], dname[96], kname[256];
    for (long p = 0; p < g->provinces && !rc; p++) {
        snprintf(pcode, sizeof pcode, "%s0000", PROVINCES[p].code);
        entity_write(g, pcode, PROVINCES[p].name, "province", "");
        for (long c = 0; c < g->cities && !rc; c++) {
            snprintf(ccode, sizeof ccode, "%s%02u00", PROVINCES[p].code, (unsigned)((c + 1) % 100));
            size_t ni = (size_t)(p * 131 + c * 17) % (NELEM(CITY_A) * NELEM(CITY_B));
            snprintf(cname, sizeof cname, "%s%s市", CITY_A[ni % NELEM(CITY_A)], CITY_B[ni / NELEM(CITY_A)]);
            entity_write(g, ccode, cname, "city", pcode);
            for (long d = 0; d < g->districts && !rc; d++) {
                snprintf(dcode, sizeof dcode, "%s%02u%02u", PROVINCES[p].code, (unsigned)((c + 1) % 100), (unsigned)((d + 1) % 100));
                if ((size_t)d < NELEM(DISTRICTS)) snprintf(dname, sizeof dname, "%s区", DISTRICTS[d]);
                else snprintf(dname, sizeof dname, "%s%ld区", DISTRICTS[d % NELEM(DISTRICTS)],
                              d / (long)NELEM(DISTRICTS) + 1);
                entity_write(g, dcode, dname, "district", ccode);
                for (long k = 0; k < g->departments && !rc; k++, dindex++) {
                    snprintf(kcode, sizeof kcode, "%s%03u", dcode, (unsigned)((k + 1) % 1000));
                    if ((size_t)k < NELEM(BUREAUS))
                        snprintf(kname, sizeof kname, "%s%s%s", cname, dname, BUREAUS[k]);
                    else
                        snprintf(kname, sizeof kname, "%s%s%s(%ld)", cname, dname,
                                 BUREAUS[k % NELEM(BUREAUS)], k / (long)NELEM(BUREAUS) + 1);
                    entity_write(g, kcode, kname, "department", dcode);
                    rc = gen_department(g, dindex, kcode, kname, &all, &dept);
                    progress(g, 0);
                }
            }
        }
    }
    progress(g, 1);
    free(all.items);
    free(dept.items);
    if (rc == -1) fprintf(stderr, "huizong gen: out of memory\n");
    return rc;
}

/* ---- Command line. ---- */

static void gen_usage(FILE *out)
{
    fprintf(out,
        "usage: huizong gen --out DIR --seed N [--year Y] [--provinces P --cities C\n"
        "                   --districts D --departments K --units U] [--faults F]\n"
        "                   [--format csv|xlsx|xlsx-inline]\n\n"
        "Writes a deterministic hierarchy of realistic budgets: DIR/entities.csv, one v1 CSV\n"
        "per department in DIR/submissions/ (its units' own submissions and the department's\n"
        "declared consolidated one), and DIR/faults.csv (kind,entity,year,table,row,column,\n"
        "detail) listing the injected faults. Counts are per parent (defaults 1,2,2,3,3);\n"
        "--faults F injects F faults of each kind: intra_table, cross_table, malformed_code,\n"
        "missing_unit, level_mismatch, transfer_mismatch. See docs/generator.md.\n"
        "--format xlsx writes one printed-layout workbook per entity instead (DIR/submissions/\n"
        "CODE.xlsx, the layout of `huizong template` / `huizong export`), for import benchmarks,\n"
        "its texts as shared strings as Excel saves them; xlsx-inline as inline strings.\n");
}

/* --seed: any non-negative whole number (a uint64_t, beyond options' long long); it has
 * no default, so whether it was given is kept too. */
typedef struct { uint64_t value; int given; } s_seed_t;

static int s_seed(void *to, const char *text)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || !*text || *end || *text == '-') {
        fprintf(stderr, "huizong gen: --seed needs a non-negative whole number, got '%s'\n", text);
        return -1;
    }
    s_seed_t *seed = to;
    seed->value = v;
    seed->given = 1;
    return 0;
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) return 0;
    fprintf(stderr, "huizong gen: cannot create directory %s: %s\n", path, strerror(errno));
    return -1;
}

static FILE *open_out(gen_ctx_t *g, const char *name)
{
    snprintf(g->path, sizeof g->path, "%s/%s", g->out, name);
    FILE *f = fopen(g->path, "w");
    if (!f) fprintf(stderr, "huizong gen: cannot write %s: %s\n", g->path, strerror(errno));
    return f;
}

int cmd_gen(int argc, char **argv)
{
    gen_ctx_t g = { .year = 2024, .provinces = 1, .cities = 2, .districts = 2, .departments = 3,
                    .units = 3 };
    const char *format = "csv";
    s_seed_t seed = { 0, 0 };
    const opt_t options[] = {
        opt_text("out", &g.out), opt_call("seed", &seed, s_seed), opt_text("format", &format),
        opt_uint("year", &g.year, 1900, 9999, NULL), opt_long("provinces", &g.provinces, 1, (long)NELEM(PROVINCES), NULL),
        opt_long("cities", &g.cities, 1, 99, NULL), opt_long("districts", &g.districts, 1, 99, NULL),
        opt_long("departments", &g.departments, 1, 999, NULL), opt_long("units", &g.units, 1, 999, NULL),
        opt_long("faults", &g.faults, 0, 100000, NULL), opt_end() };
    int parsed = options_parse("huizong gen", options, argc, argv, gen_usage);
    if (parsed != OPTIONS_OK) return parsed == OPTIONS_HELP ? EXIT_OK : EXIT_USAGE;
    if (strcmp(format, "xlsx") && strcmp(format, "xlsx-inline") && strcmp(format, "csv")) {
        fprintf(stderr, "huizong gen: --format must be csv, xlsx or xlsx-inline, got '%s'\n", format);
        return EXIT_USAGE;
    }
    g.xlsx = !strcmp(format, "xlsx") ? 1 : !strcmp(format, "xlsx-inline") ? 2 : 0;
    if (optind < argc) {
        fprintf(stderr, "huizong gen: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    g.seed = seed.value;
    if (!g.out || !seed.given) {
        fprintf(stderr, "huizong gen: --out DIR and --seed N are required\n");
        gen_usage(stderr);
        return EXIT_USAGE;
    }
    g.depts_total = (uint64_t)g.provinces * (uint64_t)g.cities * (uint64_t)g.districts * (uint64_t)g.departments;
    g.units_total = g.depts_total * (uint64_t)g.units;
    if ((uint64_t)g.faults * 4 > g.units_total || (uint64_t)g.faults * 2 > g.depts_total) {
        fprintf(stderr, "huizong gen: --faults %ld needs at least %ld units and %ld departments "
                        "(the tree has %" PRIu64 " and %" PRIu64 ")\n",
                g.faults, g.faults * 4, g.faults * 2, g.units_total, g.depts_total);
        return EXIT_USAGE;
    }
    snprintf(g.year_text, sizeof g.year_text, "%u", g.year);
    column_rank_init();
    progress_start(&g.progress, "huizong gen: units", g.units_total);
    g.progress.min_total = 1000;

    snprintf(g.path, sizeof g.path, "%s/submissions", g.out);
    if (make_dir(g.out) || make_dir(g.path)) return EXIT_ERROR;
    if (plan_faults(&g)) {
        fprintf(stderr, "huizong gen: cannot place %ld faults of each kind in this tree\n", g.faults);
        free(g.plan);
        return EXIT_USAGE;
    }
    int rc = EXIT_OK;
    g.entities = open_out(&g, "entities.csv");
    g.faultsf = g.entities ? open_out(&g, "faults.csv") : NULL;
    if (!g.entities || !g.faultsf) rc = EXIT_ERROR;
    if (rc == EXIT_OK) {
        static char ebuf[1 << 16];
        setvbuf(g.entities, ebuf, _IOFBF, sizeof ebuf);
        fputs("code,name,level,parent\n", g.entities);
        fputs("kind,entity,year,table,row,column,detail\n", g.faultsf);
        if (gen_tree(&g)) rc = EXIT_ERROR;
    }
    if (g.entities && (ferror(g.entities) | fclose(g.entities))) {
        fprintf(stderr, "huizong gen: cannot write %s/entities.csv\n", g.out);
        rc = EXIT_ERROR;
    }
    if (g.faultsf && (ferror(g.faultsf) | fclose(g.faultsf))) {
        fprintf(stderr, "huizong gen: cannot write %s/faults.csv\n", g.out);
        rc = EXIT_ERROR;
    }
    free(g.plan);
    return rc;
}
