import { STUDY_ROW_COLUMNS, type Database } from '../src/db/types';

/**
 * The loading layer's one description of the data: for each entity a relation can reach, its table, its
 * columns and which of them are costly; for each GraphQL type a list loader returns, the to-one relations
 * its fields follow and the costly columns its fields read. Page and list statements are built from these
 * (see selection.ts, joins.ts, pages.ts and folds.ts): a to-one relation the selection reads is joined into the statement of
 * the rows that point to it and primed into its entity loader; a costly column is fetched only when the
 * selection reads its field. Nothing here is written for one query.
 */

/** Entities a to-one relation can reach; each has a loader by id (Loaders.primeEntity). */
export type EntityName = 'users' | 'organizations' | 'studies';

export interface EntityDeclaration {
  table: keyof Database;
  /** Every column an entity loader's row holds, key first. */
  columns: readonly string[];
  /**
   * Columns of unbounded size (free text), by the GraphQL field that reads each: fetched only when a
   * selection reads the field. A row without them is partial: it is never primed as a whole row.
   */
  costly: Readonly<Record<string, string>>;
  /** What each field of its GraphQL type reads, when every field is declared (see FieldColumns). */
  fields?: FieldColumns;
}

/**
 * The columns each field of a type reads (its resolver's or mapper's), and the keys every row keeps. A
 * selection whose fields are all declared here fetches only their columns and the keys; a selection with a
 * field not declared fetches every column (an undeclared field is never starved).
 */
export interface FieldColumns {
  keys: readonly string[];
  byField: Readonly<Record<string, readonly string[]>>;
}

export const ENTITIES: Readonly<Record<EntityName, EntityDeclaration>> = {
  users: {
    table: 'users',
    columns: ['id', 'email', 'name', 'created_at'],
    costly: {},
    fields: { keys: ['id'], byField: { id: ['id'], email: ['email'], name: ['name'], createdAt: ['created_at'] } },
  },
  organizations: { table: 'organizations', columns: ['id', 'slug', 'name', 'plan', 'created_at'], costly: {} },
  studies: {
    table: 'studies',
    columns: STUDY_ROW_COLUMNS,
    costly: { description: 'description' },
  },
};

/** A to-one relation: the field that follows it, the row's foreign key, the entity it reaches. */
export interface ToOneRelation {
  field: string;
  column: string;
  target: EntityName;
}

/** What a list loader's rows are, as GraphQL types: the relations their fields follow, the costly columns they read. */
export interface NodeDeclaration {
  toOne: readonly ToOneRelation[];
  costly: Readonly<Record<string, string>>;
  /**
   * What its fields read of its own row, for list rows that are no entity's (they are primed into no loader
   * by id, so a row with fewer columns only ever answers the position whose plan it was fetched for).
   */
  fields?: FieldColumns;
}

export type NodeTypeName = 'Organization' | 'Study' | 'Comment' | 'Approval' | 'Collaborator' | 'Member' | 'Activity';

export const NODES: Readonly<Record<NodeTypeName, NodeDeclaration>> = {
  Organization: { toOne: [], costly: {} },
  Study: {
    toOne: [
      { field: 'createdBy', column: 'created_by', target: 'users' },
      { field: 'organization', column: 'organization_id', target: 'organizations' },
    ],
    costly: ENTITIES.studies.costly,
  },
  Comment: {
    toOne: [
      { field: 'author', column: 'author_id', target: 'users' },
      { field: 'resolvedBy', column: 'resolved_by', target: 'users' },
    ],
    costly: { body: 'body' },
    fields: {
      keys: ['id', 'study_id', 'created_at'],
      byField: {
        id: ['id'],
        author: ['author_id'],
        body: ['body'],
        createdAt: ['created_at'],
        resolvedAt: ['resolved_at'],
        resolvedBy: ['resolved_by'],
      },
    },
  },
  Approval: {
    toOne: [
      { field: 'requestedBy', column: 'requested_by', target: 'users' },
      { field: 'reviewer', column: 'reviewer_id', target: 'users' },
    ],
    costly: {},
    fields: {
      keys: ['id', 'study_id', 'requested_at'],
      byField: {
        id: ['id'],
        status: ['status'],
        requestedAt: ['requested_at'],
        decidedAt: ['decided_at'],
        requestedBy: ['requested_by'],
        reviewer: ['reviewer_id'],
      },
    },
  },
  Collaborator: {
    toOne: [
      { field: 'user', column: 'user_id', target: 'users' },
      { field: 'addedBy', column: 'added_by', target: 'users' },
    ],
    costly: {},
    fields: {
      keys: ['study_id', 'user_id', 'added_at'],
      byField: {
        id: ['study_id', 'user_id'],
        role: ['role'],
        permissions: ['permissions'],
        addedAt: ['added_at'],
        user: ['user_id'],
        addedBy: ['added_by'],
      },
    },
  },
  Member: {
    toOne: [
      { field: 'user', column: 'user_id', target: 'users' },
      { field: 'invitedBy', column: 'invited_by', target: 'users' },
    ],
    costly: {},
  },
  Activity: {
    toOne: [
      { field: 'actor', column: 'user_id', target: 'users' },
      { field: 'study', column: 'study_id', target: 'studies' },
    ],
    costly: {},
    fields: {
      // Every parent a page of the log can have (an organization, a study, a member), and the order.
      keys: ['id', 'organization_id', 'study_id', 'user_id', 'created_at'],
      byField: {
        id: ['id'],
        type: ['activity_type'],
        createdAt: ['created_at'],
        details: ['details'],
        actor: ['user_id'],
        study: ['study_id'],
      },
    },
  },
};

/** The GraphQL type an entity's rows become (whose costly fields a joined row's selection may read). */
export const ENTITY_NODE: Readonly<Record<EntityName, NodeTypeName | null>> = {
  users: null,
  organizations: null,
  studies: 'Study',
};

/**
 * How a column travels inside a folded list (folds.ts: a JSON array per parent): as itself, a timestamp as
 * whole epoch milliseconds (a Date from a number costs a fraction of one parsed from text), a bigint as
 * text (JSON numbers would round it).
 */
export type ColumnKind = 'value' | 'timestamp' | 'bigint';

export const COLUMN_KINDS: Readonly<Partial<Record<keyof Database, Readonly<Record<string, ColumnKind>>>>> = {
  users: { id: 'value', email: 'value', name: 'value', created_at: 'timestamp' },
  organizations: { id: 'value', slug: 'value', name: 'value', plan: 'value', created_at: 'timestamp' },
  studies: {
    id: 'value',
    organization_id: 'value',
    title: 'value',
    description: 'value',
    status: 'value',
    created_by: 'value',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    completed_at: 'timestamp',
  },
  comments: {
    id: 'value',
    study_id: 'value',
    organization_id: 'value',
    author_id: 'value',
    body: 'value',
    created_at: 'timestamp',
    resolved_at: 'timestamp',
    resolved_by: 'value',
  },
  approvals: {
    id: 'value',
    study_id: 'value',
    organization_id: 'value',
    requested_by: 'value',
    reviewer_id: 'value',
    status: 'value',
    requested_at: 'timestamp',
    decided_at: 'timestamp',
  },
  organization_members: {
    organization_id: 'value',
    user_id: 'value',
    role: 'value',
    joined_at: 'timestamp',
    invited_by: 'value',
  },
  study_collaborators: {
    study_id: 'value',
    user_id: 'value',
    role: 'value',
    permissions: 'value',
    added_at: 'timestamp',
    added_by: 'value',
  },
  collaboration_activity: {
    id: 'bigint',
    organization_id: 'value',
    study_id: 'value',
    user_id: 'value',
    activity_type: 'value',
    details: 'value',
    created_at: 'timestamp',
  },
};
