"""NodeBB topics: post index 0's content component, not the replies."""
from ingest.extract.first_post import FirstPostEngine

NODEBB = FirstPostEngine(
    name="nodebb",
    detect="//*[@component='post/content']",
    body="(//*[@component='post' and @data-index='0']//*[@component='post/content'] | //*[@component='post/content'])[1]",
    post="ancestor::*[@component='post'][1]",
    drop=(("nodebb.quote", ".//blockquote"),),
    poster="./@data-username",
    time=".//span[@class='timeago']/@title | .//*[@component='post/timestamp']/@title",
    title="//*[@component='topic/title'] | //h1",
)
