"""Plain-text files become one paragraph per non-blank line."""
from ingest.extract import extract_text


def test_paragraphs_are_non_blank_lines_without_indentation():
    out = extract_text("标题\n\n\u3000\u3000第一段。\n  第二段。 \n\n")
    assert out.paragraphs == ["标题", "第一段。", "第二段。"]
    assert out.extractor == "text"
