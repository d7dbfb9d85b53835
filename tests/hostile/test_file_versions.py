"""Item 10: edited local files get versions, deleted ones are retired, renamed ones stay one document."""
from __future__ import annotations

import os
from pathlib import Path

from helpers import copy_sample, query, token_digest


def live_canonicals_per_cluster(wh: Path) -> dict[str, int]:
    """cluster -> number of canonical members in `speeches`, for clusters with a live member."""
    rows = query(wh, """
        SELECT d.cluster_id, count(s.doc_id)
        FROM documents d LEFT JOIN speeches s ON s.doc_id = d.doc_id
        WHERE d.retired_at IS NULL
          AND d.doc_id NOT IN (SELECT previous_doc_id FROM documents WHERE previous_doc_id IS NOT NULL)
        GROUP BY d.cluster_id""")
    return dict(rows)


def test_edits_deletes_and_renames(run_cli, tmp_path):
    src = copy_sample(tmp_path / "in")
    wh = tmp_path / "wh"
    run_cli("run", str(src), "--warehouse", str(wh))
    docs_before = query(wh, "SELECT count(*) FROM documents")[0][0]
    tokens_before = token_digest(wh)[0]
    # a cluster with several members whose canonical is a file: deleting it must hand the
    # canonical to another member
    cluster, deleted_uri, deleted_doc = query(wh, """
        SELECT cluster_id, source_uri, doc_id FROM documents
        WHERE is_canonical AND cluster_id IN (SELECT cluster_id FROM documents GROUP BY 1 HAVING count(*) >= 2)
        ORDER BY source_uri LIMIT 1""")[0]
    edited = src / "001_e53861ccea28f2a4.txt"
    old_edited = query(wh, "SELECT doc_id FROM documents WHERE source_uri = ?", [str(edited)])[0][0]
    renamed_from = src / "004_a6e73fe7c5ebd397.txt"
    old_renamed = query(wh, "SELECT doc_id FROM documents WHERE source_uri = ?", [str(renamed_from)])[0][0]

    edited.write_text(edited.read_text("utf-8") + "\n同志们，今天的会议到此结束，请大家回去以后认真传达落实。\n", "utf-8")
    Path(deleted_uri).unlink()
    renamed_to = src / "sub" / "moved_004.txt"
    renamed_to.parent.mkdir()
    os.rename(renamed_from, renamed_to)

    out = run_cli("run", str(src), "--warehouse", str(wh)).stdout
    # edit: a new version pointing at the old one, which leaves `speeches`
    (new_doc, prev), = query(wh, "SELECT doc_id, previous_doc_id FROM documents WHERE source_uri = ? AND doc_id <> ?",
                             [str(edited), old_edited])
    assert prev == old_edited
    in_speeches = {r[0] for r in query(wh, "SELECT doc_id FROM speeches")}
    assert new_doc in in_speeches and old_edited not in in_speeches
    # delete: retired, kept, out of `speeches`; another member of its cluster is canonical now
    (retired_at,), = query(wh, "SELECT retired_at FROM documents WHERE doc_id = ?", [deleted_doc])
    assert retired_at is not None and deleted_doc not in in_speeches
    assert query(wh, "SELECT count(*) FROM file_state WHERE path = ?", [deleted_uri]) == [(0,)]
    (canon,), = query(wh, "SELECT count(*) FROM speeches WHERE cluster_id = ?", [cluster])
    assert canon == 1
    # rename: the same document, now at its new path; the old path is traced
    assert query(wh, "SELECT source_uri FROM documents WHERE doc_id = ?", [old_renamed]) == [(str(renamed_to),)]
    assert query(wh, "SELECT count(*) FROM documents WHERE source_uri = ?", [str(renamed_to)]) == [(1,)]
    assert query(wh, "SELECT old_path, new_path FROM file_moves WHERE doc_id = ?",
                 [old_renamed]) == [(str(renamed_from), str(renamed_to))]
    assert {r[0] for r in query(wh, "SELECT path FROM file_state")} >= {str(renamed_to)}
    assert str(renamed_from) not in {r[0] for r in query(wh, "SELECT path FROM file_state")}
    # one new row in all (the edit); tokens of the rename are not counted twice
    assert query(wh, "SELECT count(*) FROM documents")[0][0] == docs_before + 1
    (new_tokens,), = query(wh, "SELECT count(*) FROM tokens WHERE doc_id = ?", [new_doc])
    assert token_digest(wh)[0] == tokens_before + new_tokens
    # every cluster with a live member has exactly one canonical in `speeches`
    assert set(live_canonicals_per_cluster(wh).values()) == {1}
    assert "1 edited" in out and "1 deleted" in out and "1 renamed" in out, out

    # a re-run changes nothing
    before = query(wh, "SELECT doc_id, source_uri, is_canonical, retired_at FROM documents ORDER BY doc_id")
    run_cli("run", str(src), "--warehouse", str(wh))
    assert query(wh, "SELECT doc_id, source_uri, is_canonical, retired_at FROM documents ORDER BY doc_id") == before


def test_only_files_under_a_named_directory_can_be_judged_deleted(run_cli, tmp_path):
    a, b = copy_sample(tmp_path / "a", ["001_e53861ccea28f2a4.txt"]), copy_sample(tmp_path / "b", ["003_ea13a1839fb37cfd.txt"])
    wh = tmp_path / "wh"
    run_cli("run", str(a), str(b), "--warehouse", str(wh))
    (b / "003_ea13a1839fb37cfd.txt").unlink()
    run_cli("run", str(a), "--warehouse", str(wh))  # b was not named: its file is not judged
    assert query(wh, "SELECT count(*) FROM documents WHERE retired_at IS NOT NULL") == [(0,)]
    run_cli("run", str(a), str(b), "--warehouse", str(wh))
    assert query(wh, "SELECT count(*) FROM documents WHERE retired_at IS NOT NULL") == [(1,)]
    assert query(wh, "SELECT count(*) FROM speeches") == [(1,)]


def test_a_restored_file_comes_back(run_cli, tmp_path):
    src = copy_sample(tmp_path / "in", ["001_e53861ccea28f2a4.txt", "003_ea13a1839fb37cfd.txt"])
    wh = tmp_path / "wh"
    run_cli("run", str(src), "--warehouse", str(wh))
    f = src / "003_ea13a1839fb37cfd.txt"
    data = f.read_bytes()
    f.unlink()
    run_cli("run", str(src), "--warehouse", str(wh))
    assert query(wh, "SELECT count(*) FROM speeches") == [(1,)]
    f.write_bytes(data)
    run_cli("run", str(src), "--warehouse", str(wh))
    assert query(wh, "SELECT count(*) FROM speeches") == [(2,)]
    assert query(wh, "SELECT count(*) FROM documents") == [(2,)]
