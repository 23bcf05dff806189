# IPython's configuration in the site's Pyodide kernel (lite/build.py points IPYTHONDIR here):
# `%tito` is there from the kernel's start, with no `%load_ext tito` cell to run first.
c = get_config()  # noqa: F821 (IPython provides it)
c.InteractiveShellApp.extensions = ["tito.kernel"]
