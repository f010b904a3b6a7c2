import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { signAccessToken } from '../src/auth/tokens';
import { loadConfig } from '../src/config';
import { onlyError, startTestGateway, type TestGateway } from './support/gateway';

describe('bearer tokens', () => {
  let gateway: TestGateway;
  let analystId: string;

  before(async () => {
    gateway = await startTestGateway();
    analystId = await gateway.userId('analyst@example.com');
  });
  after(() => gateway?.close());

  const sign = (
    claims: { sub?: string; iss?: string; aud?: string; exp?: number },
    secret: Uint8Array,
    alg = 'HS256',
  ) => {
    let jwt = new SignJWT({}).setProtectedHeader({ alg }).setIssuedAt();
    if (claims.sub) jwt = jwt.setSubject(claims.sub);
    if (claims.iss) jwt = jwt.setIssuer(claims.iss);
    if (claims.aud) jwt = jwt.setAudience(claims.aud);
    if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
    return jwt.sign(secret);
  };

  async function expectUnauthenticated(authorization: string, pattern: RegExp) {
    const response = await gateway.graphql('{ viewer { id } }', { headers: { authorization } });
    assert.equal(response.status, 401, authorization.slice(0, 40));
    const error = onlyError(response);
    assert.equal(error.extensions?.code, 'UNAUTHENTICATED');
    assert.match(error.message, pattern);
    assert.equal(response.body.data ?? null, null);
  }

  it('a valid token identifies the user', async () => {
    const token = await gateway.tokenFor('analyst@example.com');
    const response = await gateway.graphql('{ viewer { id } }', { token });
    assert.equal(response.status, 200);
    assert.equal(response.body.data?.viewer.id, analystId);
  });

  it('an expired token is refused (beyond the clock tolerance)', async () => {
    const jwt = gateway.config.jwt;
    const expired = await sign(
      {
        sub: analystId,
        iss: jwt.issuer,
        aud: jwt.audience,
        exp: Math.floor(Date.now() / 1000) - jwt.clockToleranceSeconds - 60,
      },
      jwt.secret,
    );
    await expectUnauthenticated(`Bearer ${expired}`, /expired/);
  });

  it('tokens signed with another secret, another algorithm, or for another audience or issuer are refused', async () => {
    const jwt = gateway.config.jwt;
    const exp = Math.floor(Date.now() / 1000) + 600;
    const forged = await sign(
      { sub: analystId, iss: jwt.issuer, aud: jwt.audience, exp },
      new TextEncoder().encode('x'.repeat(40)),
    );
    await expectUnauthenticated(`Bearer ${forged}`, /Invalid token/);
    const hs512 = await sign({ sub: analystId, iss: jwt.issuer, aud: jwt.audience, exp }, jwt.secret, 'HS512');
    await expectUnauthenticated(`Bearer ${hs512}`, /Invalid token/);
    const audience = await sign({ sub: analystId, iss: jwt.issuer, aud: 'someone-else', exp }, jwt.secret);
    await expectUnauthenticated(`Bearer ${audience}`, /Invalid token/);
    const issuer = await sign({ sub: analystId, iss: 'evil', aud: jwt.audience, exp }, jwt.secret);
    await expectUnauthenticated(`Bearer ${issuer}`, /Invalid token/);
    const noExpiry = await sign({ sub: analystId, iss: jwt.issuer, aud: jwt.audience }, jwt.secret);
    await expectUnauthenticated(`Bearer ${noExpiry}`, /Invalid token/);
    const [header, payload] = (await gateway.tokenFor('analyst@example.com')).split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    await expectUnauthenticated(`Bearer ${unsigned}`, /Invalid token/);
    await expectUnauthenticated(`Bearer ${header}.${payload}.c2lnbmF0dXJl`, /Invalid token/);
  });

  it('a token for a user that does not exist, or with a non-UUID subject, is refused', async () => {
    const jwt = gateway.config.jwt;
    const ghost = await signAccessToken(
      { id: '00000000-0000-4000-8000-0000000000aa', email: 'ghost@example.com' },
      jwt,
    );
    await expectUnauthenticated(`Bearer ${ghost}`, /no longer exists/);
    const weird = await signAccessToken({ id: "1' OR 1=1", email: 'x@example.com' }, jwt);
    await expectUnauthenticated(`Bearer ${weird}`, /Invalid token/);
  });

  it('malformed Authorization headers are refused, not ignored', async () => {
    for (const header of ['Bearer', 'Basic dXNlcjpwYXNz', 'Bearer not a token', 'Token abc.def.ghi']) {
      await expectUnauthenticated(header, /Malformed Authorization header|Invalid token/);
    }
    await expectUnauthenticated('Bearer abc.def.ghi', /Invalid token/);
  });

  it('no token at all is anonymous: public fields work, viewer does not', async () => {
    const response = await gateway.graphql('{ __typename }');
    assert.equal(response.status, 200);
    assert.equal(response.body.data?.__typename, 'Query');
    const viewer = await gateway.graphql('{ viewer { id } }');
    assert.equal(onlyError(viewer).extensions?.code, 'UNAUTHENTICATED');
  });
});

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

describe('tokens from an identity provider (JWT_JWKS_URL)', () => {
  let gateway: TestGateway;
  let keysServer: Server;
  let analystId: string;
  let providerKey: PrivateKey;
  let strangerKey: PrivateKey;
  let jwksRequests = 0;
  let keysDown = false;

  before(async () => {
    const provider = await generateKeyPair('RS256');
    const stranger = await generateKeyPair('RS256');
    providerKey = provider.privateKey;
    strangerKey = stranger.privateKey;
    const jwks = { keys: [{ ...(await exportJWK(provider.publicKey)), kid: 'provider-1', alg: 'RS256', use: 'sig' }] };
    keysServer = createServer((_request, response) => {
      jwksRequests += 1;
      if (keysDown) response.writeHead(500).end('upstream error');
      else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => keysServer.listen(0, '127.0.0.1', resolve));
    const base = loadConfig();
    const { port } = keysServer.address() as AddressInfo;
    gateway = await startTestGateway({
      config: {
        jwt: {
          ...base.jwt,
          secretIsDevelopmentDefault: true,
          jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
        },
      },
    });
    analystId = await gateway.userId('analyst@example.com');
  });
  after(async () => {
    await gateway?.close();
    keysServer?.close();
  });

  const providerToken = (
    key: PrivateKey,
    claims: { aud?: string; iss?: string; expInSeconds?: number; kid?: string } = {},
  ) => {
    const jwt = gateway.config.jwt;
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: claims.kid ?? 'provider-1' })
      .setSubject(analystId)
      .setIssuer(claims.iss ?? jwt.issuer)
      .setAudience(claims.aud ?? jwt.audience)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + (claims.expInSeconds ?? 600))
      .sign(key);
  };

  const viewerWith = (token: string) =>
    gateway.graphql('{ viewer { id } }', { headers: { authorization: `Bearer ${token}` } });

  it("accepts the provider's tokens, fetching its keys once", async () => {
    for (let i = 0; i < 3; i += 1) {
      const response = await viewerWith(await providerToken(providerKey));
      assert.equal(response.body.data?.viewer.id, analystId);
    }
    assert.equal(jwksRequests, 1, 'the key set is cached');
  });

  it('accepts a token expired within the clock tolerance, not beyond it', async () => {
    const tolerance = gateway.config.jwt.clockToleranceSeconds;
    assert.equal(
      (await viewerWith(await providerToken(providerKey, { expInSeconds: -Math.floor(tolerance / 2) }))).body.data
        ?.viewer.id,
      analystId,
    );
    assert.equal(
      onlyError(await viewerWith(await providerToken(providerKey, { expInSeconds: -tolerance - 30 }))).extensions?.code,
      'UNAUTHENTICATED',
    );
  });

  it('refuses forged keys, unknown key ids, other audiences and issuers, and HS256 with the development secret', async () => {
    const refused = [
      await providerToken(strangerKey),
      await providerToken(strangerKey, { kid: 'stranger-1' }),
      await providerToken(providerKey, { aud: 'someone-else' }),
      await providerToken(providerKey, { iss: 'evil' }),
      await signAccessToken({ id: analystId, email: 'analyst@example.com' }, gateway.config.jwt),
    ];
    for (const token of refused) {
      const response = await viewerWith(token);
      assert.equal(response.status, 401);
      assert.equal(onlyError(response).extensions?.code, 'UNAUTHENTICATED');
    }
  });

  it('keys already fetched keep working while the provider is down; a key set answering 500 is a 503', async () => {
    keysDown = true;
    const fresh = await startTestGateway({ seed: 'none', config: { jwt: gateway.config.jwt } });
    try {
      assert.equal(
        (await viewerWith(await providerToken(providerKey))).body.data?.viewer.id,
        analystId,
        'the cached key still verifies',
      );
      // A gateway that holds no key yet must ask the provider, which fails: not the caller's fault.
      const response = await fresh.graphql('{ viewer { id } }', {
        headers: { authorization: `Bearer ${await providerToken(providerKey)}` },
      });
      assert.equal(response.status, 503);
      assert.equal(onlyError(response).extensions?.code, 'SERVICE_UNAVAILABLE');
    } finally {
      keysDown = false;
      await fresh.close();
    }
  });

  it('an unreachable key set is a 503 SERVICE_UNAVAILABLE, not a refusal of the caller', async () => {
    const base = loadConfig();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const orphan = await startTestGateway({
      seed: 'none',
      config: { jwt: { ...base.jwt, secretIsDevelopmentDefault: true, jwksUrl: `http://127.0.0.1:${port}/jwks.json` } },
    });
    try {
      const response = await orphan.graphql('{ viewer { id } }', {
        headers: { authorization: `Bearer ${await providerToken(providerKey)}` },
      });
      assert.equal(response.status, 503);
      assert.equal(onlyError(response).extensions?.code, 'SERVICE_UNAVAILABLE');
    } finally {
      await orphan.close();
    }
  });
});
