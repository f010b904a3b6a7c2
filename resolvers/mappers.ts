import type {
  ActivityRow,
  ApprovalRow,
  CollaboratorRow,
  CommentRow,
  InvitationRow,
  MemberRow,
  NotificationRow,
  OrganizationRow,
  StudyRow,
  UserRow,
} from '../src/db/types';
import { Activity } from '../schema/activity.type';
import { Approval } from '../schema/approval.type';
import { Collaborator } from '../schema/collaborator.type';
import { Comment } from '../schema/comment.type';
import {
  InvitationStatus,
  type ActivityType,
  type ApprovalStatus,
  type CollaboratorRole,
  type NotificationKind,
  type OrganizationPlan,
  type OrganizationRole,
  type StudyStatus,
} from '../schema/enums';
import { MemberInvitation } from '../schema/invitation.type';
import { invitationStatus } from '../src/domain/invitations';
import { Member } from '../schema/member.type';
import { Notification } from '../schema/notification.type';
import { notificationNodeId } from '../src/domain/node-ids';
import { Organization } from '../schema/organization.type';
import { Study } from '../schema/study.type';
import { User } from '../schema/user.type';

// Database values are the enums' values, so the casts below are exact.

export function toUser(row: UserRow): User {
  return Object.assign(new User(), { id: row.id, email: row.email, name: row.name, createdAt: row.created_at });
}

export function toOrganization(row: OrganizationRow): Organization {
  return Object.assign(new Organization(), {
    id: row.id,
    slug: row.slug,
    name: row.name,
    plan: row.plan as OrganizationPlan,
    createdAt: row.created_at,
  });
}

export function toMember(row: MemberRow): Member {
  return Object.assign(new Member(), {
    role: row.role as OrganizationRole,
    joinedAt: row.joined_at,
    organizationId: row.organization_id,
    userId: row.user_id,
    invitedById: row.invited_by,
  });
}

export function toInvitation(row: InvitationRow, now = new Date()): MemberInvitation {
  return Object.assign(new MemberInvitation(), {
    id: row.id,
    email: row.email,
    role: row.role as OrganizationRole,
    status: invitationStatus(row, now) as InvitationStatus,
    organizationId: row.organization_id,
    organizationName: row.organization_name,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    respondedAt: row.responded_at,
    invitedById: row.invited_by,
  });
}

export function toStudy(row: StudyRow): Study {
  return Object.assign(new Study(), {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status as StudyStatus,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
    organizationId: row.organization_id,
    createdById: row.created_by,
  });
}

export function toCollaborator(row: CollaboratorRow): Collaborator {
  return Object.assign(new Collaborator(), {
    role: row.role as CollaboratorRole,
    permissions: row.permissions,
    addedAt: row.added_at,
    studyId: row.study_id,
    userId: row.user_id,
    addedById: row.added_by,
  });
}

export function toComment(row: CommentRow): Comment {
  return Object.assign(new Comment(), {
    id: row.id,
    body: row.body,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
    studyId: row.study_id,
    authorId: row.author_id,
    resolvedById: row.resolved_by,
  });
}

export function toApproval(row: ApprovalRow): Approval {
  return Object.assign(new Approval(), {
    id: row.id,
    status: row.status as ApprovalStatus,
    requestedAt: row.requested_at,
    decidedAt: row.decided_at,
    studyId: row.study_id,
    requestedById: row.requested_by,
    reviewerId: row.reviewer_id,
  });
}

export function toActivity(row: ActivityRow): Activity {
  return Object.assign(new Activity(), {
    id: row.id,
    type: row.activity_type as ActivityType,
    createdAt: row.created_at,
    details: row.details,
    organizationId: row.organization_id,
    studyId: row.study_id,
    actorId: row.user_id,
  });
}

export function toNotification(row: NotificationRow): Notification {
  return Object.assign(new Notification(), {
    id: notificationNodeId(row.id),
    kind: row.kind as NotificationKind,
    createdAt: row.created_at,
    readAt: row.read_at,
    activityId: row.activity_id,
    organizationId: row.organization_id,
  });
}
