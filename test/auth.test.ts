import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { signAccessToken } from '../src/auth';
import { onlyError, startTestGateway, type TestGateway } from './support/gateway';

describe('bearer tokens', () => {
  let gateway: TestGateway;
  let analystId: string;

  before(async () => {
    gateway = await startTestGateway();
    analystId = await gateway.userId('analyst@example.com');
  });
  after(() => gateway?.close());

  const sign = (claims: { sub?: string; iss?: string; aud?: string; exp?: number }, secret: Uint8Array, alg = 'HS256') => {
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
    const expired = await sign({ sub: analystId, iss: jwt.issuer, aud: jwt.audience, exp: Math.floor(Date.now() / 1000) - jwt.clockToleranceSeconds - 60 }, jwt.secret);
    await expectUnauthenticated(`Bearer ${expired}`, /expired/);
  });

  it('tokens signed with another secret, another algorithm, or for another audience or issuer are refused', async () => {
    const jwt = gateway.config.jwt;
    const exp = Math.floor(Date.now() / 1000) + 600;
    const forged = await sign({ sub: analystId, iss: jwt.issuer, aud: jwt.audience, exp }, new TextEncoder().encode('x'.repeat(40)));
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
    const ghost = await signAccessToken({ id: '00000000-0000-4000-8000-0000000000aa', email: 'ghost@example.com' }, jwt);
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
