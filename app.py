"""Entry point and router: `streamlit run app.py`. Everything lives in civic.app.shell."""
from civic.app import shell

shell.run()
