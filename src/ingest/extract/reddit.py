"""Reddit threads (new and old layouts): the submission's self text, not the comment tree."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

REDDIT = FirstPostEngine(
    name="reddit",
    detect=f"//shreddit-post | //div[@id='siteTable']//div[{cls('link')}]",
    body=f"(//shreddit-post//div[@slot='text-body'] | //div[@id='siteTable']//div[{cls('expando')}]"
         f"//div[{cls('md')}])[1]",
    post=f"ancestor::shreddit-post[1] | ancestor::div[{cls('link')}][1]",
    poster="./@author | .//a[" + cls("author") + "]",
    time="./@created-timestamp | .//time/@datetime",
    title="//shreddit-post/@post-title | //a[" + cls("title") + "] | //h1",
)
