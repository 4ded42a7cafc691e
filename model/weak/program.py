"""PROGRAM labelling functions (guideline section PROGRAM and its settled cases).

A quoted phrase is a PROGRAM when it names something that is implemented, launched or organised:
the guideline's test is whether it fits "实施 / 开展 / 落实 / 推行 / 建立 ___". The evidence is the
verb before the quote, the head noun after it (“三走访”行动), or the shape of the name itself
(两不愁三保障, 1+5, 以奖代扶); quoted speech, idioms, honours, slogans, periods and bodies are not.
"""
from __future__ import annotations

import re

from ..text import HAN
from .base import TIER_MARKED, TIER_PLACE, LabellingFunction
from .gazetteer import idioms

# Quoted text, one pair of marks at a time; the span is the text inside the marks.
QUOTED = re.compile(r"“([^“”\n]{1,40})”|「([^「」\n]{1,40})」|‘([^‘’\n]{1,40})’|『([^『』\n]{1,40})』"
                     r'|"([^"\n]{1,40})"')

# Verbs that launch or apply a program, right before the opening mark (the guideline's test).
_LAUNCH_BEFORE = re.compile(
    r"(?:实施|开展|落实|推行|建立|推广|探索|创新|启动|推出|推进|实行|施行|采取|采用|创建|构建|打造|发起|举办"
    r"|部署|出台|制定|坚持|按照|依托|通过|结合|深化|提出|践行|执行|设立|开通|建成|发布|倡导|首创|总结出"
    r"|形成了|实现|开创|围绕|聚焦|抓好|打好|完善|健全)(?:了|的|起|出)?$"
)
# Head nouns that follow a program name, maybe after a few modifiers (“百企帮百村”扶贫专项行动,
# “1+5”扶贫攻坚体系, “三位一体”的扶贫格局).
_HEAD = (r"模式|机制|行动|工程|计划|活动|项目|政策|体系|战略|标准|制度|工作法|办法|措施|方案|理念|方略"
         r"|目标|任务|原则|做法|改革|试点|建设|专项|思路|方针|举措|格局|战役|攻坚战|工作|考核|评选|服务"
         r"|帮扶|路径|经验|倡议|运动|形式|规定|主题教育")
_MODIFIER = r"扶贫|脱贫|专项|攻坚|精准|帮扶|就业|产业|发展|示范|经营|综合|特色|驻村|新|大|全新"
_HEAD_AFTER = re.compile(rf"^(?:的)?(?:{_MODIFIER}){{0,3}}(?:{_HEAD})")
# What follows a quote that is a designation, a spirit, a nickname or a media title.
_NOT_AFTER = re.compile(r"^(?:的)?(?:精神|之称|美誉|称号|系列报道|报道|专栏|栏目|节目|(?:深度)?贫困地区|地区)")
# Speech: a quote right after a speech verb is what someone said; after a colon, a long quote.
_SPEECH_BEFORE = re.compile(r"(?:说|道|表示|强调|指出|认为|称|问|答|讲|感慨|介绍|告诉|坦言|回忆|喊|写|唱)[,:]?$")
# Honours are awarded, not implemented (被表彰为“优秀共产党员”, 评选“十大金牌工人”).
_HONOUR_BEFORE = re.compile(r"评选|评为|授予|荣获|获得|表彰|被评|荣膺")

# The shape of a program name in its own right.
_NUMERAL = "一二两三四五六七八九十百千万双"
_NUMBERED = re.compile(
    rf"^[{_NUMERAL}][^{_NUMERAL}]{{1,4}}[{_NUMERAL}]"  # 两不愁三保障, 一村一品, 三到村三到户
    rf"|^[{_NUMERAL}]个[{HAN}]{{1,4}}$"  # 五个一批, 六个精准
    rf"|^[{_NUMERAL}][{HAN}]{{2}}$"  # 三走访, 三保障
    r"|\+"  # 1+5, 扶贫+城改+代理财
    r"|^(.)对\1$"  # 点对点, 一对一
)
_CLAUSE = re.compile(r"都|能|是|了")  # 一个都不能少 is a vow, not a name
_NAME_HEAD = re.compile(rf"(?:{_HEAD}|日|周|节)$")  # 雨露计划, 清河行动, 扶贫日

# Not programs, even in quotes (guideline "NOT a PROGRAM" and settled cases).
_ATTITUDE = {"四个意识", "四个自信", "两个维护", "两个确立", "四个全面"}
_PERIOD = re.compile(rf"^[{_NUMERAL}]+五$|期间$")  # 十三五, 十二五
_HONOUR = re.compile(r"(奖|奖章|勋章|称号|标兵|模范|楷模|能手|之星|明星|先进集体|先进个人|之乡|之称)$"
                     r"|^(优秀|最美|感动|十佳|百佳|中国)")
_BODY = re.compile(r"(两委|委员会|支部|党组|小组|合作社|协会|队|办|局|中心|公司)$")
_PERSON = re.compile(r"(书记|长|员|者|人|手|家|兵|生|医生|姐妹|兄弟|大哥|大姐|妈妈|老师|学生)$")
_PLACE = re.compile(r"[村镇乡县市省区州山河湖]$")
_MEDIA = re.compile(r"(答卷|报道|系列|专栏|日报|晚报|新闻|纪事|故事)$")


def _is_program(body: str, before: str, after: str) -> bool:
    """The guideline's test for one quoted phrase, from its text and the words around it."""
    if len(body) <= 2 or body in _ATTITUDE or _PERIOD.search(body) or body in idioms():
        return False
    long = len(body) > 8 or any(c in body for c in ",;:")
    if body[-1] in "。!?;" or _SPEECH_BEFORE.search(before) or (long and before.endswith(":")):
        return False
    numbered = _NUMBERED.search(body) is not None
    if (_HONOUR.search(body) or _BODY.search(body) or _MEDIA.search(body)
            or (_PLACE.search(body) and not numbered)  # 目本新村 is a place; 百企帮百村 a program
            or _HONOUR_BEFORE.search(before) or _NOT_AFTER.match(after)):
        return False
    head_after = _HEAD_AFTER.match(after) is not None
    if _PERSON.search(body) and not head_after:
        return False
    if head_after or _LAUNCH_BEFORE.search(before) or _LISTED.fullmatch(body):
        return len(body) <= 30 or "、" in body
    # On its shape alone, a name stands by itself: “十年九旱”的日子 describes, it names nothing.
    return (len(body) <= 20 and not after.startswith("的") and not _CLAUSE.search(body)
            and (numbered or _NAME_HEAD.search(body) is not None))


def program_quoted(text: str) -> list[tuple[int, int]]:
    """Text inside quotation marks that names a program: “雨露计划” → 雨露计划."""
    out = []
    for m in QUOTED.finditer(text):
        group = m.lastindex or 1
        start, end = m.span(group)
        body = m.group(group)
        before = text[max(0, start - 9):start - 1].rstrip()
        after = text[end + 1:end + 9]
        if body.strip() == body and _is_program(body, before, after):
            out.append((start, end))
    return out


# 《…》 titles of policies, plans, notices, measures and mechanisms (not of media or reports),
# optionally with a status in brackets: 《…条例(试行)》, 《…意见(讨论稿)》.
_TITLE = re.compile(
    r"《([^《》\n]{2,80}?(?:计划|方案|意见|通知|办法|规划|措施|决定|条例|细则|纲要|规定|要求|要点|安排|制度"
    r"|机制|政策|标准|规范|准则|指南|清单|法)(?:\([^()\n]{1,12}\))?)》"
)


def program_title(text: str) -> list[tuple[int, int]]:
    """《沣东新城2019年脱贫攻坚工作计划》 → the whole title; 《新闻联播》 is no program."""
    return [m.span(1) for m in _TITLE.finditer(text)]


# The guideline's closed list of names that are programs even without quotes, with the
# punctuation variants met in text (两不愁、三保障).
_LISTED = re.compile(
    r"两不愁[、,\s]?三保障|雨露计划|百企帮百村|万企帮万村|千企帮千村|新农合(?!作)|先诊疗[、,\s]?后付费"
    r"|一站式结算|以奖代扶|营养改善计划|防贫保"
)


def program_list(text: str) -> list[tuple[int, int]]:
    """Established program names from the guideline's closed list, quoted or not."""
    return [m.span() for m in _LISTED.finditer(text)]


LABELLING_FUNCTIONS: list[LabellingFunction] = [
    LabellingFunction("program_quoted", "PROGRAM", program_quoted, tier=TIER_MARKED),
    LabellingFunction("program_title", "PROGRAM", program_title, tier=TIER_MARKED),
    # Unquoted list names compete with place names on length, like any unmarked word.
    LabellingFunction("program_list", "PROGRAM", program_list, tier=TIER_PLACE),
]
