-- Macros for analysts: plain SQL helpers over the views.

-- Occurrences of a term per month, counted in the segmented tokens of canonical speeches.
CREATE OR REPLACE MACRO term_per_month(term) AS TABLE
    SELECT date_trunc('month', coalesce(s.published_at, s.fetched_at)) AS month, count(*) AS hits
    FROM tokens t JOIN speeches s USING (doc_id)
    WHERE t.token = term
    GROUP BY ALL ORDER BY month;

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
