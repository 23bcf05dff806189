"""The core framework, one file per curriculum module."""
