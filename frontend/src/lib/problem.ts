// What the service-error card (components/Problem.svelte) offers as a next
// step besides "Try again": the organisation's helpdesk, from the config.

import type { Config } from './api';
import { telLink } from './visits';

export interface HelpdeskLine {
  /** As the organisation writes it: "0300 000 0000". */
  phone: string;
  /** "tel:03000000000", or null when it cannot be dialled. */
  tel: string | null;
  /** ", Monday to Friday, 8am to 6pm" (with its comma), or "" when not given. */
  hours: string;
}

/** The helpdesk to call, or null when the config names none (or no phone). */
export function helpdeskLine(config: Config | null | undefined): HelpdeskLine | null {
  const h = config?.organisation?.helpdesk;
  const phone = h?.phone?.trim() ?? '';
  if (!phone) return null;
  const hours = h?.hours?.trim() ?? '';
  return { phone, tel: telLink(phone), hours: hours ? ', ' + hours.replace(/\.$/, '') : '' };
}

// The number to dial: digits and a leading +, or null with too few to dial.
