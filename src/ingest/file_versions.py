"""What happened to local files since they were loaded: edited, deleted, renamed (pure: no I/O).

An edited file is a new version of its document (`previous_doc_id`; the old version leaves
`speeches`), like a changed web page. A file gone from a directory named in the run is retired:
its document stays, out of `speeches`. A file that reappears under a new path with the same bytes
while the old path is gone was renamed: the same document, its `source_uri` updated and the move
kept in `file_moves`. A copy (the old path still there) is none of these: it is a new document and
the duplicate finder says what it duplicates.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

CHANGE_SCHEMA = pa.schema([("kind", pa.string()), ("doc_id", pa.string()), ("new_doc_id", pa.string()),
                           ("old_path", pa.string()), ("new_path", pa.string())])


@dataclass(frozen=True, slots=True)
class FileChange:
    kind: str  # edit | retire | rename | revive
    doc_id: str | None  # the loaded document it concerns (None: a deleted file that had no document)
    new_doc_id: str | None = None  # edit: the new version
    old_path: str | None = None  # retire, rename: the path whose file_state row goes
    new_path: str | None = None  # rename


def plan_file_changes(staged: list[tuple[str, str, str]], staged_files: dict[str, str], known_paths: set[str],
                      missing: dict[str, str], live: dict[str, tuple[str, str]], known_ids: set[str],
                      retired_ids: set[str]) -> list[FileChange]:
    """The changes a run makes to earlier documents of local files.

    staged        (doc_id, path, content hash) of the run's staged file documents
    staged_files  path -> content hash of every file the run read (documents and rejects)
    known_paths   paths in file_state (ingested before)
    missing       path -> content hash of files ingested before, gone from a directory named now
    live          path -> (doc_id, content hash) of the current document of each path concerned
    known_ids     staged doc_ids already in the warehouse; retired_ids: those of them retired
    """
    changes: list[FileChange] = []
    gone_by_hash: dict[str, str] = {}
    for path, content_hash in sorted(missing.items()):
        gone_by_hash.setdefault(content_hash, path)
    renamed_from: set[str] = set()
    for doc_id, path, content_hash in staged:
        if doc_id in known_ids:
            if doc_id in retired_ids:  # a deleted file is back, bytes unchanged
                changes.append(FileChange("revive", doc_id))
            continue
        old = gone_by_hash.get(content_hash)
        if path not in known_paths and old is not None and old in live and old not in renamed_from:
            renamed_from.add(old)
            changes.append(FileChange("rename", live[old][0], doc_id, old, path))
        elif path in live and live[path][0] != doc_id:
            changes.append(FileChange("edit", live[path][0], doc_id))
    for path in sorted(set(missing) - renamed_from):
        changes.append(FileChange("retire", live.get(path, (None,))[0], None, path))
    with_documents = {path for _, path, _ in staged}
    for path, content_hash in sorted(staged_files.items()):
        # read again, now a reject (emptied, garbled): the text it held is no longer there
        if path in live and path not in with_documents and live[path][1] != content_hash:
            changes.append(FileChange("retire", live[path][0]))
    return changes


def changes_table(changes: list[FileChange]) -> pa.Table:
    cols = [[getattr(c, f.name) for c in changes] for f in CHANGE_SCHEMA]
    return pa.table([pa.array(c, f.type) for f, c in zip(CHANGE_SCHEMA, cols)], schema=CHANGE_SCHEMA)


def counts(changes: list[FileChange]) -> dict[str, int]:
    return {"files_edited": sum(c.kind == "edit" for c in changes),
            "files_deleted": sum(c.kind == "retire" and c.old_path is not None for c in changes),
            "files_renamed": sum(c.kind == "rename" for c in changes),
            "files_restored": sum(c.kind == "revive" for c in changes)}
