"""Q&A pages (Baidu Zhidao style): the best answer, else the first answer; never the question or ads."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

ZHIDAO = FirstPostEngine(
    name="zhidao",
    detect="//div[starts-with(@id, 'best-content-')] | //div[starts-with(@id, 'answer-content-')]",
    body="(//div[starts-with(@id, 'best-content-')] | //div[starts-with(@id, 'answer-content-')])[1]",
    drop=(("qa.expand_button", f".//*[{cls('wgt-best-mask')}] | .//*[{cls('show-answer-dispute')}]"),),
    title=f"//span[{cls('ask-title')}] | //h1",
)
