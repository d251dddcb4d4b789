-- The review workbook (review-list.ts): the run's pairs for review (link_review), each with what
-- an analyst needs to judge it: the record as its source has it (name, codes, district) and the
-- candidate employer (its name, USCC, address and district as the employers table has them).

-- step: review_list.rows
SELECT r.pair_id, r.source, r.record_key, r.name, lr.code, lr.org_code, coalesce(rd.name, r.district_code) AS district,
       coalesce(e.name, r.candidate_name) AS candidate_name, e.uscc AS candidate_uscc, fa.address AS candidate_address,
       coalesce(cd.name, e.district_code) AS candidate_district, CAST(r.score AS DOUBLE) AS score,
       regexp_replace(r.reason, '^人工确认[^；]*；', '') AS reason_code,
       CASE WHEN starts_with(r.reason, '人工确认') THEN regexp_extract(r.reason, '^(人工确认：[^；]*)', 1) END AS earlier,
       strftime(r.first_listed, '%Y-%m-%d') AS first_listed
FROM link_review r
LEFT JOIN link_records lr USING (source, record_key)
LEFT JOIN employer_keys k ON k.key = r.candidate_cluster
LEFT JOIN employers e ON e.employer_id = k.employer_id
LEFT JOIN employer_facts fa ON fa.employer_id = e.employer_id
LEFT JOIN ref_division rd ON rd.code = r.district_code
LEFT JOIN ref_division cd ON cd.code = e.district_code
ORDER BY r.first_listed, r.district_code, r.score DESC, r.pair_id;
