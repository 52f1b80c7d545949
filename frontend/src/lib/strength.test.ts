import { describe, expect, it } from 'vitest';
import { emailWords, lengthOnlyScore, loadScorer, MIN_SCORE, PASSWORD_RULE, strengthLabel, strengthOf, type Score } from './strength';

describe('strengthLabel', () => {
  const cases: Array<[Score, string]> = [
    [0, 'Too easy to guess'],
    [1, 'Too easy to guess'],
    [2, 'Could be stronger'],
    [3, 'Good'],
    [4, 'Strong'],
  ];
  it.each(cases)('%i is %j', (score, want) => expect(strengthLabel(score)).toBe(want));
});

describe('the rule in words', () => {
  it('says 8, 15 and that easy passwords are refused', () => {
    expect(PASSWORD_RULE).toContain('8 characters or more');
    expect(PASSWORD_RULE).toContain('15 or more is better');
    expect(PASSWORD_RULE).toContain('will not accept a password that is easy to guess');
  });
});

describe('strengthOf', () => {
  it('says nothing about an empty box', () => {
    expect(strengthOf('', 0)).toBeNull();
    expect(strengthOf('', null)).toBeNull();
  });

  const cases: Array<[string, number | null, Partial<ReturnType<typeof strengthOf>>]> = [
    // Short: refused whatever zxcvbn says, and capped at 1.
    ['Zq9!x', 4, { score: 1, acceptable: false, advice: 'Use 8 characters or more.' }],
    // An emoji counts as one character: 7 characters is still short.
    ['abcdef😀', 4, { score: 1, acceptable: false }],
    ['password', 0, { score: 0, label: 'Too easy to guess', acceptable: false, advice: 'Add more words or characters to make it harder to guess.' }],
    ['correcthor', 2, { score: 2, label: 'Could be stronger', acceptable: false }],
    ['tub lamp orbit', 3, { score: 3, label: 'Good', acceptable: true, advice: 'A longer password, 15 characters or more, is even better.' }],
    ['tub lamp orbit violin', 4, { score: 4, label: 'Strong', acceptable: true, advice: '', lengthOnly: false }],
    // Out-of-range scores are clamped.
    ['tub lamp orbit violin', 9, { score: 4 }],
    ['tub lamp orbit violin', -2, { score: 0, acceptable: false }],
    // Without zxcvbn: length alone.
    ['abcdefgh', null, { score: 2, acceptable: false, lengthOnly: true }],
    ['abcdefghijkl', null, { score: 3, acceptable: true, lengthOnly: true }],
    ['abcdefghijklmnop', null, { score: 4, acceptable: true, lengthOnly: true }],
  ];
  it.each(cases)('%j with score %j', (pw, score, want) => {
    expect(strengthOf(pw, score)).toMatchObject(want!);
  });
});

describe('lengthOnlyScore', () => {
  const cases: Array<[string, Score]> = [
    ['', 0],
    ['abc', 0],
    ['abcd', 1],
    ['abcdefg', 1],
    ['abcdefgh', 2],
    ['abcdefghijk', 2],
    ['abcdefghijkl', 3],
    ['abcdefghijklmn', 3],
    ['abcdefghijklmno', 4],
  ];
  it.each(cases)('%j', (pw, want) => expect(lengthOnlyScore(pw)).toBe(want));
});

describe('emailWords', () => {
  it('splits an address into the words a guesser would try', () => {
    expect(emailWords(' Jo.Bloggs@Example.com ')).toEqual(['jo.bloggs', 'bloggs', 'example']);
    expect(emailWords('')).toEqual([]);
  });
});

describe('loadScorer (the real zxcvbn-ts and common dictionary)', () => {
  it('scores common passwords low and a long mix of words high, once loaded', async () => {
    const score = await loadScorer();
    expect(score('password')).toBeLessThan(MIN_SCORE);
    expect(score('qwerty123')).toBeLessThan(MIN_SCORE);
    expect(score('P@ssw0rd1')).toBeLessThan(MIN_SCORE);
    expect(score('violin tub orbit gravy lamp')).toBeGreaterThanOrEqual(MIN_SCORE);
    // The same promise every time.
    expect(await loadScorer()).toBe(score);
  });

  it('counts the person’s own email against the password', async () => {
    const score = await loadScorer();
    const pw = 'jobloggs1970';
    expect(score(pw, emailWords('jobloggs1970@example.com'))).toBeLessThan(score(pw));
  });

  it('copes with a very long password quickly', async () => {
    const score = await loadScorer();
    const t = Date.now();
    expect(score('a1b2c3d4e5'.repeat(200))).toBeGreaterThanOrEqual(0);
    expect(Date.now() - t).toBeLessThan(2000);
  });
});
