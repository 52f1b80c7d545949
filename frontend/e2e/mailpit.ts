// Reading the real mail server (Mailpit) the accounts server sends through,
// by its HTTP API (WARD_MAILPIT_API, from global setup).
import { expect } from '@playwright/test';

const MAILPIT = () => process.env.WARD_MAILPIT_API!;

export type Message = { ID: string; Subject: string; To: { Address: string }[] };

/** The newest email to `to` whose subject matches, waiting for it to arrive. */
export async function mailTo(to: string, subject: RegExp): Promise<Message> {
  let found: Message | undefined;
  await expect
    .poll(
      async () => {
        const { messages } = (await (await fetch(`${MAILPIT()}/api/v1/messages`)).json()) as { messages: Message[] };
        found = messages.find((m) => m.To.some((t) => t.Address === to) && subject.test(m.Subject));
        return !!found;
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  return found!;
}

/** An email's plain text. */
export async function mailText(id: string): Promise<string> {
  const m = (await (await fetch(`${MAILPIT()}/api/v1/message/${id}`)).json()) as { Text: string };
  return m.Text;
}
