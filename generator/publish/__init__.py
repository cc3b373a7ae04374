"""Publishing a report's site: the archive page, the Atom feed and the sitemap."""

from __future__ import annotations

from generator.publish.site import SiteEntry, SiteResult, publish_site, scan_editions

__all__ = ["SiteEntry", "SiteResult", "publish_site", "scan_editions"]
