"""What the current snapshot knows that a row may refer to: towns, villages, sites, teams, compounds …
(Lookups), with the stemming that lets 西关村委会 match 西关村."""
from __future__ import annotations

import os
import re
from datetime import date
from typing import Callable, Iterable, NoReturn

import duckdb

from civic.importer.cells import _nfkc, _not_found, _suggest

# ── lookups (what the snapshot knows) ─────────────────────────────────────────────────────────
_VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会")


def _stem_village(s: str) -> str:
    return _strip_village(_nfkc(s))


def _strip_village(s: str) -> str:
    """_stem_village of a name already normalised (_nfkc)."""
    for suf in _VILLAGE_SUFFIXES:
        if s.endswith(suf) and len(s) > len(suf):
            s = s[: -len(suf)]
            break
    for suf in ("社区", "村"):
        if s.endswith(suf) and len(s) > len(suf):
            return s[: -len(suf)]
    return s


def _stem_town(s: str) -> str:
    s = _nfkc(s)
    for suf in ("街道办事处", "街道", "镇", "乡"):
        if s.endswith(suf) and len(s) > len(suf):
            return s[: -len(suf)]
    return s


class Bad(Exception):
    """A reference that does not resolve; the message is the reason shown to the user."""

    def __init__(self, reason: str, code: str = "unknown_place"):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _rows(con, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


_published: tuple[str, "Lookups"] | None = None


def of_snapshot(con: duckdb.DuckDBPyConnection, path, build: Callable[..., Lookups] | None = None) -> Lookups:
    """The lookups of a published snapshot, `con` being open on its file: built once per snapshot and
    process (a published file never changes, and at province scale building them takes seconds: every
    place name normalised). Callers must not change what they get (templates copy it to set sample_day);
    a working copy under the writer lock is not published, so it always gets `Lookups(con)`."""
    global _published
    st = os.stat(path)
    key = f"{path}|{st.st_ino}|{st.st_size}|{st.st_mtime_ns}"    # a path reused for another file is another key
    cached = _published
    if cached is not None and cached[0] == key:
        return cached[1]
    lk = (build or Lookups)(con)
    _published = (key, lk)
    return lk


class Lookups:
    """Everything validation needs from a snapshot, loaded once per check."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.sample_day: date | None = None     # samples: every date on this day (templates.sample_rows)
        self.memo: dict = {}     # what samplers derive from these (shared by copies: the lookups never change)
        self.meta = {r["key"]: r["value"] for r in _rows(con, "SELECT key, value FROM meta")}
        self.counties = {r["county_code"]: r for r in _rows(con, "SELECT * FROM counties")}
        self.practice_counties = {c for c, r in self.counties.items() if r["programme"] == "文明实践"}
        self.renovation_counties = {c for c, r in self.counties.items() if r["programme"] == "小区治理"}
        self.towns = {r["town_code"]: r for r in _rows(con, "SELECT town_code, county_code, name, kind FROM towns")}
        self.villages = {r["village_code"]: r for r in
                         _rows(con, "SELECT village_code, town_code, name, name_full, kind FROM villages")}
        self.communities = {r["community_code"] for r in _rows(con, "SELECT community_code FROM communities")}
        self.sites = {r["site_id"]: r for r in _rows(
            con, "SELECT site_id, level, name, county_code, town_code, village_code, base_kind, lon, lat, "
                 "coord_quality, opened_date FROM sites")}
        self.teams = {r["team_id"]: r for r in _rows(
            con, "SELECT team_id, name, team_type, county_code, town_code, site_id FROM teams")}
        self.branches = {r["branch_id"]: r for r in _rows(
            con, "SELECT branch_id, name, county_code, town_code FROM party_branches")}
        self.compounds = {r["compound_id"]: r for r in _rows(
            con, "SELECT compound_id, name, community_code, town_code, status, lon, lat FROM compounds")}
        # meetings a decision may refer to, and which of them already have one (meeting_decisions)
        self.meetings = {r["meeting_id"]: r for r in _rows(
            con, "SELECT meeting_id, meeting_date, meeting_type, compound_id FROM meetings")}
        self.decided = {r["meeting_id"] for r in _rows(con, "SELECT meeting_id FROM meeting_decisions")}
        self.scheduled = {(r["compound_id"], r["meeting_date"]) for r in _rows(
            con, "SELECT compound_id, meeting_date FROM scheduled_meetings")}
        self.concern_areas = tuple(r["area"] for r in _rows(con, "SELECT area FROM concern_areas ORDER BY ord"))
        self.work_units = {r["category"]: r["unit"] for r in _rows(
            con, "SELECT category, unit FROM work_categories ORDER BY ord")}
        self._indexes: dict[str, dict] = {}
        self.bbox = self._bboxes(con)

    # The name indexes are built on first use, each alone, and kept in a dict that copies share: at province
    # scale normalising every village name takes seconds, and the sample download needs only the teams'.
    def _index(self, name: str) -> dict:
        built = self._indexes.get(name)
        if built is None:
            built = self._indexes[name] = _INDEXES[name](self)
        return built

    @property
    def town_by_name(self) -> dict[str, list[str]]:
        return self._index("town_by_name")

    @property
    def village_by_name(self) -> dict[str, list[str]]:
        return self._index("village_by_name")

    @property
    def site_by_name(self) -> dict[str, list[str]]:
        return self._index("site_by_name")

    @property
    def team_by_name(self) -> dict[str, list[str]]:
        return self._index("team_by_name")

    @property
    def branch_by_name(self) -> dict[str, list[str]]:
        return self._index("branch_by_name")

    @property
    def compound_by_name(self) -> dict[str, list[str]]:
        return self._index("compound_by_name")

    @property
    def station_of(self) -> dict[str, str]:
        return self._index("station_of")

    @property
    def institute_of(self) -> dict[str, str]:
        return self._index("institute_of")

    def _bboxes(self, con) -> dict[str, tuple[float, float, float, float]]:
        out = {}
        pts = _rows(con, """
            SELECT county_code, min(lon) x0, max(lon) x1, min(lat) y0, max(lat) y1 FROM (
              SELECT county_code, lon, lat FROM sites
              UNION ALL SELECT t.county_code, c.lon, c.lat FROM compounds c JOIN towns t USING (town_code)
              UNION ALL SELECT county_code, lon, lat FROM counties) GROUP BY county_code""")
        for r in pts:
            if r["x0"] is None:
                continue
            m = 0.15
            out[r["county_code"]] = (r["x0"] - m, r["x1"] + m, r["y0"] - m, r["y1"] + m)
        return out

    # ── resolvers: return a code/id or raise Bad(reason) ─────────────────────────────────────
    def town(self, raw: str, counties: set[str] | None = None) -> str:
        s = _nfkc(raw)
        scope = [c for c, r in self.towns.items() if counties is None or r["county_code"] in counties]
        if re.fullmatch(r"\d{9}|\d{12}", s):
            code = s[:9] if len(s) == 9 or s.endswith("000") else None
            if code and code in self.towns and code in scope:
                return code
            raise Bad(f"找不到乡镇代码\"{raw}\"")
        hits = [c for c in self.town_by_name.get(s, []) + self.town_by_name.get(_stem_town(s), []) if c in scope]
        hits = list(dict.fromkeys(hits))
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise Bad(f"乡镇\"{raw}\"有重名，请填写9位乡镇代码", "ambiguous")
        if counties is not None and (self.town_by_name.get(s) or self.town_by_name.get(_stem_town(s))):
            raise Bad(f"乡镇\"{raw}\"不在本项工作的县域内")
        raise Bad(_not_found(raw, [self.towns[c]["name"] for c in scope]))

    def village(self, raw: str, town: str | None = None, counties: set[str] | None = None,
                communities_only: bool = False) -> str:
        s = _nfkc(raw)

        def in_scope(c):
            r = self.villages[c]
            if communities_only and c not in self.communities:
                return False
            return counties is None or self.towns[r["town_code"]]["county_code"] in counties
        if re.fullmatch(r"\d{12}", s):
            if s in self.villages and in_scope(s):
                hits = [s]
            else:
                raise Bad(f"找不到{'社区' if communities_only else '村（社区）'}代码\"{raw}\"")
        else:
            hits = [c for c in self.village_by_name.get(s, []) + self.village_by_name.get(_stem_village(s), [])
                    if in_scope(c)]
            hits = list(dict.fromkeys(hits))
        if town and hits:
            here = [c for c in hits if self.villages[c]["town_code"] == town]
            if not here:
                other = self.towns[self.villages[hits[0]]["town_code"]]["name"]
                raise Bad(f"\"{raw}\"属于{other}，不属于{self.towns[town]['name']}", "place_mismatch")
            hits = here
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            where = "、".join(self.towns[self.villages[c]["town_code"]]["name"] for c in hits)
            raise Bad(f"\"{raw}\"有重名（{where}），请填写乡镇或使用12位代码", "ambiguous")
        scope = [c for c in self.villages if in_scope(c) and (town is None or self.villages[c]["town_code"] == town)]
        return self._raise_village_missing(raw, scope)

    def _raise_village_missing(self, raw: str, scope: list[str]) -> NoReturn:
        names = [self.villages[c]["name"] for c in scope]
        s = _nfkc(raw)
        hint = _suggest(s, names) or _suggest(_stem_village(s), [_stem_village(n) for n in names])
        if hint and hint not in names:
            hint = next((n for n in names if _stem_village(n) == hint), hint)
        raise Bad(f"找不到\"{raw}\"，是否为\"{hint}\"？" if hint else f"找不到\"{raw}\"")

    def site(self, raw: str, town: str | None = None, village: str | None = None,
             counties: set[str] | None = None) -> str:
        s = _nfkc(raw)
        if s in self.sites:
            hits = [s]
        else:
            hits = self.site_by_name.get(s, [])
        hits = [h for h in hits if counties is None or self.sites[h]["county_code"] in counties]
        if len(hits) > 1 and village:
            hits = [h for h in hits if self.sites[h]["village_code"] == village] or hits
        if len(hits) > 1 and town:
            hits = [h for h in hits if self.sites[h]["town_code"] == town] or hits
        if len(hits) > 1:
            raise Bad(f"站点\"{raw}\"有重名，请同时填写乡镇和所属村", "ambiguous")
        if not hits:
            scope = [r["name"] for r in self.sites.values()
                     if (counties is None or r["county_code"] in counties) and (town is None or r["town_code"] == town)]
            raise Bad(_not_found(raw, scope), "unknown_site")
        sid = hits[0]
        r = self.sites[sid]
        if town and r["town_code"] and r["town_code"] != town:
            raise Bad(f"站点\"{raw}\"属于{self.towns[r['town_code']]['name']}，不属于{self.towns[town]['name']}",
                      "place_mismatch")
        if village and r["village_code"] and r["village_code"] != village:
            raise Bad(f"站点\"{raw}\"属于{self.villages[r['village_code']]['name']}，"
                      f"不属于{self.villages[village]['name']}", "place_mismatch")
        return sid

    def _by_name(self, raw: str, index: dict, table: dict, what: str, code: str, id_ok: bool = True) -> str:
        s = _nfkc(raw)
        if id_ok and s in table:
            return s
        hits = index.get(s, [])
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise Bad(f"{what}\"{raw}\"有重名，请填写编号", "ambiguous")
        raise Bad(_not_found(raw, index.keys()), code)

    def team(self, raw: str) -> str:
        return self._by_name(raw, self.team_by_name, self.teams, "队伍", "unknown_team")

    def branch(self, raw: str) -> str:
        return self._by_name(raw, self.branch_by_name, self.branches, "党支部", "unknown_branch")

    def compound(self, raw: str) -> str:
        return self._by_name(raw, self.compound_by_name, self.compounds, "小区", "unknown_compound")

    def meeting(self, raw: str | None, compound: str | None, day: date | None, kind: str | None) -> str:
        """A meeting by its id, or by compound + date (+ type when that day had several); Bad(reason) if none."""
        if raw:
            mid = _nfkc(raw)
            mid = mid if mid in self.meetings else mid.upper()
            if mid not in self.meetings:
                raise Bad(f"找不到会议编号\"{raw}\"，请先在「议事会议」中导入该会议", "unknown_meeting")
            return mid
        if compound is None or day is None:
            raise Bad("未填会议编号时，小区名称和会议日期必须填写", "required")
        same_day = [m for m, r in self.meetings.items() if r["compound_id"] == compound and r["meeting_date"] == day]
        hits = [m for m in same_day if kind is None or self.meetings[m]["meeting_type"] == kind]
        if len(hits) == 1:
            return hits[0]
        name = self.compounds[compound]["name"]
        if len(hits) > 1:
            raise Bad(f"{name}在 {day} 有多场会议，请填写会议类型或会议编号", "ambiguous")
        held = "、".join(sorted({self.meetings[m]["meeting_type"] for m in same_day}))
        raise Bad(f"找不到{name} {day} 的{kind or '会议'}" + (f"（当天只有{held}）" if held else "")
                  + "，请先在「议事会议」中导入该会议", "unknown_meeting")

    def in_bbox(self, county: str, lon: float, lat: float) -> bool:
        b = self.bbox.get(county)
        return b is None or (b[0] <= lon <= b[1] and b[2] <= lat <= b[3])

    def as_of(self) -> date:
        return date.fromisoformat(self.meta["as_of"])


def _multi(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """name → the codes carrying it, each once, in the order met."""
    d: dict[str, list[str]] = {}
    for k, v in pairs:
        if k:
            hits = d.setdefault(k, [])
            if v not in hits:
                hits.append(v)
    return d


def _village_names(lk: "Lookups") -> dict[str, list[str]]:
    """Every village under four spellings (name, full name, and both stemmed), each normalised once; grouped
    by spelling as before (all names first …), since a code list's order decides which namesake a message
    names first."""
    names, fulls, stem_fulls, stem_names = [], [], [], []
    for c, r in lk.villages.items():
        name, full = _nfkc(r["name"]), _nfkc(r["name_full"])
        names.append((name, c))
        fulls.append((full, c))
        stem_fulls.append((_strip_village(full), c))
        stem_names.append((_strip_village(name), c))
    return _multi(names + fulls + stem_fulls + stem_names)


_INDEXES: dict[str, Callable[["Lookups"], dict]] = {
    "town_by_name": lambda lk: _multi([(_nfkc(r["name"]), c) for c, r in lk.towns.items()] +
                                      [(_stem_town(r["name"]), c) for c, r in lk.towns.items()]),
    "village_by_name": _village_names,
    "site_by_name": lambda lk: _multi((_nfkc(r["name"]), s) for s, r in lk.sites.items()),
    "team_by_name": lambda lk: _multi((_nfkc(r["name"]), t) for t, r in lk.teams.items()),
    "branch_by_name": lambda lk: _multi((_nfkc(r["name"]), b) for b, r in lk.branches.items()),
    "compound_by_name": lambda lk: _multi((_nfkc(r["name"]), c) for c, r in lk.compounds.items()),
    "station_of": lambda lk: {r["village_code"]: s for s, r in lk.sites.items()
                              if r["level"] == "站" and r["village_code"]},
    "institute_of": lambda lk: {r["town_code"]: s for s, r in lk.sites.items() if r["level"] == "所"},
}
