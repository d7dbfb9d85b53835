"""file_versions.plan_file_changes: edits, deletions, renames, copies and restorations told apart."""
from ingest.file_versions import FileChange, counts, plan_file_changes


def plan(staged=(), staged_files=None, known=(), missing=None, live=None, known_ids=(), retired=()):
    staged = list(staged)
    files = staged_files if staged_files is not None else {p: h for _, p, h in staged}
    return plan_file_changes(staged, files, set(known), missing or {}, live or {}, set(known_ids), set(retired))


def test_an_edit_is_a_new_version_of_the_current_document():
    changes = plan(staged=[("new", "/d/a.txt", "h2")], known={"/d/a.txt"}, live={"/d/a.txt": ("old", "h1")})
    assert changes == [FileChange("edit", "old", "new")]


def test_a_rename_needs_the_same_bytes_and_the_old_path_gone():
    renamed = plan(staged=[("n", "/d/b.txt", "h1")], known={"/d/a.txt"}, missing={"/d/a.txt": "h1"},
                   live={"/d/a.txt": ("old", "h1")})
    assert renamed == [FileChange("rename", "old", "n", "/d/a.txt", "/d/b.txt")]
    assert counts(renamed)["files_renamed"] == 1 and counts(renamed)["files_deleted"] == 0
    # a copy: the old path is still there, so nothing happens to the old document
    assert plan(staged=[("n", "/d/b.txt", "h1")], known={"/d/a.txt"}, live={"/d/a.txt": ("old", "h1")}) == []
    # other bytes under a new name: the old file was deleted, the new one is a new document
    other = plan(staged=[("n", "/d/b.txt", "h9")], known={"/d/a.txt"}, missing={"/d/a.txt": "h1"},
                 live={"/d/a.txt": ("old", "h1")})
    assert other == [FileChange("retire", "old", None, "/d/a.txt")]


def test_a_file_edited_into_a_reject_retires_its_document():
    changes = plan(staged_files={"/d/a.txt": "h-empty"}, known={"/d/a.txt"}, live={"/d/a.txt": ("old", "h1")})
    assert changes == [FileChange("retire", "old")]


def test_a_deleted_file_without_a_document_only_leaves_file_state():
    assert plan(missing={"/d/reject.txt": "h"}) == [FileChange("retire", None, None, "/d/reject.txt")]


def test_a_restored_file_is_revived():
    assert plan(staged=[("d1", "/d/a.txt", "h1")], known_ids={"d1"}, retired={"d1"}) == [FileChange("revive", "d1")]
    assert plan(staged=[("d1", "/d/a.txt", "h1")], known_ids={"d1"}) == []
