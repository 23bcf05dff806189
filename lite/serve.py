"""Serve a built site on 127.0.0.1 with the standard library: the site is plain static files."""

import functools
import http.server
import re
import threading

# Browsers refuse to compile WebAssembly or import ES modules served with the wrong type.
MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".ipynb": "application/json",
    ".whl": "application/zip",
}


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}

    def end_headers(self):
        self.send_header("Cache-Control", cache_control(self.path))
        super().end_headers()

    def log_message(self, format, *args):
        pass  # one line per file of a JupyterLite page load would drown everything else


# JupyterLab's bundles have their content's hash in their names (4191.097b4ea.js): a changed file
# gets a new name, so the browser may keep these for good. Every other file (Pyodide, the wheels,
# the lockfile, the pages) keeps its name across builds: the browser keeps it too, but asks each
# time whether it changed (a 304 answer has no body, and the compiled WebAssembly stays cached).
HASHED = re.compile(r"[.-][0-9a-f]{7,}\.(js|css)$")


def cache_control(path):
    return "public, max-age=31536000, immutable" if HASHED.search(path.split("?")[0]) else "no-cache"


def make_server(directory, port=0, handler=Handler):
    """A server for `directory` on 127.0.0.1 (port 0: any free port). Call serve_forever()."""
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(handler, directory=str(directory)))


def serve_in_thread(directory, port=0, handler=Handler):
    """Start serving `directory` in a daemon thread; returns (server, base URL ending in /)."""
    server = make_server(directory, port, handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"
