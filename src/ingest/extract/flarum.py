"""Flarum discussions: the starter's `CommentPost` body, without the best-answer box in its footer."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

FLARUM = FirstPostEngine(
    name="flarum",
    detect=f"//div[{cls('PostStream')}]//article[{cls('CommentPost')}]",
    body=f"(//div[{cls('PostStream-item')}]//article[{cls('CommentPost')}]/div[{cls('Post-body')}]"
         f" | //div[{cls('PostStream-item')}]//article[{cls('CommentPost')}]//div[{cls('Post-body')}]"
         f"[not(ancestor::footer)])[1]",
    post=f"ancestor::article[{cls('CommentPost')}][1]",
    poster=f".//h3[{cls('PostUser-name')}]//span[{cls('username')}]",
    time=".//time/@datetime",
    title=f"//h1[{cls('DiscussionHero-title')}] | //h2[{cls('DiscussionHero-title')}]",
)
