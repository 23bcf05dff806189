"""python -m lite build [--pyodide-dist PATH_OR_URL] [--class CLASS_TOML] [--force]
python -m lite serve [--port 8000] [--pyodide-dist PATH_OR_URL] [--class CLASS_TOML]   (builds first if needed)
python -m lite bundle [--pyodide-dist PATH_OR_URL]   (builds, then zips the offline workshop bundle: lite/bundle.py)"""

import argparse
import sys

from lite.build import BuildError, build
from lite.bundle import bundle
from lite.serve import serve


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m lite", description="Build or serve the TinyTorch site.")
    parser.add_argument("command", choices=["build", "serve", "bundle"])
    parser.add_argument("--pyodide-dist", metavar="PATH_OR_URL",
                        help="NumPy for Pyodide 314.0.3: its official wheel, or a distribution (folder, .tar.bz2 or URL) holding it")
    parser.add_argument("--class", dest="class_file", metavar="CLASS_TOML",
                        help="instructors: a class's settings (unlock_all = true, or an [opens] schedule of dates)")
    parser.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    try:
        output = build(pyodide_dist=args.pyodide_dist, force=args.force, class_file=args.class_file)
    except BuildError as error:
        sys.exit(f"build failed: {error}")
    print(f"site built in {output}")
    if args.command == "serve":
        serve(output, args.port)
    if args.command == "bundle":
        archive = bundle(output)
        print(f"workshop bundle: {archive} ({archive.stat().st_size / 1e6:.0f} MB); see START-HERE.txt in it")


if __name__ == "__main__":
    main()
