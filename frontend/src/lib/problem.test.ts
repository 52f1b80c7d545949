import { describe, expect, it } from 'vitest';
import type { Config } from './api';
import { helpdeskLine, type HelpdeskLine } from './problem';

// As the card puts it together.
const text = (l: HelpdeskLine) => `Call the helpdesk on ${l.phone}${l.hours}.`;

const config = (helpdesk: { phone: string; hours: string; email: string } | null): Config => ({
  product: 'Ward',
  version: 'v1',
  demo: false,
  organisation: { name: 'Demo Hospital NHS Foundation Trust', helpdesk },
});

describe('helpdeskLine', () => {
  it.each([
    [
      'phone and hours',
      config({ phone: '0300 000 0000', hours: 'Monday to Friday, 9am to 5pm', email: 'help@example.org' }),
      'Call the helpdesk on 0300 000 0000, Monday to Friday, 9am to 5pm.',
      'tel:03000000000',
    ],
    ['hours ending in a full stop', config({ phone: '0300 000 0000', hours: 'Every day.', email: '' }), 'Call the helpdesk on 0300 000 0000, Every day.', 'tel:03000000000'],
    ['no hours', config({ phone: '+44 300 000 0000', hours: '', email: '' }), 'Call the helpdesk on +44 300 000 0000.', 'tel:+443000000000'],
    ['a phone that cannot be dialled', config({ phone: 'Ask at reception', hours: '', email: '' }), 'Call the helpdesk on Ask at reception.', null],
  ])('%s', (_name, c, want, tel) => {
    const line = helpdeskLine(c);
    expect(line).not.toBeNull();
    expect(text(line!)).toBe(want);
    expect(line!.tel).toBe(tel);
  });

  it.each([
    ['no config', null],
    ['no organisation', { product: 'Ward', version: 'v1', demo: false, organisation: null } as Config],
    ['no helpdesk', config(null)],
    ['an empty phone', config({ phone: '  ', hours: 'Monday to Friday', email: 'help@example.org' })],
  ])('nothing to call: %s', (_name, c) => {
    expect(helpdeskLine(c)).toBeNull();
  });
});
