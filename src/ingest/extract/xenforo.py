"""XenForo threads: the first `message--post` body, without quotes and signatures."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

XENFORO = FirstPostEngine(
    name="xenforo",
    detect=f"//article[{cls('message--post')}]//div[{cls('bbWrapper')}]",
    body=f"(//article[{cls('message--post')}]//article[{cls('message-body')}]//div[{cls('bbWrapper')}]"
         f" | //article[{cls('message--post')}]//div[{cls('message-userContent')}]//div[{cls('bbWrapper')}])[1]",
    post=f"ancestor::article[{cls('message--post')}][1]",
    drop=(("xenforo.quote", f".//blockquote[{cls('bbCodeBlock--quote')}]"),),
    poster="./@data-author",
    time=".//time/@datetime",
    title=f"//h1[{cls('p-title-value')}]",
)
