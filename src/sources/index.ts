import type { Kind, SourceContract } from './contract.ts';
import { registration } from './registration.ts';
import { taxRegistration, taxWithholding } from './tax.ts';
import { civilOrg } from './civil.ts';
import { siEnrollment, siPayment } from './si.ts';
import { gridRoster } from './grid.ts';
import { targets } from './targets.ts';
import { assistance, iitDetail, residentPension, siPerson } from './persons.ts';
import { constructionPermit, siProject } from './projects.ts';

export * from './contract.ts';

/** The contracts, by kind. */
export const CONTRACTS: Record<Kind, SourceContract> = {
  registration,
  tax_registration: taxRegistration,
  tax_withholding: taxWithholding,
  civil_org: civilOrg,
  si_enrollment: siEnrollment,
  si_payment: siPayment,
  grid_roster: gridRoster,
  targets,
  iit_detail: iitDetail,
  si_person: siPerson,
  resident_pension: residentPension,
  assistance,
  construction_permit: constructionPermit,
  si_project: siProject,
};
