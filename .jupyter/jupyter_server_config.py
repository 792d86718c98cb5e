# `make lab`: JupyterLab for this project (JUPYTER_CONFIG_DIR points here).
# MyST chapters (chapters/*.md, with a jupytext header) open as notebooks by default
# (jupytext's contents manager and lab extension; see lab/settings/overrides.json) and
# run in the kernel of this .venv. Saving a notebook writes the .md file back: no .ipynb.
from pathlib import Path

c = get_config()  # noqa: F821 (provided by Jupyter)
here = Path(__file__).resolve().parent
c.LabApp.app_settings_dir = str(here / "lab" / "settings")
# what JupyterLab writes as you work stays in the (git-ignored) build folder
c.LabApp.user_settings_dir = str(here.parent / "_build" / "jupyterlab" / "user-settings")
c.LabApp.workspaces_dir = str(here.parent / "_build" / "jupyterlab" / "workspaces")
c.ServerApp.allow_root = True  # the project's machines run as root
c.ServerApp.ip = "127.0.0.1"  # local only
