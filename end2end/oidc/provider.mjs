// A real OpenID Connect provider (the `oidc-provider` package) for the single sign-on tests:
// discovery, the authorization code flow with PKCE, signed ID tokens, UserInfo and the issuer in
// its answers (RFC 9207). Its built-in development login form accepts any login; the login is the
// user's `sub`, and the people file says what else the provider claims about them.
//
//   OIDC_PEOPLE=<people.json> node oidc/provider.mjs <port> <client redirect URL>...
//
// people.json, read at every sign-in (so a test can rename a user between two of them):
//   { "accounts": { "<login>": { "preferred_username"?, "email"?, "email_verified"?, "groups"? } },
//     "answers": { "iss": "<another issuer>" | null } }
// A login not listed is called by its login, with no groups; a claim given as null is not
// claimed at all. `answers.iss` makes the provider's answers name another issuer, or none (null),
// as the answers a mix-up attack brings do.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const [port, ...redirects] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

function people() {
  const file = process.env.OIDC_PEOPLE;
  return file ? JSON.parse(readFileSync(file, 'utf8')) : {};
}

/** What the provider says about `login` now. */
function claimsOf(login) {
  const listed = people().accounts?.[login] ?? {};
  const claims = { preferred_username: login, groups: [], ...listed, sub: login };
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== null));
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'runbook-portal',
      client_secret: 'a-client-secret-for-the-tests',
      redirect_uris: redirects,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: {
    openid: ['sub'],
    profile: ['preferred_username'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  scopes: ['openid', 'profile', 'email', 'groups'],
  // The claims go into the ID token, as Keycloak, Okta or Entra ID put them there.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => claimsOf(id) }),
  // The login and consent pages the package brings for development.
  features: { devInteractions: { enabled: true } },
});

// The answer that sends the browser back to a client, with the issuer the people file says.
provider.use(async (ctx, next) => {
  await next();
  const location = ctx.response.get('Location') || '';
  const answers = people().answers ?? {};
  if (!('iss' in answers) || !redirects.some((r) => location.startsWith(`${r}?`))) return;
  const url = new URL(location);
  if (answers.iss === null) url.searchParams.delete('iss');
  else url.searchParams.set('iss', answers.iss);
  ctx.set('Location', url.toString());
});

provider.listen(Number(port), '127.0.0.1', () => console.log(`oidc-provider ready at ${issuer}`));
