"""The screen's dark theme, defined once: the Streamlit server theme (`make screen`, devtools/screen_soak.py,
the browser tests) and the palette the CSS and charts use. `python -m civic.app.screen.theme` prints the
`streamlit run` flags, one a line, for the Makefile."""
from __future__ import annotations

import sys

# the Streamlit theme of the dark server (its own loading screen and widgets are dark too)
STREAMLIT_THEME: dict[str, str] = {
    "base": "dark",
    "backgroundColor": "#040d22",
    "secondaryBackgroundColor": "#0b1f45",
    "textColor": "#e6f1ff",
    "primaryColor": "#35d0ff",
}

BG = STREAMLIT_THEME["backgroundColor"]
TEXT = STREAMLIT_THEME["textColor"]
CYAN = STREAMLIT_THEME["primaryColor"]
BLUE, AMBER, GREEN, MUTED_TXT = "#2f7cf6", "#ffb648", "#3ddc97", "#8fa8cc"

# CSS custom properties the static stylesheet (static/screen/screen.css) reads
CSS_COLOURS: dict[str, str] = {"bg": BG, "text": TEXT, "cyan": CYAN, "blue": BLUE, "amber": AMBER, "green": GREEN,
                               "muted": MUTED_TXT}


def streamlit_flags() -> list[str]:
    """`--theme.*` options for `streamlit run`, as separate arguments (no shell quoting needed)."""
    return [f"--theme.{k}={v}" for k, v in STREAMLIT_THEME.items()]


if __name__ == "__main__":
    sys.stdout.write("\n".join(streamlit_flags()) + "\n")
