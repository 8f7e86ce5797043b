/**
 * The registration form's checks as the player types: every rule of every
 * field, in field order, in the server's own words (the rules are the
 * server's, imported from `src/auth/validation.ts`, never copied). Pure.
 *
 * @module
 */

import {
  REGISTRATION_RULES,
  type RegistrationField,
  type RegistrationInput,
} from "../../src/auth/validation.ts";

/** The form's fields, in the order it shows them. */
export const REGISTRATION_FIELDS: readonly RegistrationField[] = Object.freeze([
  "username",
  "email",
  "password",
  "passwordConfirm",
]);

/** One rule of a field, checked. */
export interface CheckedRule {
  /** The rule as stated before typing. */
  readonly rule: string;
  readonly ok: boolean;
}

/** A field's rules, checked, and the first refusal, worded as the server words it. */
export interface FieldCheck {
  readonly rules: readonly CheckedRule[];
  /** The first broken rule's message, or null when the field is fine. */
  readonly message: string | null;
  /** The messages of every broken rule, in order: the server answers with one of them. */
  readonly brokenMessages: readonly string[];
}

/** The rules stated for `field`, before anything is typed. */
export function rulesOf(field: RegistrationField): string[] {
  return REGISTRATION_RULES.filter((rule) => rule.field === field).map((rule) => rule.rule);
}

/** Checks every rule of every field of `input`. */
export function checkFields(input: RegistrationInput): Record<RegistrationField, FieldCheck> {
  const checks = {} as Record<RegistrationField, FieldCheck>;
  for (const field of REGISTRATION_FIELDS) {
    const rules = REGISTRATION_RULES.filter((rule) => rule.field === field);
    const broken = rules.filter((rule) => !rule.test(input)).map((rule) => rule.message);
    checks[field] = {
      rules: rules.map((rule) => ({ rule: rule.rule, ok: rule.test(input) })),
      message: broken[0] ?? null,
      brokenMessages: broken,
    };
  }
  return checks;
}

/** The first field, in form order, with a broken rule; null when all pass. */
export function firstInvalid(
  checks: Record<RegistrationField, FieldCheck>,
): RegistrationField | null {
  return REGISTRATION_FIELDS.find((field) => checks[field].message !== null) ?? null;
}

/** Which field a server refusal is about ("That email is already taken"), if it names one. */
export function fieldOfMessage(message: string): RegistrationField | null {
  const lower = message.toLowerCase();
  if (/\bpasswords\b/.test(lower)) return "passwordConfirm";
  return REGISTRATION_FIELDS.find((field) => new RegExp(`\\b${field}\\b`, "i").test(lower)) ??
    null;
}
