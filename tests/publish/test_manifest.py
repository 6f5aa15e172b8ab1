"""The manifest as data: written and read in one place each, older ones read with defaults,
keys it does not know kept, a bad one one error naming the file (no synthesis: plans only)."""

from __future__ import annotations

import json

import pytest

from guided_audio.publish.manifest import BuildRecord, ImpossibleDuration, Manifest, ManifestError
from guided_audio.session import SessionRequest, plan_manifest, preview


def planned(request: SessionRequest) -> dict:
    return json.loads(json.dumps(plan_manifest(request, preview(request, with_range=False))))


@pytest.mark.parametrize(
    "request_",
    [
        SessionRequest("mindfulness", 5, variables={"bells": "every:2"}),
        SessionRequest.of_parts(["deep-breathing:2:pattern=box", "body-scan:3"]),
    ],
    ids=["one template", "two parts"],
)
def test_a_manifest_reads_back_to_the_same_json(request_, tmp_path):
    data = planned(request_)
    path = tmp_path / "session.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    manifest = Manifest.read(path)
    assert manifest.to_dict() == data and list(manifest.to_dict()) == list(data), "same keys, same order"
    assert manifest.preview and manifest.created is not None
    assert (manifest.parts is not None) == (len(request_.session_parts) > 1)


def test_a_build_record_and_unknown_keys_survive_a_round_trip():
    data = planned(SessionRequest("deep-breathing", 2)) | {"from_a_newer_version": [1, 2]}
    manifest = Manifest.from_dict(data)
    manifest.build = BuildRecord("f" * 64, 1234)
    again = Manifest.from_dict(json.loads(manifest.to_json()))
    assert again.build == BuildRecord("f" * 64, 1234) and again.unknown == {"from_a_newer_version": [1, 2]}


def test_an_older_manifest_reads_with_defaults():
    old = Manifest.from_dict({"title": "Breathing", "template": "deep-breathing", "duration": 120.0})
    assert old.created is None and old.author is None and old.build is None and old.mp3 is None
    assert old.minutes == 2 and old.params == {} and old.chapters == [] and old.chapter_marks() == ()
    assert "created" not in old.to_dict(), "a missing time is not made up"


@pytest.mark.parametrize(
    "text, error, message",
    [
        ("{not json", ManifestError, "cannot read the manifest .*bad.json"),
        ('["a list"]', ManifestError, "bad.json is not a guided-audio manifest"),
        ('{"duration": "long"}', ManifestError, "bad.json is not a guided-audio manifest"),
        ('{"duration": 1e9}', ImpossibleDuration, "bad.json gives an impossible duration"),
    ],
)
def test_a_bad_manifest_is_one_error_naming_the_file(tmp_path, text, error, message):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(error, match=message):
        Manifest.read(path)
