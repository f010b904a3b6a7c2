import { createHash } from 'node:crypto';

/** The seed's ids: md5 of `kind:number` read as a UUID (see src/seed/seed.ts). */
export function seededId(kind: 'org' | 'user' | 'study', n: number): string {
  const hex = createHash('md5').update(`${kind}:${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** In the small seed: study n belongs to organization ((n - 1) % 6) + 1. */
export const ACME = seededId('org', 1); // enterprise; analyst is admin
export const GLOBEX = seededId('org', 2); // team; analyst is admin
export const INITECH = seededId('org', 3); // analyst is a plain member
export const UMBRELLA = seededId('org', 4); // analyst is not a member
export const ACME_STUDY = seededId('study', 1);
export const INITECH_STUDY = seededId('study', 3);
export const UMBRELLA_STUDY = seededId('study', 4);
