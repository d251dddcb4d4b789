/**
 * The code checks of `codes.ts` as DuckDB macros, so linking checks a million codes in one
 * statement instead of a round trip per row. Every macro takes an already-cleaned code (upper
 * case, half-width, no spaces: ingest cleans) and must agree with its JS twin; the test in
 * `test/link/codes.test.ts` compares them over thousands of generated codes.
 */
import { ORG_CHECK_EXEMPT_PREFIXES, ORG_CODE_ALPHABET, ORG_WEIGHTS, USCC_ALPHABET, USCC_WEIGHTS } from './codes.ts';

/** sum(value(char i) * weight i), written out term by term: no list or lambda per row (a million codes in about a second). */
function weightedSum(alphabet: string, weights: number[], offset = 0): string {
  return weights.map((w, i) => `(strpos('${alphabet}', substr(s, ${i + 1 + offset}, 1)) - 1) * ${w}`).join(' + ');
}

// The prefixes are code constants, but they land inside SQL text, so refuse anything odd.
for (const prefix of ORG_CHECK_EXEMPT_PREFIXES) {
  if (!/^[0-9A-Z]{2}$/.test(prefix)) throw new Error(`bad ORG_CHECK_EXEMPT_PREFIXES entry: ${prefix}`);
}
const exemptTest = ORG_CHECK_EXEMPT_PREFIXES.length === 0 ? '' : `substr(s, 1, 2) IN (${ORG_CHECK_EXEMPT_PREFIXES.map((p) => `'${p}'`).join(', ')}) OR `;

const USCC_PATTERN = '[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}';

/** `CREATE OR REPLACE MACRO` statements for the code checks; run once per connection before linking. */
export const CODE_MACROS_SQL = `
-- GB 32100: weighted sum mod 31 over the 17 body characters.
CREATE OR REPLACE MACRO recon_uscc_check_char(s) AS
  substr('${USCC_ALPHABET}', (31 - (${weightedSum(USCC_ALPHABET, USCC_WEIGHTS)}) % 31) % 31 + 1, 1);

-- GB 11714: 11 - (sum mod 11) is 1..11; position 11 of the lookup is X (10), 12 is 0 (11).
CREATE OR REPLACE MACRO recon_org_check_char(s) AS
  substr('0123456789X0', 12 - (${weightedSum(ORG_CODE_ALPHABET, ORG_WEIGHTS)}) % 11, 1);

-- The CASE keeps the check arithmetic away from strings that are not USCC-shaped.
CREATE OR REPLACE MACRO recon_uscc_valid(s) AS
  CASE WHEN regexp_full_match(s, '${USCC_PATTERN}')
    THEN recon_uscc_check_char(s) = substr(s, 18, 1)
      AND (${exemptTest}recon_org_check_char(substr(s, 9, 8)) = substr(s, 17, 1))
    ELSE false
  END;

-- The printed form XXXXXXXX-X is accepted, as validateOrgCode does.
CREATE OR REPLACE MACRO recon_org_code_valid(s) AS
  CASE WHEN regexp_full_match(s, '[0-9A-Z]{8}-?[0-9X]')
    THEN recon_org_check_char(substr(s, 1, 8)) = right(s, 1)
    ELSE false
  END;

CREATE OR REPLACE MACRO recon_uscc_org_code(s) AS
  CASE WHEN recon_uscc_valid(s) THEN substr(s, 9, 9) END;

CREATE OR REPLACE MACRO recon_uscc_region(s) AS
  CASE WHEN recon_uscc_valid(s) THEN substr(s, 3, 6) END;

-- Matches the 15-character tax number a unit had before its USCC.
CREATE OR REPLACE MACRO recon_legacy_tax_id(s) AS
  CASE WHEN recon_uscc_valid(s) THEN substr(s, 3, 15) END;

-- The organisation code a taxpayer id carries (USCC or legacy 15), as parseTaxpayerId derives it.
CREATE OR REPLACE MACRO recon_taxpayer_org_code(s) AS
  CASE
    WHEN length(s) = 18 THEN recon_uscc_org_code(s)
    WHEN length(s) = 15 AND regexp_full_match(s, '[0-9]{6}.{9}') AND recon_org_code_valid(substr(s, 7, 9))
      THEN substr(s, 7, 9)
  END;

-- Type-text order matters: 民办非企业单位 contains 企业, and 合作社 must win over enterprise words.
CREATE OR REPLACE MACRO recon_employer_kind(uscc, type_text) AS
  CASE
    WHEN recon_uscc_valid(uscc) THEN
      CASE substr(uscc, 1, 2)
        WHEN '91' THEN 'enterprise'
        WHEN '92' THEN 'individual_business'
        WHEN '93' THEN 'farmer_coop'
        WHEN '51' THEN 'social_org'
        WHEN '52' THEN 'social_org'
        WHEN '53' THEN 'social_org'
        WHEN '12' THEN 'public_institution'
        ELSE 'other'
      END
    WHEN contains(type_text, '个体') THEN 'individual_business'
    WHEN contains(type_text, '合作社') THEN 'farmer_coop'
    WHEN contains(type_text, '社会团体') OR contains(type_text, '民办非企业')
      OR contains(type_text, '社会服务机构') OR contains(type_text, '基金会') THEN 'social_org'
    WHEN contains(type_text, '事业单位') THEN 'public_institution'
    WHEN contains(type_text, '公司') OR contains(type_text, '企业')
      OR contains(type_text, '有限') OR contains(type_text, '合伙') THEN 'enterprise'
    ELSE 'other'
  END;
`;
