"""A whole series from one file: a series TOML in, every episode with its feed and playlist out.

Above session.py: it checks each episode through the session API before any synthesis,
renders only episodes whose fingerprint changed (in parallel, or on a Dask cluster), and
publishes each folder with publish/. Nothing below it imports it.
"""
