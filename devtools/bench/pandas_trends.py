"""The pandas baseline's own computations: the volunteer page's trend queries reproduced in pandas, and the
check that both give the same numbers."""
from __future__ import annotations

from datetime import date


def filter_states(as_of: date, data_start: date) -> list[dict]:
    """The reruns timed for both approaches: towns × date windows, as the shared filters produce them."""
    from civic.scope import Filters, preset_range
    out = []
    for towns, preset in (([], "this_year"), (["140423100"], "this_year"), (["140423103"], "last_12m"),
                          ([], "last_12m"), (["140423100", "140423105"], "all"), ([], "this_month")):
        d0, d1 = preset_range(preset, as_of, data_start)
        f = Filters(towns=tuple(towns), preset=preset, date_from=d0, date_to=d1, anchor=as_of)
        pf, pt = f.previous()
        out.append({"towns": list(towns), "preset": preset, "date_from": d0, "date_to": d1,
                    "prev_from": pf, "prev_to": pt, "year": d1.year, "stypes": [], "ttypes": []})
    return out


class PandasTrends:
    """The usual way: load every activity row into pandas once, then filter and group in pandas per rerun.

    Done well: only the needed columns, categoricals for strings, a sorted DatetimeIndex so a date window is
    a binary-search slice, groupby with observed=True. Reproduces the volunteer page's trend queries
    (TREND_QUERIES) for the shared filters (towns, date window); service-type/team-type filters are empty.
    """

    def __init__(self, con) -> None:
        import pandas as pd
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        self.as_of = date.fromisoformat(meta["as_of"])
        self.data_start = date.fromisoformat(meta["data_start"])
        df = con.execute("""
            SELECT activity_date, site_id, team_id, town_code, site_level, service_type,
                   theme IS NOT NULL AS themed, participants, volunteers, beneficiaries, hours
            FROM v_activities""").df()
        for c in ("site_id", "team_id", "town_code", "site_level", "service_type"):
            df[c] = df[c].astype("category")
        for c in ("participants", "volunteers", "beneficiaries"):
            df[c] = df[c].astype("int32")
        df["activity_date"] = pd.to_datetime(df["activity_date"])
        df["month"] = df["activity_date"].dt.to_period("M").dt.to_timestamp()
        self.df = df.sort_values("activity_date", kind="stable").set_index("activity_date")
        sites = con.execute("""
            SELECT s.site_id, s.town_code, s.level, c.programme FROM sites s JOIN counties c USING (county_code)
        """).df()
        self.stations = sites[(sites.level == "站") & (sites.programme == "文明实践")]
        self.stations_per_town = self.stations.groupby("town_code").size()
        self.town_names = dict(con.execute("SELECT town_code, name FROM towns").fetchall())
        th = con.execute("SELECT month, county_code, theme FROM monthly_themes").df()
        th["month"] = pd.to_datetime(th["month"])
        self.themes = th.sort_values(["month", "county_code"]).groupby("month").theme.first()

    # every computation: params dict (towns, date_from, date_to, prev_from, prev_to, year) → DataFrame
    def window(self, d0, d1, towns):
        import pandas as pd
        w = self.df.loc[pd.Timestamp(d0):pd.Timestamp(d1)]
        if towns:
            w = w[w["town_code"].isin(towns)]
        return w

    def volunteer_kpis(self, p):
        import pandas as pd
        row = {}
        for suffix, (d0, d1) in (("", (p["date_from"], p["date_to"])), ("_prev", (p["prev_from"], p["prev_to"]))):
            w = self.window(d0, d1, p["towns"])
            row["activities" + suffix] = len(w)
            for c in ("participants", "volunteers", "beneficiaries", "hours"):
                row[c + suffix] = w[c].sum()
            if not suffix:
                row["themed"] = int(w["themed"].sum())
        st = self.stations
        row["stations"] = len(st[st.town_code.isin(p["towns"])]) if p["towns"] else len(st)
        return pd.DataFrame([row])

    def volunteer_monthly(self, p):
        """The whole data period by month (and by service type), whatever the date window."""
        import numpy as np
        import pandas as pd
        w = self.df[self.df["town_code"].isin(p["towns"])] if p["towns"] else self.df
        vals = ["participants", "volunteers", "beneficiaries", "hours"]
        agg = {"activities": ("themed", "size"), **{c: (c, "sum") for c in vals}, "themed": ("themed", "sum")}
        tot = w.groupby("month").agg(**agg)
        by = w.groupby(["month", "service_type"], observed=True).agg(**agg)
        as_of = pd.Timestamp(self.as_of)
        spine = pd.date_range(pd.Timestamp(self.data_start).to_period("M").to_timestamp(),
                              as_of.to_period("M").to_timestamp(), freq="MS")
        complete = np.asarray(spine + pd.DateOffset(months=1) <= as_of + pd.Timedelta(days=1))
        n12 = pd.Series(complete.astype(int), index=spine).rolling(12, min_periods=1).sum()
        ok12 = (n12 == 12) & complete
        present = by.index.get_level_values("service_type")
        frames = []
        for k in [None] + sorted(set(present)):
            g = (tot if k is None else by.xs(k, level="service_type")).reindex(spine).fillna(0)
            g["service_type"] = k
            g["complete"] = complete
            r = g[["activities"] + vals].rolling(12, min_periods=1).mean()
            for c in ["activities"] + vals:
                g[c + "_r12"] = r[c].where(ok12)
                g[c + "_ly"] = g[c].shift(12)
            frames.append(g)
        out = pd.concat(frames).rename_axis("month").reset_index()
        out["theme"] = out.month.map(self.themes)
        out["themed_share"] = out.themed / out.activities.where(out.activities > 0)
        by_type = out[out.service_type.notna()].groupby("month").activities.sum()
        denom = out.month.map(by_type).where(lambda x: x > 0)
        out["share_of_month"] = np.where(out.service_type.notna(), out.activities / denom, np.nan)
        out["partial"] = ~out.complete.astype(bool)
        out["_k"] = out.service_type.fillna("")
        return out.sort_values(["month", "_k"]).drop(columns=["_k", "complete"]).reset_index(drop=True)

    def volunteer_yoy(self, p):
        import pandas as pd
        y = int(p["year"])
        last_day = min(self.as_of, date(y, 12, 31))
        try:
            last_prev = last_day.replace(year=last_day.year - 1)
        except ValueError:
            last_prev = date(last_day.year - 1, 2, 28)
        w = self.window(date(y - 1, 1, 1), date(y, 12, 31), p["towns"])
        yr, mo = w.index.year, w.index.month
        vals = ["participants", "volunteers", "beneficiaries", "hours"]
        agg = {"activities": ("themed", "size"), **{c: (c, "sum") for c in vals}}
        cur = w[yr == y].groupby(mo[yr == y]).agg(**agg).reindex(range(1, 13)).fillna(0)
        prev = w[yr == y - 1].groupby(mo[yr == y - 1]).agg(**agg).reindex(range(1, 13)).fillna(0)
        out = pd.DataFrame({"month_no": range(1, 13)})
        out["year"] = y
        for c in ["activities"] + vals:
            out[c] = cur[c].to_numpy()
            out[c + "_prev"] = prev[c].to_numpy()
            out.loc[[date(y, m, 1) > self.as_of for m in range(1, 13)], c] = None
            out.loc[[date(y - 1, m, 1) > self.as_of for m in range(1, 13)], c + "_prev"] = None
        ytd = w[(yr == y) & (w.index <= pd.Timestamp(last_day))]
        ytd_prev = w[(yr == y - 1) & (w.index <= pd.Timestamp(last_prev))]
        for c in ["activities"] + vals:
            out[c + "_ytd"] = len(ytd) if c == "activities" else ytd[c].sum()
            out[c + "_ytd_prev"] = len(ytd_prev) if c == "activities" else ytd_prev[c].sum()
        return out

    def volunteer_active_days(self, p):
        import pandas as pd
        y = int(p["year"])
        d0, d1 = date(y, 1, 1), min(date(y, 12, 31), self.as_of)
        days = max((d1 - d0).days + 1, 0)
        w = self.window(d0, d1, p["towns"])
        day = w.index
        county = day.nunique()
        per_town = pd.Series(day, index=w["town_code"].to_numpy()).groupby(level=0).nunique()
        st = self.stations
        scope = sorted(set(st.town_code[st.town_code.isin(p["towns"])] if p["towns"] else st.town_code))
        rows = [{"town_code": None, "town_name": None, "active_days": county, "elapsed_days": days,
                 "share": county / days if days else None}]
        towns = pd.DataFrame({"town_code": scope})
        towns["town_name"] = towns.town_code.map(self.town_names)
        towns["active_days"] = towns.town_code.map(per_town).fillna(0).astype(int)
        towns["elapsed_days"] = days
        towns["share"] = towns.active_days / days if days else None
        towns = towns.sort_values(["share", "town_code"], ascending=[False, True])
        return pd.concat([pd.DataFrame(rows), towns], ignore_index=True)

    def volunteer_calendar(self, p):
        import pandas as pd
        y = int(p["year"])
        d0, d1 = date(y, 1, 1), min(date(y, 12, 31), self.as_of)
        days = pd.date_range(d0, d1, freq="D")
        w = self.window(d0, d1, p["towns"])
        counts = w.groupby(level=0).size().reindex(days, fill_value=0)
        start = pd.Timestamp(d0) - pd.Timedelta(days=d0.isoweekday() - 1)
        return pd.DataFrame({"day": days, "weekday": days.isocalendar().day.to_numpy(),
                             "week": ((days - start).days // 7).to_numpy(), "activities": counts.to_numpy()})

    def volunteer_towns(self, p):
        w = self.window(p["date_from"], p["date_to"], [])
        station = w["site_level"] == "站"
        g = w.groupby("town_code", observed=True).agg(
            activities=("themed", "size"), beneficiaries=("beneficiaries", "sum"),
            volunteers=("volunteers", "sum"), hours=("hours", "sum"))
        g["station_activities"] = station.groupby(w["town_code"], observed=True).sum()
        g["active_stations"] = w.loc[station, "site_id"].groupby(w.loc[station, "town_code"], observed=True).nunique()
        g.index = g.index.astype(str)
        out = self.stations_per_town.rename("stations").to_frame().join(g, how="left").fillna(0)
        out["per_station"] = (out.station_activities / out.stations).round(1)
        out = out.rename_axis("town_code").reset_index()
        out["town_name"] = out.town_code.map(self.town_names)
        return out.sort_values(["per_station", "town_code"], ascending=[False, True]).reset_index(drop=True)


COMPARE_KEYS = {"volunteer_monthly": ["month", "service_type"], "volunteer_yoy": ["month_no"],
                "volunteer_active_days": ["town_code"], "volunteer_calendar": ["day"],
                "volunteer_towns": ["town_code"], "volunteer_kpis": []}


def frames_agree(sql_df, pd_df, keys: list[str]) -> tuple[bool, str]:
    """Same rows and values on the columns both have (numbers within 1e-6 relative, round() within 0.05)."""
    import numpy as np
    import pandas as pd
    cols = [c for c in pd_df.columns if c in sql_df.columns and c not in keys]
    if any(k not in sql_df.columns or k not in pd_df.columns for k in keys) or not cols:
        return False, f"columns differ: sql {list(sql_df.columns)[:8]}…"
    if len(sql_df) != len(pd_df):
        return False, f"{len(sql_df)} rows in SQL, {len(pd_df)} in pandas"

    def plain(col) -> list[str]:
        return ["" if pd.isna(v) else str(v) for v in col.astype(object)]

    def norm(df):
        df = df[keys + cols].copy()
        for k in keys:
            if "day" in k or "month" == k:
                df[k] = pd.to_datetime(df[k]).dt.strftime("%Y-%m-%d")
            df[k] = pd.Series(plain(df[k]), index=df.index, dtype=object)
        return df.sort_values(keys).reset_index(drop=True) if keys else df.reset_index(drop=True)

    def num(col):
        if col.dtype == bool:
            return col.astype(float)
        return pd.to_numeric(col.astype(object).where(col.notna(), np.nan), errors="coerce").astype(float)

    a, b = norm(sql_df), norm(pd_df)
    if keys and a[keys].values.tolist() != b[keys].values.tolist():
        return False, "keys differ"
    for c in cols:
        x, y = num(a[c]), num(b[c])
        if x.isna().all() and y.isna().all():
            if plain(a[c]) != plain(b[c]):
                return False, f"column {c} differs"
            continue
        tol = 0.051 if c == "per_station" else 1e-6
        same = (x.isna() & y.isna()) | (np.abs(x - y) <= tol * np.maximum(1, np.abs(x)))
        if not same.all():
            i = int(np.flatnonzero(~same.to_numpy())[0])
            return False, f"column {c} row {i}: sql {a[c].iloc[i]!r} pandas {b[c].iloc[i]!r}"
    return True, ""
