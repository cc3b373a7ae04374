"""The edition folder and the site around it: every file name, in one place.

```
<out>/<report>/                 the site (index.html, feed.xml, sitemap.xml, posts/)
  <YYYY>-Www/                   one edition
    index.html  article.md  article.pdf  email.html  email.txt  email-web.html  facts.json  charts/
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
CHART_SUFFIXES = (".png", ".svg")

ARCHIVE = "index.html"
FEED = "feed.xml"
SITEMAP = "sitemap.xml"
SITE_FILES = (ARCHIVE, FEED, SITEMAP)
POSTS_DIR = "posts"
