import os

import matplotlib

# Tests never open windows; pages and widgets render into PNG bytes.
matplotlib.use("Agg")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
