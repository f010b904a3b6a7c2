import type { Kysely } from 'kysely';
import type { Database, OrganizationRow, StudyRow, UserRow } from '../src/db/types';
import type { EntityPrimer } from './joins';
import type { FoldPrimer } from './folds';
import { createActivityLoaders } from './activity.loader';
import { createAnalyticsLoaders } from './analytics.loader';
import { createApprovalLoaders } from './approval.loader';
import { createCollaboratorLoaders, type CollaboratorLoaders } from './collaborator.loader';
import { createCommentLoaders } from './comment.loader';
import { createInvitationLoaders } from './invitation.loader';
import { createMembershipLoaders } from './membership.loader';
import { createNodeLoaders } from './node.loader';
import { createOrganizationLoaders } from './organization.loader';
import { createStudyLoaders } from './study.loader';
import { createTeamProductivityLoaders } from './team-productivity.loader';
import { createNotificationLoaders } from './notification.loader';
import { createWebhookLoaders } from './webhook.loader';
import { createAutomationRuleLoaders } from './automation-rule.loader';
import type { LoaderSettings } from './loader-toolkit';
import { createUserLoaders, type UserLoaders } from './user.loader';

/** The loader groups a write can leave stale (see Loaders.forget). */
export const LOADER_GROUPS = [
  'users',
  'collaborators',
  'organizations',
  'memberships',
  'invitations',
  'studies',
  'comments',
  'approvals',
  'activity',
  'analytics',
  'teamProductivity',
  'notifications',
  'webhooks',
  'automationRules',
  'nodes',
] as const;
export type LoaderGroup = (typeof LOADER_GROUPS)[number];

/** Groups built over another group's loaders: forgetting the one forgets them too. */
const BUILT_OVER: Partial<Record<LoaderGroup, LoaderGroup[]>> = {
  users: ['collaborators', 'studies'],
  collaborators: ['studies'],
};

/**
 * A request's loaders, each entity's group built on first use: a request reaches a few of the eleven groups,
 * and building all thirty-one loaders (each a DataLoader with its maps and closures) was a fixed cost of
 * every request, cache hits included. Groups whose rows join users (a study's creator, a collaborator, a
 * comment's author, an activity's actor, an approval's reviewer) prime userById; studies prime collaborators.
 */
export class Loaders {
  #users?: UserLoaders;
  #collaborators?: CollaboratorLoaders;
  #organizations?: ReturnType<typeof createOrganizationLoaders>;
  #memberships?: ReturnType<typeof createMembershipLoaders>;
  #invitations?: ReturnType<typeof createInvitationLoaders>;
  #studies?: ReturnType<typeof createStudyLoaders>;
  #comments?: ReturnType<typeof createCommentLoaders>;
  #approvals?: ReturnType<typeof createApprovalLoaders>;
  #activity?: ReturnType<typeof createActivityLoaders>;
  #analytics?: ReturnType<typeof createAnalyticsLoaders>;
  #teamProductivity?: ReturnType<typeof createTeamProductivityLoaders>;
  #notifications?: ReturnType<typeof createNotificationLoaders>;
  #webhooks?: ReturnType<typeof createWebhookLoaders>;
  #automationRules?: ReturnType<typeof createAutomationRuleLoaders>;
  #nodes?: ReturnType<typeof createNodeLoaders>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly settings: LoaderSettings,
  ) {}

  /**
   * Forgets everything read so far (the groups are built again on first use): each mutation field of a
   * request starts from the database as it is, whatever an earlier field read or wrote.
   */
  forgetReads(): void {
    this.forget(...LOADER_GROUPS);
  }

  /**
   * Forgets what this request read of the groups a write changed, so that its later reads see the write
   * (src/services/ name, for each write, the groups it changes). A group is built again when next used.
   */
  forget(...groups: LoaderGroup[]): void {
    for (const group of groups.flatMap((named) => [named, ...(BUILT_OVER[named] ?? [])])) {
      switch (group) {
        case 'users':
          this.#users = undefined;
          break;
        case 'collaborators':
          this.#collaborators = undefined;
          break;
        case 'organizations':
          this.#organizations = undefined;
          break;
        case 'memberships':
          this.#memberships = undefined;
          break;
        case 'invitations':
          this.#invitations = undefined;
          break;
        case 'studies':
          this.#studies = undefined;
          break;
        case 'comments':
          this.#comments = undefined;
          break;
        case 'approvals':
          this.#approvals = undefined;
          break;
        case 'activity':
          this.#activity = undefined;
          break;
        case 'analytics':
          this.#analytics = undefined;
          break;
        case 'teamProductivity':
          this.#teamProductivity = undefined;
          break;
        case 'notifications':
          this.#notifications = undefined;
          break;
        case 'webhooks':
          this.#webhooks = undefined;
          break;
        case 'automationRules':
          this.#automationRules = undefined;
          break;
        case 'nodes':
          this.#nodes = undefined;
          break;
      }
    }
  }

  private get users() {
    return (this.#users ??= createUserLoaders(this.db, this.settings));
  }
  private get collaborators() {
    return (this.#collaborators ??= createCollaboratorLoaders(this.db, this.settings, this.users));
  }
  private get organizations() {
    return (this.#organizations ??= createOrganizationLoaders(
      this.db,
      this.settings,
      this.primeEntity,
      this.primeFolded,
    ));
  }
  private get memberships() {
    return (this.#memberships ??= createMembershipLoaders(this.db, this.settings, this.primeEntity));
  }
  private get invitations() {
    return (this.#invitations ??= createInvitationLoaders(this.db, this.settings));
  }
  private get studies() {
    return (this.#studies ??= createStudyLoaders(
      this.db,
      this.settings,
      this.collaborators,
      this.primeEntity,
      this.primeFolded,
    ));
  }
  private get comments() {
    return (this.#comments ??= createCommentLoaders(this.db, this.settings, this.primeEntity));
  }
  private get approvals() {
    return (this.#approvals ??= createApprovalLoaders(this.db, this.settings, this.primeEntity));
  }
  private get activity() {
    return (this.#activity ??= createActivityLoaders(this.db, this.settings, this.primeEntity));
  }
  private get analytics() {
    return (this.#analytics ??= createAnalyticsLoaders(this.db, this.settings));
  }
  private get nodes() {
    return (this.#nodes ??= createNodeLoaders(this.db, this.settings));
  }
  private get teamProductivityGroup() {
    return (this.#teamProductivity ??= createTeamProductivityLoaders(this.db, this.settings));
  }
  private get notifications() {
    return (this.#notifications ??= createNotificationLoaders(this.db, this.settings));
  }
  private get webhooks() {
    return (this.#webhooks ??= createWebhookLoaders(this.db, this.settings));
  }
  private get automationRules() {
    return (this.#automationRules ??= createAutomationRuleLoaders(this.db, this.settings));
  }

  /**
   * A row of an entity that another loader's statement joined (see joins.ts), handed to the entity's own
   * loader: whole rows as they are, partial ones (costly columns left out) kept apart (primePartial).
   */
  readonly primeEntity: EntityPrimer = (entity, row, whole) => {
    const id = row.id as string;
    if (entity === 'users') this.users.userById.prime(id, row as unknown as UserRow);
    else if (entity === 'organizations')
      this.organizations.organizationById.prime(id, row as unknown as OrganizationRow);
    else if (whole) this.studies.studyById.prime(id, row as unknown as StudyRow);
    else this.studies.studyById.primePartial(id, row as unknown as StudyRow);
  };

  /** A relation's page (or list) that a parent's statement folded in (folds.ts), kept where its resolver will ask. */
  readonly primeFolded: FoldPrimer = (relation, parentId, args, value) => {
    const key = { parentId, args: args as never };
    if (relation.loader === 'commentsPage') this.comments.commentsPage.prime(key, value as never);
    else if (relation.loader === 'approvalsByStudy') this.approvals.approvalsByStudy.prime(key, value as never);
    else if (relation.loader === 'activityPage') this.activity.activityPage.prime(key, value as never);
    else this.studies.studiesPage.prime(key, value as never);
  };

  get userById() {
    return this.users.userById;
  }
  get userByEmail() {
    return this.users.userByEmail;
  }
  get collaboratorsByStudy() {
    return this.collaborators.collaboratorsByStudy;
  }
  get organizationById() {
    return this.organizations.organizationById;
  }
  get organizationBySlug() {
    return this.organizations.organizationBySlug;
  }
  get organizationsOfUser() {
    return this.organizations.organizationsOfUser;
  }
  get membership() {
    return this.memberships.membership;
  }
  get membersPage() {
    return this.memberships.membersPage;
  }
  get memberTotal() {
    return this.memberships.memberTotal;
  }
  get invitationById() {
    return this.invitations.invitationById;
  }
  get openInvitationsByEmail() {
    return this.invitations.openInvitationsByEmail;
  }
  /** Whether parents' statements fold in the relations below them (not in the unbatched baseline). */
  get folding(): boolean {
    return this.settings.batch;
  }
  get studyWithFolds() {
    return this.studies.studyWithFolds;
  }
  get studyById() {
    return this.studies.studyById;
  }
  get studiesPage() {
    return this.studies.studiesPage;
  }
  get studySearch() {
    return this.studies.studySearch;
  }
  get studySearchTotal() {
    return this.studies.studySearchTotal;
  }
  get studyTotal() {
    return this.studies.studyTotal;
  }
  get commentById() {
    return this.comments.commentById;
  }
  get commentsPage() {
    return this.comments.commentsPage;
  }
  get commentTotal() {
    return this.comments.commentTotal;
  }
  get commentStats() {
    return this.comments.commentStats;
  }
  get approvalById() {
    return this.approvals.approvalById;
  }
  get approvalsByStudy() {
    return this.approvals.approvalsByStudy;
  }
  get approvalPolicy() {
    return this.approvals.approvalPolicy;
  }
  get activityPage() {
    return this.activity.activityPage;
  }
  get activityById() {
    return this.activity.activityById;
  }
  get activitySince() {
    return this.activity.activitySince;
  }
  get activityTotal() {
    return this.activity.activityTotal;
  }
  get studyMetrics() {
    return this.analytics.studyMetrics;
  }
  get commentMetrics() {
    return this.analytics.commentMetrics;
  }
  get averageApprovalHours() {
    return this.analytics.averageApprovalHours;
  }
  get activityMetrics() {
    return this.analytics.activityMetrics;
  }
  get dailyActiveUsers() {
    return this.analytics.dailyActiveUsers;
  }
  get topContributors() {
    return this.analytics.topContributors;
  }
  get nodeTable() {
    return this.nodes.nodeTable;
  }
  get teamProductivity() {
    return this.teamProductivityGroup.teamProductivity;
  }
  get notificationsPage() {
    return this.notifications.notificationsPage;
  }
  get notificationTotal() {
    return this.notifications.notificationTotal;
  }
  get notificationById() {
    return this.notifications.notificationById;
  }
  get notificationOfEntry() {
    return this.notifications.notificationOfEntry;
  }
  get webhooksOfOrganization() {
    return this.webhooks.webhooksOfOrganization;
  }
  get webhookById() {
    return this.webhooks.webhookById;
  }
  get deliveriesPage() {
    return this.webhooks.deliveriesPage;
  }
  get deliveryTotal() {
    return this.webhooks.deliveryTotal;
  }
  get deliveryById() {
    return this.webhooks.deliveryById;
  }
  get automationRulesOfOrganization() {
    return this.automationRules.automationRulesOfOrganization;
  }
  get automationRuleById() {
    return this.automationRules.automationRuleById;
  }

  /**
   * A study's collaborators changed (a mutation, later fields of the same request read again): its list,
   * and the pages of studies, which may carry collaborators' summaries, are read afresh.
   */
}

/** The only place loaders are built: once per request, so no cached row outlives it. */
export function createLoaders(db: Kysely<Database>, settings: LoaderSettings): Loaders {
  return new Loaders(db, settings);
}
