/* classes.c -- the national classification chart as data (2024 政府收支分类科目).
 *
 * Invariants: every code is well-formed for its kind (3/5/7 digits function, 3/5 economic)
 * and listed once; names are the official names with full-width parentheses, as the
 * national chart prints them. All 类 of both charts are here (code_class_exists relies on
 * that); 款/项 are listed for the codes the seed budgets use and their siblings that
 * medical-security bureaus commonly print, so code_known_name() returns NULL for a valid
 * code outside that set (unknown, not wrong).
 */
#include "codes.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

typedef struct {
    const char *code;
    const char *name;
} code_entry_t;

static const code_entry_t CODES_FUNCTION[] = {
    /* 类 */
    { "201", "一般公共服务支出" }, { "202", "外交支出" }, { "203", "国防支出" },
    { "204", "公共安全支出" }, { "205", "教育支出" }, { "206", "科学技术支出" },
    { "207", "文化旅游体育与传媒支出" }, { "208", "社会保障和就业支出" },
    { "210", "卫生健康支出" }, { "211", "节能环保支出" }, { "212", "城乡社区支出" },
    { "213", "农林水支出" }, { "214", "交通运输支出" }, { "215", "资源勘探工业信息等支出" },
    { "216", "商业服务业等支出" }, { "217", "金融支出" }, { "219", "援助其他地区支出" },
    { "220", "自然资源海洋气象等支出" }, { "221", "住房保障支出" },
    { "222", "粮油物资储备支出" }, { "223", "国有资本经营预算支出" },
    { "224", "灾害防治及应急管理支出" }, { "227", "预备费" }, { "229", "其他支出" },
    { "230", "转移性支出" }, { "231", "债务还本支出" }, { "232", "债务付息支出" },
    { "233", "债务发行费用支出" }, { "234", "抗疫特别国债安排的支出" },
    /* 201 一般公共服务支出 */
    { "20103", "政府办公厅（室）及相关机构事务" }, { "2010301", "行政运行" },
    { "20199", "其他一般公共服务支出" }, { "2019999", "其他一般公共服务支出" },
    /* 223 国有资本经营预算支出 */
    { "22399", "其他国有资本经营预算支出" }, { "2239901", "其他国有资本经营预算支出" },
    /* 208 社会保障和就业支出 */
    { "20801", "人力资源和社会保障管理事务" }, { "2080101", "行政运行" },
    { "2080102", "一般行政管理事务" }, { "2080109", "社会保险经办机构" },
    { "20805", "行政事业单位养老支出" }, { "2080501", "行政单位离退休" },
    { "2080502", "事业单位离退休" }, { "2080505", "机关事业单位基本养老保险缴费支出" },
    { "2080506", "机关事业单位职业年金缴费支出" }, { "2080599", "其他行政事业单位养老支出" },
    { "20808", "抚恤" }, { "2080801", "死亡抚恤" },
    { "20899", "其他社会保障和就业支出" }, { "2089999", "其他社会保障和就业支出" },
    /* 210 卫生健康支出 */
    { "21001", "卫生健康管理事务" }, { "2100101", "行政运行" },
    { "2100199", "其他卫生健康管理事务支出" },
    { "21011", "行政事业单位医疗" }, { "2101101", "行政单位医疗" },
    { "2101102", "事业单位医疗" }, { "2101103", "公务员医疗补助" },
    { "2101199", "其他行政事业单位医疗支出" },
    { "21012", "财政对基本医疗保险基金的补助" },
    { "2101201", "财政对职工基本医疗保险基金的补助" },
    { "2101202", "财政对城乡居民基本医疗保险基金的补助" },
    { "2101299", "财政对其他基本医疗保险基金的补助" },
    { "21013", "医疗救助" }, { "2101301", "城乡医疗救助" }, { "2101399", "其他医疗救助支出" },
    { "21014", "优抚对象医疗" }, { "2101401", "优抚对象医疗补助" },
    { "2101499", "其他优抚对象医疗支出" },
    { "21015", "医疗保障管理事务" }, { "2101501", "行政运行" },
    { "2101502", "一般行政管理事务" }, { "2101503", "机关服务" },
    { "2101504", "信息化建设" }, { "2101505", "医疗保障政策管理" },
    { "2101506", "医疗保障经办事务" }, { "2101550", "事业运行" },
    { "2101599", "其他医疗保障管理事务支出" },
    { "21099", "其他卫生健康支出" }, { "2109999", "其他卫生健康支出" },
    /* 213 农林水支出 */
    { "21305", "巩固脱贫攻坚成果衔接乡村振兴" },
    { "2130599", "其他巩固脱贫攻坚成果衔接乡村振兴支出" },
    /* 221 住房保障支出 */
    { "22102", "住房改革支出" }, { "2210201", "住房公积金" }, { "2210202", "提租补贴" },
    { "2210203", "购房补贴" },
    { NULL, NULL },
};

static const code_entry_t CODES_ECONOMIC[] = {
    /* 类 (部门预算支出经济分类) */
    { "301", "工资福利支出" }, { "302", "商品和服务支出" }, { "303", "对个人和家庭的补助" },
    { "307", "债务利息及费用支出" }, { "309", "资本性支出（基本建设）" },
    { "310", "资本性支出" }, { "311", "对企业补助（基本建设）" }, { "312", "对企业补助" },
    { "313", "对社会保障基金补助" }, { "399", "其他支出" },
    /* 301 工资福利支出 */
    { "30101", "基本工资" }, { "30102", "津贴补贴" }, { "30103", "奖金" },
    { "30106", "伙食补助费" }, { "30107", "绩效工资" },
    { "30108", "机关事业单位基本养老保险缴费" }, { "30109", "职业年金缴费" },
    { "30110", "职工基本医疗保险缴费" }, { "30111", "公务员医疗补助缴费" },
    { "30112", "其他社会保障缴费" }, { "30113", "住房公积金" }, { "30114", "医疗费" },
    { "30199", "其他工资福利支出" },
    /* 302 商品和服务支出 */
    { "30201", "办公费" }, { "30202", "印刷费" }, { "30203", "咨询费" }, { "30204", "手续费" },
    { "30205", "水费" }, { "30206", "电费" }, { "30207", "邮电费" }, { "30208", "取暖费" },
    { "30209", "物业管理费" }, { "30211", "差旅费" }, { "30212", "因公出国（境）费用" },
    { "30213", "维修（护）费" }, { "30214", "租赁费" }, { "30215", "会议费" },
    { "30216", "培训费" }, { "30217", "公务接待费" }, { "30218", "专用材料费" },
    { "30224", "被装购置费" }, { "30225", "专用燃料费" }, { "30226", "劳务费" },
    { "30227", "委托业务费" }, { "30228", "工会经费" }, { "30229", "福利费" },
    { "30231", "公务用车运行维护费" }, { "30239", "其他交通费用" },
    { "30240", "税金及附加费用" }, { "30299", "其他商品和服务支出" },
    /* 303 对个人和家庭的补助 */
    { "30301", "离休费" }, { "30302", "退休费" }, { "30303", "退职（役）费" },
    { "30304", "抚恤金" }, { "30305", "生活补助" }, { "30306", "救济费" },
    { "30307", "医疗费补助" }, { "30308", "助学金" }, { "30309", "奖励金" },
    { "30310", "个人农业生产补贴" }, { "30311", "代缴社会保险费" },
    { "30399", "其他对个人和家庭的补助" },
    /* 310 资本性支出 */
    { "31001", "房屋建筑物购建" }, { "31002", "办公设备购置" }, { "31003", "专用设备购置" },
    { "31007", "信息网络及软件购置更新" }, { "31013", "公务用车购置" },
    { "31099", "其他资本性支出" },
    { NULL, NULL },
};

/* The lists stay in chart order (readable); lookups go through an index of each, sorted
 * by code, built once per process under call_once (the lists are constant, so every
 * thread would build the same; readers only read it after): a binary search instead of a
 * strcmp over every entry, and the 类 by number. The aggregator looks up every printed
 * code row of every submission, twice for a class (code_class_exists), and the scans were
 * ~4 % of its instructions. */
#define CODES_LISTED_MAX 512      /* entries of one list, asserted when the index is built */

typedef struct {
    const code_entry_t *by_code[CODES_LISTED_MAX];
    size_t n;
    bool class_known[1000];       /* "201" -> [201] */
} s_code_index;

static s_code_index S_INDEX[3];   /* by code_kind */
static once_flag S_INDEX_ONCE = ONCE_FLAG_INIT;

static int s_entry_cmp(const void *a, const void *b)
{
    return strcmp((*(const code_entry_t *const *)a)->code, (*(const code_entry_t *const *)b)->code);
}

static void s_index_build(void)
{
    const code_entry_t *lists[3] = { NULL, CODES_FUNCTION, CODES_ECONOMIC };
    for (int k = CODE_FUNCTION; k <= CODE_ECONOMIC; k++) {
        s_code_index *x = &S_INDEX[k];
        for (const code_entry_t *e = lists[k]; e->code; e++) {
            assert(x->n < CODES_LISTED_MAX);
            x->by_code[x->n++] = e;
            if (strlen(e->code) == 3) x->class_known[atoi(e->code)] = true;
        }
        /* codes are listed once (invariant): strcmp is a total order of the entries */
        qsort(x->by_code, x->n, sizeof *x->by_code, s_entry_cmp);
    }
}

static const s_code_index *s_index(code_kind kind)
{
    if (kind != CODE_FUNCTION && kind != CODE_ECONOMIC) return NULL;
    call_once(&S_INDEX_ONCE, s_index_build);
    return &S_INDEX[kind];
}

const char *code_known_name(code_kind kind, const char *code)
{
    const s_code_index *x = s_index(kind);
    if (!x || !code) return NULL;
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(x->by_code[mid]->code, code);
        if (c == 0) return x->by_code[mid]->name;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

bool code_class_exists(code_kind kind, const char *cls)
{
    const s_code_index *x = s_index(kind);
    if (!x || !cls) return false;
    int v = 0;
    for (int i = 0; i < 3; i++) {
        if (cls[i] < '0' || cls[i] > '9') return false;   /* every listed class is 3 digits */
        v = v * 10 + (cls[i] - '0');
    }
    return cls[3] == '\0' && x->class_known[v];
}

const char *code_by_name(code_kind kind, const char *parent, const char *name)
{
    const code_entry_t *e = kind == CODE_FUNCTION ? CODES_FUNCTION
                          : kind == CODE_ECONOMIC ? CODES_ECONOMIC : NULL;
    if (!e || !name || !*name) return NULL;
    const char *found = NULL;
    for (; e->code; e++) {
        size_t n = strlen(e->code);
        if (parent ? (n <= 3 || strncmp(e->code, parent, strlen(parent)) != 0) : n != 3) continue;
        if (!code_name_matches(e->name, name)) continue;
        if (found) return NULL;           /* two codes with this name: ambiguous */
        found = e->code;
    }
    return found;
}
