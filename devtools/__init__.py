"""Developer tools that are not part of the running app: the benchmark (`python -m civic bench`), the
Chromium render benchmark and screen soak it starts, the browser harness the tests and the benchmark share,
and the font subset maker. civic/ never imports this package (the CLI's `bench` command loads it when run)."""
