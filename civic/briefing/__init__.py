"""The leaders' briefing: one document (PDF for print, long PNG for a phone) of the filters in force.

data.py gathers the figures through the same named queries and civic/measures.py definitions the pages use;
html.py lays them out; make.py renders them through civic/render/chromium.py; cli.py registers
`python -m civic briefing`. The app's button is civic/app/briefing_button.py.
"""
