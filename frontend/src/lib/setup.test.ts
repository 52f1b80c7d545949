import { describe, expect, it } from 'vitest';
import { MIN_PASSWORD, SETUP_MESSAGES, checkNewPassword, passwordLength, recoveryKeyGroups, recoveryKeyText, setupTitle, type SetupError } from './setup';

describe('checkNewPassword', () => {
  const cases: Array<[string, string, string, SetupError[]]> = [
    ['both empty: only the password is asked for', '', '', [{ field: 'password', message: SETUP_MESSAGES.empty }]],
    ['empty password, something confirmed', '', 'abcdefgh', [{ field: 'password', message: SETUP_MESSAGES.empty }]],
    ['7 characters is too short', 'abcdefg', 'abcdefg', [{ field: 'password', message: SETUP_MESSAGES.short }]],
    ['too short and not matching: too short first', 'abc', 'xyz', [{ field: 'password', message: SETUP_MESSAGES.short }]],
    ['8 characters, not confirmed', 'abcdefgh', '', [{ field: 'confirm', message: SETUP_MESSAGES.confirmEmpty }]],
    ['not matching', 'abcdefgh', 'abcdefgi', [{ field: 'confirm', message: SETUP_MESSAGES.mismatch }]],
    ['case matters', 'Abcdefgh', 'abcdefgh', [{ field: 'confirm', message: SETUP_MESSAGES.mismatch }]],
    ['spaces are part of the password (not trimmed)', 'correct horse ', 'correct horse', [{ field: 'confirm', message: SETUP_MESSAGES.mismatch }]],
    ['8 characters, matching', 'abcdefgh', 'abcdefgh', []],
    ['a phrase of several words', 'correct horse battery staple', 'correct horse battery staple', []],
    ['8 spaces are 8 characters', '        ', '        ', []],
    ['emoji count as one character each', '🙂🙂🙂🙂', '🙂🙂🙂🙂', [{ field: 'password', message: SETUP_MESSAGES.short }]],
  ];
  it.each(cases)('%s', (_, pw, confirm, want) => expect(checkNewPassword(pw, confirm)).toEqual(want));

  it('matches the server: 8 characters or more', () => {
    expect(MIN_PASSWORD).toBe(8);
    expect(SETUP_MESSAGES.short).toBe('Your password must be 8 characters or more');
  });

  it('counts characters, never fewer bytes than the server counts', () => {
    for (const pw of ['abcdefgh', 'éééééééé', '🙂🙂🙂🙂🙂🙂🙂🙂', '密码密码密码密码']) {
      expect(passwordLength(pw)).toBe(8);
      expect(new TextEncoder().encode(pw).length).toBeGreaterThanOrEqual(8);
    }
  });
});

describe('recovery key formatting', () => {
  const key = 'ABCDE-FGHJK-MNPQR-STVWX-YZ012-34567-89ABC';
  const groups = ['ABCDE', 'FGHJK', 'MNPQR', 'STVWX', 'YZ012', '34567', '89ABC'];
  const cases: Array<[string, string[]]> = [
    [key, groups],
    [key.toLowerCase(), groups],
    ['  ' + key + '\n', groups],
    [key.replace(/-/g, ' '), groups],
    [key.replace(/-/g, ''), groups],
    ['ABCDEFG', ['ABCDE', 'FG']],
    ['', []],
    ['   ', []],
  ];
  it.each(cases)('recoveryKeyGroups(%j)', (input, want) => expect(recoveryKeyGroups(input)).toEqual(want));

  it('recoveryKeyText gives the key as the server sent it, for copying', () => {
    expect(recoveryKeyText(key)).toBe(key);
    expect(recoveryKeyText(key.replace(/-/g, ' ').toLowerCase())).toBe(key);
    expect(recoveryKeyText(key)).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){6}$/);
  });
});

describe('setupTitle', () => {
  it.each([
    ['password' as const, false, 'Set up Ward - Ward'],
    ['password' as const, true, 'Error: Set up Ward - Ward'],
    ['key' as const, false, 'Your recovery key - Set up Ward - Ward'],
    ['key' as const, true, 'Error: Your recovery key - Set up Ward - Ward'],
  ])('%s, error %s: %s', (step, err, want) => expect(setupTitle(step, err)).toBe(want));
});
