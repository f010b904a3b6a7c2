import type { Database } from '../src/db/types';

/**
 * The loading layer's one description of the data: for each entity a relation can reach, its table, its
 * columns and which of them are costly; for each GraphQL type a list loader returns, the to-one relations
 * its fields follow and the costly columns its fields read. Page and list statements are built from these
 * (see read-plan.ts and joins.ts): a to-one relation the selection reads is joined into the statement of
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
}

export const ENTITIES: Readonly<Record<EntityName, EntityDeclaration>> = {
  users: { table: 'users', columns: ['id', 'email', 'name', 'created_at'], costly: {} },
  organizations: { table: 'organizations', columns: ['id', 'slug', 'name', 'plan', 'created_at'], costly: {} },
  studies: {
    table: 'studies',
    columns: ['id', 'organization_id', 'title', 'description', 'status', 'created_by', 'created_at', 'updated_at', 'completed_at'],
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
}

export type NodeTypeName = 'Study' | 'Comment' | 'Approval' | 'Member' | 'Activity';

export const NODES: Readonly<Record<NodeTypeName, NodeDeclaration>> = {
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
  },
  Approval: {
    toOne: [
      { field: 'requestedBy', column: 'requested_by', target: 'users' },
      { field: 'reviewer', column: 'reviewer_id', target: 'users' },
    ],
    costly: {},
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
  },
};

/** The GraphQL type an entity's rows become (whose costly fields a joined row's selection may read). */
export const ENTITY_NODE: Readonly<Record<EntityName, NodeTypeName | null>> = { users: null, organizations: null, studies: 'Study' };
