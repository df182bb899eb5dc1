"""The page registry: one row per page. A page appears only when its script exists, so work in progress
never shows up as an empty shell."""
from __future__ import annotations

from dataclasses import dataclass

from civic import paths


@dataclass(frozen=True)
class PageSpec:
    id: str                 # URL path; "" is the default page at /
    file: str               # relative to the project root
    title_key: str
    section_key: str
    icon: str
    filters: frozenset[str] = frozenset({"town", "date"})
    counties: tuple[str, ...] = ("140423", "511823")   # whose towns the township filter offers
    hidden: bool = False     # routed but not in the menu (the exhibition screen)
    kiosk: bool = False      # no sidebar, no shared filters
    admin: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "pages/overview.py", "nav.overview", "nav.home_section", "",
             filters=frozenset({"county", "town", "date"})),
    PageSpec("renovation", "pages/renovation.py", "renovation.nav", "nav.renovation_section",
             "", filters=frozenset({"town"}), counties=("511823",)),
    PageSpec("cogovernance", "pages/cogovernance.py", "cogovernance.nav", "nav.renovation_section",
             "", filters=frozenset({"town", "date"}), counties=("511823",)),
    PageSpec("stations", "pages/stations.py", "map.nav", "nav.practice_section", "",
             counties=("140423",)),
    PageSpec("volunteer", "pages/volunteer.py", "volunteer.nav", "nav.practice_section",
             "", counties=("140423",)),
    PageSpec("scorecard", "pages/scorecard.py", "scorecard.nav", "nav.analysis_section", "",
             filters=frozenset({"county", "town", "date"})),
    PageSpec("completeness", "pages/completeness.py", "completeness.nav", "nav.analysis_section", "",
             filters=frozenset({"town"}), counties=("140423",)),
    PageSpec("admin", "pages/admin.py", "admin.nav", "nav.admin_section", "",
             filters=frozenset(), admin=True),
    PageSpec("screen", "pages/screen.py", "screen.nav", "nav.home_section", "",
             filters=frozenset(), hidden=True, kiosk=True),
)


def available() -> list[PageSpec]:
    return [p for p in PAGES if (paths.ROOT / p.file).exists()]


def by_id(page_id: str) -> PageSpec | None:
    return next((p for p in PAGES if p.id == page_id), None)
