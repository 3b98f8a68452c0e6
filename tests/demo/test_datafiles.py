"""The demo data files: they read cleanly, and a mistake in one is named before anything is written."""

import shutil

import pytest

from demo import datafiles
from demo.datafiles import DemoDataError, read_demo_data, read_scale_tables


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of the data files to break, read instead of the real ones."""
    shutil.copytree(datafiles.DATA_DIR, tmp_path, dirs_exist_ok=True)
    monkeypatch.setattr(datafiles, "DATA_DIR", tmp_path)
    read_demo_data.cache_clear()
    yield tmp_path
    read_demo_data.cache_clear()


def edit(folder, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_the_data_files_read_and_agree():
    data = read_demo_data()
    assert [hub.name for hub in data.hubs] == [
        "Dorset",
        "Bradford and Craven",
        "Cambridgeshire and Peterborough",
        "Manchester",
    ]
    assert len(data.adoptions) == 20
    assert read_scale_tables().indicator_slots[0][0] == "people-enrolled"


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        # An adoption's lead must be staff of its hub: the service would refuse anyone else.
        (
            "adoptions.toml",
            'lead = "staff-dorset"',
            'lead = "staff-bradford"',
            "is not staff of the hub 'dorset'",
        ),
        (
            "adoptions.toml",
            'figures_reviewed_by = "evaluator"',
            'figures_reviewed_by = "ahsn-admin"',
            "not in Evaluators",
        ),
        (
            "learning.toml",
            'summaries_published_by = "ahsn-admin-2"',
            'summaries_published_by = "ahsn-admin"',
            "another AHSN admin",
        ),
        ("learning.toml", 'author = "staff-bradford"', 'author = "staff-cambs"', "is not staff of the hub"),
        ("adoptions.toml", "slope = 1.0 }", "slpoe = 1.0 }", "unknown field slpoe"),
        ("adoptions.toml", 'stage = "assessing"', 'stage = "assesing"', "stage 'assesing' is not one of"),
        ("catalogue.toml", 'evidence_level = "national"', 'evidence_level = "nationwide"', "evidence_level"),
    ],
)
def test_a_mistake_names_the_file_and_the_record(data_copy, name, old, new, message):
    edit(data_copy, name, old, new)
    with pytest.raises(DemoDataError, match=message) as refusal:
        read_demo_data()
    assert name in str(refusal.value)
