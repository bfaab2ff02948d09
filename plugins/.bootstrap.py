"""Run a plugin from a checkout with a python that lacks codexbar (``./plugins/zai.5m.py`` via
``/usr/bin/env python3``): re-exec with the checkout's .venv or the installed venv, else print a
valid menu that says how to install. Installed plugins never get here: install.sh gives them an
absolute shebang to the venv's python. Hidden file: SwiftBar does not run it as a plugin."""

import os
import sys

GUARD = "CODEXBAR_PLUGIN_REEXEC"
# runpy.run_path set sys.argv[0] to this file; the plugin is still __main__
plugin = os.path.realpath(getattr(sys.modules.get("__main__"), "__file__", None) or sys.argv[0])
candidates = [os.path.join(os.path.dirname(os.path.dirname(plugin)), ".venv", "bin", "python"),
              os.path.join(os.path.expanduser("~"), ".local", "share", "codexbar", "venv", "bin", "python")]
if not os.environ.get(GUARD):
    for python in candidates:
        if os.access(python, os.X_OK):
            os.environ[GUARD] = "1"
            os.execv(python, [python, plugin] + sys.argv[1:])
sys.stdout.write("codexbar ⚠\n---\ncodexbar is not installed for %s | color=red\n"
                 "Run ./install.sh in the codexbar checkout | size=11\n" % sys.executable.replace("|", "/"))
sys.stdout.flush()
