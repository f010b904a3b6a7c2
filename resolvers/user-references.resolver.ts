import { Activity } from '../schema/activity.type';
import { Approval } from '../schema/approval.type';
import { Collaborator } from '../schema/collaborator.type';
import { Comment } from '../schema/comment.type';
import { MemberInvitation } from '../schema/invitation.type';
import { Member } from '../schema/member.type';
import { Study } from '../schema/study.type';
import { optionalUser, requiredUser, userReferences } from './relations';

/** Every field that leads from a row to the user it names, declared once. */
export const userReferenceResolvers = [
  userReferences<Study>(Study, {
    createdBy: requiredUser((study) => study.createdById, 'Who created the study (its first owner).'),
  }),
  userReferences<Member>(Member, {
    user: requiredUser((member) => member.userId, 'The user holding this membership.'),
    invitedBy: optionalUser((member) => member.invitedById, 'Who added this member; null for founders.'),
  }),
  userReferences<MemberInvitation>(MemberInvitation, {
    invitedBy: optionalUser((invitation) => invitation.invitedById, 'Who sent it; null once their account is gone.'),
  }),
  userReferences<Collaborator>(Collaborator, {
    user: requiredUser((collaborator) => collaborator.userId, 'The collaborating user.'),
    addedBy: optionalUser(
      (collaborator) => collaborator.addedById,
      'Who added them; null when unknown or once that account is gone.',
    ),
  }),
  userReferences<Comment>(Comment, {
    author: requiredUser((comment) => comment.authorId, 'Who wrote it.'),
    resolvedBy: optionalUser(
      (comment) => comment.resolvedById,
      'Who marked it resolved; null while open, or once that account is gone.',
    ),
  }),
  userReferences<Approval>(Approval, {
    requestedBy: requiredUser((approval) => approval.requestedById, 'Who asked for the approval.'),
    reviewer: requiredUser(
      (approval) => approval.reviewerId,
      'The organization member asked to decide; only they can.',
    ),
  }),
  userReferences<Activity>(Activity, {
    actor: optionalUser((activity) => activity.actorId, 'Who did it; null if that user was deleted.'),
  }),
];
