"""The ground floor, under every stage: sample arrays and the ffmpeg bridge.

Audio files in, float32 samples out (`ffmpeg.decode`); samples in, constant-bitrate MP3 out
(`ffmpeg.Mp3Encoder`); and the helpers every stage shares (`samples`: the session rate, trim,
fade, resample, 16-bit PCM). It takes nothing from the pipeline above it.
"""
