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
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';

/**
 * The part of Apollo Server's gateway interface it needs to run operations through an executor of ours:
 * it still parses, validates, caches documents and runs every plugin hook; only execution is ours.
 */
interface ExecutorRequest {
  document: DocumentNode;
  /** The request as the client sent it: its operationName may name no operation of the document. */
  request: { variables?: Record<string, unknown>; operationName?: string | null };
  context: unknown;
}

export interface CompiledExecutionOptions {
  /** A document is compiled once it has run this many times (a one-off document is not worth compiling). */
  compileAfterRuns: number;
  /** Told once per operation that reached compileAfterRuns. */
  onCompiled?: (result: 'compiled' | 'interpreted') => void;
  /** Documents whose runs are counted and plans kept, least recently used out first. */
  maxDocuments: number;
}

interface OperationPlan {
  operation: OperationDefinitionNode;
  compiled: CompiledQuery;
  /** Variables' defaults as a client would send them: graphql-jit refuses an omitted `Int! = 30`. */
  defaults: [name: string, value: unknown][];
}

function withDefaults(variables: Record<string, unknown>, defaults: OperationPlan['defaults']): Record<string, unknown> {
  if (defaults.every(([name]) => variables[name] !== undefined)) return variables;
  const filled = { ...variables };
  for (const [name, value] of defaults) if (filled[name] === undefined) filled[name] = value;
  return filled;
}

interface DocumentPlans {
  runs: number;
  /** null: this operation is not compiled (see compilable). */
  byOperation: Map<string, OperationPlan | null>;
}

function selectedOperation(document: DocumentNode, operationName: string | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operationName === undefined ? (operations.length === 1 ? operations[0] : undefined) : operations.find((o) => o.name?.value === operationName);
}

/**
 * graphql-jit's errors leave `extensions` undefined when the thrown error has none, where graphql-js gives
 * an empty object and Apollo's error formatting relies on it: they become graphql-js errors.
 */
function asGraphQLJsError(error: GraphQLError): GraphQLError {
  const converted = new GraphQLError(error.message, { path: error.path, originalError: error.originalError, extensions: error.extensions ?? {} });
  return Object.assign(converted, { locations: error.locations });
}

function defaultsOf(operation: OperationDefinitionNode): OperationPlan['defaults'] {
  return (operation.variableDefinitions ?? []).flatMap((definition) =>
    definition.defaultValue ? [[definition.variable.name.value, valueFromASTUntyped(definition.defaultValue)] as [string, unknown]] : [],
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
 * Executes operations as compiled functions (graphql-jit): the plan of a document — which resolvers, which
 * serialisers, how nulls bubble — is worked out once per document instead of per field on every request.
 * Documents come from Apollo's document store, the same object each time for the same text, so they key
 * an LRU of `maxDocuments` (plans are far larger than the text the store's size limit counts, so they are
 * bounded apart). A document that has not yet run `compileAfterRuns` times goes through graphql-js's
 * execute: compiling costs more than running a one-off document, and a client inventing documents gets
 * no compilation for them.
 */
export function compiledExecutionGateway(schema: GraphQLSchema, options: CompiledExecutionOptions) {
  const plans = new LRUCache<DocumentNode, DocumentPlans>({ max: options.maxDocuments });

  function planOf(document: DocumentNode, operationName: string | undefined): OperationPlan | null | undefined {
    let documentPlans = plans.get(document);
    if (!documentPlans) {
      documentPlans = { runs: 0, byOperation: new Map() };
      plans.set(document, documentPlans);
    }
    const key = operationName ?? '';
    const known = documentPlans.byOperation.get(key);
    if (known !== undefined) return known;
    if (++documentPlans.runs < options.compileAfterRuns) return undefined;
    const operation = selectedOperation(document, operationName);
    const compiled =
      operation && compilable(schema, document, operation) ? compileQuery(schema, document, operationName, { disablingCapturingStackErrors: true }) : undefined;
    // A document the compiler refuses (it was validated, so this is rare) keeps running through graphql-js.
    const plan = operation && compiled && isCompiledQuery(compiled) ? { operation, compiled, defaults: defaultsOf(operation) } : null;
    documentPlans.byOperation.set(key, plan);
    options.onCompiled?.(plan ? 'compiled' : 'interpreted');
    return plan;
  }

  async function executor(request: ExecutorRequest): Promise<ExecutionResult> {
    // The client's operationName, not the one Apollo resolved (null when it named none of the document's
    // operations): graphql-js then refuses the request as it should, rather than running the only operation.
    const operationName = request.request.operationName ?? undefined;
    const plan = planOf(request.document, operationName);
    if (plan) {
      // Invalid variables are refused by graphql-js, with its messages and the error shape Apollo reports as BAD_USER_INPUT.
      const coercion = getVariableValues(schema, plan.operation.variableDefinitions ?? [], request.request.variables ?? {}, { maxErrors: 50 });
      if (coercion.errors) return { errors: coercion.errors };
      const result = await plan.compiled.query(undefined, request.context, withDefaults(request.request.variables ?? {}, plan.defaults));
      return result.errors ? { ...result, errors: result.errors.map(asGraphQLJsError) } : result;
    }
    return execute({
      schema,
      document: request.document,
      operationName,
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
