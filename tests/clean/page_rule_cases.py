"""The body the page-rule edge tests put a line before or after, and the check each tail case gets."""
from ingest.clean.page_rules import apply_page_rules
from ingest.model import Extracted

BODY = [
    "今年以来，江南镇坚持把农村人居环境整治作为民生实事来抓，累计改造农村户厕一千二百余座。",
    "镇里组建了十支志愿服务队，每周开展一次环境卫生大扫除，群众参与的积极性越来越高。",
    "下一步，江南镇将继续完善长效管护机制，让乡村环境美起来、群众生活好起来。",
]


def tail(*lines: str, body=BODY):
    return apply_page_rules(Extracted(paragraphs=[*body, *lines]))


def assert_tail_line_removed(rule_id: str, line: str, meta: dict) -> None:
    """LINE after the body goes, as one hit of RULE_ID, and its META fields are filled."""
    out = tail(line)
    assert out.paragraphs == BODY
    assert [h.rule_id for h in out.hits] == [rule_id]
    assert out.hits[0].removed == line
    for key, value in meta.items():
        assert out.meta[key] == value
