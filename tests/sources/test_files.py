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


def test_links_hidden_entries_and_order(tmp_path):
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (real / "b.txt").write_text("乙")
    (real / "sub" / "a.txt").write_text("甲")
    (real / ".cache").mkdir()
    (real / ".cache" / "c.txt").write_text("丙")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "d.txt").write_text("丁")
    (real / "linked-dir").symlink_to(elsewhere)  # not walked into, as os.walk does
    (real / "link.txt").symlink_to(real / "sub" / "a.txt")  # followed: named by its target
    (real / "broken.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "via").symlink_to(real)  # the directory named through a link: paths are resolved
    refs = list(discover_files([str(tmp_path / "via")]))
    assert [r.path for r in refs] == [str(real / "b.txt"), str(real / "broken.txt"), str(real / "sub" / "a.txt"),
                                      str(real / "sub" / "a.txt")]
    # a broken link is planned with an impossible size, so that reading it rejects it with the reason
    assert [(r.size, r.mtime_ns) for r in refs][1] == (-1, -1)
    with pytest.raises(OSError):
        read_file(refs[1])
