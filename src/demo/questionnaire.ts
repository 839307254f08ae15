/**
 * The county's short social-needs screening form: the two Hunger Vital Sign questions and a few
 * PRAPARE questions (housing, transportation, employment, safety), coded in LOINC as published.
 * Written for the demo; the item wording follows the public instruments.
 */
import { coding, SYSTEM, type Coding, type Resource } from './fhir';

export const SCREEN_URL = 'https://kith.example.org/fhir/Questionnaire/alder-sdoh-screen';
export const SCREEN_VERSION = '1.0.0';

const la = (code: string, display: string): Coding => coding(SYSTEM.loinc, code, display);

export const ANSWER = {
  often: la('LA28397-0', 'Often true'),
  sometimes: la('LA6729-3', 'Sometimes true'),
  never: la('LA28398-8', 'Never true'),
  dontKnow: la('LA15775-2', "Don't know/refused"),
  haveHousing: la('LA30189-7', 'I have housing'),
  noHousing: la(
    'LA30190-5',
    'I do not have housing (staying with others, in a hotel, in a shelter, living outside on the street, on a beach, in a car, or in a park)',
  ),
  decline: la('LA30122-8', 'I choose not to answer this question'),
  yes: la('LA33-6', 'Yes'),
  no: la('LA32-8', 'No'),
  unsure: la('LA14072-5', 'Unsure'),
  transportMedical: la(
    'LA30133-5',
    'Yes, it has kept me from medical appointments or from getting my medications',
  ),
  transportOther: la(
    'LA30134-3',
    'Yes, it has kept me from non-medical meetings, appointments, work, or from getting things that I need',
  ),
  unemployed: la('LA17956-6', 'Unemployed'),
  partTime: la('LA30138-4', 'Part-time or temporary work'),
  fullTime: la('LA30136-8', 'Full-time work'),
  notSeeking: la(
    'LA30137-6',
    'Otherwise unemployed but not seeking work (ex: student, retired, disabled, unpaid primary care giver)',
  ),
  atRisk: la('LA19952-3', 'At risk'),
  noRisk: la('LA19983-8', 'No risk'),
} as const;

export type SdohDomain =
  | 'food-insecurity'
  | 'homelessness'
  | 'housing-instability'
  | 'transportation-insecurity'
  | 'employment-status'
  | 'intimate-partner-violence';

export interface ScreenItem {
  linkId: string;
  display: string;
  text: string;
  domain: SdohDomain;
  options: Coding[];
  /** Answers that count as a positive screen. */
  positive: string[];
}

export const SCREEN_ITEMS: ScreenItem[] = [
  {
    linkId: '88122-7',
    display:
      'Within the past 12 months we worried whether our food would run out before we got money to buy more [U.S. FSS]',
    text: 'Within the past 12 months we worried whether our food would run out before we got money to buy more.',
    domain: 'food-insecurity',
    options: [ANSWER.often, ANSWER.sometimes, ANSWER.never, ANSWER.dontKnow],
    positive: ['LA28397-0', 'LA6729-3'],
  },
  {
    linkId: '88123-5',
    display:
      "Within the past 12 months the food we bought just didn't last and we didn't have money to get more [U.S. FSS]",
    text: "Within the past 12 months the food we bought just didn't last and we didn't have money to get more.",
    domain: 'food-insecurity',
    options: [ANSWER.often, ANSWER.sometimes, ANSWER.never, ANSWER.dontKnow],
    positive: ['LA28397-0', 'LA6729-3'],
  },
  {
    linkId: '71802-3',
    display: 'Housing status',
    text: 'What is your housing situation today?',
    domain: 'homelessness',
    options: [ANSWER.haveHousing, ANSWER.noHousing, ANSWER.decline],
    positive: ['LA30190-5'],
  },
  {
    linkId: '93033-9',
    display: 'Are you worried about losing your housing?',
    text: 'Are you worried about losing your housing?',
    domain: 'housing-instability',
    options: [ANSWER.yes, ANSWER.no, ANSWER.decline],
    positive: ['LA33-6'],
  },
  {
    linkId: '93030-5',
    display:
      'Has lack of transportation kept you from medical appointments, meetings, work, or from getting things needed for daily living',
    text: 'Has lack of transportation kept you from medical appointments, meetings, work, or from getting things needed for daily living?',
    domain: 'transportation-insecurity',
    options: [ANSWER.transportMedical, ANSWER.transportOther, ANSWER.no],
    positive: ['LA30133-5', 'LA30134-3'],
  },
  {
    linkId: '67875-5',
    display: 'Employment status current',
    text: 'What is your current work situation?',
    domain: 'employment-status',
    options: [ANSWER.unemployed, ANSWER.partTime, ANSWER.fullTime, ANSWER.notSeeking, ANSWER.decline],
    positive: ['LA17956-6'],
  },
  {
    linkId: '93026-3',
    display: 'Do you feel physically and emotionally safe where you currently live?',
    text: 'Do you feel physically and emotionally safe where you currently live?',
    domain: 'intimate-partner-violence',
    options: [ANSWER.yes, ANSWER.no, ANSWER.unsure, ANSWER.decline],
    positive: ['LA32-8', 'LA14072-5'],
  },
  {
    linkId: '76501-6',
    display: 'Within the last year, have you been afraid of your partner or ex-partner?',
    text: 'Within the last year, have you been afraid of your partner or ex-partner?',
    domain: 'intimate-partner-violence',
    options: [ANSWER.yes, ANSWER.no, ANSWER.decline],
    positive: ['LA33-6'],
  },
];

export function screeningQuestionnaire(): Resource {
  return {
    resourceType: 'Questionnaire',
    id: 'alder-sdoh-screen',
    url: SCREEN_URL,
    version: SCREEN_VERSION,
    name: 'AlderSdohScreen',
    title: 'Alder County social needs screening (short form)',
    status: 'active',
    experimental: false,
    subjectType: ['Patient'],
    date: '2025-01-15',
    publisher: 'Alder County Health and Human Services Agency (demo)',
    description:
      'Eight questions asked at intake by county, clinic and community partners: the Hunger Vital Sign and PRAPARE items on housing, transportation, employment and safety. A positive answer leads to a health concern and, with consent, a referral.',
    useContext: [
      {
        code: coding('http://terminology.hl7.org/CodeSystem/usage-context-type', 'focus', 'Clinical Focus'),
        valueCodeableConcept: { text: 'Social determinants of health screening' },
      },
    ],
    item: SCREEN_ITEMS.map((item) => ({
      linkId: item.linkId,
      code: [coding(SYSTEM.loinc, item.linkId, item.display)],
      text: item.text,
      type: 'choice',
      required: item.domain === 'food-insecurity' || item.domain === 'homelessness',
      answerOption: item.options.map((valueCoding) => ({ valueCoding })),
    })),
  };
}
