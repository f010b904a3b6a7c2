import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Row types of the tables created by `migrations/`. They stay in `src/db` and `loaders/`. */

export type OrganizationPlan = 'free' | 'team' | 'enterprise';
export type OrganizationRole = 'owner' | 'admin' | 'member' | 'viewer';
export type StudyStatus = 'draft' | 'active' | 'in_review' | 'approved' | 'completed' | 'archived';
export type CollaboratorRole = 'owner' | 'editor' | 'reviewer' | 'viewer';
export type ApprovalStatus = 'pending' | 'approved' | 'rejected';
export type InvitationStatus = 'pending' | 'accepted' | 'declined';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  created_at: CreatedAt;
}

export interface OrganizationsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  plan: ColumnType<OrganizationPlan, OrganizationPlan | undefined, OrganizationPlan>;
  created_at: CreatedAt;
}

export interface OrganizationMembersTable {
  organization_id: string;
  user_id: string;
  role: OrganizationRole;
  joined_at: CreatedAt;
  invited_by: string | null;
}

/** An invitation of an email address to an organization; at most one pending per address and organization. */
export interface OrganizationInvitationsTable {
  id: Generated<string>;
  organization_id: string;
  email: string;
  role: OrganizationRole;
  status: ColumnType<InvitationStatus, InvitationStatus | undefined, InvitationStatus>;
  invited_by: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  responded_at: NullableTimestamp;
}

export interface StudiesTable {
  id: Generated<string>;
  organization_id: string;
  title: string;
  description: string | null;
  status: ColumnType<StudyStatus, StudyStatus | undefined, StudyStatus>;
  created_by: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
  completed_at: NullableTimestamp;
  search_vector: ColumnType<string, never, never>;
}

export interface StudyCollaboratorsTable {
  study_id: string;
  user_id: string;
  role: CollaboratorRole;
  permissions: ColumnType<string[], string[] | undefined, string[]>;
  added_at: CreatedAt;
  added_by: string | null;
}

/** Filled from the study by a trigger on insert (analytics reads by organization). */
type OrganizationOfStudy = ColumnType<string, never, never>;

export interface CommentsTable {
  id: Generated<string>;
  study_id: string;
  organization_id: OrganizationOfStudy;
  author_id: string;
  body: string;
  created_at: CreatedAt;
  resolved_at: NullableTimestamp;
  resolved_by: string | null;
}

/** An organization's approval policy; an organization without a row has the default (DEFAULT_APPROVAL_POLICY). */
export interface ApprovalPoliciesTable {
  organization_id: string;
  required_approvals: number;
  reviewer_roles: Exclude<OrganizationRole, 'viewer'>[];
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_by: string | null;
}

export type NotificationKind = 'approval_requested' | 'approval_decided' | 'comment_added' | 'rule_notified';

/** What a user is told of (an activity entry that concerns them); read_at null while unread. */
export interface NotificationsTable {
  id: Generated<string>;
  user_id: string;
  organization_id: string;
  activity_id: string;
  kind: NotificationKind;
  created_at: CreatedAt;
  read_at: NullableTimestamp;
}

export interface ApprovalsTable {
  id: Generated<string>;
  study_id: string;
  organization_id: OrganizationOfStudy;
  requested_by: string;
  reviewer_id: string;
  status: ColumnType<ApprovalStatus, ApprovalStatus | undefined, ApprovalStatus>;
  requested_at: CreatedAt;
  decided_at: NullableTimestamp;
}

export interface CollaborationActivityTable {
  /** bigint, returned as a string by both drivers. */
  id: ColumnType<string, never, never>;
  organization_id: string;
  study_id: string | null;
  user_id: string | null;
  activity_type: string;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: CreatedAt;
}

/** Materialized view, refreshed concurrently (see src/db/repositories/team-productivity.repository.ts). */
export interface TeamProductivityView {
  organization_id: string;
  member_count: number;
  studies_created: number;
  comments: number;
  approvals_decided: number;
  studies_per_member: number | null;
  comments_per_member: number | null;
  period_days: number;
  refreshed_at: Date;
}

export interface WebhooksTable {
  id: Generated<string>;
  organization_id: string;
  url: string;
  /** Activity types (collaboration_activity.activity_type) it is sent. */
  events: string[];
  secret: string;
  created_by: string | null;
  created_at: CreatedAt;
}

/** One attempt to deliver one event to one webhook. */
export interface WebhookDeliveriesTable {
  id: Generated<string>;
  webhook_id: string;
  /** The activity entry's id: the same for every attempt and redelivery of an event (de-duplication). */
  event_id: string;
  event_type: string;
  body: string;
  attempt: number;
  redelivery: Generated<boolean>;
  succeeded: boolean;
  response_code: number | null;
  duration_ms: number;
  error: string | null;
  next_retry_at: NullableTimestamp;
  attempted_at: CreatedAt;
}

/** What a rule does, each an activity entry naming the rule (src/domain/automation-rules.ts). */
export type AutomationAction =
  | { kind: 'change_status'; status: StudyStatus }
  | { kind: 'request_approval'; reviewerRole: OrganizationRole }
  | { kind: 'notify'; roles: OrganizationRole[]; collaborators: boolean };

export interface AutomationRulesTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  trigger_kind: 'activity' | 'status_reached' | 'inactive';
  trigger_activity_type: string | null;
  trigger_status: StudyStatus | null;
  inactive_days: number | null;
  /** The study must be in one of these; null: any. */
  condition_statuses: StudyStatus[] | null;
  actions: ColumnType<AutomationAction[], string, string>;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface AutomationRuleRunsTable {
  rule_id: string;
  study_id: string;
  /** The study's last entry not written by a rule when the rule fired (null: it had none). */
  last_activity_id: string | null;
  fired_at: Timestamp;
}

export interface Database {
  users: UsersTable;
  organizations: OrganizationsTable;
  organization_members: OrganizationMembersTable;
  organization_invitations: OrganizationInvitationsTable;
  studies: StudiesTable;
  study_collaborators: StudyCollaboratorsTable;
  comments: CommentsTable;
  approvals: ApprovalsTable;
  approval_policies: ApprovalPoliciesTable;
  notifications: NotificationsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  automation_rules: AutomationRulesTable;
  automation_rule_runs: AutomationRuleRunsTable;
  collaboration_activity: CollaborationActivityTable;
  team_productivity: TeamProductivityView;
}

export type UserRow = Selectable<UsersTable>;
export type ApprovalPolicyRow = Selectable<ApprovalPoliciesTable>;
export type NotificationRow = Selectable<NotificationsTable>;
export type WebhookRow = Selectable<WebhooksTable>;
export type AutomationRuleRow = Selectable<AutomationRulesTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type OrganizationRow = Selectable<OrganizationsTable>;
export type MemberRow = Selectable<OrganizationMembersTable>;
/** An invitation with the name of its organization, which its invitee cannot otherwise read. */
export type InvitationRow = Selectable<OrganizationInvitationsTable> & { organization_name: string };
export type StudyRow = Omit<Selectable<StudiesTable>, 'search_vector'>;
/** The columns a StudyRow holds: every one but search_vector (the database's own, never read back). */
export const STUDY_ROW_COLUMNS = [
  'id',
  'organization_id',
  'title',
  'description',
  'status',
  'created_by',
  'created_at',
  'updated_at',
  'completed_at',
] as const;
export type CollaboratorRow = Selectable<StudyCollaboratorsTable>;
export type CommentRow = Selectable<CommentsTable>;
export type ApprovalRow = Selectable<ApprovalsTable>;
export type ActivityRow = Selectable<CollaborationActivityTable>;
export type NewActivity = Insertable<CollaborationActivityTable>;
export type TeamProductivityRow = Selectable<TeamProductivityView>;
