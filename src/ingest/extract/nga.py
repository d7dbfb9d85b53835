"""NGA threads: floor 0 (`postcontent0`), not the replies."""
from ingest.extract.first_post import FirstPostEngine

NGA = FirstPostEngine(
    name="nga",
    detect="//*[@id='postcontent0']",
    body="//*[@id='postcontent0']",
    poster="//*[@id='postauthor0']",
    time="//*[@id='postdate0']",
    title="//*[@id='postsubject0'] | //h1",
)
