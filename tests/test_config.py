"""Run parameters: validated with one clear message per problem; sources files resolve relative paths."""
import pytest

from conftest import SAMPLE
from ingest.config import ParameterError, read_sources_file, validate_params


def test_defaults_mean_the_sample_corpus():
    assert validate_params().all_sources() is None


@pytest.mark.parametrize("values, message", [
    ({"sources": ["/no/such/dir"]}, "sources: no such file or directory: /no/such/dir"),
    ({"segmenter": "pkuseg"}, "segmenter: Input should be 'rjieba' or 'jieba'"),
    ({"runner": "ray"}, "runner: Input should be 'default' or 'dask'"),
    ({"runner": "dask", "dask_address": "localhost"}, "dask_address: not a Dask scheduler address"),
    ({"dask_address": "tcp://10.0.0.5:8786"}, "dask_address is set but runner is 'default'"),
    ({"sources_file": "/no/sources.txt"}, "sources_file: sources file not found: /no/sources.txt"),
    ({"dask_workers": 0}, "dask_workers: dask_workers must be between 1 and 256"),
    ({"colour": "red"}, "colour: Extra inputs are not permitted"),
])
def test_bad_parameters_name_the_field(values, message):
    with pytest.raises(ParameterError) as err:
        validate_params(**values)
    assert message in str(err.value)
    assert str(err.value).startswith("invalid ingest parameters: ")


def test_urls_pass_validation_for_the_fetch_stage():
    assert validate_params(sources=["https://example.gov.cn/a.html"]).all_sources() == ["https://example.gov.cn/a.html"]


def test_sources_file_relative_paths_comments_and_urls(tmp_path):
    (tmp_path / "in").mkdir()
    f = tmp_path / "sources.txt"
    f.write_text("# comment\nin   # a folder\n\nhttps://example.gov.cn/list#top\n" + str(SAMPLE) + "\n", "utf-8")
    assert read_sources_file(f) == [str((tmp_path / "in").resolve()), "https://example.gov.cn/list#top", str(SAMPLE)]
    params = validate_params(sources=[str(SAMPLE)], sources_file=str(f))
    assert params.all_sources()[0] == str(SAMPLE) and len(params.all_sources()) == 4


def test_sources_file_naming_a_missing_path_or_nothing(tmp_path):
    f = tmp_path / "sources.txt"
    f.write_text("missing-dir\n", "utf-8")
    with pytest.raises(ParameterError, match="names a missing path"):
        validate_params(sources_file=str(f)).all_sources()
    f.write_text("# nothing yet\n", "utf-8")
    with pytest.raises(ParameterError, match="lists no sources"):
        validate_params(sources_file=str(f)).all_sources()


def test_the_checked_in_sources_file_works():
    from conftest import ROOT

    assert validate_params(sources_file=str(ROOT / "sources.txt")).all_sources() == [str(SAMPLE)]
