"""`python -m devtools.bench [options]` (as `python -m civic bench`), and `python -m devtools.bench child MODE
DATA_DIR RUNS`: one approach of the pandas baseline in its own process (devtools/bench/baseline.py)."""
import sys

from devtools.bench.baseline import child_main
from devtools.bench.cli import main

if len(sys.argv) > 1 and sys.argv[1] == "child":
    sys.exit(child_main(sys.argv[2:]))
sys.exit(main(sys.argv[1:]))
