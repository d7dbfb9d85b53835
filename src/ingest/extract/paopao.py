"""paopao-ce micro-community posts: post text plus the links the poster attached, no comments."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

PAOPAO = FirstPostEngine(
    name="paopao",
    detect=f"//div[{cls('detail-item')}]//span[{cls('post-text')}]",
    body=f"//div[{cls('detail-item')}]//div[{cls('n-thing-main__content')}]",
    post=f"ancestor::div[{cls('detail-item')}][1]",
    extras=(f".//div[{cls('link-wrap')}]//span[{cls('link-txt')}]",),
    poster=f".//a[{cls('username-link')}]",
    time=f".//div[{cls('timestamp')}]",
    title="",
)
