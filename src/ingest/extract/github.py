"""GitHub issues and discussions: the opening comment's markdown body, not the replies."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

GITHUB = FirstPostEngine(
    name="github",
    detect=f"//div[{cls('js-discussion')}] | //div[@data-testid='issue-body']",
    body=f"(//div[@data-testid='issue-body']//div[{cls('markdown-body')}]"
         f" | //div[{cls('js-discussion')}]//td[{cls('comment-body')}]"
         f" | //div[{cls('js-discussion')}]//div[{cls('comment-body')}])[1]",
    post=f"ancestor::div[{cls('timeline-comment')}][1]",
    drop=(("github.quote", ".//blockquote[" + cls("email-quoted-reply") + "]"),),
    poster=f".//a[{cls('author')}]",
    time=".//relative-time/@datetime",
    title=f"//bdi[{cls('js-issue-title')}] | //h1",
)
