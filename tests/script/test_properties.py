"""Property-based tests: random markup, parameter declarations, --var values and timelines.

Hypothesis writes inputs no one would think to list; the properties are the promises: nothing
but our own errors escapes (a user sees one line, never a traceback), and every timeline is
back to back, exactly the length asked for, keeps each phase its length and never speaks two
phrases at once.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guided_audio.errors import GuidedAudioError, LengthError
from guided_audio.script import markup
from guided_audio.script.layout import layout
from guided_audio.script.lengths import script
from guided_audio.script.markup import Chapter, Pause, Phase, Speech
from guided_audio.script.params import parse_var_options
from guided_audio.script.templates import parse_template

RATE = 44_100
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "300"))
"""Examples per property; HYPOTHESIS_EXAMPLES=5000 for a longer hunt."""
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

FRAGMENTS = st.sampled_from([
    "[", "]", "<", ">", "/>", "[pause", "[silence", "[chapter", "[phase", "[pace", "<break", ' time="', '"',
    "inhale", "exhale", "hold", "tone", "s", "ms", "min", "+", "0", "1", "2.5", "4s", "1e9", "-3", "nan", "inf",
    " ", "\n", "\n\n", ".", "!", "?", "…", ",", "Breathe in.", "Let go", "é", "\u200b", "\t", "\x00", "{{", "}}",
    "{%", "%}", "{#", "#}", "[pause 2s]", "[pause 3s+]", "[phase inhale 4s tone]", "[chapter Rest]", "[pace 0.8]",
    '<break time="1s"/>', "<speak>", "</speak>", "3600s", "61min",
])  # fmt: skip
"""Pieces of markup, whole and broken, and of everything around it."""
MARKUP = st.one_of(st.lists(FRAGMENTS, max_size=30).map("".join), st.text(max_size=80))


@SETTINGS
@given(MARKUP)
def test_any_text_parses_or_raises_a_markup_error(text):
    try:
        items = markup.parse(text)
    except markup.MarkupError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for item in items:
        assert isinstance(item, (Speech, Pause, Chapter, Phase))
        if isinstance(item, Speech):
            assert item.text.strip() and not set(item.text) & set("[]<>")


def _template(body: str, params_toml: str = "") -> object:
    return parse_template(f"+++\n{params_toml}+++\n{body}", name="random", path=Path("random.txt"))


@SETTINGS
@given(MARKUP, st.floats(min_value=0.1, max_value=200, allow_nan=False))
def test_any_template_body_renders_or_raises_one_of_our_errors(body, minutes):
    try:
        items, _ = script(_template(body), minutes, {})
    except GuidedAudioError as exc:
        assert str(exc) and "\n" not in str(exc).strip(), repr(str(exc))
        return
    assert items


TOML_VALUE = st.recursive(
    st.one_of(
        st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=32),
        st.booleans(), st.text(max_size=12).map(json.dumps),
    ).map(lambda v: v if isinstance(v, str) else json.dumps(v)),
    lambda inner: st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
    max_leaves=6,
)  # fmt: skip
SPEC_KEY = st.sampled_from(["type", "default", "choices", "min", "max", "max_length", "help", "other"])
TYPE_VALUE = st.sampled_from(['"str"', '"int"', '"float"', '"bool"', '"choice"', '"lines"', '"list"', "3"])
NAME = st.sampled_from(["pattern", "name", "count", "minutes", "x", "a-b", "slow"])
PARAM = st.dictionaries(SPEC_KEY, st.one_of(TOML_VALUE, TYPE_VALUE), max_size=5)
VAR_VALUE = st.one_of(
    st.text(max_size=20), st.sampled_from(["true", "no", "4", "-1", "1e400", "nan", "box", "/etc/passwd", "[pause 9s]", ""])
)


@SETTINGS
@given(st.dictionaries(NAME, PARAM, max_size=4), st.dictionaries(NAME, VAR_VALUE, max_size=4), st.lists(st.text(max_size=15), max_size=3))
def test_any_declarations_and_vars_give_a_script_or_one_of_our_errors(declared, values, raw_vars):
    front = "".join(
        f"[params.{json.dumps(name)}]\n" + "".join(f"{key} = {value}\n" for key, value in spec.items())
        for name, spec in declared.items()
    )
    body = "Hello. " + " ".join(f"{{{{ {name} }}}}." for name in declared if name.isidentifier()) + " [pause 2s+] Goodbye."
    try:
        variables = {**parse_var_options(raw_vars), **values}
        items, params = script(_template(body, front), 5, variables)
    except GuidedAudioError as exc:
        assert str(exc) and "\n" not in str(exc).strip(), repr(str(exc))
        return
    assert any(isinstance(item, Speech) for item in items)


# ---- timelines ----

PHRASE = st.builds(Speech, st.sampled_from(["Breathe in.", "And out.", "Rest here, softly.", "Well done."]),
                   st.sampled_from([0.5, 0.8, 1.0, 1.5]))  # fmt: skip
SECONDS = st.one_of(st.floats(0, 30, allow_nan=False), st.sampled_from([0.0, 1e-9, 0.5, 4.0, 5.5, 7.0]))
ITEM = st.one_of(
    PHRASE,
    st.builds(Pause, SECONDS, st.booleans(), st.just(False), st.booleans()),
    st.builds(Chapter, st.sampled_from(["Arriving", "Breathing"])),
    st.builds(Phase, st.sampled_from(["inhale", "hold", "exhale"]), SECONDS, st.lists(PHRASE, max_size=2).map(tuple), st.booleans()),
)  # fmt: skip


def length_of(phrase: Speech) -> int:
    """A fixed, made-up length per phrase (0.3 to 3.3 s), as a voice would give."""
    return int((0.3 + (zlib.crc32(phrase.text.encode()) % 3000) / 1000) / phrase.pace * RATE)


def check_timeline(timeline, total_seconds: float, items, lengths=length_of) -> None:
    assert timeline.total == int(round(total_seconds * RATE))  # exactly the length asked for
    speech = sorted(timeline.speech, key=lambda p: p.start)
    for before, after in zip(speech, speech[1:]):
        assert after.start >= before.end, "two phrases overlap"
    assert all(0 <= p.start < p.end <= timeline.total for p in speech)
    assert all(p.end - p.start == lengths(p.key) for p in speech)
    phases = [item for item in items if isinstance(item, Phase)]
    assert [span.end - span.start for span in timeline.phases] == [int(round(p.seconds * RATE)) for p in phases]
    for before, after in zip(timeline.phases, timeline.phases[1:]):
        assert after.start >= before.end
    segments = timeline.segments()  # back to back, 0 to the end
    assert segments[0].start == 0 and abs(segments[-1].end - timeline.total / RATE) < 1e-9
    assert all(abs(a.end - b.start) < 1e-9 for a, b in zip(segments, segments[1:]))
    assert all(s.end > s.start for s in segments)


@SETTINGS
@given(st.lists(ITEM, min_size=1, max_size=25), st.floats(0, 600, allow_nan=False))
def test_every_timeline_is_back_to_back_exact_and_keeps_its_phases(items, extra_seconds):
    try:
        shortest = layout(items, length_of, total_seconds=0, rate=RATE)
    except LengthError as exc:
        needed = getattr(exc, "needed_seconds", None)
        if needed is None:
            assert "would start while the previous words are still being spoken" in str(exc)
            return
        shortest = None
    total = (needed if shortest is None else 0) + extra_seconds
    try:
        timeline = layout(items, length_of, total_seconds=total, rate=RATE)
    except LengthError as exc:
        # only when rounding the request to samples leaves it a sample short of the need
        assert getattr(exc, "needed_seconds", 0) * RATE - total * RATE < 1, str(exc)
        return
    check_timeline(timeline, total, items)


@SETTINGS
@given(st.lists(FRAGMENTS.filter(lambda f: "{" not in f and "}" not in f), max_size=30).map("".join),
       st.floats(0, 300, allow_nan=False))  # fmt: skip
def test_parsed_markup_lays_out_exactly_or_says_why(text, extra_seconds):
    try:
        items = markup.parse(text)
        needed = 0.0
        try:
            layout(items, length_of, total_seconds=0, rate=RATE)
        except LengthError as exc:
            needed = getattr(exc, "needed_seconds", None)
            if needed is None:
                return
        total = needed + 1 + extra_seconds
        timeline = layout(items, length_of, total_seconds=total, rate=RATE)
    except GuidedAudioError:
        return
    check_timeline(timeline, total, items)


VALID_PARAM = st.one_of(
    st.fixed_dictionaries({"type": st.just('"int"')}, optional={"min": st.integers(-5, 5).map(str), "max": st.integers(-5, 50).map(str), "default": st.integers(-10, 60).map(str)}),
    st.fixed_dictionaries({"type": st.just('"float"')}, optional={"min": st.sampled_from(["0", "0.5", "-1e308"]), "max": st.sampled_from(["1", "20", "1e308"]), "default": st.sampled_from(["0", "1.5", "3", "1e308"])}),
    st.fixed_dictionaries({"type": st.just('"bool"')}, optional={"default": st.sampled_from(["true", "false", '"yes"', '"maybe"', "1"])}),
    st.fixed_dictionaries({"choices": st.lists(st.sampled_from(['"a"', '"b b"', '"[pause 1s]"', '"é"', "1", '""']), max_size=3).map(lambda c: "[" + ", ".join(c) + "]")},
                          optional={"default": st.sampled_from(['"a"', '"z"', "1"])}),
    st.fixed_dictionaries({"type": st.just('"str"')}, optional={"max_length": st.sampled_from(["1", "10", "0", "-1", "2.5"]), "default": st.sampled_from(['"Sam"', '""', '"<b>"', '"a\\nb"'])}),
    st.fixed_dictionaries({"type": st.just('"lines"')}, optional={"max_length": st.sampled_from(["5", "300"])}),
)  # fmt: skip
IDENT = st.sampled_from(["pattern", "name", "count", "slow", "level"])


@SETTINGS
@given(st.dictionaries(IDENT, VALID_PARAM, max_size=4), st.dictionaries(st.one_of(IDENT, NAME), VAR_VALUE, max_size=4),
       st.sampled_from([0.01, 0.5, 1, 5, 59.99, 180, 1e9]))  # fmt: skip
def test_plausible_declarations_and_any_vars_give_a_script_or_one_of_our_errors(declared, values, minutes):
    front = "".join(
        f"[params.{name}]\n" + "".join(f"{key} = {value}\n" for key, value in spec.items()) for name, spec in declared.items()
    )
    uses = " ".join(
        f"{{% if {name} is iterable and {name} is not string %}}{{{{ {name} | join('. ') }}}}.{{% else %}}{{{{ {name} }}}} more.{{% endif %}}"
        for name in declared
    )
    body = f"Hello. {uses} [pause 2s+] Goodbye."
    try:
        items, params = script(_template(body, front), minutes, values)
    except GuidedAudioError as exc:
        assert str(exc) and "\n" not in str(exc).strip(), repr(str(exc))
        return
    assert any(isinstance(item, Speech) for item in items)


def _builtin_params():
    from guided_audio.script.templates import available

    return {template.name: template for template in available() if template.builtin}


BUILTINS = _builtin_params()


@st.composite
def builtin_request(draw):
    template = BUILTINS[draw(st.sampled_from(sorted(BUILTINS)))]
    names = sorted(template.params)
    variables = {}
    for name in draw(st.lists(st.sampled_from(names + ["nope", "Pattern"]), max_size=3, unique=True)):
        spec = template.params.get(name)
        options = list(spec.choices) if spec is not None and spec.choices else []
        variables[name] = draw(st.one_of(VAR_VALUE, st.sampled_from(options or ["3"]), st.floats(-1, 25).map(str)))
    minutes = draw(st.one_of(st.integers(1, 70).map(float), st.floats(0.01, 200, allow_nan=False)))
    return template.name, minutes, variables


@settings(SETTINGS, max_examples=max(EXAMPLES // 3, 1))
@given(builtin_request())
def test_any_vars_and_minutes_for_a_builtin_template_preview_or_raise_one_of_our_errors(request):
    from guided_audio.session import SessionRequest, preview
    from guided_audio.voice.cache import PhraseCache

    name, minutes, variables = request
    session = SessionRequest(name, minutes, variables=variables)
    try:
        plan = preview(session, cache=PhraseCache(enabled=False))
    except GuidedAudioError as exc:
        assert str(exc) and "\n" not in str(exc).strip(), repr(str(exc))
        return
    from guided_audio.script.lengths import estimate_samples

    # with no cache every phrase is estimated at the session's speaking rate (the default voice's)
    estimate = lambda phrase: estimate_samples(phrase, session.script_rate)  # noqa: E731
    check_timeline(plan.timeline, plan.minutes * 60, plan.items, estimate)
