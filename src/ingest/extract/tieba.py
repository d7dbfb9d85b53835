"""Baidu Tieba thread pages: the first floor's `d_post_content`, not the replies."""
from ingest.extract.dom import cls
from ingest.extract.first_post import FirstPostEngine

TIEBA = FirstPostEngine(
    name="tieba",
    detect=f"//div[@id='j_p_postlist'] | //div[{cls('l_post')}]//div[{cls('d_post_content')}]",
    body=f"(//div[{cls('l_post')}]//div[{cls('d_post_content')}])[1]",
    post=f"ancestor::div[{cls('l_post')}][1]",
    drop=(("tieba.in_post_ad", f".//div[{cls('save_face_bg')}] | .//div[{cls('post_bubble_top')}]"),),
    poster=f".//a[{cls('p_author_name')}]",
    time=f".//div[{cls('post-tail-wrap')}]//span[{cls('tail-info')}][last()]",
    title=f"//h3[{cls('core_title_txt')}] | //h1[{cls('core_title_txt')}]",
)
