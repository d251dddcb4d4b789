import type { RuleDefinition } from '../types.ts';
import { uninsured } from './uninsured.ts';
import { taxNotInsured } from './tax-not-insured.ts';
import { underEnrolled } from './under-enrolled.ts';
import { underDeclaredBase } from './under-declared-base.ts';
import { selectiveEnrollment } from './selective-enrollment.ts';
import { lapsed } from './lapsed.ts';
import { arrears } from './arrears.ts';
import { notDeclared } from './not-declared.ts';
import { suspendedActive } from './suspended-active.ts';
import { closedStillEnrolled } from './closed-still-enrolled.ts';
import { personUninsured } from './person-uninsured.ts';
import { personBaseLow } from './person-base-low.ts';
import { personLapsed } from './person-lapsed.ts';
import { assistanceNotCovered } from './assistance-not-covered.ts';
import { projectUninsured } from './project-uninsured.ts';

/**
 * The built-in employer rules, in the order of docs/rules.md (one finding per employer and rule;
 * the ledgers' per-rule columns, worklist rows and the employer evaluation are these). Adding a
 * rule is adding a file and a line here.
 */
export const BUILTIN_RULES: RuleDefinition[] = [
  uninsured,
  taxNotInsured,
  underEnrolled,
  underDeclaredBase,
  selectiveEnrollment,
  lapsed,
  arrears,
  notDeclared,
  suspendedActive,
  closedStillEnrolled,
];

/**
 * The built-in person rules (subject 'person', docs/rules.md "Person level"), in the order of
 * RULES.md: one finding per person (and employer, for the first two).
 */
export const PERSON_RULES: RuleDefinition[] = [personUninsured, personBaseLow, personLapsed, assistanceNotCovered];

/** The built-in project rules (subject 'project', docs/rules.md "Construction projects"): one finding per building permit. */
export const PROJECT_RULES: RuleDefinition[] = [projectUninsured];

/** Every built-in rule: the employer rules, the person rules, the project rules (what the rules stage runs, less the disabled ones). */
export const RULE_CATALOG: RuleDefinition[] = [...BUILTIN_RULES, ...PERSON_RULES, ...PROJECT_RULES];
