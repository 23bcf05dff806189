"""The course's single source of truth. `python -m curriculum.generate` builds everything from it."""
