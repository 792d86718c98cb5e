"""fiscalbook: the tested code behind the book on local fiscal power and regional productivity.

Data flows one way: catalog -> fetch (verified raw files) -> readers (validated tidy
tables) -> tables/panels (analysis panels) -> models -> charts and glued numbers.
"""

__version__ = "0.1.0"

import warnings as _warnings

# pyfixest imports tqdm.auto, which warns in a notebook kernel without ipywidgets; the
# warning is about progress bars we never show, and it would clutter chapter output.
_warnings.filterwarnings("ignore", message="IProgress not found", module="tqdm")
