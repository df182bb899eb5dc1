"""HTML → PDF / PNG through Debian's Chromium (civic/render/chromium.py)."""
