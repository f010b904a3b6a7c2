export type SeedScaleName = 'small' | 'medium' | 'large';

export interface SeedScale {
  organizations: number;
  users: number;
  membersPerOrganization: number;
  studies: number;
  collaboratorsPerStudy: number;
  commentsPerStudy: number;
  /**
   * Share (percent) of studies started in the last 45 days, on weekdays mostly: the demo's "last 30 days"
   * look like a living organization. The rest start evenly over the year (the benchmarks' data).
   */
  recentStudiesPercent: number;
  /** Hours between a study's comments (each one later by up to as much again): days apart for the demo. */
  commentGapHours: number;
}

export const SEED_SCALES: Readonly<Record<SeedScaleName, SeedScale>> = {
  small: {
    organizations: 6,
    users: 150,
    membersPerOrganization: 30,
    studies: 300,
    collaboratorsPerStudy: 3,
    commentsPerStudy: 4,
    recentStudiesPercent: 60,
    commentGapHours: 20,
  },
  medium: {
    organizations: 50,
    users: 4_000,
    membersPerOrganization: 120,
    studies: 20_000,
    collaboratorsPerStudy: 3,
    commentsPerStudy: 5,
    recentStudiesPercent: 0,
    commentGapHours: 5,
  },
  large: {
    organizations: 200,
    users: 20_000,
    membersPerOrganization: 300,
    studies: 100_000,
    collaboratorsPerStudy: 4,
    commentsPerStudy: 6,
    recentStudiesPercent: 0,
    commentGapHours: 5,
  },
};

export function isSeedScaleName(value: string): value is SeedScaleName {
  return Object.hasOwn(SEED_SCALES, value);
}

/** Fixed ids, so that tokens and bookmarks for the demo users survive a reseed. */
export const DEMO_USERS = {
  analyst: { id: '00000000-0000-4000-8000-000000000001', email: 'analyst@example.com', name: 'Ada Analyst' },
  outsider: { id: '00000000-0000-4000-8000-000000000002', email: 'outsider@example.com', name: 'Otto Outsider' },
} as const;
