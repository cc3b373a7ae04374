"""The edition folder and the site around it: every file name, in one place.

```
<out>/<report>/                 the site (index.html, feed.xml, sitemap.xml, posts/)
  <YYYY>-Www/                   one edition
    index.html  article.md  article.pdf  email.html  email.txt  facts.json  charts/
```
Renderers declare which of these files they write (`Renderer.outputs`); the check reads each
declared text, and refuses a file in an edition that no renderer declares.
"""

from __future__ import annotations

FACTS = "facts.json"
PAGE = "index.html"
ARTICLE = "article.md"
PDF = "article.pdf"
EMAIL_HTML = "email.html"
EMAIL_TEXT = "email.txt"
CHARTS_DIR = "charts"
CHART_SUFFIXES = (".png", ".svg")
# The email's own copy of a chart, smaller than the page's: charts/NAME.email.png, cid:NAME.
EMAIL_CHART_SUFFIX = ".email.png"
EMAIL_CHART_WIDTH = 1200  # a 600-px column at 2×

ARCHIVE = "index.html"
FEED = "feed.xml"
SITEMAP = "sitemap.xml"
SITE_FILES = (ARCHIVE, FEED, SITEMAP)
POSTS_DIR = "posts"
