-- Release 0.6: the district of each person a case is about alone, as a table the publish stage
-- refills each run (src/publish/ledger-views.ts, fillLedgerPersonPlace). It was a view that
-- ordered the person kinds' rows again for every ledger view that read it (ledger_findings,
-- ledger_case_state, and through them 汇总, 欠费台账, the summary page): 3.3 s per read at city
-- size, about ten reads per run. Filled from the current data, as the view was.
DROP VIEW IF EXISTS ledger_person_place;
CREATE TABLE IF NOT EXISTS ledger_person_place (
  person_key VARCHAR NOT NULL,
  si_district VARCHAR,
  si_street VARCHAR,
  aid_district VARCHAR,
  aid_street VARCHAR
);
