/** Addresses are compared as stored: lower case, without surrounding spaces. */
export function normalizedEmail(email: string): string {
  return email.trim().toLowerCase();
}
