"""V2EX topics: the topic content plus the starter's appendices (附言), not the replies."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

V2EX = FirstPostEngine(
    name="v2ex",
    detect=f"//div[{cls('topic_content')}] | //div[{cls('reply_content')}]",
    body=f"(//div[{cls('topic_content')}])[1]",
    post=f"ancestor::div[{cls('box')}][1]",
    extras=(f".//div[{cls('subtle')}]//div[{cls('topic_content')}][position() > 0]",),
    poster=f".//div[{cls('header')}]//small[{cls('gray')}]/a",
    time=f".//div[{cls('header')}]//small[{cls('gray')}]/span/@title",
    title=f"//div[{cls('header')}]/h1 | //h1",
)
