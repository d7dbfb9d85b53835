"""BBScloud community posts: `bbs-post-content`, not the comment list below it."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

BBSCLOUD = FirstPostEngine(
    name="bbscloud",
    detect=f"//div[{cls('bbs-post-content')}]",
    body=f"//div[{cls('bbs-post-content')}]",
    post=f"ancestor::div[{cls('detail-warp')}][1]",
    poster=f".//div[{cls('bbs-author')}]//span[1]",
    time=f".//div[{cls('bbs-author')}]",
)
