"""One lock around reading .npy/.npz files, because numpy parses their headers with `ast.literal_eval`.

CPython 3.11 keeps the AST constructor's recursion counter in interpreter-wide state, so two threads
parsing at once can fail with "SystemError: AST constructor recursion depth mismatch"
(python/cpython#106905). Index versions are loaded from several threads (Streamlit sessions, readers
while a build publishes), so every array read in the store holds this lock.
"""
from __future__ import annotations

import threading

ARRAY_READ_LOCK = threading.Lock()
