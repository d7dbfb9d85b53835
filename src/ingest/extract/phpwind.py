"""phpwind threads: the `read_tpc` (topic) floor, not the replies (`read_N`)."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

PHPWIND = FirstPostEngine(
    name="phpwind",
    detect="//div[@id='read_tpc'] | //div[" + cls("tpc_content") + "]",
    body=f"(//div[@id='read_tpc'] | //div[{cls('tpc_content')}])[1]",
    post="ancestor::table[1] | ancestor::div[" + cls("read_t") + "][1]",
    drop=(("phpwind.quote", f".//div[{cls('blockquote')}] | .//blockquote"),
          ("phpwind.sign", f".//div[{cls('signature')}]")),
    poster=".//a[contains(@href, 'u.php?uid=') or contains(@href, 'uid-')][1]",
    time=".//span[contains(@title, '-')]/@title",
    title="//h1[@id='subject_tpc'] | //*[@id='subject_tpc']",
)
