#!/usr/bin/env python3
"""Makes the PDF fixtures of tests/unit/test_pdf.c (run by hand; CI uses the committed PDFs).

Printed-layout sheets are written as flat ODS (.fods: XML LibreOffice reads directly, so
column widths, merged cells, wrapping, vertical centring, page orientation and repeated
header rows are exactly as an office would set them) and converted with
`soffice --headless --convert-to pdf`. Hostile and scanned-like PDFs are written by hand.

    python3 tests/data/pdf/make_fixtures.py [OUTDIR]   (default: this directory)
"""
import os, subprocess, sys, tempfile, zlib
from xml.sax.saxutils import escape

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:styles>
 <number:number-style style:name="N2"><number:number number:decimal-places="2"
  number:min-integer-digits="1" number:grouping="true"/></number:number-style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="{pw}"
  fo:page-height="{ph}" style:print-orientation="{orient}" fo:margin-top="1.5cm"
  fo:margin-bottom="1.5cm" fo:margin-left="1.5cm" fo:margin-right="1.5cm"/></style:page-layout>
 <style:style style:name="ta1" style:family="table" style:master-page-name="mp1">
  <style:table-properties table:display="true"/></style:style>
 {colstyles}
 <style:style style:name="num" style:family="table-cell" style:data-style-name="N2">
  <style:table-cell-properties fo:border="0.5pt solid #000000" style:vertical-align="middle"/>
  <style:text-properties fo:font-size="10pt"/></style:style>
 <style:style style:name="txt" style:family="table-cell">
  <style:table-cell-properties fo:border="0.5pt solid #000000" fo:wrap-option="wrap"
   style:vertical-align="middle"/><style:text-properties fo:font-size="10pt"/></style:style>
 <style:style style:name="hdr" style:family="table-cell">
  <style:table-cell-properties fo:border="0.5pt solid #000000" fo:wrap-option="wrap"
   style:vertical-align="middle"/><style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="10pt"/></style:style>
 <style:style style:name="title" style:family="table-cell">
  <style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="14pt" fo:font-weight="bold"/></style:style>
 <style:style style:name="plain" style:family="table-cell">
  <style:text-properties fo:font-size="10pt"/></style:style>
 <style:style style:name="right" style:family="table-cell">
  <style:paragraph-properties fo:text-align="end"/>
  <style:text-properties fo:font-size="10pt"/></style:style>
 <style:style style:name="rbreak" style:family="table-row">
  <style:table-row-properties fo:break-before="page"/></style:style>
</office:automatic-styles>
<office:master-styles>
 <style:master-page style:name="mp1" style:page-layout-name="pm1">
  <style:header style:display="false"/><style:footer style:display="false"/></style:master-page>
</office:master-styles>
<office:body><office:spreadsheet>
"""
TAIL = "</office:spreadsheet></office:body></office:document>\n"


def cell(v, style=None, span=1, rspan=1):
    """v: str (text), float/int-as-str via ('n', '123.45'), None (empty)."""
    attrs = ""
    if span > 1: attrs += ' table:number-columns-spanned="%d"' % span
    if rspan > 1: attrs += ' table:number-rows-spanned="%d"' % rspan
    if isinstance(v, tuple):
        st = style or "num"
        return ('<table:table-cell table:style-name="%s" office:value-type="float" '
                'office:value="%s"%s><text:p>%s</text:p></table:table-cell>' % (st, v[1], attrs, v[1]))
    st = style or "txt"
    if v is None:
        return '<table:table-cell table:style-name="%s"%s/>' % (st, attrs)
    return ('<table:table-cell table:style-name="%s" office:value-type="string"%s><text:p>%s'
            '</text:p></table:table-cell>' % (st, attrs, escape(v)))


COVERED = "<table:covered-table-cell/>"


def N(s):
    return ("n", s)


def row(cells, style=None):
    st = ' table:style-name="%s"' % style if style else ""
    return "<table:table-row%s>%s</table:table-row>\n" % (st, "".join(cells))


def sheet(name, widths, header_rows, rows):
    s = '<table:table table:name="%s" table:style-name="ta1">\n' % escape(name)
    for i, _ in enumerate(widths):
        s += '<table:table-column table:style-name="co%d"/>' % i
    s += "\n"
    if header_rows:
        s += "<table:table-header-rows>" + "".join(header_rows) + "</table:table-header-rows>\n"
    s += "".join(rows)
    return s + "</table:table>\n"


def document(path, widths, body, landscape=False):
    pw, ph = ("29.7cm", "21cm") if landscape else ("21cm", "29.7cm")
    colstyles = "".join(
        '<style:style style:name="co%d" style:family="table-column"><style:table-column-properties '
        'style:column-width="%s"/></style:style>' % (i, w) for i, w in enumerate(widths))
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEAD.replace("{pw}", pw).replace("{ph}", ph)
                .replace("{orient}", "landscape" if landscape else "portrait")
                .replace("{colstyles}", colstyles))
        f.write(body)
        f.write(TAIL)


def title_rows(title, unit, ncols):
    return [row([cell(title, "title", ncols)] + [COVERED] * (ncols - 1)),
            row([cell(None, "plain")] * (ncols - 1) + [cell(unit, "right")])]


def portrait():
    """表2 in 元: two header rows with merged group headers, a wrapped long name (code and
    numbers vertically centred), a number vertically centred over two rows, a note."""
    w = ["2.2cm", "5.2cm", "3cm", "3cm", "3cm"]
    rows = title_rows("示例局2024年一般公共预算支出预算表", "单位：元", 5)
    rows += [row([cell("功能分类科目", "hdr", 2), COVERED, cell("预算数", "hdr", 3), COVERED, COVERED]),
             row([cell(h, "hdr") for h in ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]),
             row([cell(None), cell("合计"), cell(N("2361.22")), cell(N("1546.13")), cell(N("815.09"))]),
             row([cell("201"), cell("一般公共服务支出"), cell(N("815.09")), cell(None), cell(N("815.09"))]),
             row([cell("2010199"), cell("其他一般公共服务支出（含机关事业单位专项业务经费）"),
                  cell(N("815.09")), cell(None), cell(N("815.09"))]),
             row([cell("208"), cell("社会保障和就业支出"), cell(N("1546.13")), cell(N("1546.13", ), None, 1, 2),
                  cell(None)]),
             row([cell("20805"), cell("行政事业单位养老支出"), cell(N("1546.13")), COVERED, cell(None)]),
             row([cell("注：本表反映部门当年一般公共预算财政拨款支出情况。", "plain", 5)] + [COVERED] * 4),
             row([cell(None, "plain")] * 5),
             row([cell("一、收入预算：2024 年收入预算 2,361.22 元，比上年增加 12.5%。", "plain", 5)] + [COVERED] * 4),
             row([cell("二、支出预算：基本支出 1,546.13 元，项目支出 815.09 元。", "plain", 5)] + [COVERED] * 4)]
    document(os.path.join(TMP, "portrait.fods"), w, sheet("表2", w, None, rows))


def landscape():
    """收支总表 on a landscape page: income left, expense right, 7 columns, 万元."""
    w = ["4.6cm", "2.6cm", "5.4cm", "2.6cm", "3.6cm", "3.6cm", "3.6cm"]
    rows = title_rows("示例局2024年财政拨款收支预算总表", "单位：万元", 7)
    rows += [row([cell("收 入", "hdr", 2), COVERED, cell("支 出", "hdr", 5)] + [COVERED] * 4),
             row([cell(h, "hdr") for h in ["项目", "预算数", "项目", "合计", "一般公共预算财政拨款",
                                            "政府性基金预算财政拨款", "国有资本经营预算拨款"]]),
             row([cell("一、本年收入"), cell(N("1773.19")), cell("一、本年支出"), cell(N("1773.19")),
                  cell(N("1773.19")), cell(None), cell(None)]),
             row([cell("（一）一般公共预算拨款"), cell(N("1773.19")), cell("（一）卫生健康支出"),
                  cell(N("1655.17")), cell(N("1655.17")), cell(None), cell(None)]),
             row([cell(None), cell(None), cell("（二）住房保障支出"), cell(N("118.02")), cell(N("118.02")),
                  cell(None), cell(None)]),
             row([cell("收入总计"), cell(N("1773.19")), cell("支出总计"), cell(N("1773.19")),
                  cell(N("1773.19")), cell(None), cell(None)])]
    document(os.path.join(TMP, "landscape.fods"), w, sheet("表1", w, None, rows), landscape=True)


def pagebreak():
    """A long 表3 (类/款/项 in separate columns) running over two pages, header repeated."""
    w = ["1.4cm", "1.4cm", "1.4cm", "6.5cm", "3cm", "3cm"]
    head = [row([cell("功能分类科目编码", "hdr", 3), COVERED, COVERED, cell("科目名称", "hdr", 1, 2),
                 cell("本年基本支出", "hdr", 2), COVERED]),
            row([cell("类", "hdr"), cell("款", "hdr"), cell("项", "hdr"), COVERED, cell("人员经费", "hdr"),
                 cell("公用经费", "hdr")])]
    rows = []
    for i in range(70):
        rows.append(row([cell("208"), cell("%02d" % (i % 99 + 1)), cell("%02d" % (i % 50 + 1)),
                         cell("支出科目%d" % (i + 1)), cell(N("%d.%02d" % (1000 + i, i))),
                         cell(N("%d.50" % (i + 1)))]))
    body = title_rows("示例局2024年一般公共预算基本支出预算表", "单位：元", 6) + rows
    document(os.path.join(TMP, "pagebreak.fods"), w,
             '<table:table table:name="表3" table:style-name="ta1">' +
             "".join('<table:table-column table:style-name="co%d"/>' % i for i in range(6)) +
             "".join(body[:2]) + "<table:table-header-rows>" + "".join(head) +
             "</table:table-header-rows>" + "".join(body[2:]) + "</table:table>\n")


def two_tables():
    """The 三公 table in 万元 (numbers only in its data row) and an empty 政府性基金 table
    (header and a note) on one page."""
    w = ["3cm", "3.4cm", "3cm", "3cm", "3cm", "2.6cm"]
    rows = title_rows("示例局2024年一般公共预算“三公”经费支出预算表", "单位：万元", 6)
    rows += [row([cell(h, "hdr") for h in ["合计", "因公出国（境）费", "公务用车购置费", "公务用车运行费",
                                            "公务接待费", "备注"]]),
             row([cell(N("12.50")), cell(N("0.00")), cell(N("0.00")), cell(N("8.00")), cell(N("4.50")),
                  cell(None)]),
             row([cell(None, "plain")] * 6),
             row([cell(None, "plain")] * 6)]
    rows += title_rows("示例局2024年政府性基金预算支出表", "单位：元", 6)
    rows += [row([cell("科目编码", "hdr"), cell("科目名称", "hdr", 2), COVERED, cell("合计", "hdr"),
                  cell("基本支出", "hdr"), cell("项目支出", "hdr")]),
             row([cell("注：本部门无政府性基金预算支出，故本表为空表。", "plain", 6)] + [COVERED] * 5)]
    document(os.path.join(TMP, "two_tables.fods"), w, sheet("表7", w, None, rows))


def pdf_by_hand(path, objects, trailer_extra=""):
    """objects: list of bytes bodies (1-based numbering); writes a correct xref."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for i, body in enumerate(objects, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, trailer_extra.encode(), x)
    with open(path, "wb") as f:
        f.write(out)


def stream(data, extra=b""):
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def hand_made():
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources 3 0 R >>"
    # scanned-like: one page holding only an image
    img = bytes([0x80] * 64 * 64)
    pdf_by_hand(os.path.join(OUT, "scanned.pdf"), [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        b"<< /XObject << /Im1 6 0 R >> >>",
        stream(b"q 400 0 0 400 100 200 cm /Im1 Do Q"),
        page.replace(b"/Type /Page ", b"/Type /Page "),
        stream(img, b"/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray "
                    b"/BitsPerComponent 8 "),
    ])
    # deep nesting: 200,000 nested arrays in the page's resources
    deep = b"[" * 200000 + b"]" * 200000
    pdf_by_hand(os.path.join(OUT, "deep_nesting.pdf"), [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        b"<< /Deep " + deep + b" >>",
        stream(b"BT /F1 12 Tf 72 700 Td (x) Tj ET"),
        page,
    ])
    # a page tree claiming two billion pages
    pdf_by_hand(os.path.join(OUT, "huge_count.pdf"), [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [5 0 R 5 0 R 5 0 R] /Count 2000000000 >>",
        b"<< >>",
        stream(b"0 0 m 10 10 l S"),
        page,
    ])
    # a content stream that inflates twice to 2 GiB of spaces: 1 GiB a round, deflated twice
    co = zlib.compressobj(9)
    chunk = b" " * (1 << 24)
    inner = bytearray()
    for _ in range(128):
        inner += co.compress(chunk)
    inner += co.flush()
    outer = zlib.compress(bytes(inner), 9)
    pdf_by_hand(os.path.join(OUT, "flate_bomb.pdf"), [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        b"<< >>",
        stream(outer, b"/Filter [/FlateDecode /FlateDecode] "),
        page,
    ])
    # a landscape page made by /Rotate 90 of a portrait page, text drawn turned so that it
    # reads across the rotated page (as printer drivers do)
    ops = b"BT /F1 10 Tf\n"
    x = 100
    for r in [("Code", "Name", "Total"), ("201", "Alpha", "546.13"), ("208", "Beta", "2,361.22")]:
        for y, t in zip((72, 150, 300), r):
            ops += b"0 1 -1 0 %d %d Tm (%s) Tj\n" % (x, y, t.encode())
        x += 14
    pdf_by_hand(os.path.join(OUT, "rotated.pdf"), [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>",
        stream(ops + b"ET"),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate 90 /Contents 4 0 R "
        b"/Resources 3 0 R >>",
    ])
    with open(os.path.join(OUT, "damaged.pdf"), "wb") as f:
        f.write(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R\n\x00\xff garbage, cut off here")


TMP = tempfile.mkdtemp(prefix="hz-pdf-fixtures-")
if __name__ == "__main__" and os.environ.get("HAND_ONLY"):   # no LibreOffice needed
    hand_made()
elif __name__ == "__main__":
    for make in (portrait, landscape, pagebreak, two_tables):
        make()
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", OUT] +
                   [os.path.join(TMP, f) for f in sorted(os.listdir(TMP))], check=True,
                   stdout=subprocess.DEVNULL)
    # an encrypted copy of the portrait table (open password "secret")
    enc = ('pdf:calc_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
           '"DocumentOpenPassword":{"type":"string","value":"secret"}}')
    d2 = tempfile.mkdtemp(prefix="hz-pdf-enc-")
    src = os.path.join(d2, "encrypted.fods")
    os.rename(os.path.join(TMP, "portrait.fods"), src)
    subprocess.run(["soffice", "--headless", "--convert-to", enc, "--outdir", OUT, src], check=True,
                   stdout=subprocess.DEVNULL)
    hand_made()
