import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { createHash, hash } from 'node:crypto';
import { HeaderMap } from '@apollo/server';
import Negotiator from 'negotiator';

/*
 * patches/@apollo+server+5.5.1.patch (applied by `npm install`, postinstall) makes the request context
 * Apollo hands a gateway's executor (ours: compiled execution) carry its response status as a class's
 * accessor. Apollo's object literal with `get status()`/`set status()` made V8 keep every request's
 * objects alive through the young-generation collections: on `{ __typename }` with a token, 10% of all
 * allocations survived a scavenge (and nearly all of those were promoted) against 0.4% with the patch.
 */
const cjsEntry = require.resolve('@apollo/server');
const modulePath = (flavour: 'cjs' | 'esm') =>
  join(dirname(cjsEntry), '..', flavour, 'utils', 'makeGatewayGraphQLRequestContext.js');
const pipelinePath = (flavour: 'cjs' | 'esm') => join(dirname(cjsEntry), '..', flavour, 'requestPipeline.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a file of the package its exports map does not name
const { makeGatewayGraphQLRequestContext } = require(modulePath('cjs')) as {
  makeGatewayGraphQLRequestContext: (
    requestContext: unknown,
    server: unknown,
    internals: unknown,
  ) => { response: { http: { status?: number; headers: { get(name: string): string | null } } } };
};

describe('Apollo Server patch', () => {
  it('is applied to both of the package builds', () => {
    for (const flavour of ['cjs', 'esm'] as const) {
      const source = readFileSync(modulePath(flavour), 'utf8');
      assert.match(
        source,
        /class GatewayResponseHttp/,
        `${flavour} build patched (run npm install: postinstall applies patches/)`,
      );
      assert.doesNotMatch(
        source,
        /get status\(\) \{\s*return newRequestContext/,
        `${flavour} build has no accessor literal left`,
      );
    }
  });

  it('gives the executor a response whose status and headers are the request’s own', () => {
    const headers = new HeaderMap([['x-kept', 'yes']]);
    const http = { status: undefined as number | undefined, headers };
    const requestContext = { request: {}, response: { http }, contextValue: {}, metrics: {} };
    const gatewayContext = makeGatewayGraphQLRequestContext(
      requestContext,
      { logger: console, cache: undefined },
      { includeStacktraceInErrorResponses: false },
    );
    const responseHttp = gatewayContext.response.http;
    assert.equal(
      Object.getOwnPropertyDescriptor(responseHttp, 'status'),
      undefined,
      'status is an accessor of the prototype',
    );
    assert.equal(responseHttp.status, undefined);
    responseHttp.status = 418;
    assert.equal(http.status, 418, 'setting it sets the request’s status');
    http.status = 201;
    assert.equal(responseHttp.status, 201, 'reading it reads the request’s status');
    assert.equal(responseHttp.headers.get('x-kept'), 'yes');
  });

  it('hashes a document with Node’s one-shot sha256 and negotiates the legacy multipart type only for an Accept with a deferSpec or incrementalSpec parameter', () => {
    for (const flavour of ['cjs', 'esm'] as const) {
      const source = readFileSync(pipelinePath(flavour), 'utf8');
      assert.match(source, /return nodeCryptoHash\('sha256', query, 'hex'\)/, `${flavour} build hashes one-shot`);
      assert.match(
        source,
        /useLegacyIncremental: \/deferspec\|incrementalspec\/i\.test\(/,
        `${flavour} build guards the negotiation`,
      );
    }
    // The hash persisted queries and the document store key by is still the hex sha256 of the text.
    const text = '{ viewer { id } }';
    assert.equal(hash('sha256', text, 'hex'), createHash('sha256').update(text).digest('hex'));
  });

  it('skips only negotiations that could not choose the legacy multipart type', () => {
    // What Apollo offers there, in its order.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module of the package its exports map does not name
    const { MEDIA_TYPES } = require(join(dirname(cjsEntry), 'ApolloServer.js')) as {
      MEDIA_TYPES: Record<'MULTIPART_MIXED_EXPERIMENTAL_ALPHA_9' | 'MULTIPART_MIXED_EXPERIMENTAL_ALPHA_2', string>;
    };
    const offers = [MEDIA_TYPES.MULTIPART_MIXED_EXPERIMENTAL_ALPHA_9, MEDIA_TYPES.MULTIPART_MIXED_EXPERIMENTAL_ALPHA_2];
    for (const accept of [
      undefined,
      '*/*',
      'multipart/*',
      'application/json',
      'application/graphql-response+json, application/json;q=0.9',
      'text/html, */*;q=0.1',
      'multipart/mixed',
      'multipart/mixed;incrementalSpec=v0.2, application/json;q=0.5',
    ]) {
      const chosen = new Negotiator({ headers: { accept } }).mediaType(offers);
      assert.notEqual(chosen, offers[1], `Accept ${accept} would choose the legacy type: the guard must not skip it`);
    }
    for (const accept of [
      'multipart/mixed;deferSpec=20220824',
      'multipart/*;deferSpec=20220824',
      // The other type's parameter can lower it below a bare range that matches both.
      'multipart/mixed;incrementalSpec=v0.2;q=0.5, multipart/mixed',
    ])
      assert.equal(
        new Negotiator({ headers: { accept } }).mediaType(offers),
        offers[1],
        `${accept}: the guard lets it through`,
      );
  });
});
