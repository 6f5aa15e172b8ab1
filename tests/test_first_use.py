"""A new user's first hour: options that do nothing say so, logs read as sentences, lists
survive a broken file, and the small conveniences a mature tool has are there.

Every run here is the real console entry point in a fresh process, as a user types it.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import run_main

import guided_audio

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def request(port: int, method: str, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def warnings_of(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("warning: ")]


# ---- -v and -h where users type them ----


@pytest.mark.parametrize("args", [["generate", "-h"], ["generate", "deep-breathing", "-h"], ["-h"], ["feed", "-h"]])
def test_h_works_before_and_after_the_command_name(args):
    result = run_main(*args)
    assert result.returncode == 0 and result.stdout.startswith("Usage: guided-audio"), result.stderr


def test_v_after_the_command_name_logs_more(tmp_path):
    quiet = run_main("generate", "deep-breathing", "-m", "2", "-q", "-o", str(tmp_path / "a.mp3"))
    after = run_main("generate", "deep-breathing", "-m", "2", "-q", "-o", str(tmp_path / "b.mp3"), "-v")
    before = run_main("-v", "generate", "deep-breathing", "-m", "2", "-q", "-o", str(tmp_path / "c.mp3"))
    assert quiet.returncode == after.returncode == before.returncode == 0, after.stderr
    assert quiet.stderr == ""
    for result in (after, before):
        assert "the encoder moves this session's loudness by" in result.stderr
        assert "INFO" not in result.stderr and "guided_audio." not in result.stderr
    debug = run_main("preview", "deep-breathing", "-m", "2", "-vv")
    assert debug.returncode == 0


# ---- logs read as sentences, colour only on a terminal ----


def small_cover(tmp_path: Path) -> Path:
    from PIL import Image

    path = tmp_path / "small.png"
    Image.new("RGB", (600, 400), (40, 60, 90)).save(path)
    return path


def test_a_warning_is_one_plain_line_without_module_or_colour_in_a_pipe(two_sessions, tmp_path):
    sessions = two_sessions.copy_to(tmp_path / "s")
    cover = small_cover(tmp_path)
    result = run_main("feed", str(sessions.folder), "--base-url", "http://127.0.0.1:8000", "--cover", str(cover))
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"warning: cover {cover} is 600x400 px; podcast apps want a square of 1400 to 3000 px\n"


def test_a_warning_on_a_terminal_is_coloured(two_sessions, tmp_path):
    sessions = two_sessions.copy_to(tmp_path / "s")
    cover = small_cover(tmp_path)
    source = str(Path(guided_audio.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": source}
    leader, follower = pty.openpty()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "guided_audio", "feed", str(sessions.folder), "--base-url",
             "http://127.0.0.1:8000", "--cover", str(cover), "-q"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower, env=env, timeout=120,
        )  # fmt: skip
        os.close(follower)
        follower = None
        said = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            said += chunk
    finally:
        if follower is not None:
            os.close(follower)
        os.close(leader)
    text = said.decode()
    assert process.returncode == 0
    assert ANSI.search(text), "no colour on a terminal"
    assert ANSI.sub("", text).strip() == f"warning: cover {cover} is 600x400 px; podcast apps want a square of 1400 to 3000 px"


def test_the_servers_request_lines_reach_a_file_without_colour_codes(two_sessions, tmp_path):
    import contextlib
    import signal
    import socket
    import time

    sessions = two_sessions.copy_to(tmp_path / "s")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    with log.open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "guided_audio", "serve", str(sessions.folder), "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=errors,
        )  # fmt: skip
        try:
            deadline, answered = time.monotonic() + 30, False
            while time.monotonic() < deadline and not answered:
                with contextlib.suppress(OSError):
                    answered = request(port, "GET", "/missing.mp3")[0] == 404  # werkzeug colours a 404
                time.sleep(0.1)
            request(port, "GET", "/arrive.mp3", {"If-Modified-Since": "Wed, 01 Jan 2099 00:00:00 GMT"})  # a 304
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=15)
    text = log.read_text()
    assert '"GET /missing.mp3 HTTP/1.1" 404' in text and '"GET /arrive.mp3 HTTP/1.1" 304' in text
    assert "\x1b" not in text and "INFO" not in text and "werkzeug" not in text


# ---- options that do nothing are named, with a warning, not an error ----


@pytest.mark.parametrize(
    "args, warning",
    [
        (["preview", "deep-breathing", "-m", "5", "--lang", "de"], "--lang only applies to --engine gtts; the hibari voice ignores it"),
        (["preview", "deep-breathing", "-m", "5", "--lang", "en", "--tld", "co.uk"], "--lang and --tld only apply to --engine gtts; the hibari voice ignores them"),
        (["preview", "deep-breathing", "-m", "5", "--var", "pattern=box", "--var", "inhale=5"],
         "--var pattern=box makes no difference with inhale=5; it is ignored"),
        (["preview", "deep-breathing", "-m", "5", "--var", "inhale=5", "--var", "pattern=awake"],
         "--var pattern=awake makes no difference with inhale=5; it is ignored"),
    ],
)
def test_an_option_that_does_nothing_is_a_warning(args, warning):
    result = run_main(*args)
    assert result.returncode == 0, result.stderr
    assert warnings_of(result) == [f"warning: {warning}"]
    assert "Length" in result.stdout


def test_a_theme_with_a_file_of_ones_own_is_named(tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("I am steady.\nI am here.\n")
    result = run_main("preview", "affirmations", "-m", "5", "--var", "theme=recovery", "--var", f"file={mine}")
    assert result.returncode == 0, result.stderr
    assert warnings_of(result) == [f"warning: --var theme=recovery makes no difference with file={mine}; it is ignored"]


@pytest.mark.parametrize(
    "args",
    [
        ["preview", "deep-breathing", "-m", "5", "--var", "pattern=box"],
        ["preview", "deep-breathing", "-m", "5", "--var", "pattern=4-7-8", "--var", "tones=false"],
        ["preview", "affirmations", "-m", "5", "--var", "theme=recovery", "--var", "name=Sam"],
        ["preview", "deep-breathing", "-m", "5", "--engine", "piper"],
    ],
)
def test_options_that_matter_say_nothing(args):
    result = run_main(*args)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_seed_and_background_level_without_a_background_are_named(tmp_path):
    result = run_main("generate", "deep-breathing", "-m", "2", "-q", "--seed", "4", "--background-level", "-30",
                      "-o", str(tmp_path / "s.mp3"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert warnings_of(result) == [
        "warning: --seed and --background-level shape a background; without --background they change nothing"
    ]
    manifest = json.loads((tmp_path / "s.json").read_text())
    assert manifest["background"] == "none" and "seed" not in manifest


def test_seed_with_a_background_file_is_named(tmp_path):
    from guided_audio.audio.ffmpeg import ffmpeg_exe

    creek = tmp_path / "creek.wav"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "anoisesrc=d=3:c=brown:a=0.1", str(creek)], check=True)
    result = run_main("generate", "deep-breathing", "-m", "2", "-q", "--background", str(creek), "--seed", "3",
                      "-o", str(tmp_path / "s.mp3"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert warnings_of(result) == ["warning: --seed shapes the built-in soundscapes; a background file ignores it"]
    rain = run_main("generate", "deep-breathing", "-m", "2", "-q", "--background", "rain", "--seed", "3",
                    "-o", str(tmp_path / "r.mp3"))  # fmt: skip
    assert rain.returncode == 0 and rain.stderr == ""


# ---- the templates list shows what works and flags the rest ----


def test_templates_lists_what_works_and_flags_the_rest(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "evening.txt").write_text('+++\ntitle = "Evening"\n+++\nGood evening. [pause 5s+]\n')
    (mine / "broken.txt").write_text('+++\ntitle = "Broken"\ncolour = "blue"\n+++\nHi.\n')
    (mine / "mantras.txt").write_text("I am calm.\nI am safe.\n")
    result = run_main("templates", "--templates-dir", str(mine), "--templates-dir", str(tmp_path / "gone"))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert f"evening  ({mine / 'evening.txt'})" in text and "deep-breathing  (built-in)" in text
    assert "mantras  (" not in text and "broken  (" not in text
    plain = text.split("Plain text, not listed as templates", 1)[1]
    assert str(mine / "mantras.txt") in plain.split("Cannot be used", 1)[0]
    broken = text.split("Cannot be used (fix the file, or move it out of the folder):", 1)[1]
    assert f"{mine / 'broken.txt'}: unknown front matter keys ['colour']" in broken
    assert warnings_of(result) == [
        f"warning: templates folder {tmp_path / 'gone'} does not exist; using the templates found elsewhere"
    ]


def test_a_missing_templates_folder_is_named_when_generating_too(tmp_path):
    result = run_main("preview", "deep-breathing", "-m", "2", "--templates-dir", str(tmp_path / "gone"))
    assert result.returncode == 0
    assert warnings_of(result) == [
        f"warning: templates folder {tmp_path / 'gone'} does not exist; using the templates found elsewhere"
    ]


def test_templates_json_has_its_documented_shape(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "broken.txt").write_text("+++\nnope\n")
    (mine / "mantras.txt").write_text("I am calm.\n")
    result = run_main("templates", "--json", "--templates-dir", str(mine))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"templates", "plain_text", "broken"}
    keys = {"name", "title", "description", "builtin", "path", "min_minutes", "max_minutes", "params"}
    assert all(set(t) == keys for t in data["templates"])
    breathing = next(t for t in data["templates"] if t["name"] == "deep-breathing")
    assert (breathing["builtin"], breathing["min_minutes"], breathing["max_minutes"]) == (True, 2, 60)
    pattern = next(p for p in breathing["params"] if p["name"] == "pattern")
    assert set(pattern) == {"name", "type", "default", "choices", "min", "max", "max_length", "help"}
    assert (pattern["type"], pattern["default"], pattern["choices"][:2]) == ("choice", "4-7-8", ["4-7-8", "box"])
    tones = next(p for p in breathing["params"] if p["name"] == "tones")
    assert tones["default"] == "auto" and tones["type"] == "choice"
    assert data["plain_text"] == [{"name": "mantras", "path": str(mine / "mantras.txt")}]
    (broken,) = data["broken"]
    assert broken["name"] == "broken" and broken["path"] == str(mine / "broken.txt") and "never closed" in broken["error"]


def test_backgrounds_json_has_its_documented_shape():
    from guided_audio.mix.soundscapes import SOUNDSCAPES

    result = run_main("backgrounds", "--json")
    data = json.loads(result.stdout)
    assert set(data) == {"backgrounds", "default", "default_level_db"}
    assert [b["name"] for b in data["backgrounds"]] == ["none", *SOUNDSCAPES]
    assert all(set(b) == {"name", "description", "channels"} for b in data["backgrounds"])
    assert {b["name"]: b["channels"] for b in data["backgrounds"]}["binaural"] == 2
    assert (data["default"], data["default_level_db"]) == ("none", -22)


# ---- clear errors where Python's would show ----


def test_an_int_parameter_without_default_is_a_clear_error(tmp_path):
    script = tmp_path / "count.txt"
    script.write_text('+++\ntitle = "Count"\n[params.breaths]\ntype = "int"\nmin = 2\n+++\nHello.\n'
                      "{% for i in range(breaths) %}\nIn. [pause 2s]\n{% endfor %}\n")  # fmt: skip
    result = run_main("preview", str(script), "-m", "2")
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: {script}:8: parameter breaths has no value: it has no default and none was given; "
        "set it with --var breaths=2, or give it a default in the front matter\n"
    )
    assert run_main("preview", str(script), "-m", "2", "--var", "breaths=3").returncode == 0


@pytest.mark.parametrize("value", ["Sam 😊", "Sam ❤️", "Zoë 🌊"])
def test_emoji_in_a_spoken_value_are_refused(value):
    result = run_main("preview", "body-scan", "-m", "5", "--var", f"name={value}")
    assert result.returncode == 1
    assert "which the voice cannot say and the transcript would show; use words instead" in result.stderr


def test_emoji_in_a_lines_file_are_refused_and_accents_are_not(tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("Je suis calme, Zoë.\nI am calm 🌊.\n", encoding="utf-8")
    result = run_main("preview", "affirmations", "-m", "5", "--var", f"file={mine}")
    assert result.returncode == 1 and "line 2 holds 🌊 (water wave)" in result.stderr
    mine.write_text("Je suis calme, Zoë. Ça va, 20°.\n", encoding="utf-8")
    assert run_main("preview", "affirmations", "-m", "5", "--var", f"file={mine}").returncode == 0


@pytest.mark.parametrize(
    "name, guess",
    [("deep-breath", "deep-breathing"), ("guided-imagry", "guided-imagery"), ("Body-Scan", "body-scan")],
)
def test_a_template_typo_gets_a_did_you_mean(name, guess):
    result = run_main("preview", name, "-m", "5")
    assert result.returncode == 1 and f"did you mean {guess}?" in result.stderr


def test_var_typos_get_a_did_you_mean():
    assert "did you mean pattern?" in run_main("preview", "deep-breathing", "-m", "5", "--var", "patern=box").stderr
    assert "did you mean pattern=box?" in run_main("preview", "deep-breathing", "-m", "5", "--var", "pattern=bx").stderr
    assert "did you mean" not in run_main("preview", "deep-breathing", "-m", "5", "--var", "zzz=1").stderr


def test_rates_range_is_in_the_help():
    for command in ("generate", "preview"):
        text = " ".join(run_main(command, "--help").stdout.split())
        assert "piper 0.3-2.0, hibari and gtts 0.5-2.0" in text


# ---- where the files go, and counts that add up ----


@pytest.mark.parametrize("form", ["existing", "existing/", "new/"])
def test_output_to_a_folder_writes_the_default_name_inside(tmp_path, form):
    folder = tmp_path / form.rstrip("/")
    if form.startswith("existing"):
        folder.mkdir()
    given = str(folder) + ("/" if form.endswith("/") else "")
    result = run_main("generate", "deep-breathing", "-m", "2", "-o", given)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        "deep-breathing-2min.chapters.json", "deep-breathing-2min.json", "deep-breathing-2min.mp3", "deep-breathing-2min.vtt",
    ]  # fmt: skip


def test_the_summary_counts_add_up(tmp_path):
    result = run_main("generate", "deep-breathing", "-m", "3", "--var", "pattern=box", "-o", str(tmp_path / "s.mp3"))
    assert result.returncode == 0, result.stderr
    found = re.search(r"(\d+) phrases \((\d+) different: (\d+) synthesised, (\d+) from cache\)", result.stdout)
    assert found, result.stdout
    placed, different, synthesised, cached = map(int, found.groups())
    assert synthesised + cached == different < placed
    manifest = json.loads((tmp_path / "s.json").read_text())
    spoken = [s["text"] for s in manifest["segments"] if s["kind"] == "speech"]
    assert (len(spoken), len(set(spoken))) == (placed, different)


@pytest.mark.parametrize("template, minutes", [("sleep-wind-down", 5), ("deep-breathing", 3), ("body-scan", 7)])
def test_previews_speech_and_silence_add_up_to_the_length(template, minutes):
    result = run_main("preview", template, "-m", str(minutes))
    found = re.search(r"Length (\d+):(\d\d) exactly; speech (\d+):(\d\d), silence (\d+):(\d\d);", result.stdout)
    assert found, result.stdout
    length, speech, silence = (int(a) * 60 + int(b) for a, b in zip(found.groups()[::2], found.groups()[1::2]))
    assert speech + silence == length == minutes * 60 and speech > 0
