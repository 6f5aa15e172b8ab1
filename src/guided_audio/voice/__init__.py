"""Stage 2, the voice: the script's phrases in, ready-to-place clips out.

An engine (`piper` offline, `gtts` online, behind `engine.Engine`) speaks each distinct
phrase once; `speech` trims, levels and fades it at the session rate; `cache` keeps the
result, so a re-render synthesises nothing.
"""
