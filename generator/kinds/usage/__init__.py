"""The `usage` kind: any weekly count per item (downloads per package, visits per page),
with optional groups of items and display names; its words come from `[words]`."""

from __future__ import annotations

from generator.kinds.base import Digest, Kind
from generator.kinds.usage.charts import usage_charts
from generator.kinds.usage.facts import compute_usage_facts
from generator.kinds.usage.load import load_usage_data
from generator.kinds.usage.story import write_usage_story

# Six weeks of visits to four pages of a website, in three sections.
STARTER_USAGE = """\
week,item,value,group,name
2026-04-06,/docs/install,52000,docs,Install guide
2026-04-06,/blog/launch,30000,blog,Launch post
2026-04-06,/docs/api,41000,docs,API reference
2026-04-06,/pricing,38000,site,Pricing
2026-04-13,/docs/install,53560,docs,Install guide
2026-04-13,/blog/launch,28500,blog,Launch post
2026-04-13,/docs/api,43460,docs,API reference
2026-04-13,/pricing,38380,site,Pricing
2026-04-20,/docs/install,55166,docs,Install guide
2026-04-20,/blog/launch,27075,blog,Launch post
2026-04-20,/docs/api,46067,docs,API reference
2026-04-20,/pricing,38763,site,Pricing
2026-04-27,/docs/install,56821,docs,Install guide
2026-04-27,/blog/launch,25721,blog,Launch post
2026-04-27,/docs/api,48831,docs,API reference
2026-04-27,/pricing,39151,site,Pricing
2026-05-04,/docs/install,58526,docs,Install guide
2026-05-04,/blog/launch,24435,blog,Launch post
2026-05-04,/docs/api,51761,docs,API reference
2026-05-04,/pricing,39542,site,Pricing
2026-05-11,/docs/install,60282,docs,Install guide
2026-05-11,/blog/launch,23213,blog,Launch post
2026-05-11,/docs/api,54867,docs,API reference
2026-05-11,/pricing,39938,site,Pricing
"""

KIND = Kind(
    name="usage",
    description="any weekly count per item, with optional groups; nouns set by [words]",
    load=load_usage_data,
    facts=compute_usage_facts,
    story=write_usage_story,
    charts=usage_charts,
    digest=Digest(charts=("total", "top_items"), table_section="rankings"),
    definitions=(
        ("Week", "Monday to Sunday; an edition is named by the ISO week (YYYY-Www) of its Monday."),
        ("Item", "One row of the data per week; the report's [words] name it."),
        ("Change", "This week against the week before, in percent; none where there is no week "
                   "before."),
    ),
    starter_settings="\n".join((
        'data.usage = "data/usage.csv"', 'words.item = "page"', 'words.items = "pages"',
        'words.unit = "visit"', 'words.units = "visits"', 'words.group = "section"',
        'words.groups = "sections"')),
    starter_files=(("data/usage.csv", STARTER_USAGE),),
)
