"""Stage 3, the mix: the timeline and its clips in, mastered samples out.

Places the clips and tones on the timeline (`mixer`, `tones`), lays a background under them
(`background`, `soundscapes`, `bedmix`, `bedstreams`), measures the mix and plans its gain and
limiter to podcast loudness (`loudness`), and hands the MP3 stage a source that mixes any
stretch of the mastered session again on demand (`mastering`).
"""
