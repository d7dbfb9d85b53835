"""Run parameters: validated with one clear message per problem; sources files resolve relative paths."""
import pytest

from conftest import SAMPLE
from ingest.config import ParameterError, validate_params


def test_defaults_mean_the_sample_corpus():
    p = validate_params()
    assert p.sources is None and p.sources_file is None and p.runner == "default"


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
    assert validate_params(sources=["https://example.gov.cn/a.html", str(SAMPLE)]).sources[0] == "https://example.gov.cn/a.html"


def test_the_checked_in_sources_yaml_parses():
    from conftest import ROOT
    from ingest.sources.config import load_sources_file

    assert validate_params(sources_file=str(ROOT / "sources.yaml")).sources_file
    assert load_sources_file(ROOT / "sources.yaml") == []
