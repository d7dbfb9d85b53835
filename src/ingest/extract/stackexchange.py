"""Stack Exchange questions: the question post (the thread starter), not the answers."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

STACKEXCHANGE = FirstPostEngine(
    name="stackexchange",
    detect=f"//div[@id='question']//div[{cls('s-prose')} or {cls('post-text')}]",
    body=f"(//div[@id='question']//div[{cls('s-prose')}] | //div[@id='question']//div[{cls('post-text')}])[1]",
    post="ancestor::div[@id='question'][1]",
    poster=f".//div[{cls('user-details')}]/a",
    time=".//time/@datetime | .//span[@class='relativetime']/@title",
    title="//div[@id='question-header']//h1 | //h1",
)
