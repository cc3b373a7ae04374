"""The edition folder and the site around it: every file name, in one place.

```
<out>/<report>/                 the site (index.html, feed.xml, sitemap.xml, posts/)
  <YYYY>-Www/                   one edition
    index.html  article.md  article.pdf  email.html  email.txt  email-web.html  facts.json
    charts/                     NAME.png, NAME.svg, NAME-narrow.svg, NAME.csv (the chart's data)
  data/index.html               every edition's facts.json and chart data, listed
  methodology/index.html        sources, coverage, definitions, caveats, how figures are checked
  corrections/index.html        every correction, newest first
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
EMAIL_WEB = "email-web.html"  # the digest's web copy ("view in browser"): absolute URLs, no placeholder
CHARTS_DIR = "charts"
CHART_SUFFIXES = (".png", ".svg", ".csv")
NARROW_SUFFIX = "-narrow"  # charts/NAME-narrow.svg: the chart drawn for a phone
# The email's own copy of a chart, smaller than the page's: charts/NAME.email.png, cid:NAME.
EMAIL_CHART_SUFFIX = ".email.png"
EMAIL_CHART_WIDTH = 1200  # a 600-px column at 2×

ARCHIVE = "index.html"
FEED = "feed.xml"
RSS = "rss.xml"
SITEMAP = "sitemap.xml"
SITE_FILES = (ARCHIVE, FEED, RSS, SITEMAP)
DATA_PAGE = "data/index.html"
METHODOLOGY_PAGE = "methodology/index.html"
CORRECTIONS_PAGE = "corrections/index.html"
SITE_PAGES = (DATA_PAGE, METHODOLOGY_PAGE, CORRECTIONS_PAGE)
POSTS_DIR = "posts"
