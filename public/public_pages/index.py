"""Residents' index: compounds by community, with a search by name."""
import streamlit as st

from civic.public import compound, server
from civic.text.i18n import t

lang = server.lang()
st.title(t("public.index_title"))
st.caption(t("public.index_caption"))
q = st.text_input(t("public.search"), key="q", max_chars=40)
found = compound.index(q or "")
if found.empty:
    st.info(t("public.search_none", q=q))
st.caption(t("public.search_count", n=len(found)))
for (town, community), group in found.groupby(["town_name", "community_name"], sort=False):
    st.subheader(f"{community} · {town}")
    for c in group.itertuples(index=False):
        params = {"id": c.compound_id} | ({"lang": lang} if lang != "zh" else {})
        st.page_link(str(server.COMPOUND_SCRIPT), label=f"{c.name}（{compound.stage_word(c.status, lang)}）",
                     query_params=params)
