"""Fixtures for dedup tests (helpers live in dedup_fixtures)."""
import pytest

from dedup_fixtures import Variants, sample_speeches


@pytest.fixture(scope="session")
def speeches() -> dict[str, Variants]:
    return sample_speeches()
