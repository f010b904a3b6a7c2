import type { CacheScope } from '@apollo/cache-control-types';

/**
 * A cached answer's `data`, kept as the JSON text it was stored as: a hit is written out as it is, never
 * parsed and serialised again (see stringifyResult), and its cost is the one measured when it was stored.
 */
export class CachedData {
  constructor(
    readonly json: string,
    /** The actual cost of the answer when it was computed (the cost walk does not run on a hit). */
    readonly cost: number,
  ) {}
}

export interface CachedAnswer {
  data: CachedData;
  /** When it was computed (ms since the epoch). */
  cacheTime: number;
  maxAge: number;
  scope: CacheScope;
}

interface Header {
  v: 1;
  cacheTime: number;
  maxAge: number;
  scope: CacheScope;
  cost: number;
  /** Length of the data text: a cut-off value is told from a whole one without parsing it. */
  length: number;
}

/** One line of JSON with what the answer is, then its data's JSON text as it was served. */
export function encodeAnswer(answer: CachedAnswer): string {
  const header: Header = {
    v: 1,
    cacheTime: answer.cacheTime,
    maxAge: answer.maxAge,
    scope: answer.scope,
    cost: answer.data.cost,
    length: answer.data.json.length,
  };
  return `${JSON.stringify(header)}\n${answer.data.json}`;
}

/** The answer, or undefined for anything that is not one written by encodeAnswer (foreign or corrupt). */
export function decodeAnswer(text: string): CachedAnswer | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  let header: Partial<Header>;
  try {
    header = JSON.parse(text.slice(0, newline)) as Partial<Header>;
  } catch {
    return undefined;
  }
  const json = text.slice(newline + 1);
  const valid =
    header !== null &&
    header.v === 1 &&
    typeof header.cacheTime === 'number' &&
    typeof header.maxAge === 'number' &&
    typeof header.cost === 'number' &&
    (header.scope === 'PRIVATE' || header.scope === 'PUBLIC') &&
    header.length === json.length &&
    json.startsWith('{') &&
    json.endsWith('}');
  if (!valid) return undefined;
  return {
    data: new CachedData(json, header.cost!),
    cacheTime: header.cacheTime!,
    maxAge: header.maxAge!,
    scope: header.scope!,
  };
}

/**
 * Apollo's `stringifyResult`: compact JSON (Apollo pretty-prints by default, a third more bytes for every
 * answer), with a cached answer's data text spliced in as it is.
 */
export function stringifyResult(result: { data?: unknown; errors?: unknown; extensions?: unknown }): string {
  if (!(result.data instanceof CachedData)) return JSON.stringify(result);
  // The fields in Apollo's order: errors, data, extensions.
  let text = '{';
  if (result.errors !== undefined) text += `"errors":${JSON.stringify(result.errors)},`;
  text += `"data":${result.data.json}`;
  if (result.extensions !== undefined) text += `,"extensions":${JSON.stringify(result.extensions)}`;
  return `${text}}`;
}
