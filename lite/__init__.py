"""The site build: python -m lite build|serve (see lite/build.py and lite/serve.py)."""
