"""展厅大屏: the exhibition screen's parts (pages/screen.py is the page; docs/screen.md).

theme (the dark theme, once), params (URL parameters, pure), data (the scenes' queries), html (HTML builders and
the static CSS/JS inlined), figures (plotly and the map), scenes (one function per scene).
This package imports nothing heavy at import time so `python -m civic.app.screen.theme` stays fast.
"""
