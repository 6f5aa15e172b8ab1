"""Stage 1, the script: template text in, a `Timeline` out.

Finds a template and its front matter (`templates`, `params`), renders it with the length and
choices asked for (`fitting` gives templates their length arithmetic), parses the markup into
items (`markup`), and lays the items out in time to the sample once the phrases' lengths are
known (`layout`), measured or estimated (`lengths`, which also finds the lengths that fit).
"""
