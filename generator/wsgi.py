"""`application`: the report's public endpoints for any WSGI server, configured from the environment.

    WEEKLY_REPORT=/srv/weekly/reports/mine WEEKLY_STATE_DIR=/var/lib/weekly WEEKLY_SECRET=... \\
        gunicorn --workers 2 --threads 8 generator.wsgi:application

It is the app `weekly serve` runs (`generator.delivery.web.PublicApp`): the report comes from
`WEEKLY_REPORT`, else `report.toml` in the current folder; the rest from the variables of the
README's delivery section. A missing or wrong variable stops the import with one line.
"""

from __future__ import annotations

from generator.delivery.endpoint import app_from_env
from generator.report import choose_report

application = app_from_env(choose_report(None))
