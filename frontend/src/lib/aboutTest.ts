// "About this test": NHS.UK health A to Z pages for the tests Ward can
// name with confidence, by LOINC code or by the test's name. A test with no
// entry gets no link: a wrong page is worse than none, so this table holds
// only pages known to exist and to explain the test, and grows slowly.

import type { Report } from './api';

export interface AboutPage {
  /** The page's own title on NHS.UK. */
  title: string;
  url: string;
}

const BLOOD_TESTS: AboutPage = { title: 'Blood tests', url: 'https://www.nhs.uk/tests-and-treatments/blood-tests/' };
const HBA1C: AboutPage = { title: 'Type 2 diabetes: diagnosis', url: 'https://www.nhs.uk/conditions/type-2-diabetes/diagnosis/' };
const CHOLESTEROL: AboutPage = { title: 'High cholesterol', url: 'https://www.nhs.uk/conditions/high-cholesterol/' };
const KIDNEY: AboutPage = { title: 'Chronic kidney disease', url: 'https://www.nhs.uk/conditions/kidney-disease/' };

const BY_LOINC: Record<string, AboutPage> = {
  // Full blood count panels.
  '58410-2': BLOOD_TESTS,
  '57021-8': BLOOD_TESTS,
  '57782-5': BLOOD_TESTS,
  // HbA1c (IFCC mmol/mol, and the older %).
  '4548-4': HBA1C,
  '17856-6': HBA1C,
  '59261-8': HBA1C,
  // Cholesterol: the panel, total, HDL, LDL.
  '57698-3': CHOLESTEROL,
  '24331-1': CHOLESTEROL,
  '2093-3': CHOLESTEROL,
  '2085-9': CHOLESTEROL,
  '13457-7': CHOLESTEROL,
  '18262-6': CHOLESTEROL,
  // Kidney function: the panel, creatinine, eGFR.
  '24362-6': KIDNEY,
  '2160-0': KIDNEY,
  '38483-4': KIDNEY,
  '33914-3': KIDNEY,
  '62238-1': KIDNEY,
  '98979-8': KIDNEY,
  '48642-3': KIDNEY,
  '48643-1': KIDNEY,
};

// Names as UK labs write them, lower case.
const BY_NAME: Record<string, AboutPage> = {
  'full blood count': BLOOD_TESTS,
  fbc: BLOOD_TESTS,
  hba1c: HBA1C,
  'haemoglobin a1c': HBA1C,
  'hba1c (diabetes control)': HBA1C,
  cholesterol: CHOLESTEROL,
  'total cholesterol': CHOLESTEROL,
  'serum cholesterol': CHOLESTEROL,
  'hdl cholesterol': CHOLESTEROL,
  'ldl cholesterol': CHOLESTEROL,
  creatinine: KIDNEY,
  'serum creatinine': KIDNEY,
  egfr: KIDNEY,
  'estimated gfr': KIDNEY,
  'kidney function': KIDNEY,
  'urea and electrolytes': KIDNEY,
  'kidney function (urea and electrolytes)': KIDNEY,
};

/** The LOINC code in a test key ("loinc|4548-4") or a code; "" when there is none. */
function loincOf(testKey?: string, code?: { system: string; code: string } | null): string {
  if (testKey?.startsWith('loinc|')) return testKey.slice('loinc|'.length);
  if (code && (code.system === 'LOINC' || code.system === 'http://loinc.org')) return code.code;
  return '';
}

/** The NHS.UK page about one test, or null when Ward knows none. */
export function aboutPage(name: string, testKey?: string, code?: { system: string; code: string } | null): AboutPage | null {
  return BY_LOINC[loincOf(testKey, code)] ?? BY_NAME[name.trim().toLowerCase().replace(/\s+/g, ' ')] ?? null;
}

export interface AboutLink extends AboutPage {
  /** The tests in the report this page is about: "Creatinine and eGFR". */
  tests: string[];
}

/** The pages about a report's tests, each once, in the order first named. */
export function aboutLinks(report: Pick<Report, 'name' | 'codes' | 'results'>): AboutLink[] {
  const out = new Map<string, AboutLink>();
  const add = (page: AboutPage | null, test: string) => {
    if (!page) return;
    const link = out.get(page.url) ?? { ...page, tests: [] };
    if (!link.tests.includes(test)) link.tests.push(test);
    out.set(page.url, link);
  };
  const reportPage = (report.codes ?? []).map((c) => aboutPage('', undefined, c)).find((p) => p) ?? aboutPage(report.name);
  add(reportPage, report.name);
  for (const x of report.results ?? []) add(aboutPage(x.name, x.testKey, x.code), x.name);
  return [...out.values()];
}
