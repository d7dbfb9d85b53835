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


def test_special_files_and_oversized_files_are_refused_by_stat(tmp_path):
    import os

    from ingest.sources.files import FileRules

    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "big.txt").write_bytes(b"x" * 101)
    (tmp_path / "ok.txt").write_bytes(b"x" * 100)
    refs = {r.path.rsplit("/", 1)[1]: r for r in discover_files([str(tmp_path)], FileRules(max_bytes=100))}
    assert refs["pipe.txt"].problem == "not a regular file (FIFO): not opened"
    assert refs["big.txt"].problem.startswith("file too large (101 bytes, limit 100")
    assert refs["ok.txt"].problem == ""
    (named,) = discover_files([str(tmp_path / "pipe.txt")])  # named directly: the same
    assert named.problem.startswith("not a regular file (FIFO)")


def test_links_out_of_the_named_directory(tmp_path):
    from ingest.sources.files import FileRules

    (tmp_path / "tree").mkdir()
    (tmp_path / "out.txt").write_text("外")
    (tmp_path / "tree" / "link.txt").symlink_to(tmp_path / "out.txt")
    (ref,) = discover_files([str(tmp_path / "tree")])
    assert ref.path == str(tmp_path / "tree" / "link.txt") and "out of the named directory" in ref.problem
    (ref,) = discover_files([str(tmp_path / "tree")], FileRules(follow_links_outside=True))
    assert ref.path == str(tmp_path / "out.txt") and ref.problem == ""


def test_names_that_are_not_utf8_are_stored_escaped_and_still_read(tmp_path):
    import os

    from ingest.sources.files import stored_name

    os.makedirs(os.fsencode(tmp_path / "d"))
    with open(os.path.join(os.fsencode(tmp_path / "d"), b"x\xff.txt"), "wb") as fh:
        fh.write("讲话".encode())
    (ref,) = discover_files([str(tmp_path / "d")])
    assert ref.path == str(tmp_path / "d") + "/x\\xff.txt" and ref.disk_path.endswith("x\udcff.txt")
    raw = read_file(ref)
    assert raw.data == "讲话".encode() and raw.source_uri == ref.path
    assert stored_name("plain/名字.txt") == "plain/名字.txt"


def test_read_refuses_what_changed_since_planning(tmp_path):
    import os

    from ingest.sources.files import UnreadableFile

    f = tmp_path / "a.txt"
    f.write_bytes(b"12345")
    (ref,) = discover_files([str(f)])
    f.write_bytes(b"1234567890")  # grew: not read past what was planned
    with pytest.raises(UnreadableFile, match="grew"):
        read_file(ref)
    f.unlink()
    os.mkfifo(f)  # swapped for a FIFO: never opened
    with pytest.raises(UnreadableFile, match="FIFO"):
        read_file(ref)
