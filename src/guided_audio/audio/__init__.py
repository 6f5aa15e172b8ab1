"""The ground floor: sample arrays and the ffmpeg bridge, used by every stage above.

Takes nothing from the pipeline; hands every stage the session rate, sample helpers (trim,
fade, resample, 16-bit PCM), decoding of any audio file and the constant-bitrate MP3 encoder.
"""
