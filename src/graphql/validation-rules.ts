import type { ValidationRule } from 'graphql';
import { aliasLimit, depthLimit, MAX_ALIASES, MAX_QUERY_DEPTH, MAX_SELECTIONS, selectionLimit } from './limits';
import { noNulInLiterals } from './text-input';

/**
 * The gateway's own validation rules, in the order they must run beside graphql-js's (every transport uses
 * this one list): the selection limit first, so that it can spare the others an oversized document.
 */
export const GATEWAY_VALIDATION_RULES: readonly ValidationRule[] = [
  selectionLimit(MAX_SELECTIONS),
  depthLimit(MAX_QUERY_DEPTH),
  aliasLimit(MAX_ALIASES),
  noNulInLiterals,
];
