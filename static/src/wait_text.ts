/**
 * The words of a refusal that ends at a known time ("Too many failed
 * logins. Try again in 14:58"), worked out from the time left (pure): the
 * visible countdown, and the wait said once in words for a screen reader.
 *
 * @module
 */

/** `ms` as a clock reads it, rounded up to the second: `14:58`, `0:05`, `1:02:03`. */
export function clockText(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor(total / 60) % 60;
  const seconds = String(total % 60).padStart(2, "0");
  if (hours === 0) return `${minutes}:${seconds}`;
  return `${hours}:${String(minutes).padStart(2, "0")}:${seconds}`;
}

/** `ms` in words, rounded up to the minute past one: "15 minutes", "1 minute", "40 seconds". */
export function spokenWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return seconds === 1 ? "1 second" : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/**
 * The server's refusal without its vague wait ("Too many failed logins; try
 * again later" → "Too many failed logins"), so the page can say when.
 */
export function refusalOf(message: string): string {
  const bare = message.replace(/[\s;,.:-]*(?:please\s+)?try again later[\s.!]*$/i, "");
  return bare.replace(/[\s.]+$/, "") || message;
}

/** The words before the clock: "Too many failed logins. Try again in ". */
export function waitPrefix(message: string): string {
  return `${refusalOf(message)}. Try again in `;
}

/** The visible text of a wait: "Too many failed logins. Try again in 14:58". */
export function waitText(message: string, leftMs: number): string {
  return `${waitPrefix(message)}${clockText(leftMs)}`;
}
