"""vBulletin threads: the first `post_message_N` block, without quotes and signatures."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

VBULLETIN = FirstPostEngine(
    name="vbulletin",
    detect="//div[starts-with(@id, 'post_message_')]",
    body="(//div[starts-with(@id, 'post_message_')])[1]",
    post="ancestor::table[starts-with(@id, 'post')][1] | ancestor::li[starts-with(@id, 'post_')][1]",
    drop=(("vbulletin.quote", f".//div[{cls('bbcode_container')}] | .//blockquote"),),
    poster=f".//a[{cls('bigusername')}] | .//a[contains(@class, 'username')]",
    time=f".//span[{cls('date')}] | .//div[{cls('normal')}]",
    title="//h1 | //h2[" + cls("title") + "]",
)
