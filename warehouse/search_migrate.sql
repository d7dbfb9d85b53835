-- Bringing an older warehouse up to what search needs (Warehouse.ensure_schema, under the run lock).

-- name: documents_without_token_count
SELECT count(*) FROM documents WHERE token_count IS NULL;

-- name: fill_token_count
-- A document with no token in the lake (none visible) gets 0, so this does not run again.
UPDATE documents SET token_count = coalesce(t.n, 0)
FROM (SELECT d.doc_id, t.n FROM documents d
      LEFT JOIN (SELECT doc_id, count(*) AS n FROM tokens
                 WHERE doc_id IN (SELECT doc_id FROM documents WHERE token_count IS NULL)
                 GROUP BY doc_id) t USING (doc_id)
      WHERE d.token_count IS NULL) t
WHERE documents.doc_id = t.doc_id;
