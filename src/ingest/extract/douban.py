"""Douban group topics: the topic's rich text, not the comment list."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

DOUBAN_GROUP = FirstPostEngine(
    name="douban_group",
    detect=f"//div[{cls('topic-content')}]//div[{cls('topic-richtext')}]",
    body=f"//div[{cls('topic-content')}]//div[{cls('topic-richtext')}]",
    post=f"ancestor::div[{cls('topic-content')}][1]",
    poster=f"//div[{cls('topic-doc')}]//span[{cls('from')}]/a",
    time=f"//div[{cls('topic-doc')}]//span[{cls('create-time')}]",
    title="//h1",
)
