import { registerEnumType } from 'type-graphql';

// GraphQL names are upper case (the API rules); the values are the database's.

export enum OrganizationPlan {
  FREE = 'free',
  TEAM = 'team',
  ENTERPRISE = 'enterprise',
}

export enum OrganizationRole {
  OWNER = 'owner',
  ADMIN = 'admin',
  MEMBER = 'member',
  VIEWER = 'viewer',
}

export enum StudyStatus {
  DRAFT = 'draft',
  ACTIVE = 'active',
  IN_REVIEW = 'in_review',
  APPROVED = 'approved',
  COMPLETED = 'completed',
  ARCHIVED = 'archived',
}

export enum CollaboratorRole {
  OWNER = 'owner',
  EDITOR = 'editor',
  REVIEWER = 'reviewer',
  VIEWER = 'viewer',
}

export enum ApprovalStatus {
  PENDING = 'pending',
  APPROVED = 'approved',
  REJECTED = 'rejected',
}

export enum ApprovalDecision {
  APPROVED = 'approved',
  REJECTED = 'rejected',
}

/** PENDING, ACCEPTED and DECLINED are stored; EXPIRED is a pending invitation past its expiry. */
export enum InvitationStatus {
  PENDING = 'pending',
  ACCEPTED = 'accepted',
  DECLINED = 'declined',
  EXPIRED = 'expired',
}

export enum ActivityType {
  STUDY_CREATED = 'study_created',
  STUDY_UPDATED = 'study_updated',
  STATUS_CHANGED = 'status_changed',
  COLLABORATOR_ADDED = 'collaborator_added',
  COLLABORATOR_REMOVED = 'collaborator_removed',
  COMMENT_ADDED = 'comment_added',
  COMMENT_RESOLVED = 'comment_resolved',
  APPROVAL_REQUESTED = 'approval_requested',
  APPROVAL_DECIDED = 'approval_decided',
  MEMBER_ADDED = 'member_added',
  MEMBER_ROLE_CHANGED = 'member_role_changed',
}

export enum StudyOrderField {
  CREATED_AT = 'created_at',
  UPDATED_AT = 'updated_at',
  TITLE = 'title',
}

export enum OrderDirection {
  ASC = 'asc',
  DESC = 'desc',
}

registerEnumType(OrganizationPlan, { name: 'OrganizationPlan', description: 'Billing plan of an organization.' });
registerEnumType(OrganizationRole, {
  name: 'OrganizationRole',
  description:
    'Role in an organization; each role can do everything the ones below it can (VIEWER < MEMBER < ADMIN < OWNER).',
});
registerEnumType(StudyStatus, { name: 'StudyStatus', description: 'Lifecycle of a study.' });
registerEnumType(CollaboratorRole, { name: 'CollaboratorRole', description: 'Role of a collaborator on one study.' });
registerEnumType(ApprovalStatus, { name: 'ApprovalStatus' });
registerEnumType(ApprovalDecision, {
  name: 'ApprovalDecision',
  description: 'What a reviewer decides on a pending approval.',
});
registerEnumType(InvitationStatus, {
  name: 'InvitationStatus',
  description: 'Where an invitation to an organization stands.',
});
registerEnumType(ActivityType, { name: 'ActivityType', description: 'Kind of a collaboration activity entry.' });
registerEnumType(StudyOrderField, { name: 'StudyOrderField' });
registerEnumType(OrderDirection, { name: 'OrderDirection' });
