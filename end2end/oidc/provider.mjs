// A real OpenID Connect provider (the `oidc-provider` package) for the single sign-on tests:
// discovery, the authorization code flow with PKCE, signed ID tokens and UserInfo. Its built-in
// development login form accepts any login; the accounts below decide the groups each gets.
//
//   node oidc/provider.mjs <port> <client redirect URL>
import Provider from 'oidc-provider';

const [port, redirect] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

/** Login → groups claim. Anyone else signs in with no groups. */
const groups = {
  'olivia-web': ['web-engineers', 'staff'],
  'oscar-lead': ['platform-leads'],
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'runbook-portal',
      client_secret: 'a-client-secret-for-the-tests',
      redirect_uris: [redirect],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'], groups: ['groups'] },
  scopes: ['openid', 'profile', 'groups'],
  pkce: { required: () => true },
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, preferred_username: id, name: id, groups: groups[id] ?? [] }),
  }),
  // The login and consent pages the package brings for development.
  features: { devInteractions: { enabled: true } },
});
provider.listen(Number(port), '127.0.0.1', () => console.log(`oidc-provider ready at ${issuer}`));
