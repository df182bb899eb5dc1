"""The residents' public server: `make public` (docs: README "居民公开页"). Run from this folder, so this
server has its own .streamlit/config.toml and no pages/ folder next to its main script."""
import sys
from pathlib import Path

# the civic package lives one folder up; Streamlit puts only this folder (and the cwd) on sys.path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from civic.public import server

server.run()
