"""Homeland (Ruby China style) topics: the topic card's markdown body, not the replies."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

HOMELAND = FirstPostEngine(
    name="homeland",
    detect=f"//div[{cls('topic-detail')}]//div[{cls('markdown')}]",
    body=f"//div[{cls('topic-detail')}]//div[{cls('markdown')}]",
    post=f"ancestor::div[{cls('topic-detail')}][1]",
    poster=f"//div[{cls('topic-detail')}]//a[{cls('user-name')}]",
    time=f"//div[{cls('topic-detail')}]//abbr[{cls('timeago')}]/@title",
    title=f"//div[{cls('topic-detail')}]//h1 | //h1",
)
