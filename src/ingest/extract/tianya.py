"""Tianya-style BBS threads: the host's first `bbs-content` block, not the replies."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

TIANYA = FirstPostEngine(
    name="tianya",
    detect=f"//div[{cls('atl-main')}]//div[{cls('bbs-content')}]",
    body=f"(//div[{cls('atl-main')}]//div[{cls('bbs-content')}])[1]",
    post=f"ancestor::div[{cls('atl-main')}][1]",
    poster=f"//div[{cls('atl-info')}]//a[@uname]/@uname",
    time=f"(//div[{cls('atl-info')}]//span[contains(., '时间')])[1]",
    title=f"//span[{cls('s_title')}] | //h1",
)
