"""Generate the corpus of files the importer must reject: tests/importer/bad_files/.

Each case is (file name, bytes, entity passed to the importer or None, expected problem code, expected text).
The files refer to real places and to names the default build always has (西关村, 古韩镇, 德鑫小区, 饮泉社区 …).
Run `python tests/importer/make_bad_files.py` to (re)write the folder; tests/importer/test_ingest_bad_files.py checks it.
"""
from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "bad_files"

ACT = "活动日期,乡镇,所属村,实践站点,活动名称,服务类别,参与人数,志愿者人数,受益人数,服务时长（小时）"
GOOD = "2025-03-08,古韩镇,西关村,,学雷锋志愿服务进村入户,乡风文明,36,8,25,16"
WISH = "发布日期,乡镇,所属村,心愿类别,心愿内容,状态,认领党支部,认领日期,完成日期"
SITE = "站点名称,级别,乡镇,所属村,经度,纬度"
FEEDBACK = "小区名称,收到日期,诉求类别,反映渠道,诉求内容,办理状态,办结日期"
COMPOUND = "小区名称,所属社区,小区类型,改造批次,改造状态,楼栋数,户数,建筑面积,建成年份"
MEETING = "会议日期,会议类型,所属社区,小区名称,参会人数,会议主题"


def act(*rows: str, header: str = ACT) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def csv_text(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _xlsx(rows: list[list], formula_at: tuple[int, int] | None = None) -> bytes:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _zip_of(name: str, content: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, content)
    return buf.getvalue()


def _patch_zip(data: bytes, member: str, fn) -> bytes:
    """The workbook with one part rewritten by fn(bytes) (or removed when fn returns None)."""
    zin = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == member:
                body = fn(body)
                if body is None:
                    continue
            zout.writestr(info, body)
    return buf.getvalue()


def _good_xlsx() -> bytes:
    return _xlsx([ACT.split(","), GOOD.split(",")])


def _with_cell(ref: str, cell_xml: str) -> bytes:
    """A good activities workbook whose cell `ref` (row 2) is replaced by raw worksheet XML: typed cells with
    odd values that Excel itself never writes but a script or a damaged file may."""
    import re

    def patch(body: bytes) -> bytes:
        out, n = re.subn(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', cell_xml.encode(), body, count=1)
        assert n == 1, ref
        return out
    return _patch_zip(_good_xlsx(), "xl/worksheets/sheet1.xml", patch)


def _crc_broken(data: bytes) -> bytes:
    """Flip one byte inside the stored worksheet part, so its CRC no longer matches."""
    zin = zipfile.ZipFile(io.BytesIO(data))
    info = zin.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    b = bytearray(data)
    b[start + info.compress_size // 2] ^= 0xFF
    return bytes(b)


def cases() -> list[tuple[str, bytes, str | None, str, str]]:
    acts_h = ACT.split(",")
    teams_rows = [["队伍名称", "队伍类型", "乡镇", "队员人数", "成立日期"],
                  ["西关村文艺志愿服务队", "专业队", "古韩镇", 20, "2021-05-04"]]
    return [
        # places
        ("unknown_village.csv", act("2025-03-08,古韩镇,西观村,,学雷锋志愿服务进村入户,乡风文明,36,8,25,16"), None,
         "unknown_place", '第2行「所属村」：找不到"西观村"，是否为"西关村"？'),
        ("unknown_town.csv", act("2025-03-08,古寒镇,西关村,,学雷锋志愿服务进村入户,乡风文明,36,8,25,16"), None,
         "unknown_place", '「乡镇」：找不到"古寒镇"，是否为"古韩镇"？'),
        ("village_in_other_town.csv", act("2025-03-08,王桥镇,西关村,,学雷锋志愿服务进村入户,乡风文明,36,8,25,16"), None,
         "place_mismatch", '"西关村"属于古韩镇，不属于王桥镇'),
        ("unknown_site.csv", act("2025-03-08,古韩镇,,东风新时代文明实践站,学雷锋志愿服务,乡风文明,36,8,25,16"), None,
         "unknown_site", '找不到"东风新时代文明实践站"'),
        ("no_place.csv", act("2025-03-08,,,,学雷锋志愿服务进村入户,乡风文明,36,8,25,16"), None,
         "required", "乡镇、所属村、实践站点至少填写一项"),
        ("bad_village_code.csv", act("2025-03-08,,140423999999,,学雷锋志愿服务进村入户,乡风文明,36,8,25,16"), None,
         "unknown_place", '找不到村（社区）代码"140423999999"'),
        ("hanyuan_town_for_activity.csv", act("2025-03-08,富林镇,,,学雷锋志愿服务进村入户,乡风文明,36,8,25,16"), None,
         "unknown_place", '乡镇"富林镇"不在本项工作的县域内'),
        # dates
        ("impossible_date.csv", act("2025-02-30,古韩镇,西关村,,学雷锋志愿服务进村入户,乡风文明,36,8,25,16"), None,
         "impossible_date", "日期不存在（2025年2月30日）"),
        ("impossible_date_cn.csv", act("2025年13月1日,古韩镇,西关村,,学雷锋志愿服务进村入户,乡风文明,36,8,25,16"), None,
         "impossible_date", "日期不存在（2025年13月1日）"),
        ("future_date.csv", act("2099-01-01,古韩镇,西关村,,学雷锋志愿服务进村入户,乡风文明,36,8,25,16"), None,
         "future_date", "晚于今天"),
        ("ancient_date.csv", act("1990-05-01,古韩镇,西关村,,学雷锋志愿服务进村入户,乡风文明,36,8,25,16"), None,
         "old_date", "早于 2000 年"),
        ("date_as_words.csv", act("上周三,古韩镇,西关村,,学雷锋志愿服务进村入户,乡风文明,36,8,25,16"), None,
         "bad_date", "不是有效日期"),
        # numbers
        ("negative_number.csv", act("2025-03-08,古韩镇,西关村,,学雷锋志愿服务进村入户,乡风文明,36,-8,25,16"), None,
         "negative", "「志愿者人数」：不能为负数"),
        ("absurd_participants.csv", act("2025-03-08,古韩镇,西关村,,学雷锋志愿服务进村入户,乡风文明,10000,8,25,16"), None,
         "absurd", "数值 10,000 超过合理上限 5,000"),
        ("absurd_for_village.csv", act("2025-03-08,古韩镇,西关村,,学雷锋志愿服务进村入户,乡风文明,2000,8,25,16"), None,
         "absurd", "参与人数 2,000 对村级活动不合理（上限 1,500）"),
        ("more_volunteers_than_participants.csv", act("2025-03-08,古韩镇,西关村,,学雷锋志愿服务进村入户,乡风文明,6,8,25,16"),
         None, "inconsistent", "志愿者人数（8）不能多于参与人数（6）"),
        ("not_a_number.csv", act("2025-03-08,古韩镇,西关村,,学雷锋志愿服务进村入户,乡风文明,很多,8,25,16"), None,
         "bad_number", "「参与人数」：应为数字"),
        ("fractional_count.csv", act("2025-03-08,古韩镇,西关村,,学雷锋志愿服务进村入户,乡风文明,36.5,8,25,16"), None,
         "not_integer", "应为整数"),
        # required fields, allowed values, duplicates, text
        ("missing_title.csv", act("2025-03-08,古韩镇,西关村,,,乡风文明,36,8,25,16"), None,
         "required", "第2行「活动名称」：必填，不能为空"),
        ("bad_choice.csv", act("2025-03-08,古韩镇,西关村,,学雷锋志愿服务进村入户,乡风,36,8,25,16"), None,
         "bad_choice", "是否为“乡风文明”？"),
        ("duplicate_rows.csv", act(GOOD, "2025-03-09,古韩镇,西关村,,另一场活动,乡风文明,36,8,25,16", GOOD), None,
         "duplicate_key", "第4行「活动日期」：与第2行重复"),
        ("duplicate_rows_other_spelling.csv",
         act(GOOD, "2025/3/8,古韩镇,西关村村委会,,学雷锋志愿服务进村入户,乡风文明,30,8,20,16"), None,
         "duplicate_key", "与第2行重复"),
        ("too_long_title.csv", act("2025-03-08,古韩镇,西关村,," + "长" * 80 + ",乡风文明,36,8,25,16"), None,
         "too_long", "内容过长（80 字，最多 60 字）"),
        ("many_problems.csv", act("2025-02-30,古韩镇,西观村,,=HYPERLINK(\"x\"),乡风,-1,8,25,16",
                                  GOOD, "2099-01-01,古寒镇,西关村,,活动,理论宣讲,36,8,很多,16"), None,
         "future_date", "第4行「受益人数」：应为数字"),
        # templates and headers
        ("missing_required_column.csv",
         csv_text(",".join(h for h in acts_h if h != "服务类别"), "2025-03-08,古韩镇,西关村,,x,36,8,25,16"),
         "activities", "wrong_template", "缺少必填列「服务类别」"),
        ("wrong_template.xlsx", _xlsx(teams_rows), "activities", "wrong_template", "这似乎是「志愿服务队伍」模板"),
        ("unknown_headers.csv", csv_text("姓名,电话,地址", "张三,13800000000,某地"), None,
         "wrong_template", "找不到表头"),
        ("duplicate_column.csv", csv_text(ACT + ",活动日期", GOOD + ",2025-03-08"), None,
         "duplicate_column", "列「活动日期」出现了不止一次"),
        ("header_only.csv", csv_text(ACT), None, "empty", "没有数据行"),
        # formula injection
        ("formula_equals.csv", act('2025-03-08,古韩镇,西关村,,=1+1,乡风文明,36,8,25,16'), None, "formula", "公式注入"),
        ("formula_plus.csv", act('2025-03-08,古韩镇,西关村,,+cmd|/C calc,乡风文明,36,8,25,16'), None, "formula", "公式注入"),
        ("formula_minus.csv", act('2025-03-08,古韩镇,西关村,,-2+3,乡风文明,36,8,25,16'), None, "formula", "公式注入"),
        ("formula_at.csv", act('2025-03-08,古韩镇,西关村,,@SUM(A1:A2),乡风文明,36,8,25,16'), None, "formula", "公式注入"),
        ("formula_cell.xlsx", _xlsx([acts_h, ["2025-03-08", "古韩镇", "西关村", None, "=A1&B1", "乡风文明", 36, 8, 25, 16]]),
         None, "formula", "第2行「活动名称」：以 = + - @ 开头"),
        # not a spreadsheet
        ("empty.csv", b"", None, "empty", "文件为空"),
        ("picture.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, None, "not_spreadsheet", "不是电子表格文件"),
        ("document.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", None, "not_spreadsheet", "不是电子表格文件"),
        ("binary.csv", bytes([0, 1, 2, 3, 255, 254, 0, 0]) * 64, None, "not_spreadsheet", "不是电子表格文件"),
        ("webpage.csv", b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>", None,
         "not_spreadsheet", "看起来是网页"),
        ("legacy.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, None, "not_spreadsheet", "不支持旧版 .xls 格式"),
        ("archive.xlsx", _zip_of("readme.txt", b"hello"), None, "not_spreadsheet", "压缩包而不是 Excel 工作簿"),
        ("truncated.xlsx", _xlsx([acts_h, GOOD.split(",")])[:600], None, "not_spreadsheet", "文件已损坏"),
        ("bad_encoding.csv", ACT.encode("utf-8") + b"\n\x80\x80\x80\xff\xff,1,2\n", None, "encoding", "无法识别文件编码"),
        # other entities' rules
        ("wish_done_without_date.csv",
         csv_text(WISH, "2025-03-01,古韩镇,西关村,助老助残,为独居老人添置取暖器,完成,西关村党支部,2025-03-03,"),
         None, "required", "状态为“完成”时必须填写完成日期"),
        ("wish_claimed_before_published.csv",
         csv_text(WISH, "2025-03-05,古韩镇,西关村,助老助残,为独居老人添置取暖器,完成,西关村党支部,2025-03-01,2025-03-09"),
         None, "inconsistent", "认领日期 2025-03-01 早于发布日期 2025-03-05"),
        ("wish_unknown_branch.csv",
         csv_text(WISH, "2025-03-01,古韩镇,西关村,助老助残,为独居老人添置取暖器,认领,西关村第九党支部,2025-03-03,"),
         None, "unknown_branch", '找不到"西关村第九党支部"'),
        ("feedback_resolved_without_date.csv",
         csv_text(FEEDBACK, "德鑫小区,2025-05-06,排水,坝坝会,雨污管道堵塞,办结,"),
         None, "required", "状态为“办结”时必须填写办结日期"),
        ("feedback_unknown_compound.csv",
         csv_text(FEEDBACK, "德新小区,2025-05-06,排水,坝坝会,雨污管道堵塞,收集,"),
         None, "unknown_compound", '找不到"德新小区"，是否为"德鑫小区"？'),
        ("works_done_more_than_planned.csv", csv_text("小区名称,改造内容,计划量,完成量", "德鑫小区,管线改造,100,120"),
         None, "inconsistent", "完成量（120）大于计划量（100）"),
        ("works_unknown_category.csv", csv_text("小区名称,改造内容,计划量,完成量", "德鑫小区,屋顶花园,100,20"),
         None, "bad_choice", "“屋顶花园”不是允许的值"),
        ("site_outside_county.csv", csv_text(SITE, "西关村新时代文明实践站,站,古韩镇,西关村,116.397,39.909"), None,
         "bad_coords", "不在襄垣县范围内"),
        ("site_coordinates_swapped.csv", csv_text(SITE, "西关村新时代文明实践站,站,古韩镇,西关村,36.5301,113.0400"), None,
         "bad_coords", "经纬度可能填反了"),
        ("site_level_change.csv", csv_text(SITE, "西关村新时代文明实践站,所,古韩镇,,113.0400,36.5301"), None,
         "conflict", "级别为「站」，不能改为「所」"),
        ("compound_unknown_community.csv",
         csv_text(COMPOUND, "新建小区,饮水社区,老旧小区,实施一批,完成,6,168,15120,1998"),
         None, "unknown_place", '找不到"饮水社区"，是否为"饮泉社区"？'),
        ("meeting_compound_elsewhere.csv",
         csv_text(MEETING, "2025-06-18,坝坝会,梨城社区,德鑫小区,45,改造方案征求意见"),
         None, "place_mismatch", "不属于梨城社区"),
        # ── hardening (issue #20): files that used to crash the importer or slip through ──
        # encodings that say one thing and are another
        ("gbk_behind_utf8_bom.csv", b"\xef\xbb\xbf" + (ACT + "\n" + GOOD + "\n").encode("gbk"), None,
         "encoding", "文件开头标明为 UTF-8 编码，但"),
        ("utf16_bom_odd_bytes.csv", b"\xff\xfe" + (ACT + "\n").encode("utf-16-le") + b"\x00\xd8\x41", None,
         "encoding", "标明为 UTF-16 编码"),
        ("utf16_without_bom.csv", (ACT + "\n" + GOOD + "\n").encode("utf-16-le"), None,
         "not_spreadsheet", "不是电子表格文件"),
        ("big5_as_text.csv", (ACT + "\n" + GOOD + "\n").encode("big5", errors="replace"), None,
         "wrong_template", "找不到表头"),
        # malformed zip parts
        ("truncated_sheet_xml.xlsx", _patch_zip(_good_xlsx(), "xl/worksheets/sheet1.xml", lambda b: b[: len(b) // 2]),
         None, "not_spreadsheet", "工作表「数据」的内容不完整或格式错误"),
        ("sheet_xml_is_garbage.xlsx", _patch_zip(_good_xlsx(), "xl/worksheets/sheet1.xml", lambda b: b"\x00\xff" * 200),
         None, "not_spreadsheet", "工作簿已损坏"),
        ("sheet_part_missing.xlsx", _patch_zip(_good_xlsx(), "xl/worksheets/sheet1.xml", lambda b: None),
         None, "not_spreadsheet", "工作簿已损坏"),
        ("workbook_xml_garbage.xlsx", _patch_zip(_good_xlsx(), "xl/workbook.xml", lambda b: b"<workbook"),
         None, "not_spreadsheet", "工作簿已损坏或不是 Excel 保存的 .xlsx"),
        ("styles_xml_wrong.xlsx", _patch_zip(_good_xlsx(), "xl/styles.xml", lambda b: b"<styleSheet><cellXfs count='x'>"),
         None, "not_spreadsheet", "工作簿已损坏"),
        ("sheet_crc_broken.xlsx", _crc_broken(_good_xlsx()), None, "not_spreadsheet", "校验失败"),
        # typed cells with odd values
        ("infinity_in_title.xlsx", _with_cell("E2", '<c r="E2"><v>1E999</v></c>'), None,
         "bad_value", "第2行「活动名称」：不是有效内容（单元格是无穷大或非数值）"),
        ("minus_infinity_in_town.xlsx", _with_cell("B2", '<c r="B2"><v>-1E999</v></c>'), None,
         "bad_value", "第2行「乡镇」：不是有效内容"),
        ("infinity_in_count.xlsx", _with_cell("G2", '<c r="G2"><v>1E999</v></c>'), None, "bad_number", "「参与人数」：应为数字"),
        ("typed_date_not_iso.xlsx", _with_cell("A2", '<c r="A2" t="d"><v>last tuesday</v></c>'), None,
         "bad_date", "第2行「活动日期」：不是有效日期"),
        ("typed_date_impossible_time.xlsx", _with_cell("A2", '<c r="A2" t="d"><v>2025-03-08T99:99:00</v></c>'), None,
         "impossible_date", "时间不存在（99:99:00）"),
        ("typed_date_in_count.xlsx", _with_cell("G2", '<c r="G2" t="d"><v>not-a-date</v></c>'), None,
         "bad_number", "「参与人数」：应为数字"),
        ("shared_string_out_of_range.xlsx", _with_cell("E2", '<c r="E2" t="s"><v>99999</v></c>'), None,
         "bad_cell", "第2行「活动名称」：单元格无法读取"),
        ("number_cell_not_a_number.xlsx", _with_cell("G2", '<c r="G2"><v>abc</v></c>'), None,
         "bad_cell", "第2行「参与人数」：单元格无法读取"),
        ("bool_cell_not_a_bool.xlsx", _with_cell("E2", '<c r="E2" t="b"><v>yes</v></c>'), None,
         "bad_cell", "「活动名称」：单元格无法读取"),
        ("cell_bad_reference.xlsx", _with_cell("E2", '<c r="E-2" t="s"><v>zz</v></c>'), None,
         "bad_cell", "单元格无法读取"),
        ("date_impossible_time.csv", act(GOOD.replace("2025-03-08", "2025-03-08 99:99")), None,
         "impossible_date", "第2行「活动日期」：时间不存在（99:99）"),
        ("date_hour_24.csv", act(GOOD.replace("2025-03-08", "2025/3/8 24:10:00")), None,
         "impossible_date", "时间不存在"),
        # control characters
        ("nul_escape_in_string.xlsx", _with_cell("E2", '<c r="E2" t="inlineStr"><is><t>学雷锋_x0000_活动</t></is></c>'), None,
         "control_char", "第2行「活动名称」：含有不可见的控制字符"),
        ("bell_escape_in_town.xlsx", _with_cell("B2", '<c r="B2" t="inlineStr"><is><t>古韩镇_x0007_</t></is></c>'), None,
         "control_char", "第2行「乡镇」：含有不可见的控制字符"),
        ("escape_char_in_csv.csv", act(GOOD.replace("学雷锋", "学\x1b[31m雷锋")), None,
         "control_char", "含有不可见的控制字符"),
        ("delete_char_in_csv.csv", act(GOOD.replace("学雷锋", "学\x7f雷锋")), None,
         "control_char", "含有不可见的控制字符"),
        # CPU: a 15,000-character place name is refused by length, before any did-you-mean
        ("huge_town_and_village.csv", act("2025-03-08," + "镇" * 15000 + "," + "村" * 15000 + ",,学雷锋,乡风文明,36,8,25,16"),
         None, "too_long", "「乡镇」：内容过长（15000 字"),
        # personal data in free text (rejected by default, with the row and the column named)
        ("personal_data_in_title.csv",
         act("2025-03-08,古韩镇,西关村,,联系人张三，电话13800138000，身份证110101199003078881,乡风文明,36,8,25,16"), None,
         "personal_data", "第2行「活动名称」：含有个人信息（手机号码、身份证号码）"),
        ("personal_data_fullwidth_phone.csv",
         act("2025-03-08,古韩镇,西关村,,学雷锋（电话１３８ ００１３ ８０００）,乡风文明,36,8,25,16"),
         None, "personal_data", "含有个人信息（手机号码）"),
        ("personal_data_landline_in_theme.csv",
         act("2025-03-08,古韩镇,西关村,,学雷锋,乡风文明,36,8,25,16,咨询0355-5551234",
             header=ACT + ",月度主题"), None, "personal_data", "「月度主题」：含有个人信息（固定电话）"),
        ("personal_data_in_feedback.csv",
         csv_text(FEEDBACK,
                  "德鑫小区,2025-05-06,排水,坝坝会,住户李四 身份证11010519491231002X 反映管道堵塞,收集,"), None,
         "personal_data", "「诉求内容」：含有个人信息（身份证号码）"),
        ("personal_data_email_team.csv",
         csv_text("队伍名称,队伍类型,乡镇,队员人数,成立日期", "联络 zhangsan@example.com 志愿队,专业队,古韩镇,20,2021-05-04"),
         None, "personal_data", "「队伍名称」：含有个人信息（电子邮箱）"),
        ("personal_data_bank_card_site.csv", act("2025-03-08,古韩镇,,6222021234567890123,学雷锋,乡风文明,36,8,25,16"),
         None, "personal_data", "「实践站点」：含有个人信息（银行卡号）"),
        ("personal_data_numeric_cell.xlsx", _with_cell("E2", '<c r="E2"><v>13800138000</v></c>'), None,
         "personal_data", "「活动名称」：含有个人信息（手机号码）"),
        ("personal_data_meeting_topic.csv",
         csv_text(MEETING, "2025-06-18,坝坝会,饮泉社区,德鑫小区,45,请联系王五 139-1234-5678"),
         None, "personal_data", "「会议主题」：含有个人信息（手机号码）"),
    ]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    names = set()
    for name, data, *_ in cases():
        (OUT / name).write_bytes(data)
        names.add(name)
    for f in OUT.iterdir():
        if f.name not in names:
            f.unlink()
    print(f"wrote {len(names)} files to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
