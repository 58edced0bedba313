"""The web review station and progress dashboard (`digitise serve`): an interface over records/.

Like the command line, it only calls the domain's functions (records/): review decisions,
estimates, exclusions, search and the figures all go through the same functions as the
`digitise` commands, each change one ledger transaction with an audit event naming the user.

    app.py        the application: its context, routes and error pages
    security.py   session cookies, CSRF tokens, the signed-in user, access checks, log hygiene
    auth.py       sign-in and sign-out pages
    review.py     the review queue, page images and the reviewer's actions
    figures.py    dashboard, survey summary, estimates and exclusions
    search.py     full-text search
    charts.py     the pages-per-day chart as inline SVG
"""

from web.app import WebContext, create_app
from web.security import access_log_filter

__all__ = ["WebContext", "access_log_filter", "create_app"]
