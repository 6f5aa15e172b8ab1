"""Stage 5, publishing: finished sessions in, a library out.

Writes the sidecars beside each MP3 (`sidecars`: transcript and manifest), reads a folder's
sessions back from their manifests (`episodes`), and makes of them a podcast feed (`feed`), a
playlist (`playlist`), a listening page that keeps sessions offline (`page`, `artwork` and the
files in `web/`) and a read-only server for phones (`server`, with `certificate` for --https).
"""
