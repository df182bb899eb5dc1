"""Filters never change behind the user's back (issue 15 §3), walked in Chromium.

A seeded random walk of menu clicks and filter changes (township added / removed / cleared, date range,
county, language) starting at /volunteer with a township and 本年. The test keeps its own model of the
state the user last set; after every step the URL's shared parameters equal the model, and the sidebar
shows it: each filter either in its widget or, on a page that cannot apply it, as a "not applied on this
page" chip. No sleeps: each step waits for the URL it expects (bounded) and for Streamlit's settled state.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from civic.app import nav
from civic.scope import DEFAULT_PRESET, PRESETS, preset_range
from civic.store import queries
from civic.text import fmt
from civic.text.i18n import t
from devtools.harness import exceptions, settle, shot

SEED = 20151576      # a walk that makes every kind of change and visits every page (asserted at the end)
STEPS = 40
SIDEBAR = '[data-testid="stSidebar"]'
# townships with data on the pages that offer them (襄垣: stations and volunteer; 汉源: renovation, co-governance)
POOL = {"140423": ["夏店镇", "古韩镇", "下良镇"], "511823": ["富林镇", "九襄镇"]}
COUNTY_OF = {name: county for county, names in POOL.items() for name in names}
MENU = [p for p in nav.available() if not p.hidden]


@dataclass
class Model:
    """What the user last set explicitly."""
    county: str = "all"
    towns: list[str] = field(default_factory=list)
    preset: str = DEFAULT_PRESET
    window: tuple[date, date] | None = None      # the custom range's ends
    lang: str = "zh"

    def query(self) -> dict[str, list[str]]:
        q: dict[str, list[str]] = {}
        if self.county != "all":
            q["county"] = [self.county]
        if self.towns:
            q["town"] = sorted(self.towns)
        if self.preset == "custom":
            q["from"], q["to"] = [self.window[0].isoformat()], [self.window[1].isoformat()]
        elif self.preset != DEFAULT_PRESET:
            q["range"] = [self.preset]
        if self.lang != "zh":
            q["lang"] = [self.lang]
        return q

    def applicable(self, spec: nav.PageSpec) -> list[str]:
        """Towns of this model that the page applies (its counties, narrowed by its own county filter)."""
        if "town" not in spec.filters:
            return []
        scope = [c for c in spec.counties if "county" not in spec.filters or self.county in ("all", c)]
        return [n for n in self.towns if COUNTY_OF[n] in scope]


def shared_query(url: str) -> dict[str, list[str]]:
    q = parse_qs(urlsplit(url).query, keep_blank_values=True)
    q = {k: v for k, v in q.items() if k in ("county", "town", "range", "from", "to", "lang")}
    if "town" in q:
        q["town"] = sorted(q["town"])
    return q


WAIT_URL_JS = """([path, want]) => {
  if (location.pathname !== path) return false;
  const got = {};
  for (const [k, v] of new URLSearchParams(location.search)) {
    if (!['county', 'town', 'range', 'from', 'to', 'lang'].includes(k)) continue;
    (got[k] = got[k] || []).push(v);
  }
  if (got.town) got.town.sort();
  const keys = o => Object.keys(o).sort();
  return JSON.stringify(keys(got).map(k => [k, got[k]])) === JSON.stringify(keys(want).map(k => [k, want[k]]));
}"""


def wait_for(page, spec: nav.PageSpec, model: Model) -> None:
    """Wait (bounded) until the URL is the one the step should lead to, then for Streamlit to settle; the
    assertions afterwards say what differs if it never came."""
    want = {k: (sorted(v) if k == "town" else v) for k, v in model.query().items()}
    try:
        page.wait_for_function(WAIT_URL_JS, arg=[f"/{spec.id}", want], timeout=60_000,
                               polling=100)
    except Exception:  # noqa: BLE001 - the assertions below report the difference
        pass
    settle(page, timeout_s=90)


def visible(page) -> dict:
    """The shared filters as the sidebar shows them."""
    js = """(sb) => {
      const q = s => sb.querySelector(s);
      const chips = q('.st-key-not_applied');
      const radio = q('[data-testid="stRadio"] input:checked');
      return {
        title: (q('h3') || {}).innerText || '',
        radio: radio ? radio.closest('label').innerText.trim() : null,
        preset: q('[data-testid="stSelectbox"] input') ? q('[data-testid="stSelectbox"] input').value : null,
        dates: q('[data-testid="stDateInput"]')
          ? [...sb.querySelectorAll('[data-testid="stDateInput"] input')].map(e => e.value).join(' ') : null,
        towns: q('[data-testid="stMultiSelect"]')
          ? [...sb.querySelectorAll('[data-testid="stMultiSelect"] [data-tag] span[title]')].map(e => e.title) : null,
        chips: chips ? chips.innerText : '',
      };
    }"""
    return page.eval_on_selector(SIDEBAR, js)


def check(page, spec: nav.PageSpec, model: Model, start: date, anchor: date, step: str) -> None:
    assert urlsplit(page.url).path == f"/{spec.id}", step
    assert shared_query(page.url) == model.query(), step
    assert exceptions(page) == [], step
    v, lang = visible(page), model.lang
    assert v["title"] == t("app.short_title", lang=lang), step
    chips = v["chips"]
    # county: the radio where the page has one, else a chip when it is not "both"
    county_name = t(f"values.county.{model.county}", lang=lang) if model.county != "all" else None
    if "county" in spec.filters:
        assert v["radio"] == (county_name or t("filters.county_all", lang=lang)), step
    else:
        assert v["radio"] is None, step
        assert (county_name in chips) if county_name else (t("filters.county", lang=lang) not in chips), step
    # townships: applied ones in the widget, the others as a chip, none lost
    applied = model.applicable(spec)
    if "town" in spec.filters:
        assert sorted(v["towns"]) == sorted(applied), step
    else:
        assert v["towns"] is None, step
    for name in POOL["140423"] + POOL["511823"]:
        assert (name in chips) == (name in model.towns and name not in applied), (step, name)
    # date range: the selectbox (and the custom range's picker) where the page has one, else a chip
    label = t(f"filters.presets.{model.preset}", lang=lang)
    if "date" in spec.filters:
        assert v["preset"] == label, step
        if model.preset == "custom":
            assert model.window[0].isoformat() in v["dates"] and model.window[1].isoformat() in v["dates"], step
        assert t("filters.range", lang=lang) not in chips, step
    else:
        assert v["preset"] is None, step
        if model.preset == "custom":
            assert fmt.day(model.window[0], lang) in chips and fmt.day(model.window[1], lang) in chips, step
        else:
            assert f"{t('filters.range', lang=lang)}{'：' if lang == 'zh' else ': '}{label}" in chips, step
    if chips:
        assert t("filters.not_applied", lang=lang) in chips, step


def data_span() -> tuple[date, date]:
    meta = queries.run("meta")
    meta = dict(zip(meta.key, meta.value))
    return date.fromisoformat(meta["data_start"]), date.fromisoformat(meta["as_of"])


def open_sidebar(page) -> None:
    """On a phone the sidebar closes after each menu click; open it as a user would."""
    button = page.query_selector('[data-testid="stExpandSidebarButton"]')
    if button and button.is_visible():
        button.click()
        settle(page)


def window(model: Model, start: date, anchor: date) -> tuple[date, date]:
    return model.window if model.preset == "custom" else preset_range(model.preset, anchor, start)


def choose(rng: random.Random, spec: nav.PageSpec, model: Model) -> tuple[str, object]:
    """The next step: a menu click or a filter change this page offers."""
    options: list[tuple[str, object]] = [("menu", p) for p in MENU if p.id != spec.id]
    options += [("lang", "en" if model.lang == "zh" else "zh")]
    if "date" in spec.filters:
        options += [("preset", p) for p in PRESETS if p != model.preset]
    if "county" in spec.filters:
        options += [("county", c) for c in ("all", "140423", "511823") if c != model.county]
    if "town" in spec.filters:
        scope = [c for c in spec.counties if "county" not in spec.filters or model.county in ("all", c)]
        options += [("town_add", n) for c in scope for n in POOL[c] if n not in model.towns]
        applied = model.applicable(spec)
        options += [("town_remove", n) for n in applied]
        if len(applied) > 1:
            options += [("town_clear", None)]
    # about half the steps move between pages; the other half pick a kind of change, then its value
    kinds = sorted({k for k, _ in options} - {"menu"})
    kind = "menu" if rng.random() < 0.45 or not kinds else rng.choice(kinds)
    return rng.choice([o for o in options if o[0] == kind])


def act(page, kind: str, arg, spec: nav.PageSpec, model: Model, start: date, anchor: date) -> nav.PageSpec:
    lang = model.lang
    if kind == "menu":
        page.click(f'{SIDEBAR} a[href^="{arg.id}"]')
        return arg
    if kind == "lang":
        page.click(f'{SIDEBAR} [data-testid="stButtonGroup"] button:has-text("{"English" if arg == "en" else "中文"}")')
        model.lang = arg
    elif kind == "preset":
        if arg == "custom":
            model.window = window(model, start, anchor)     # 自定义 starts from the window shown
        # as a user with a keyboard: focus the box, type the option (a click in the box only focuses it)
        label = t(f"filters.presets.{arg}", lang=lang)
        page.click(f'{SIDEBAR} [data-testid="stSelectbox"] input')
        page.keyboard.type(label)
        page.get_by_role("option", name=label, exact=True).click()
        model.preset = arg
    elif kind == "county":
        name = t("filters.county_all", lang=lang) if arg == "all" else t(f"values.county.{arg}", lang=lang)
        page.click(f'{SIDEBAR} [data-testid="stRadio"] label:has-text("{name}")')
        model.county = arg
    elif kind == "town_add":
        page.click(f'{SIDEBAR} [data-testid="stMultiSelect"] input')
        page.keyboard.type(arg[:2])
        page.get_by_role("option", name=arg, exact=True).click()
        page.keyboard.press("Escape")
        # done picking, the user moves on: focus leaves the box. Streamlit's multiselect ignores a click on
        # its "Clear all" while its text input still has focus (no rerun is sent; widget and URL keep the
        # towns), which a click elsewhere first avoids
        page.evaluate("document.activeElement && document.activeElement.blur()")
        model.towns.append(arg)
    elif kind == "town_remove":
        page.click(f'{SIDEBAR} [data-testid="stMultiSelect"] button[aria-label="Remove {arg}"]')
        model.towns.remove(arg)
    elif kind == "town_clear":
        page.click(f'{SIDEBAR} [data-testid="stMultiSelect"] button[aria-label="Clear all"]')
        for n in model.applicable(spec):
            model.towns.remove(n)
    return spec


def test_random_walk_keeps_the_shared_state(server, browser):
    start, anchor = data_span()
    rng = random.Random(SEED)
    page = browser.page(1366, 768)
    spec, model = nav.by_id("volunteer"), Model(towns=["夏店镇"])
    page.goto(f"{server.url}/volunteer?town={quote('夏店镇')}")
    wait_for(page, spec, model)
    check(page, spec, model, start, anchor, "start")
    done: list[str] = []
    for i in range(STEPS):
        kind, arg = choose(rng, spec, model)
        step = f"step {i}: {kind} {getattr(arg, 'id', arg)} on /{spec.id}"
        print(step, model)        # shown by pytest when a step fails
        spec = act(page, kind, arg, spec, model, start, anchor)
        wait_for(page, spec, model)
        check(page, spec, model, start, anchor, step)
        done.append(f"{kind}:{spec.id}")
    # the seed gives a walk that exercises every kind of change and every page (a guard if it is changed)
    kinds = {d.split(":")[0] for d in done}
    assert kinds >= {"menu", "lang", "preset", "county", "town_add", "town_remove", "town_clear"}, kinds
    assert {d.split(":")[1] for d in done} >= {p.id for p in MENU}
    assert page.external_requests == [] and page.page_errors == []
    shot(page, "filter-walk-end")
    page.context.close()


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_township_and_this_year_survive_admin_renovation_and_a_language_switch(server, browser, width, height):
    """The issue's own path by hand: /volunteer with a township and 本年 → 改造进度 → 数据管理 → back; then
    English and more menu clicks. The not-applied chips show on the way (screenshots at both sizes)."""
    page = browser.page(width, height)
    model, spec = Model(towns=["夏店镇"]), nav.by_id("volunteer")
    start, anchor = data_span()
    page.goto(f"{server.url}/volunteer?town={quote('夏店镇')}")
    wait_for(page, spec, model)
    path = ["renovation", "admin", "volunteer", "lang", "overview", "renovation", "volunteer"]
    for target in path:
        open_sidebar(page)
        if target == "lang":
            act(page, "lang", "en", spec, model, start, anchor)
        else:
            spec = act(page, "menu", nav.by_id(target), spec, model, start, anchor)
        wait_for(page, spec, model)
        check(page, spec, model, start, anchor, target)
        if target in ("renovation", "admin"):
            shot(page, f"filter-kept-{target}-{model.lang}-{width}")
    assert model.query() == {"town": ["夏店镇"], "lang": ["en"]}
    page.context.close()
