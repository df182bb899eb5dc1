"""Entry point and router: `streamlit run app.py`. Everything lives in civic.shell."""
from civic import shell

shell.run()
