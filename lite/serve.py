"""Serve a built site on 127.0.0.1 with the standard library: the site is plain static files."""

import functools
import http.server
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

    def log_message(self, format, *args):
        pass  # one line per file of a JupyterLite page load would drown everything else


def make_server(directory, port=0):
    """A server for `directory` on 127.0.0.1 (port 0: any free port). Call serve_forever()."""
    handler = functools.partial(Handler, directory=str(directory))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve_in_thread(directory, port=0):
    """Start serving `directory` in a daemon thread; returns (server, base URL ending in /)."""
    server = make_server(directory, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"
