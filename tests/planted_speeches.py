"""A planted corpus for the analyst features: 20 speeches whose terms, dates and organisations
the tests control, plus one exact repost, ingested once per session through the real `ingest run`.

Bodies are comma-separated items (planted terms and filler words the segmenter keeps whole), so
every item is its own token and the tests know each speech's terms; a few verbatim sentences give
KWIC known contexts. Filler is drawn per speech from a seeded generator: unrelated speeches share
no passage, so none of them is taken for a duplicate of another.
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from warehouse_db import open_db

FILLER = ("春风 田野 山河 河流 森林 草原 湖泊 海洋 星空 月亮 太阳 云朵 雨水 雪花 花朵 树木 石头 沙漠 高山 平原 "
          "村庄 街道 桥梁 道路 房屋 农田 果园 茶叶 稻谷 小麦 玉米 蔬菜 水果 牛羊 鸡鸭 码头 灯塔 书籍 钢琴 画家").split()
PLEDGE = "我们要坚定拥护“两个确立”、坚决做到“两个维护”。"
DEFEND = "始终把捍卫“两个确立”的信念融入血脉。"


@dataclass(frozen=True)
class Planted:
    name: str
    title: str
    date: str | None  # as the forum header writes it; None: no header, an undated speech
    items: dict[str, int]  # planted item -> how many times
    filler: int
    lines: tuple[str, ...] = ()  # verbatim sentences, each its own paragraph after the first
    organization: str | None = None
    speaker: str | None = None
    genre: str | None = None

    def body(self) -> str:
        rng = random.Random(self.name)
        items = [w for w, n in self.items.items() for _ in range(n)] + [rng.choice(FILLER) for _ in range(self.filler)]
        rng.shuffle(items)
        sentences = ["，".join(items[i:i + 8]) + "。" for i in range(0, len(items), 8)]
        paragraphs = ["".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]
        return "\n".join(paragraphs[:1] + list(self.lines) + paragraphs[1:])

    def file_text(self, header_date: str | None = None) -> str:
        when = header_date or self.date
        header = f"秘书小王 发表于 {when} 09:00:00\n\n" if when else ""
        return f"{header}{self.title}\n\n{self.body()}\n"


def _org(name, org, event, genre, date, items, filler, lines=()):
    return Planted(name, f"{org}在{event}上的{genre}", date, items, filler, lines, organization=org, genre=genre)


def _spk(name, speaker, event, genre, date, items, filler, lines=()):
    return Planted(name, f"{speaker}在{event}上的{genre}", date, items, filler, lines, speaker=speaker, genre=genre)


SPEECHES = (
    _org("s01", "市科技局", "全市科技工作会议", "讲话", "2024-1-15", {"新质生产力": 4, "培育新质生产力": 2, "人才": 2}, 100),
    _org("s02", "市科技局", "市委理论学习中心组集体学习会", "交流发言", "2024-1-20", {"新质生产力": 3, "人才": 3}, 100),
    _org("s03", "市教育局", "全市教育工作会议", "讲话", "2024-2-3", {"新质生产力": 1, "人才": 1}, 100),
    _org("s04", "县委宣传部", "全县宣传工作会议", "讲话", "2024-2-10", {"新质生产力": 6, "人才": 2}, 300),
    _org("s05", "市科技局", "全市组织工作会议", "汇报发言", "2024-3-5", {"新质生产力": 6, "培育新质生产力": 2}, 120),
    _org("s06", "市教育局", "全市人才工作会议", "讲话", "2024-3-12", {"人才": 5}, 100),
    _spk("s07", "市委书记", "全市组织工作会议", "讲话", "2024-3-20", {"全面从严治党": 2}, 80, (PLEDGE,)),
    _org("s08", "县委宣传部", "主题教育读书班", "表态发言", "2024-4-2", {"组织工作": 2}, 80, (PLEDGE,)),
    _org("s09", "市教育局", "年度工作务虚会", "交流发言", None, {"新质生产力": 3, "人才": 1}, 90, (DEFEND,)),
    _org("s10", "市科技局", "经济运行调度会", "讲话", "2024-4-18", {"组织": 2, "工作": 2}, 90),
    _org("s11", "区发改委", "全区发展改革工作会议", "讲话", "2024-5-6", {"组织工作": 1, "新质生产力": 2}, 90),
    _org("s12", "区发改委", "全面从严治党工作会议", "研讨发言", "2024-5-21", {"全面从严治党": 3}, 110),
    _spk("s13", "县长", "全县经济工作会议", "讲话", "2024-6-1", {"人才": 2, "新质生产力": 1}, 200),
    _org("s14", "市财政局", "全市财政工作会议", "讲话", "2024-6-15", {}, 100),
    _org("s15", "市财政局", "预算执行调度会", "讲话", None, {"新质生产力": 2}, 100),
    _org("s16", "镇党委", "全镇干部大会", "讲话", "2024-1-28", {"人才": 1}, 100),
    _org("s17", "镇党委", "三季度工作点评会", "汇报发言", "2024-2-22", {}, 100),
    _org("s18", "市商务局", "全市商务工作会议", "讲话", "2024-4-30", {"新质生产力": 1}, 150),
    _org("s19", "市商务局", "巡察整改推进会", "讲话", "2024-5-30", {}, 100),
    _org("s20", "团市委", "全市共青团工作会议", "讲话", None, {"全面从严治党": 1}, 100),
)
BY_NAME = {s.name: s for s in SPEECHES}
# An exact repost of s01, posted later: a duplicate, never a search result, not in any statistic.
REPOST_OF, REPOST_DATE = "s01", "2024-7-1"


def write_corpus(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for s in SPEECHES:
        (directory / f"{s.name}.txt").write_text(s.file_text(), "utf-8")
    (directory / f"r01_repost_of_{REPOST_OF}.txt").write_text(BY_NAME[REPOST_OF].file_text(REPOST_DATE), "utf-8")
    return directory


@dataclass
class PlantedWarehouse:
    root: Path
    corpus: Path
    run_output: str
    names: dict[str, str] = field(default_factory=dict)  # doc_id -> speech name (s01 ...; r01 for the repost)


_built: dict[str, PlantedWarehouse] = {}


def planted_warehouse(api_url: str, base: Path) -> PlantedWarehouse:
    """The planted corpus ingested by the real `ingest run` into a real warehouse, once per session."""
    if api_url in _built:
        return _built[api_url]
    corpus = write_corpus(base / "planted")
    root = base / "planted-wh"
    env = {**os.environ, "PREFECT_API_URL": api_url, "COLUMNS": "200"}
    proc = subprocess.run([str(Path(sys.executable).with_name("ingest")), "run", str(corpus), "--warehouse", str(root)],
                          capture_output=True, text=True, env=env, timeout=600)
    if proc.returncode != 0:
        raise AssertionError(f"ingest run exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")

    con = open_db(str(root / "speeches.duckdb"))
    try:
        names = {d: Path(u).stem.split("_")[0] for d, u in con.execute("SELECT doc_id, source_uri FROM documents").fetchall()}
    finally:
        con.close()
    _built[api_url] = PlantedWarehouse(root, corpus, proc.stdout + proc.stderr, names)
    return _built[api_url]
