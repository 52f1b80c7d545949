import { describe, expect, it } from 'vitest';
import type { Vault } from './api';
import { integrityWarning } from './integrity';

const vault = (v: Partial<Vault>): Vault => ({ state: 'unlocked', demo: false, autoLockMinutes: 15, canRecover: true, ...v });

describe('integrityWarning', () => {
  it('says nothing for a sound vault, an older backend or a locked one', () => {
    expect(integrityWarning(null)).toBeNull();
    expect(integrityWarning(vault({}))).toBeNull();
    expect(integrityWarning(vault({ integrity: { failed: 0, rolledBack: false } }))).toBeNull();
    expect(integrityWarning(vault({ state: 'locked', integrity: { failed: 3, rolledBack: true } }))).toBeNull();
  });

  it('counts the items that did not open and says what to do', () => {
    const w = integrityWarning(vault({ integrity: { failed: 3, rolledBack: false } }));
    expect(w?.heading).toBe('Part of your record may not be right');
    expect(w?.paragraphs).toEqual([
      'Some of your record could not be opened: 3 items may have been changed outside Ward. Import them again from the organisation that sent them.',
    ]);
    expect(integrityWarning(vault({ integrity: { failed: 1, rolledBack: false } }))?.paragraphs[0]).toBe(
      'Some of your record could not be opened: 1 item may have been changed outside Ward. Import it again from the organisation that sent it.',
    );
    expect(integrityWarning(vault({ integrity: { failed: 1200, rolledBack: false } }))?.paragraphs[0]).toContain('1,200 items');
  });

  it('has its own sentence for a rolled-back vault', () => {
    const w = integrityWarning(vault({ integrity: { failed: 0, rolledBack: true } }));
    expect(w?.paragraphs).toHaveLength(1);
    expect(w?.paragraphs[0]).toMatch(/^Your record is not the same as when Ward last saved it/);
    expect(integrityWarning(vault({ integrity: { failed: 2, rolledBack: true } }))?.paragraphs).toHaveLength(2);
  });

  it('ignores a nonsense count', () => {
    expect(integrityWarning(vault({ integrity: { failed: -1, rolledBack: false } }))).toBeNull();
    expect(integrityWarning(vault({ integrity: { failed: NaN, rolledBack: false } }))).toBeNull();
  });
});
