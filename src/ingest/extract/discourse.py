"""Discourse topics (app view and the crawler view): post #1's cooked HTML only."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

DISCOURSE = FirstPostEngine(
    name="discourse",
    detect=f"//div[@id='post_1']//div[{cls('cooked')}] | //div[@id='post_1']//div[@itemprop='text']"
           f" | //meta[@name='generator' and starts-with(@content, 'Discourse')]",
    body=f"(//div[@id='post_1']//div[{cls('cooked')}] | //div[@id='post_1']//div[@itemprop='text']"
         f" | //div[{cls('topic-post')}]//div[{cls('cooked')}])[1]",
    post="ancestor::div[@id='post_1'][1]",
    drop=(("discourse.quote", ".//aside[" + cls("quote") + "]"),),
    poster=".//span[@itemprop='name'] | .//span[" + cls("username") + "]",
    time=".//time/@datetime",
    title="//h1",
)
