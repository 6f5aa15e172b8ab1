"""Nothing lost, nothing stranded: real SIGKILLs mid-write, partials of the dead cleared, the living left alone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from faults import debris, start_cli, temp_folders, wait_for

from guided_audio.mp3.fingerprint import audio_fingerprint
from guided_audio.output import STALE_SECONDS, OutputFiles, Partial, clear_debris, clear_temp_debris


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_render_killed_while_writing_leaves_debris_the_next_render_clears(tmp_path):
    out, tmpdir = tmp_path / "out", tmp_path / "tmp"
    out.mkdir()
    args = ["generate", "deep-breathing", "-m", "2", "-q", "-o", str(out / "s.mp3")]
    child = start_cli(*args, tmpdir=tmpdir)

    def writing() -> bool:  # an encoder has begun to write its part of the MP3
        return any(part.stat().st_size > 0 for part in tmpdir.glob("guided-audio-parts-*/part*.mp3"))

    wait_for(writing, process=child)
    child.send_signal(signal.SIGKILL)
    child.wait()
    left = debris(out)
    assert left and all(f".{child.pid}." in name for name in left), left
    assert temp_folders(tmpdir), "the encoders' folder should be stranded too"

    second = start_cli(*args, tmpdir=tmpdir)
    assert second.wait(timeout=300) == 0, second.stderr.read()
    assert debris(out) == [] and temp_folders(tmpdir) == []
    assert sorted(p.name for p in out.iterdir()) == ["s.chapters.json", "s.json", "s.mp3", "s.vtt"]


def test_a_live_writers_partials_are_never_taken(tmp_path):
    live = Partial(tmp_path, "s", ".mp3")
    os.utime(live.path, (time.time() - 2 * STALE_SECONDS,) * 2)  # old, but held
    try:
        proc = subprocess.run(
            [sys.executable, "-c", "import sys; from guided_audio.output import clear_debris; "
             "print(len(clear_debris(sys.argv[1])))", str(tmp_path)],
            capture_output=True, text=True, env={**os.environ}, check=True,
        )  # fmt: skip
        assert proc.stdout.strip() == "0" and live.path.exists()
    finally:
        live.discard()
    assert not live.path.exists()


def test_partials_of_dead_processes_go_and_others_stay(tmp_path):
    pid = dead_pid()
    dead = tmp_path / f".s.{pid}.abc12345.partial.mp3"
    dead_sidecar = tmp_path / f".feed.xml.{pid}.k2j4h5g6.partial"
    mine = tmp_path / f".s.{os.getpid()}.abc12345.partial.json"  # this process, not locked, fresh
    alive_but_stale = tmp_path / f".s.{os.getppid()}.zzz12345.partial.mp3"  # a reused pid, unheld and old
    legacy_fresh = tmp_path / ".s.q1w2e3r4.partial.mp3"  # an older version's, maybe still rendering
    users = tmp_path / ".my-notes.partial.txt"
    for path in (dead, dead_sidecar, mine, alive_but_stale, legacy_fresh, users):
        path.write_bytes(b"x")
    os.utime(alive_but_stale, (time.time() - 2 * STALE_SECONDS,) * 2)
    removed = clear_debris(tmp_path)
    assert sorted(removed) == sorted([dead, dead_sidecar, alive_but_stale])
    assert mine.exists() and legacy_fresh.exists() and users.exists()


def test_stranded_temp_folders_of_dead_processes_go(tmp_path):
    pid = dead_pid()
    dead = tmp_path / f"guided-audio-parts-{pid}-abcd1234"
    live = tmp_path / f"guided-audio-parts-{os.getpid()}-abcd1234"
    other = tmp_path / "guided-audio-somethingelse"
    for folder in (dead, live, other):
        folder.mkdir()
        (folder / "part0.mp3").write_bytes(b"x")
    assert clear_temp_debris(tmp_path) == [dead]
    assert live.exists() and other.exists()


def test_the_mp3_goes_first_and_the_manifest_last_naming_it(tmp_path, monkeypatch):
    renamed = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (renamed.append(os.path.basename(dst)), real_replace(src, dst)))
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    files = OutputFiles(tmp_path / "s.mp3")
    with files.writing() as temp:
        for ext, path in temp.items():
            path.write_bytes(ext.encode())
    assert renamed == ["s.mp3", "s.vtt", "s.chapters.json", "s.json"]
    assert len(synced) == 4 + 2  # each file, and the folder after the MP3 and after the rest


def test_a_failure_inside_leaves_the_old_files_and_no_partials(tmp_path):
    files = OutputFiles(tmp_path / "s.mp3")
    (tmp_path / "s.mp3").write_bytes(b"old")
    with pytest.raises(RuntimeError), files.writing() as temp:
        temp["mp3"].write_bytes(b"new")
        raise RuntimeError
    assert [p.name for p in tmp_path.iterdir()] == ["s.mp3"] and (tmp_path / "s.mp3").read_bytes() == b"old"


def test_feed_skips_an_mp3_its_manifest_does_not_describe(two_sessions, tmp_path, caplog):
    from guided_audio.publish.episodes import find_episodes

    sessions = two_sessions.copy_to(tmp_path / "s")
    recorded = json.loads(sessions.breathing.with_suffix(".json").read_text())["mp3"]
    assert recorded == audio_fingerprint(sessions.breathing) and recorded["audio_bytes"] > 100_000
    # a new MP3 beside the old manifest, as a render stopped between its two renames leaves it
    sessions.breathing.write_bytes(sessions.arrive.read_bytes())
    episodes = find_episodes(sessions.folder)
    assert [episode.mp3.name for episode in episodes] == [sessions.arrive.name]
    assert "skipping breathing.mp3: its audio is not what its manifest breathing.json describes" in caplog.text
    assert "generate that session again" in caplog.text


def test_retagging_an_mp3_keeps_it_in_the_feed(two_sessions, tmp_path, caplog):
    from mutagen.id3 import ID3, TIT2

    from guided_audio.publish.episodes import find_episodes

    sessions = two_sessions.copy_to(tmp_path / "s")
    tags = ID3(sessions.breathing)
    tags.add(TIT2(encoding=3, text="A title of my own, longer than the one before it"))
    tags.save(sessions.breathing, v2_version=3, padding=lambda info: 4096)
    tags.save(sessions.breathing, v1=2)  # and an ID3v1 tag at the end
    assert len(find_episodes(sessions.folder)) == 2 and "skipping" not in caplog.text
    with open(sessions.breathing, "r+b") as mp3:  # one byte of audio changed is another MP3
        mp3.seek(-1000, 2)
        byte = mp3.read(1)
        mp3.seek(-1000, 2)
        mp3.write(bytes([byte[0] ^ 1]))
    assert [episode.mp3.name for episode in find_episodes(sessions.folder)] == [sessions.arrive.name]
