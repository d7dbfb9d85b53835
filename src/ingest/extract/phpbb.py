"""phpBB topics: the first post's `postbody .content`, without quotes and signatures."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

PHPBB = FirstPostEngine(
    name="phpbb",
    detect=f"//div[{cls('post')}]//div[{cls('postbody')}]//div[{cls('content')}]",
    body=f"(//div[{cls('post')}]//div[{cls('postbody')}]//div[{cls('content')}])[1]",
    post=f"ancestor::div[{cls('post')}][1]",
    drop=(("phpbb.quote", ".//blockquote"), ("phpbb.signature", f".//div[{cls('signature')}]")),
    poster=f".//p[{cls('author')}]//a[contains(@class, 'username')]",
    time=f".//p[{cls('author')}]//time/@datetime",
    title=f"//h2[{cls('topic-title')}] | //h1",
)
