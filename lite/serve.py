#!/usr/bin/env python3
"""Serve a built site on 127.0.0.1 with the standard library: the site is plain static files.

Standard library only, on purpose: the workshop bundle (lite/bundle.py) ships this very file as
its serve.py, for a laptop that has nothing but a Python 3.8+. There it runs as

    python3 serve.py [--port 8000] [--no-browser]      (on Windows: py serve.py)

and serves the folder `site` beside it."""

import argparse
import functools
import http.server
import re
import sys
import threading
import webbrowser
from pathlib import Path

# Browsers refuse to compile WebAssembly, import ES modules or apply style sheets served with the
# wrong type; these win over the system's table (on Windows a registry entry can say .js is text/plain).
MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".svg": "image/svg+xml",
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


# The browser keeps a learner's progress and notebooks per address, port included: the same port
# at each start keeps them. So a taken port moves to the next one, which is again the same at the
# next start (any free port only after these).
PORTS_TO_TRY = 10


def serve(directory, port=8000, open_browser=False):
    """Serve `directory` on 127.0.0.1 at `port`, or the next free one, until Ctrl+C."""
    for candidate in [*range(port, port + PORTS_TO_TRY), 0] if port else [0]:
        try:
            server = make_server(directory, candidate)
            break
        except OSError:  # in use
            continue
    url = f"http://127.0.0.1:{server.server_port}/"
    if server.server_port != port:
        print(f"port {port} is taken; using {server.server_port} (your progress is kept per address)")
    print(f"TinyTorch is at {url}  (Ctrl+C stops)", flush=True)
    if open_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="serve.py", description="Serve the TinyTorch site on this computer only (127.0.0.1).")
    parser.add_argument("--port", type=int, default=8000, help="the port to try first (default 8000)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--directory", type=Path, default=Path(__file__).resolve().parent / "site",
                        help="the built site (default: the folder 'site' beside this file)")
    args = parser.parse_args(argv)
    if not (args.directory / "index.html").is_file():
        sys.exit(f"{args.directory} is not a built TinyTorch site (it has no index.html); "
                 "unzip the whole workshop archive and run serve.py from the folder it made")
    serve(args.directory, args.port, open_browser=not args.no_browser)


if __name__ == "__main__":
    main()
