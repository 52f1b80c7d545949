// How hard a new password is to guess, for the meter under a "Create a
// password" box (accounts mode). The server has the last word: it refuses a
// password under 8 characters or with a zxcvbn score under 3. The meter
// only tells the person beforehand; it never stops them typing or sending.
//
// zxcvbn-ts and its dictionary are large, so they are loaded only when a
// meter first needs them (a dynamic import: their own chunk, not the main
// bundle). Until then, and if they cannot be loaded, the meter goes by
// length alone.

import { passwordLength } from './setup';

/** The server's rule (backend accounts): at least this many characters… */
export const MIN_LENGTH = 8;
/** …this many encouraged… */
export const GOOD_LENGTH = 15;
/** …and refused under this zxcvbn score. */
export const MIN_SCORE = 3;

/** The rule in words, for the hint under the password box. */
export const PASSWORD_RULE =
  `Use ${MIN_LENGTH} characters or more. ${GOOD_LENGTH} or more is better. ` +
  'Ward will not accept a password that is easy to guess. A few unrelated words together are easy to remember and hard to guess.';

export type Score = 0 | 1 | 2 | 3 | 4;

/** The score in plain words. */
export function strengthLabel(score: Score): string {
  if (score <= 1) return 'Too easy to guess';
  if (score === 2) return 'Could be stronger';
  if (score === 3) return 'Good';
  return 'Strong';
}

export interface Strength {
  /** 0–4; a password under MIN_LENGTH never scores above 1. */
  score: Score;
  label: string;
  /** What the server will do with it. */
  acceptable: boolean;
  /** One plain sentence on what to do next ('' when there is nothing to say). */
  advice: string;
  /** The score came from length alone (the dictionary is not loaded). */
  lengthOnly: boolean;
}

/** A rough score from length alone: the fallback when zxcvbn is not there. */
export function lengthOnlyScore(password: string): Score {
  const n = passwordLength(password);
  if (n < MIN_LENGTH) return n < 4 ? 0 : 1;
  if (n < 12) return 2;
  if (n < GOOD_LENGTH) return 3;
  return 4;
}

/**
 * The meter's reading for a password, given zxcvbn's score (or null to go by
 * length). Short passwords are capped at 1, as the server refuses them
 * whatever zxcvbn says.
 */
export function strengthOf(password: string, zxcvbnScore: number | null): Strength | null {
  if (password === '') return null;
  const n = passwordLength(password);
  const lengthOnly = zxcvbnScore === null || !Number.isFinite(zxcvbnScore);
  let score = (lengthOnly ? lengthOnlyScore(password) : Math.max(0, Math.min(4, Math.round(zxcvbnScore!)))) as Score;
  const short = n < MIN_LENGTH;
  if (short && score > 1) score = 1;
  const acceptable = !short && score >= MIN_SCORE;
  let advice = '';
  if (short) advice = `Use ${MIN_LENGTH} characters or more.`;
  else if (!acceptable) advice = 'Add more words or characters to make it harder to guess.';
  else if (n < GOOD_LENGTH) advice = `A longer password, ${GOOD_LENGTH} characters or more, is even better.`;
  return { score, label: strengthLabel(score), acceptable, advice, lengthOnly };
}

/** Scores a password 0–4, knowing words the person gave (their email) should not count. */
export type Scorer = (password: string, userInputs?: string[]) => number;

let loading: Promise<Scorer> | null = null;

/** The longest part of a password scored (zxcvbn slows down on very long input; past this it is Strong anyway). */
const SCORE_MAX = 100;

/**
 * Loads zxcvbn-ts with the common dictionaries and keyboard layouts, once.
 * A failed load is forgotten, so a later call tries again.
 */
export function loadScorer(): Promise<Scorer> {
  if (!loading) {
    loading = Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]).then(([core, common]) => {
      const z = new core.ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
      return (password: string, userInputs: string[] = []) => z.check(password.slice(0, SCORE_MAX), userInputs).score;
    });
    loading.catch(() => (loading = null));
  }
  return loading;
}

/** The parts of an email address worth telling zxcvbn about: "jo.bloggs@example.com" → ["jo.bloggs", "jo", "bloggs", "example"]. */
export function emailWords(email: string): string[] {
  const e = email.trim().toLowerCase();
  if (!e) return [];
  const [local, domain = ''] = e.split('@');
  const words = new Set<string>([local, ...local.split(/[._+-]+/), domain.split('.')[0]]);
  return [...words].filter((w) => w.length >= 3);
}
