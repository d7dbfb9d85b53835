"""Local sources: recursive discovery of text and HTML files, clear error for a missing path."""
import pytest

from ingest.sources.files import SourceError, discover_files, read_file, sample_corpus_dir


def test_recursive_discovery_by_suffix(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("一")
    (tmp_path / "two.HTML").write_text("<html></html>")
    (tmp_path / "skip.docx").write_bytes(b"PK")
    (tmp_path / ".hidden.txt").write_text("x")
    names = [r.path.rsplit("/", 1)[1] for r in discover_files([str(tmp_path)])]
    assert names == ["two.HTML", "one.txt"]


def test_a_file_named_directly_is_taken_whatever_its_suffix(tmp_path):
    f = tmp_path / "speech.md"
    f.write_text("讲话")
    (ref,) = discover_files([str(f)])
    raw = read_file(ref)
    assert raw.data == "讲话".encode() and raw.source_uri == str(f.resolve()) and raw.suffix == ".md"


def test_missing_path_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="no such file or directory"):
        list(discover_files([str(tmp_path / "nope")]))


def test_sample_corpus_is_bundled():
    files = list(discover_files([str(sample_corpus_dir())]))
    assert len(files) >= 10
