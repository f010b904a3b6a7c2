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
  AUTOMATION_NOTIFIED = 'automation_notified',
}

export enum AutomationTriggerKind {
  ACTIVITY = 'activity',
  STATUS_REACHED = 'status_reached',
  INACTIVE = 'inactive',
}

export enum AutomationActionKind {
  CHANGE_STATUS = 'change_status',
  REQUEST_APPROVAL = 'request_approval',
  NOTIFY = 'notify',
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

registerEnumType(OrganizationPlan, {
  name: 'OrganizationPlan',
  description: 'Billing plan of an organization.',
  valuesConfig: {
    FREE: { description: 'The free plan; standard rate-limit budgets.' },
    TEAM: { description: 'The paid team plan; standard rate-limit budgets.' },
    ENTERPRISE: { description: "The enterprise plan: its members' rate-limit budgets are three times as large." },
  },
});
registerEnumType(OrganizationRole, {
  name: 'OrganizationRole',
  description:
    'Role in an organization; each role can do everything the ones below it can (VIEWER < MEMBER < ADMIN < OWNER).',
  valuesConfig: {
    OWNER: {
      description:
        'Everything an admin may do, and grants or takes the owner role; an organization keeps at least one.',
    },
    ADMIN: {
      description:
        'Adds, invites and manages members up to ADMIN, writes to every study as its owner would, and refreshes team figures; twice the rate-limit budget.',
    },
    MEMBER: {
      description:
        'Creates studies and comments on any study; other study writes as their collaborator role on the study allows.',
    },
    VIEWER: {
      description:
        'Reads the organization and its studies; comments only on studies where they collaborate above VIEWER, and writes nothing else.',
    },
  },
});
registerEnumType(StudyStatus, {
  name: 'StudyStatus',
  description:
    'Lifecycle of a study: DRAFT → ACTIVE → IN_REVIEW → APPROVED → COMPLETED; review can send it back to ACTIVE, anything can be ARCHIVED, and an archived study reactivated.',
  valuesConfig: {
    DRAFT: { description: 'Being written; every study starts here. Next: ACTIVE or ARCHIVED.' },
    ACTIVE: { description: 'Running. Next: IN_REVIEW or ARCHIVED.' },
    IN_REVIEW: { description: 'Under review. Next: APPROVED, back to ACTIVE, or ARCHIVED.' },
    APPROVED: {
      description:
        'Approved by a study owner or reviewer, or an organization admin. Next: COMPLETED, ACTIVE or ARCHIVED.',
    },
    COMPLETED: { description: 'Finished (completedAt is set). Next: ARCHIVED.' },
    ARCHIVED: { description: 'Put away; ACTIVE reactivates it.' },
  },
});
registerEnumType(CollaboratorRole, {
  name: 'CollaboratorRole',
  description:
    'Role of a collaborator on one study; it grants writes only to organization members (an organization VIEWER can only be a study VIEWER).',
  valuesConfig: {
    OWNER: {
      description:
        'Edits the study, changes its status (approving included), requests approvals, resolves comments, and adds or removes collaborators; a study keeps at least one.',
    },
    EDITOR: {
      description:
        "Edits the title and description, changes the status (except to APPROVED), requests approvals and resolves others' comments.",
    },
    REVIEWER: { description: 'May approve the study (changeStudyStatus to APPROVED).' },
    VIEWER: { description: 'Listed on the study, with no writes as a collaborator.' },
  },
});
registerEnumType(ApprovalStatus, {
  name: 'ApprovalStatus',
  description: 'Where an approval request stands.',
  valuesConfig: {
    PENDING: { description: 'Waiting for its reviewer (decideApproval).' },
    APPROVED: { description: 'The reviewer approved.' },
    REJECTED: { description: 'The reviewer rejected.' },
  },
});
registerEnumType(ApprovalDecision, {
  name: 'ApprovalDecision',
  description: 'What a reviewer decides on a pending approval.',
  valuesConfig: {
    APPROVED: { description: 'Approve: the approval becomes APPROVED.' },
    REJECTED: { description: 'Reject: the approval becomes REJECTED.' },
  },
});
registerEnumType(InvitationStatus, {
  name: 'InvitationStatus',
  description: 'Where an invitation to an organization stands.',
  valuesConfig: {
    PENDING: { description: 'Open: the invitee may accept or decline it until expiresAt.' },
    ACCEPTED: { description: 'The invitee accepted and became a member.' },
    DECLINED: { description: 'The invitee declined.' },
    EXPIRED: { description: 'Left pending past expiresAt; inviting the address again renews it.' },
  },
});
registerEnumType(ActivityType, {
  name: 'ActivityType',
  description: 'Kind of a collaboration activity entry.',
  valuesConfig: {
    STUDY_CREATED: { description: 'A study was created. Details: `title`.' },
    STUDY_UPDATED: { description: "A study's title or description changed. Details: `fields`, the names changed." },
    STATUS_CHANGED: { description: 'A study moved in its lifecycle. Details: `from`, `to`.' },
    COLLABORATOR_ADDED: { description: 'Someone was added to a study. Details: `userId`, `role`.' },
    COLLABORATOR_REMOVED: { description: 'Someone was removed from a study. Details: `userId`.' },
    COMMENT_ADDED: { description: 'A comment was written. Details: `commentId`.' },
    COMMENT_RESOLVED: { description: 'A comment was marked resolved. Details: `commentId`.' },
    APPROVAL_REQUESTED: {
      description: 'A reviewer was asked to approve a study. Details: `approvalId`, `reviewerId`.',
    },
    APPROVAL_DECIDED: { description: 'A reviewer approved or rejected. Details: `approvalId`, `decision`.' },
    MEMBER_ADDED: {
      description:
        'Someone joined the organization, added or by accepting an invitation; organization-wide (no study). Details: `userId`, `role`, and `invitationId` when invited.',
    },
    MEMBER_ROLE_CHANGED: {
      description:
        "A member's organization role changed; organization-wide (no study). Details: `userId`, `from`, `to`.",
    },
    AUTOMATION_NOTIFIED: {
      description:
        'An automation rule told people of a study (NOTIFY). Details: `roles`, `collaborators`, `ruleId`, `ruleName`. Every entry a rule writes (also STATUS_CHANGED, APPROVAL_REQUESTED) has no actor and names its rule in `ruleId` and `ruleName`.',
    },
  },
});
registerEnumType(AutomationTriggerKind, {
  name: 'AutomationTriggerKind',
  description: 'What sets an automation rule off.',
  valuesConfig: {
    ACTIVITY: { description: 'An activity entry of a type (`activityType`) on a study of the organization.' },
    STATUS_REACHED: { description: 'A study reaching a status (`status`), whoever or whatever moved it.' },
    INACTIVE: {
      description:
        'A study with no activity but rules’ for `inactiveDays` days (a scheduled sweep; once per quiet spell).',
    },
  },
});
registerEnumType(AutomationActionKind, {
  name: 'AutomationActionKind',
  description: 'What an automation rule does to the study that set it off.',
  valuesConfig: {
    CHANGE_STATUS: { description: 'Moves the study to `status`, when the lifecycle allows it from where it is.' },
    REQUEST_APPROVAL: {
      description:
        'Asks the longest-standing member of `reviewerRole` (not the rule’s author, not one already asked) to approve the study, on behalf of the rule’s author.',
    },
    NOTIFY: {
      description: 'Notifies the members of `notifyRoles`, and the study’s collaborators with `notifyCollaborators`.',
    },
  },
});
registerEnumType(StudyOrderField, {
  name: 'StudyOrderField',
  description: 'What a list of studies is ordered by.',
  valuesConfig: {
    CREATED_AT: { description: 'Creation time.' },
    UPDATED_AT: { description: 'Time of the last change to the study itself (updatedAt).' },
    TITLE: { description: 'Title, alphabetically.' },
  },
});
registerEnumType(OrderDirection, {
  name: 'OrderDirection',
  description: 'Direction of an order.',
  valuesConfig: {
    ASC: { description: 'Ascending: oldest first, A to Z.' },
    DESC: { description: 'Descending: newest first, Z to A.' },
  },
});

export enum NotificationKind {
  APPROVAL_REQUESTED = 'approval_requested',
  APPROVAL_DECIDED = 'approval_decided',
  COMMENT_ADDED = 'comment_added',
  RULE_NOTIFIED = 'rule_notified',
}

registerEnumType(NotificationKind, {
  name: 'NotificationKind',
  description: 'Why a user is told: what the activity entry behind the notification did to them.',
  valuesConfig: {
    APPROVAL_REQUESTED: { description: 'Someone asked them to approve a study.' },
    APPROVAL_DECIDED: { description: 'A reviewer decided an approval they requested.' },
    COMMENT_ADDED: { description: 'Someone commented on a study they collaborate on.' },
    RULE_NOTIFIED: { description: 'An automation rule of their organization told them of a study.' },
  },
});
