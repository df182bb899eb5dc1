"""One compound's public page (改造进度与议事结果公开): /compound?id=HY-019."""
import streamlit as st

from civic.public import compound, server, view
from civic.text.i18n import t

lang = server.lang()
back = {"lang": lang} if lang != "zh" else None
wanted = str(st.query_params.get("id", "")).strip()
page = compound.load(wanted) if wanted else None
if page is None:
    st.warning(t("public.not_found", id=wanted[:40]) if wanted else t("public.no_id"))
else:
    for section in view.page(page, lang):
        st.html(section)
st.page_link(str(server.INDEX_SCRIPT), label=t("public.back"), query_params=back)
