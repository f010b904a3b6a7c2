import type { ApolloServerPlugin } from '@apollo/server';
import type { CacheHint } from '@apollo/cache-control-types';
import { fragmentsByName } from '../graphql/fragments';
import {
  getDirectiveValues,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  OperationTypeNode,
} from 'graphql';
import { cacheControlDirective } from '../../schema/cache-control';
import type { GatewayContext } from '../context/context';

interface Annotation {
  maxAge?: number;
  scope?: 'PUBLIC' | 'PRIVATE';
  inheritMaxAge?: boolean;
}

/** The restrictive combination of two hints: the shorter age, PRIVATE over PUBLIC. */
function restrict(into: CacheHint, hint: CacheHint): void {
  if (hint.maxAge !== undefined && (into.maxAge === undefined || hint.maxAge < into.maxAge)) into.maxAge = hint.maxAge;
  if (hint.scope === 'PRIVATE') into.scope = 'PRIVATE';
}

/**
 * The cache policy of an operation, read from the schema's @cacheControl hints once per parsed document,
 * with the rules of Apollo's cache-control plugin: a field takes its own hint, else its object type's; a
 * root field or a field returning an object with neither (and not inheriting) is uncacheable. Apollo
 * computes the same per resolved field at run time, wrapping every resolver of the schema; nothing here
 * sets hints dynamically, so the per-document answer is the same, known before execution, at no cost per
 * field. Fields skipped at run time only make it stricter.
 */
function operationCachePolicy(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): CacheHint {
  const fragments = fragmentsByName(document);
  const policy: CacheHint = {};
  const visitedFragments = new Set<string>();
  const annotations = new Map<object, Annotation>();
  const annotationOf = (node: GraphQLField<unknown, unknown> | GraphQLCompositeType): Annotation => {
    let annotation = annotations.get(node);
    if (!annotation) {
      annotation = (node.astNode ? getDirectiveValues(cacheControlDirective, node.astNode) : undefined) ?? {};
      annotations.set(node, annotation);
    }
    return annotation;
  };
  const root = schema.getRootType(operation.operation);

  const visitField = (parent: GraphQLObjectType, node: FieldNode, isRoot: boolean) => {
    if (node.name.value.startsWith('__')) return;
    const field = parent.getFields()[node.name.value];
    if (!field) return;
    const target = getNamedType(field.type);
    const hint: CacheHint = {};
    let inheritMaxAge = false;
    if (isCompositeType(target)) {
      const typeHint = annotationOf(target);
      Object.assign(hint, { maxAge: typeHint.maxAge, scope: typeHint.scope });
      inheritMaxAge = typeHint.inheritMaxAge === true;
    }
    const fieldHint = annotationOf(field);
    if (fieldHint.inheritMaxAge && hint.maxAge === undefined) {
      inheritMaxAge = true;
      if (fieldHint.scope) hint.scope = fieldHint.scope;
    } else {
      if (fieldHint.maxAge !== undefined) hint.maxAge = fieldHint.maxAge;
      if (fieldHint.scope !== undefined) hint.scope = fieldHint.scope;
    }
    if (hint.maxAge === undefined && ((isCompositeType(target) && !inheritMaxAge) || isRoot)) hint.maxAge = 0;
    restrict(policy, hint);
    if (node.selectionSet && isObjectType(target)) visitSelections(target, node.selectionSet, false);
    // An interface or union: its selection as each type it may be would answer it.
    else if (node.selectionSet && isAbstractType(target))
      for (const type of schema.getPossibleTypes(target)) visitSelections(type, node.selectionSet, false);
  };
  const visitSelections = (type: GraphQLObjectType, selectionSet: SelectionSetNode, isRoot: boolean) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) visitField(type, selection, isRoot);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visitSelections(type, selection.selectionSet, isRoot);
      else {
        // A fragment's fields restrict the policy the same way wherever it is spread: once is enough (once
        // at the root too, where the root rule applies), so the walk is linear in the document.
        const fragment = fragments.get(selection.name.value);
        const condition = fragment && schema.getType(fragment.typeCondition.name.value);
        // On an object type the fragment reads the same fields wherever it is spread; on an interface or a
        // union, what it reads depends on the type it is spread on (its own inline fragments): once per type.
        const on = isObjectType(condition) ? condition : type;
        const key = `${isRoot}|${selection.name.value}|${on.name}`;
        if (fragment && !visitedFragments.has(key)) {
          visitedFragments.add(key);
          visitSelections(on, fragment.selectionSet, isRoot);
        }
      }
    }
  };
  if (root) visitSelections(root, operation.selectionSet, true);
  return policy;
}

/**
 * Replaces Apollo's cache-control plugin (installed disabled, see gateway.ts): the policy of each parsed
 * document is computed once and given to the response cache through `overallCachePolicy`, and the HTTP
 * Cache-Control header follows it. A mutation's answer, and any answer with errors, is `no-store`.
 */
export function staticCacheControlPlugin(): ApolloServerPlugin<GatewayContext> {
  const policies = new WeakMap<OperationDefinitionNode, CacheHint>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          // No operation (an unknown operationName): execution answers OPERATION_RESOLUTION_FAILURE.
          if (!rc.operation) return;
          const operation = rc.operation;
          let policy = policies.get(operation);
          if (!policy) policies.set(operation, (policy = operationCachePolicy(rc.schema, rc.document, operation)));
          rc.overallCachePolicy.restrict(policy);
        },
        async willSendResponse(rc) {
          const body = rc.response.body;
          const cacheable =
            rc.operation?.operation === OperationTypeNode.QUERY && body.kind === 'single' && !body.singleResult.errors
              ? rc.overallCachePolicy.policyIfCacheable()
              : null;
          rc.response.http.headers.set(
            'cache-control',
            cacheable ? `max-age=${cacheable.maxAge}, ${cacheable.scope.toLowerCase()}` : 'no-store',
          );
        },
      };
    },
  };
}
