"""The matching form folds script, width, punctuation, layout and masks, and drops chrome."""
from dedup_fixtures import speeches  # noqa: F401 (fixture)
from ingest.dedup.matching import chrome_flags, is_traditional, matching_form


def test_traditional_folds_to_the_simplified_form(speeches):
    v = speeches["003"]
    for config in ("s2t", "s2hk", "s2tw"):
        form = matching_form(v.traditional(config))
        assert form.was_traditional
        assert form.text == matching_form(v.original()).text


def test_a_few_traditional_titles_do_not_make_a_text_traditional(speeches):
    v = speeches["003"]
    form = matching_form(v.original() + "\n義大利公開賽 茲韋列夫封王")
    assert not form.was_traditional
    assert is_traditional("義大利公開賽") and not is_traditional(v.original())


def test_width_punctuation_and_layout_are_folded(speeches):
    v = speeches["002"]
    base = matching_form(v.original()).text
    assert matching_form(v.halfwidth()).text == base
    assert matching_form("ＡＢＣ１２３，测试") .text == "abc123测试"
    # hard-wrapped, indented, merged paragraphs: the same characters in the same order
    assert matching_form(v.layout()).text == matching_form("\n".join(v.paras)).text


def test_masking_markers_are_neutralised_and_reported():
    plain = matching_form("请市委书记讲话，XX市和x学院参加，党的XX大精神。")
    assert plain.has_masking
    assert plain.text == "请市委书记讲话市和学院参加党的大精神"
    assert matching_form("**书记主持会议").text == matching_form("XX书记主持会议").text == "书记主持会议"
    english = matching_form("Alexander Zverev won in Rome, box office 6x")
    assert "alexanderzverev" in english.text and "box" in english.text


def test_forum_news_and_site_chrome_is_dropped(speeches):
    v = speeches["004"]
    noisy = "\n".join([
        "江夏客", "发表于 2020-2-16 04:01:27 | 只看该作者 | 倒序浏览 | 阅读模式",
        "本帖最后由 江夏客 于 2020-2-16 06:01 编辑", v.original(),
        "------------------", "认真写好每一篇稿子",
        "来源：齐鲁网　编辑：蒋琳　终审：朱峰", "[责任编辑：钱程]",
        "回复 引用 举报", "【版权说明】本站部分内容由用户上传或转载自互联网，仅供参考学习，不代表本站观点。",
        "网站简介 | 联系方式 | 隐私条款 | 广告合作", "猜你喜欢：", "▪ 另一篇讲话的标题", "另一篇没有符号的标题",
    ])
    form = matching_form(noisy)
    assert form.text == matching_form(v.original()).text
    assert form.dropped_lines >= 10


def test_a_list_header_near_the_top_is_one_ad_line_not_a_list(speeches):
    lines = ["今日推荐", "“妈妈，为什么还不能出去？”", "“宝贝，我们在打一场无声的战役。”"] + speeches["004"].paras
    assert chrome_flags(lines)[:3] == [True, False, False]


def test_fold_lines_equals_fold_line_on_every_kind_of_character():
    import random

    from ingest.dedup.matching import fold_line, fold_lines

    rng = random.Random(7)
    alphabet = ("xX×*○〇İK" "abcXYZ09 ，。！？：；“”‘’（）《》、—…·\t"
                "１２ＡＢｘＸ" "同志们讲话書記說衞" "\u3400\u4dbf\uf900\U00020000ΣΩЖ")
    lines = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(400)]
    lines += ["**书记", "XX市委", "box of x", "×××县", "○○同志", "ab×x", "xxxx", ""]
    folded, masked = fold_lines(lines)
    one_by_one = [fold_line(line) for line in lines]
    assert folded == [f for f, _ in one_by_one]
    assert masked == any(m for _, m in one_by_one)
    assert fold_lines(["a\x00b", "c"]) == ([fold_line("a\x00b")[0], "c"], False)


def test_matching_form_equals_folding_the_kept_lines_one_by_one():
    import random

    from ingest.dedup.matching import fold_line, looks_like_title, prepare

    rng = random.Random(5)
    pieces = ["中华人民共和国国务院总理李强", "x", "X", "xx", "××", "**", "○○", "1.5", "。", " ", "\n", "  \n", "\t",
              "\u3000", "abc", "Ｘ", "ｘ学院", "ＡＢ１", "發表於2020-1-1", "今日推荐", "\x00", "İ", "——————"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        p = prepare(text)
        kept = [line.strip() for line, bad in zip(p.simple, p.flags) if not bad and line.strip()]
        folded = [fold_line(line) for line in kept]
        parts = [f for f, _ in folded if f]
        form = matching_form(text)
        assert (form.text, form.lines, form.has_masking) == ("".join(parts), parts, any(m for _, m in folded)), text
        titled = len(kept) >= 3 and looks_like_title(kept[0]) and bool(folded[0][0])
        assert form.title_lines == int(titled), text
