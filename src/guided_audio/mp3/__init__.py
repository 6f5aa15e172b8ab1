"""Stage 4, the MP3: mastered samples in, a tagged constant-bitrate file out.

Encodes the session in parts on every core and splices the frames (`parts`), writing long
digital silences as silent frames instead of encoding them (`silence`), then adds ID3v2.3
tags, chapters (`tags`) and a front cover (`cover`).
"""
