import type { AccessToken, TokenCredential } from "@azure/identity";
import { expect } from "chai";
import { objectIdOf, REDIS_ENTRA_SCOPE, redisEntraCredentials } from "../../../stamp/health/redis-entra-credentials.js";

/** An unsigned JWT carrying the claims given: enough for the provider, which never verifies tokens. */
function jwt(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "none" })}.${part(claims)}.`;
}

/** A credential that hands out numbered tokens for one object id, each valid for `lifetimeMs`. */
function fakeCredential(oid: string, lifetimeMs: number) {
  const scopes: string[] = [];
  let n = 0;
  const credential: TokenCredential = {
    async getToken(scope): Promise<AccessToken> {
      scopes.push(String(scope));
      n += 1;
      return { token: jwt({ oid, n }), expiresOnTimestamp: Date.now() + lifetimeMs };
    },
  };
  return { credential, scopes };
}

describe("stamp health: Entra ID credentials for Azure Managed Redis", function () {
  it("uses the token's object id as user name and the token as password, for the Redis audience", async function () {
    const { credential, scopes } = fakeCredential("11111111-2222-3333-4444-555555555555", 3_600_000);
    const [auth, subscription] = await redisEntraCredentials(credential).subscribe({ onNext: () => undefined, onError: () => undefined });
    subscription.dispose();
    expect(auth.username).to.equal("11111111-2222-3333-4444-555555555555");
    expect(objectIdOf(auth.password!)).to.equal(auth.username);
    expect(scopes).to.deep.equal([REDIS_ENTRA_SCOPE]);
  });

  it("streams a fresh token before the current one expires", async function () {
    const { credential } = fakeCredential("oid-1", 200);
    const next: string[] = [];
    const [first, subscription] = await redisEntraCredentials(credential, { refreshBeforeExpiryMs: 150 }).subscribe({
      onNext: (auth) => next.push(auth.password!),
      onError: () => undefined,
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
    subscription.dispose();
    expect(next.length).to.be.at.least(1);
    expect(next[0]).to.not.equal(first.password);
  });

  it("refuses a token without an object id", function () {
    expect(() => objectIdOf(jwt({ sub: "x" }))).to.throw(/no oid claim/);
    expect(() => objectIdOf("opaque")).to.throw(/not a JWT/);
  });
});
