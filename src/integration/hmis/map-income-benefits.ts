import type { ObservationComponent } from '../fhir/types';
import type { RowReader } from '../csv/row';
import { LABELS } from '../labels';
import type { HmisContext } from './context';
import {
  NO_YES,
  component,
  deleteObservations,
  hmisObservation,
  observationRows,
  setCoded,
  usd,
  type ObservationRow,
} from './observation';

// [yes/no column, amount column, display] of 4.02 Income and Sources.
const INCOME: [string, string, string][] = [
  ['Earned', 'EarnedAmount', 'Earned income'],
  ['Unemployment', 'UnemploymentAmount', 'Unemployment Insurance'],
  ['SSI', 'SSIAmount', 'Supplemental Security Income (SSI)'],
  ['SSDI', 'SSDIAmount', 'Social Security Disability Insurance (SSDI)'],
  ['VADisabilityService', 'VADisabilityServiceAmount', 'VA Service-Connected Disability Compensation'],
  ['VADisabilityNonService', 'VADisabilityNonServiceAmount', 'VA Non-Service-Connected Disability Pension'],
  ['PrivateDisability', 'PrivateDisabilityAmount', 'Private disability insurance'],
  ['WorkersComp', 'WorkersCompAmount', "Worker's Compensation"],
  ['TANF', 'TANFAmount', 'Temporary Assistance for Needy Families (TANF)'],
  ['GA', 'GAAmount', 'General Assistance (GA)'],
  ['SocSecRetirement', 'SocSecRetirementAmount', 'Retirement Income from Social Security'],
  ['Pension', 'PensionAmount', 'Pension or retirement income from a former job'],
  ['ChildSupport', 'ChildSupportAmount', 'Child support'],
  ['Alimony', 'AlimonyAmount', 'Alimony and other spousal support'],
  ['OtherIncomeSource', 'OtherIncomeAmount', 'Other source'],
];
const BENEFITS: [string, string][] = [
  ['SNAP', 'Supplemental Nutrition Assistance Program (SNAP)'],
  ['WIC', 'Special Supplemental Nutrition Program for Women, Infants, and Children (WIC)'],
  ['TANFChildCare', 'TANF Child Care services'],
  ['TANFTransportation', 'TANF transportation services'],
  ['OtherTANF', 'Other TANF-funded services'],
  ['OtherBenefitsSource', 'Other source'],
];
const INSURANCE: [string, string][] = [
  ['Medicaid', 'Medicaid'],
  ['Medicare', 'Medicare'],
  ['SCHIP', "State Children's Health Insurance Program"],
  ['VHAServices', 'Veterans Health Administration (VHA) Medical Services'],
  ['EmployerProvided', 'Employer-provided health insurance'],
  ['COBRA', 'Health insurance obtained through COBRA'],
  ['PrivatePay', 'Private pay health insurance'],
  ['StateHealthIns', 'State Health Insurance for Adults'],
  ['IndianHealthServices', 'Indian Health Services Program'],
  ['OtherInsurance', 'Other'],
];
// HOPWA medical assistance: receiving ADAP or Ryan White help discloses HIV status, so it is kept
// apart from the general insurance answers and labelled HIV.
const HIV_ASSISTANCE: [string, string][] = [
  ['ADAP', 'AIDS Drug Assistance Program (ADAP)'],
  ['RyanWhiteMedDent', 'Ryan White-funded Medical or Dental Assistance'],
];
const ID = 'income-benefits-id';

/** IncomeBenefits.csv → Observations for income (4.02), non-cash benefits (4.03), insurance (4.04) and HOPWA medical assistance (W3). */
export function mapIncomeBenefits(ctx: HmisContext): void {
  for (const row of observationRows(ctx, 'IncomeBenefits.csv', 'IncomeBenefitsID')) {
    if (row.r.str('DateDeleted')) {
      deleteObservations(ctx, row, ID, ['4.02', '4.03', '4.04', 'W3']);
      continue;
    }
    const income = sources(ctx, row.r, INCOME);
    const total = row.r.money('TotalMonthlyIncome');
    if (total !== undefined)
      income.unshift({
        ...component('TotalMonthlyIncome', 'Total monthly income'),
        valueQuantity: usd(total),
      });
    add(ctx, row, '4.02', 'IncomeFromAnySource', income);
    add(ctx, row, '4.03', 'BenefitsFromAnySource', sources(ctx, row.r, BENEFITS));
    add(ctx, row, '4.04', 'InsuranceFromAnySource', sources(ctx, row.r, INSURANCE));
    const hiv = sources(ctx, row.r, HIV_ASSISTANCE);
    if (hiv.length) add(ctx, row, 'W3', undefined, hiv, LABELS.hiv);
  }
}

function add(
  ctx: HmisContext,
  row: ObservationRow,
  element: string,
  anySourceColumn: string | undefined,
  components: ObservationComponent[],
  labels?: typeof LABELS.hiv,
): void {
  const any = anySourceColumn ? row.r.code(anySourceColumn, NO_YES, `${anySourceColumn} code`) : undefined;
  if (!any && components.length === 0) return;
  const obs = hmisObservation(ctx, row, ID, element, labels);
  if (any) setCoded(obs, ctx.noYes(any));
  if (components.length) obs.component = components;
  ctx.builder.add(obs, obs.identifier![0], ctx.origin(row.r));
}

/** One component per answered source: yes/no, plus the monthly amount where the list has one. */
function sources(
  ctx: HmisContext,
  r: RowReader,
  list: readonly (readonly string[])[],
): ObservationComponent[] {
  const out: ObservationComponent[] = [];
  for (const entry of list) {
    const [column, amountColumn, display] = entry.length === 3 ? entry : [entry[0], undefined, entry[1]];
    const answer = r.code(column, NO_YES, `${column} code`);
    if (answer) {
      const c = component(column, display!);
      setCoded(c, ctx.noYes(answer));
      out.push(c);
    }
    const amount = amountColumn ? r.money(amountColumn) : undefined;
    if (amount !== undefined)
      out.push({ ...component(amountColumn!, `${display} (monthly amount)`), valueQuantity: usd(amount) });
  }
  return out;
}
