/**
 * When to renew the login's token: well before it expires, so a session
 * lasts as long as its player plays and the hub never closes a socket for
 * expiry mid-round. Pure: times (on the server's clock) and the random
 * number come in as arguments.
 *
 * @module
 */

/** Renewal starts at most this long before expiry: 5 minutes of a 30-minute token. */
export const RENEW_LEAD_MAX_MS = 5 * 60_000;

/**
 * How long to wait before renewing a token that expires at `expiresAt`,
 * at server time `serverNow`: until half its remaining life is left, or
 * {@linkcode RENEW_LEAD_MAX_MS}, whichever comes first. Tabs sharing the
 * login pick different moments (`random` in [0, 1) takes up to a tenth off),
 * so that usually one renews and the others take its token. 0 when the
 * token is due or past.
 */
export function renewDelay(expiresAt: number, serverNow: number, random: number): number {
  const remaining = expiresAt - serverNow;
  if (remaining <= 0) return 0;
  const lead = Math.min(RENEW_LEAD_MAX_MS, remaining / 2);
  const jitter = 0.9 + 0.1 * Math.min(Math.max(random, 0), 1);
  return Math.round((remaining - lead) * jitter);
}

/**
 * How long to wait before trying again after a renewal that got no answer
 * (the server restarting, the network gone): a quarter of what is left,
 * between 250 ms and 10 s.
 */
export function renewRetryDelay(expiresAt: number, serverNow: number): number {
  return Math.round(Math.max(250, Math.min(10_000, (expiresAt - serverNow) / 4)));
}
