import type { StudyStatus } from '../db/types';

/**
 * Allowed status changes. A study is drafted, run, reviewed, approved and completed; review can send it
 * back to active; anything but a draft can be archived, and an archived study can be reactivated.
 */
export const STUDY_TRANSITIONS: Readonly<Record<StudyStatus, readonly StudyStatus[]>> = {
  draft: ['active', 'archived'],
  active: ['in_review', 'archived'],
  in_review: ['active', 'approved', 'archived'],
  approved: ['completed', 'active', 'archived'],
  completed: ['archived'],
  archived: ['active'],
};

export function canTransition(from: StudyStatus, to: StudyStatus): boolean {
  return STUDY_TRANSITIONS[from].includes(to);
}
