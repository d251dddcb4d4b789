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

/** The built-in rules, in the order of docs/rules.md. Adding a rule is adding a file and a line here. */
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
