"""Zhihu question/answer pages: the answer the URL names, else the top answer; not the question."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

ZHIHU = FirstPostEngine(
    name="zhihu",
    detect=f"//div[{cls('QuestionPage')}] | //div[{cls('Question-main')}]",
    body=f"(//div[{cls('QuestionAnswer-content')}]//div[{cls('RichContent-inner')}]"
         f" | //div[{cls('List-item')}]//div[{cls('RichContent-inner')}]"
         f" | //div[{cls('ContentItem')}]//div[{cls('RichContent-inner')}])[1]",
    post=f"ancestor::div[{cls('ContentItem')}][1]",
    poster=f".//div[{cls('AuthorInfo')}]//meta[@itemprop='name']/@content | .//a[{cls('UserLink-link')}]",
    time=f".//div[{cls('ContentItem-time')}]",
    title=f"//h1[{cls('QuestionHeader-title')}] | //h1",
)
