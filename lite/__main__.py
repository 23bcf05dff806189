"""python -m lite build [--pyodide-dist PATH_OR_URL] [--force]
python -m lite serve [--port 8000] [--pyodide-dist PATH_OR_URL]   (builds first if needed)"""

import argparse
import sys

from lite.build import BuildError, build
from lite.serve import make_server


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m lite", description="Build or serve the TinyTorch site.")
    parser.add_argument("command", choices=["build", "serve"])
    parser.add_argument("--pyodide-dist", metavar="PATH_OR_URL",
                        help="NumPy for Pyodide 314.0.3: its official wheel, or a distribution (folder, .tar.bz2 or URL) holding it")
    parser.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    try:
        output = build(pyodide_dist=args.pyodide_dist, force=args.force)
    except BuildError as error:
        sys.exit(f"build failed: {error}")
    print(f"site built in {output}")
    if args.command == "serve":
        server = make_server(output, args.port)
        print(f"serving on http://127.0.0.1:{server.server_port}/  (Ctrl+C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
