"""Command-line commands, one module each; `guided_audio.cli` adds them to the group."""
