-- Macros for analysts: plain SQL helpers over the views. (Search, KWIC and collocations: search.sql.)

-- Occurrences of a term per month of publication, counted in the segmented tokens of canonical
-- speeches. Only dated speeches count: a speech without published_at has no month (it used to
-- land in the month it was ingested, which made every ingest look like a surge).
CREATE OR REPLACE MACRO term_per_month(term) AS TABLE
    SELECT date_trunc('month', s.published_at)::DATE AS month, count(*) AS hits
    FROM tokens t JOIN speeches s USING (doc_id)
    WHERE t.token = term AND s.published_at IS NOT NULL
    GROUP BY ALL ORDER BY month;

-- A term's use per period (month by default; 'year', 'quarter' ...) and, with `by`, per
-- organization, speaker or genre: hits per 10,000 tokens of the dated canonical speeches of that
-- period and group, so a month with more speeches does not look like a rise. Every period and
-- group that has speeches is listed, with 0 where the term is absent; undated speeches are left
-- out; a speech without the grouping column counts as '(unknown)'.
--   SELECT * FROM term_trend('新质生产力', by := 'organization', period := 'year')
CREATE OR REPLACE MACRO term_trend(term, by := NULL, period := 'month') AS TABLE
WITH dated AS (
    SELECT doc_id, token_count, date_trunc(period, published_at)::DATE AS period_start,
           CASE WHEN "by" IS NULL THEN '(all)'
                WHEN "by" NOT IN ('organization', 'speaker', 'genre')
                    THEN error('term_trend: by must be organization, speaker or genre, not ' || "by")
                ELSE coalesce(CASE "by" WHEN 'organization' THEN organization WHEN 'speaker' THEN speaker
                                      WHEN 'genre' THEN genre END, '(unknown)') END AS by_value
    FROM speeches WHERE published_at IS NOT NULL
), hits AS (
    SELECT doc_id, count(*) AS hits FROM tokens
    WHERE token = term AND doc_id IN (SELECT doc_id FROM dated)
    GROUP BY doc_id
)
SELECT period_start AS period, by_value, count(*) AS speeches, count(h.doc_id) AS speeches_using,
       coalesce(sum(h.hits), 0) AS hits, sum(d.token_count) AS tokens,
       round(coalesce(sum(h.hits), 0) * 10000.0 / nullif(sum(d.token_count), 0), 2) AS per_10k
FROM dated d LEFT JOIN hits h USING (doc_id)
GROUP BY period_start, by_value ORDER BY period_start, by_value;

-- Every sentence of a canonical speech that contains a phrase (keyword in context).
CREATE OR REPLACE MACRO sentences_with(phrase) AS TABLE
    SELECT doc_id, title, sentence
    FROM (SELECT doc_id, title, unnest(regexp_extract_all(text, '[^。！？\n]*[。！？]?')) AS sentence FROM speeches)
    WHERE contains(sentence, phrase);

-- Which organisations use a phrase, and how many of their speeches do.
CREATE OR REPLACE MACRO organizations_using(phrase) AS TABLE
    SELECT coalesce(organization, speaker, source_name, '(unknown)') AS who, count(*) AS speeches
    FROM speeches WHERE contains(text, phrase)
    GROUP BY ALL ORDER BY speeches DESC;
