import {
  BREAK,
  execute,
  getNamedType,
  GraphQLError,
  isInputObjectType,
  Kind,
  typeFromAST,
  valueFromASTUntyped,
  visit,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import { fragmentsByName } from './fragments';

/**
 * The part of Apollo Server's gateway interface it needs to run operations through an executor of ours:
 * it still parses, validates, caches documents and runs every plugin hook; only execution is ours.
 */
interface ExecutorRequest {
  document: DocumentNode;
  /** The operation Apollo resolved from the document; the cost plugin refuses a request without one before execution. */
  operation?: OperationDefinitionNode;
  request: { variables?: Record<string, unknown> };
  context: unknown;
}

export interface CompiledExecutionOptions {
  /** An operation is compiled once it has run this many times (a one-off document is not worth compiling). */
  compileAfterRuns: number;
  /** Operations larger than this (fields once fragments are expanded, @skip/@include ignored) are never compiled. */
  maxCompiledFields: number;
  /** Bytes the kept plans may take, estimated (see planBytes); least recently used out first. */
  maxPlanBytes: number;
  /**
   * Fields (of expanded operations) this process may compile per second on average, in bursts of
   * COMPILATION_BURST_SECONDS' worth: compiling is CPU the requests that cause it do not pay for.
   */
  compiledFieldsPerSecond: number;
  /** Told once per operation that reached compileAfterRuns. */
  onCompiled?: (result: 'compiled' | 'interpreted' | 'deferred') => void;
}

interface OperationPlan {
  compiled: CompiledQuery;
  /** Variables' defaults as a client would send them: graphql-jit refuses an omitted `Int! = 30`. */
  defaults: [name: string, value: unknown][];
  /** Estimated heap the plan and the document it holds take. */
  bytes: number;
}

/**
 * Heap a compiled plan takes, measured on this schema with graphql-jit 0.8 (node --expose-gc, 20 plans each
 * of the dashboard, the study page and a 425-field document): about 2–4 KB per field of the expanded
 * operation for the generated code and its closures, and about 30–40 bytes per character of source for the
 * parsed document the plan keeps alive. Rounded up.
 */
const PLAN_BYTES_PER_FIELD = 4096;
const DOCUMENT_BYTES_PER_SOURCE_CHARACTER = 40;
const COMPILATION_BURST_SECONDS = 3;

function withDefaults(
  variables: Record<string, unknown>,
  defaults: OperationPlan['defaults'],
): Record<string, unknown> {
  if (defaults.every(([name]) => variables[name] !== undefined)) return variables;
  const filled = { ...variables };
  for (const [name, value] of defaults) if (filled[name] === undefined) filled[name] = value;
  return filled;
}

/**
 * Fields of an operation once its fragments are expanded, as a compiler sees it: every branch, whatever
 * @skip/@include say (a plan covers every value of the variables). Each fragment's size is worked out once,
 * so the walk is linear in the document however often fragments spread one another; the count stops
 * growing past `limit` (what a fragment bomb expands to is only known to exceed it).
 */
function expandedFieldCount(document: DocumentNode, operation: OperationDefinitionNode, limit: number): number {
  const fragments = fragmentsByName(document);
  const fragmentSizes = new Map<string, number>();
  const sizeOf = (selectionSet: SelectionSetNode): number => {
    let size = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) size += 1 + (selection.selectionSet ? sizeOf(selection.selectionSet) : 0);
      else if (selection.kind === Kind.INLINE_FRAGMENT) size += sizeOf(selection.selectionSet);
      else {
        const name = selection.name.value;
        let known = fragmentSizes.get(name);
        if (known === undefined) {
          // Validation refused cycles; marking the fragment first keeps a walk of an unvalidated document finite all the same.
          fragmentSizes.set(name, 0);
          const fragment = fragments.get(name);
          known = fragment ? sizeOf(fragment.selectionSet) : 0;
          fragmentSizes.set(name, known);
        }
        size += known;
      }
      if (size > limit) return limit + 1;
    }
    return size;
  };
  return sizeOf(operation.selectionSet);
}

/**
 * graphql-jit's errors leave `extensions` undefined when the thrown error has none, where graphql-js gives
 * an empty object and Apollo's error formatting relies on it: they become graphql-js errors.
 */
function asGraphQLJsError(error: GraphQLError): GraphQLError {
  const converted = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions ?? {},
  });
  return Object.assign(converted, { locations: error.locations });
}

function defaultsOf(operation: OperationDefinitionNode): OperationPlan['defaults'] {
  return (operation.variableDefinitions ?? []).flatMap((definition) =>
    definition.defaultValue
      ? [[definition.variable.name.value, valueFromASTUntyped(definition.defaultValue)] as [string, unknown]]
      : [],
  );
}

/**
 * graphql-jit builds input objects its own way and does not apply input fields' defaults: an omitted
 * variable of an input-object type, or one written inside an object or list literal
 * (`input: { role: $role }`), would reach the resolver as null where graphql-js gives the field's default
 * (or refuses the null). Such operations keep graphql-js's execute. One walk over the document.
 */
function compilable(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const wholeInputObjects = (operation.variableDefinitions ?? []).some((definition) => {
    const type = typeFromAST(schema, definition.type);
    return type === undefined || isInputObjectType(getNamedType(type));
  });
  if (wholeInputObjects) return false;
  let insideLiteral = 0;
  let variableInsideLiteral = false;
  const literal = { enter: () => void insideLiteral++, leave: () => void insideLiteral-- };
  visit(document, {
    ObjectValue: literal,
    ListValue: literal,
    Variable() {
      if (insideLiteral === 0) return undefined;
      variableInsideLiteral = true;
      return BREAK;
    },
  });
  return !variableInsideLiteral;
}

/**
 * Executes operations as compiled functions (graphql-jit): the plan of an operation — which resolvers, which
 * serialisers, how nulls bubble — is worked out once instead of per field on every request. Keys are the
 * operations Apollo resolved from its document store (the same object each time for the same text), never a
 * name a client sent. Compiling is work a client could cause for nothing, so an operation earns it: it has
 * run `compileAfterRuns` times (each run admitted and paid for), it is at most `maxCompiledFields` fields
 * once expanded, and the process's compilation budget allows it (otherwise it runs through graphql-js's
 * execute and is tried again on a later run). Run counts live as long as the parsed document does; plans
 * are kept in an LRU bounded by their estimated bytes.
 */
export function compiledExecutionGateway(schema: GraphQLSchema, options: CompiledExecutionOptions) {
  /** Runs of operations not yet compiled; false: never compiled (see compilable, maxCompiledFields). */
  const runs = new WeakMap<OperationDefinitionNode, number | false>();
  const plans = new LRUCache<OperationDefinitionNode, OperationPlan>({
    maxSize: options.maxPlanBytes,
    sizeCalculation: (plan) => plan.bytes,
  });
  const compilationBurst = options.compiledFieldsPerSecond * COMPILATION_BURST_SECONDS;
  let compilableFields = compilationBurst;
  let fieldsCountedAt = Date.now();
  const mayCompile = (fields: number): boolean => {
    const now = Date.now();
    compilableFields = Math.min(
      compilationBurst,
      compilableFields + ((now - fieldsCountedAt) / 1000) * options.compiledFieldsPerSecond,
    );
    fieldsCountedAt = now;
    if (compilableFields < fields) return false;
    compilableFields -= fields;
    return true;
  };

  function planOf(document: DocumentNode, operation: OperationDefinitionNode): OperationPlan | undefined {
    const known = plans.get(operation);
    if (known) return known;
    const counted = runs.get(operation) ?? 0;
    if (counted === false) return undefined;
    if (counted + 1 < options.compileAfterRuns) {
      runs.set(operation, counted + 1);
      return undefined;
    }
    const fields = expandedFieldCount(document, operation, options.maxCompiledFields);
    if (fields > options.maxCompiledFields || !compilable(schema, document, operation)) {
      runs.set(operation, false);
      options.onCompiled?.('interpreted');
      return undefined;
    }
    if (!mayCompile(fields)) {
      options.onCompiled?.('deferred');
      return undefined;
    }
    const compiled = compileQuery(schema, document, operation.name?.value, { disablingCapturingStackErrors: true });
    // A document the compiler refuses (it was validated, so this is rare) keeps running through graphql-js.
    if (!isCompiledQuery(compiled)) {
      runs.set(operation, false);
      options.onCompiled?.('interpreted');
      return undefined;
    }
    const sourceLength = document.loc ? document.loc.end - document.loc.start : 0;
    const plan = {
      compiled,
      defaults: defaultsOf(operation),
      bytes: fields * PLAN_BYTES_PER_FIELD + sourceLength * DOCUMENT_BYTES_PER_SOURCE_CHARACTER,
    };
    runs.delete(operation);
    plans.set(operation, plan);
    options.onCompiled?.('compiled');
    return plan;
  }

  async function executor(request: ExecutorRequest): Promise<ExecutionResult> {
    const { operation } = request;
    if (!operation)
      return {
        errors: [new GraphQLError("No operation to run: name one of the document's operations in operationName.")],
      };
    const plan = planOf(request.document, operation);
    if (plan) {
      // Invalid variables are refused by graphql-js, with its messages and the error shape Apollo reports as BAD_USER_INPUT.
      const coercion = getVariableValues(schema, operation.variableDefinitions ?? [], request.request.variables ?? {}, {
        maxErrors: 50,
      });
      if (coercion.errors) return { errors: coercion.errors };
      const result = await plan.compiled.query(
        undefined,
        request.context,
        withDefaults(request.request.variables ?? {}, plan.defaults),
      );
      return result.errors ? { ...result, errors: result.errors.map(asGraphQLJsError) } : result;
    }
    return execute({
      schema,
      document: request.document,
      operationName: operation.name?.value,
      contextValue: request.context,
      variableValues: request.request.variables,
    });
  }

  return {
    async load() {
      return { schema, executor };
    },
    onSchemaLoadOrUpdate(callback: (schemaContext: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }) => void) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async stop() {},
  };
}
