"""What the server does to every answer on its way out: gzip for text, and one Date header.

WSGI middleware around the folder app (publish.server), kept apart from it: the server decides
what may be answered, this only how the bytes travel. Phones on a slow home network load the
page, its scripts, the feed and transcripts in about a third of the bytes; audio is never
touched (MP3 does not compress, and players seek in it by byte ranges).
"""

from __future__ import annotations

COMPRESSIBLE = ("text/", "application/json", "application/rss+xml", "application/manifest+json", "audio/x-mpegurl")
"""Text worth gzipping (the page, its scripts, feed, transcripts); never audio or images."""


def compressed(app):
    """WSGI middleware: a whole text response, to a client that accepts gzip, goes gzipped.

    Never audio, never a range (a 206's bytes are offsets into the file as stored) and never
    HEAD (its Content-Length is the file's). The ETag changes with the encoding, as the
    standard wants, and an If-None-Match naming the gzipped ETag is matched against the file's.
    """
    import gzip

    def gzipped_app(environ, start_response):
        wants = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "").lower()
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_RANGE" in environ or not wants:
            return app(environ, start_response)
        if "HTTP_IF_NONE_MATCH" in environ:
            environ["HTTP_IF_NONE_MATCH"] = environ["HTTP_IF_NONE_MATCH"].replace('-gzip"', '"')
        caught: dict = {}

        def catch(status, headers, exc_info=None):
            caught.update(status=status, headers=headers, exc_info=exc_info)
            return lambda data: None  # never called: werkzeug returns the body as an iterable

        body = app(environ, catch)
        headers = caught["headers"]
        kind = next((v for k, v in headers if k.lower() == "content-type"), "")
        if not caught["status"].startswith("200") or not kind.startswith(COMPRESSIBLE):
            start_response(caught["status"], headers, caught["exc_info"])
            return body
        try:
            data = gzip.compress(b"".join(body), compresslevel=6, mtime=0)
        finally:
            if hasattr(body, "close"):
                body.close()
        kept = [(k, v) for k, v in headers if k.lower() not in ("content-length", "etag", "vary")]
        etag = next((v for k, v in headers if k.lower() == "etag"), None)
        kept += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding"), ("Content-Length", str(len(data)))]
        if etag:
            kept.append(("ETag", etag[:-1] + '-gzip"' if etag.endswith('"') else etag))
        start_response(caught["status"], kept)
        return [data]

    return gzipped_app


def one_date(app):
    """WSGI middleware: the server's own Date header only (the response's duplicate is dropped)."""

    def app_without_date(environ, start_response):
        def start(status, headers, exc_info=None):
            return start_response(status, [(k, v) for k, v in headers if k.lower() != "date"], exc_info)

        return app(environ, start)

    return app_without_date
