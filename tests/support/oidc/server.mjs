// A real OpenID Connect provider (panva's oidc-provider) for Kierrätys's SSO tests and demo.
//
//   node tests/support/oidc/server.mjs --port 9100 [--config demo.json]
//
// Prints `READY http://127.0.0.1:PORT` once listening. Everything is in memory. Besides the
// provider's own endpoints it serves test-only JSON controls under /__test/ (clients, users,
// key rotation, ID-token faults, a slow-provider delay, logout tokens): this server exists only
// for tests and `make oidc-demo`, never in production.
import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const ACR_VALUES = ['urn:kierratys:password', 'urn:kierratys:mfa'];
const SCOPES = ['openid', 'email', 'profile', 'groups', 'unit', 'offline_access'];
const CLAIMS = {
  // acr, amr and auth_time always: relying parties here check the level of authentication.
  openid: ['sub', 'acr', 'amr', 'auth_time'],
  sid: null,
  iss: null,
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username'],
  groups: ['groups', 'unit'],
  unit: ['unit'],
};
const FAULTS = new Set([
  'tampered-signature', 'wrong-audience', 'wrong-issuer', 'expired', 'nonce-mismatch',
  'unknown-key', 'alg-none', 'missing-email',
]);
const LOGOUT_FAULTS = new Set([
  'tampered-signature', 'wrong-audience', 'wrong-issuer', 'expired', 'unknown-key', 'alg-none',
  'missing-events', 'with-nonce',
]);
const SLOW_PATHS = new Set(['/.well-known/openid-configuration', '/jwks', '/token']);
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '9100' },
    config: { type: 'string' },
    'with-parent': { type: 'boolean', default: false }, // exit when the starting process is gone
  },
});
const port = Number(args.port);
const issuer = `http://127.0.0.1:${port}`;
const initial = args.config ? JSON.parse(readFileSync(args.config, 'utf8')) : {};

// --- State ---------------------------------------------------------------------------------

const users = new Map(); // sub -> user record (with password)
const clients = new Map(); // client_id -> client metadata
const storage = new Map(); // "Model:id" -> { payload, expiresAt }
let keys = []; // private JWKs, the first one signs
let strangerKey; // a key that is never published, for the unknown-key fault
let fault = null;
let delaySeconds = 0;
const cookieKeys = [randomBytes(32).toString('base64url')];

async function newSigningKey() {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  jwk.kid = await jose.calculateJwkThumbprint(jwk);
  return { ...jwk, alg: 'RS256', use: 'sig' };
}

function publicJwk({ d, p, q, dp, dq, qi, ...rest }) {
  return rest;
}

function userRecord(input) {
  if (!input.sub || !input.email) throw new InputError('a user needs sub and email');
  return {
    email_verified: true,
    groups: [],
    unit: null,
    acr: 'urn:kierratys:password',
    disabled: false,
    username: null,
    password: null,
    ...input,
  };
}

function clientRecord(input) {
  if (!input.client_id) throw new InputError('a client needs client_id');
  const method = input.token_endpoint_auth_method || 'client_secret_basic';
  const record = {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    backchannel_logout_session_required: true,
    ...input,
    token_endpoint_auth_method: method,
  };
  for (const key of Object.keys(record)) {
    if (record[key] === null || record[key] === undefined) delete record[key];
  }
  return record;
}

class InputError extends Error {}

// --- oidc-provider's storage: our own Map, so clients added at run time are found -----------

class Adapter {
  constructor(name) {
    this.name = name;
  }

  key(id) {
    return `${this.name}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Infinity;
    storage.set(this.key(id), { payload, expiresAt });
  }

  async find(id) {
    if (this.name === 'Client') return clients.get(id);
    const entry = storage.get(this.key(id));
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      storage.delete(this.key(id));
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid) {
    return this.#findBy((payload) => payload.uid === uid);
  }

  async findByUserCode(userCode) {
    return this.#findBy((payload) => payload.userCode === userCode);
  }

  async #findBy(matches) {
    for (const [key, entry] of storage) {
      if (key.startsWith(`${this.name}:`) && matches(entry.payload)) {
        return this.find(key.slice(this.name.length + 1));
      }
    }
    return undefined;
  }

  async consume(id) {
    const entry = storage.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    storage.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    for (const [key, entry] of storage) {
      if (entry.payload.grantId === grantId) storage.delete(key);
    }
  }
}

// --- Accounts --------------------------------------------------------------------------------

async function findAccount(_ctx, sub) {
  const user = users.get(sub);
  if (!user || user.disabled) return undefined;
  return {
    accountId: sub,
    async claims() {
      return {
        sub,
        email: user.email,
        email_verified: user.email_verified,
        name: user.name ?? undefined,
        given_name: user.given_name ?? undefined,
        family_name: user.family_name ?? undefined,
        preferred_username: user.username ?? undefined,
        groups: user.groups,
        unit: user.unit ?? undefined,
      };
    },
  };
}

function userByLogin(login) {
  const wanted = login.trim().toLowerCase();
  for (const user of users.values()) {
    if ([user.email, user.username, user.sub].some((v) => v && v.toLowerCase() === wanted)) {
      return user;
    }
  }
  return undefined;
}

// --- Pages -----------------------------------------------------------------------------------

function escape(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} – Test identity provider</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;padding:1rem;background:#f3f4f6;color:#111}
main{max-width:24rem;margin:2rem auto;background:#fff;padding:1.5rem;border-radius:.5rem}
label{display:block;margin-top:1rem;font-weight:600}
input{display:block;width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;margin-top:.25rem}
button{margin-top:1.25rem;padding:.7rem 1.2rem;font-size:1rem;min-height:44px}
[role=alert]{color:#8a1111;background:#fde8e8;padding:.6rem;border-radius:.25rem}
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

function loginPage({ uid, clientName, login = '', error = null }) {
  return page('Sign in', `
<h1>Sign in</h1>
<p>to ${escape(clientName)}</p>
${error ? `<p role="alert" id="login-error">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
  <label for="login">Email or username</label>
  <input id="login" name="login" type="text" autocomplete="username" required value="${escape(login)}"
    ${error ? 'aria-describedby="login-error"' : 'autofocus'}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>`);
}

async function logoutSource(ctx, form) {
  ctx.body = page('Sign out', `
<h1>Sign out</h1>
<p>Do you want to sign out of the test identity provider?</p>
${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
}

async function postLogoutSuccessSource(ctx) {
  ctx.body = page('Signed out', '<h1>Signed out</h1><p>You have signed out.</p>');
}

async function renderError(ctx, out) {
  ctx.type = 'html';
  ctx.body = page('Error', `<h1>Error</h1>${Object.entries(out)
    .map(([k, v]) => `<p><strong>${escape(k)}</strong>: ${escape(v)}</p>`).join('')}`);
}

// --- The provider ------------------------------------------------------------------------------

async function loadExistingGrant(ctx) {
  // Consent is granted at once for every test client: first-party clients ask nobody.
  const { client, session } = ctx.oidc;
  const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
  if (grantId) {
    const grant = await ctx.oidc.provider.Grant.find(grantId);
    if (grant) return grant;
  }
  const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope(SCOPES.join(' '));
  await grant.save();
  return grant;
}

function buildProvider() {
  const provider = new Provider(issuer, {
    adapter: Adapter,
    findAccount,
    jwks: { keys },
    cookies: { keys: cookieKeys },
    scopes: SCOPES,
    claims: CLAIMS,
    acrValues: ACR_VALUES,
    conformIdTokenClaims: false, // the ID token carries the scopes' claims too
    responseTypes: ['code'],
    pkce: { required: () => true }, // S256 is the only method oidc-provider accepts
    loadExistingGrant,
    renderError,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
    },
    clientBasedCORS: () => true,
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
    },
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      userinfo: { enabled: true },
      revocation: { enabled: true },
    },
    // The relying party under test listens on loopback, which oidc-provider's SSRF guard
    // refuses; this provider only ever runs beside it on the same machine.
    fetch: (url, { dispatcher, ...options }) => globalThis.fetch(url, options),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  });
  provider.on('backchannel.error', (_ctx, error, client) => {
    console.error(`back-channel logout to ${client.clientId} failed: ${error.message}`);
  });
  provider.on('server_error', (_ctx, error) => console.error(error));
  provider.use(interactions(provider));
  provider.use(idTokenFaults);
  return provider;
}

function interactions(provider) {
  return async (ctx, next) => {
    const match = /^\/interaction\/([^/]+)(\/login)?$/.exec(ctx.path);
    if (!match) return next();
    ctx.set('cache-control', 'no-store');
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const { uid, prompt, params, session } = details;
    const client = await provider.Client.find(params.client_id);
    const clientName = client?.clientName || params.client_id;

    if (prompt.name === 'consent') {
      // Reached only when loadExistingGrant was bypassed; grant what is asked.
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      const grantId = await grant.save();
      return finish(ctx, provider, { consent: { grantId } });
    }

    if (ctx.method === 'GET' && !match[2]) {
      ctx.type = 'html';
      ctx.body = loginPage({ uid, clientName });
      return undefined;
    }
    if (ctx.method !== 'POST' || !match[2]) {
      ctx.status = 405;
      return undefined;
    }
    const form = new URLSearchParams(await readBody(ctx.req));
    const login = form.get('login') || '';
    const user = userByLogin(login);
    let error = null;
    if (!user || user.password === null || user.password !== form.get('password')) {
      error = 'Wrong email, username or password.';
    } else if (user.disabled) {
      error = 'This account is disabled.';
    }
    if (error) {
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = loginPage({ uid, clientName, login, error });
      return undefined;
    }
    const amr = user.acr === 'urn:kierratys:mfa' ? ['pwd', 'otp'] : ['pwd'];
    return finish(ctx, provider, { login: { accountId: user.sub, acr: user.acr, amr } });
  };
}

async function finish(ctx, provider, result) {
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
    mergeWithLastSubmission: true,
  });
  ctx.status = 303;
  ctx.redirect(returnTo);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// --- Faults: the token response's ID token altered or re-signed ---------------------------

function decodePart(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

function encodePart(value) {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function sign(header, claims, jwk = keys[0]) {
  const key = await jose.importJWK(jwk, 'RS256');
  return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ ...header, alg: 'RS256', kid: jwk.kid })
    .sign(key);
}

function tamper(jwt) {
  const [header, payload, signature] = jwt.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[bytes.length >> 1] ^= 0x01;
  return [header, payload, bytes.toString('base64url')].join('.');
}

async function alter(jwt, kind) {
  const [headerPart, payloadPart] = jwt.split('.');
  const header = decodePart(headerPart);
  const claims = decodePart(payloadPart);
  const now = Math.floor(Date.now() / 1000);
  switch (kind) {
    case 'tampered-signature':
      return tamper(jwt);
    case 'alg-none':
      return `${encodePart({ alg: 'none', typ: header.typ })}.${payloadPart}.`;
    case 'unknown-key':
      strangerKey ??= await newSigningKey();
      return sign(header, claims, strangerKey);
    case 'wrong-audience':
      claims.aud = 'someone-else';
      break;
    case 'wrong-issuer':
      claims.iss = 'http://127.0.0.1:9/not-this-provider';
      break;
    case 'expired':
      claims.iat = now - 7200;
      claims.exp = now - 3600;
      break;
    case 'nonce-mismatch':
      claims.nonce = randomBytes(16).toString('base64url');
      break;
    case 'missing-email':
      delete claims.email;
      delete claims.email_verified;
      break;
    case 'missing-events':
      delete claims.events;
      break;
    case 'with-nonce':
      claims.nonce = randomBytes(16).toString('base64url');
      break;
    default:
      throw new InputError(`unknown fault ${kind}`);
  }
  return sign(header, claims);
}

async function idTokenFaults(ctx, next) {
  await next();
  if (fault && ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: await alter(ctx.body.id_token, fault) };
  }
}

// --- Test controls ---------------------------------------------------------------------------

async function logoutToken({ client_id: clientId, sub, sid, fault: kind = null }) {
  if (!clientId || !(sub || sid)) throw new InputError('a logout token needs client_id and sub or sid');
  if (kind && !LOGOUT_FAULTS.has(kind)) throw new InputError(`unknown logout-token fault ${kind}`);
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: issuer,
    aud: clientId,
    iat: now,
    exp: now + 120,
    jti: randomUUID(),
    events: { [BACKCHANNEL_EVENT]: {} },
  };
  if (sub) claims.sub = sub;
  if (sid) claims.sid = sid;
  const token = await sign({ typ: 'logout+jwt' }, claims);
  return kind ? alter(token, kind) : token;
}

function sessionsOf(sub) {
  const found = [];
  for (const [key, { payload }] of storage) {
    if (key.startsWith('Session:') && (!sub || payload.accountId === sub)) {
      found.push({ id: key.slice('Session:'.length), payload });
    }
  }
  return found;
}

async function logoutUser(sub) {
  // What end_session does for the user's sessions, without the browser: every client with a
  // back-channel URI gets a logout token, and the sessions end.
  const sent = [];
  for (const { id, payload } of sessionsOf(sub)) {
    for (const [clientId, { sid }] of Object.entries(payload.authorizations || {})) {
      const client = await current.Client.find(clientId);
      if (!client?.backchannelLogoutUri) continue;
      try {
        await client.backchannelLogout(payload.accountId, sid);
        sent.push({ client_id: clientId, sid, ok: true });
      } catch (error) {
        sent.push({ client_id: clientId, sid, ok: false, error: error.message });
      }
    }
    storage.delete(`Session:${id}`);
  }
  return sent;
}

async function applyConfig(config) {
  users.clear();
  clients.clear();
  for (const user of config.users || []) users.set(user.sub, userRecord(user));
  for (const client of config.clients || []) clients.set(client.client_id, clientRecord(client));
  if (config.keys?.length) keys = config.keys;
  if (!keys.length) keys = [await newSigningKey()];
  fault = config.fault ?? null;
  delaySeconds = config.delay ?? 0;
}

function rebuild() {
  current = buildProvider();
  handler = current.callback();
}

const controls = {
  'GET /__test/state': async () => ({
    issuer,
    fault,
    delay: delaySeconds,
    keys,
    signing_kid: keys[0].kid,
    clients: [...clients.values()],
    users: [...users.values()],
  }),
  'POST /__test/clients': async (body) => {
    const record = clientRecord(body);
    clients.set(record.client_id, record);
    await current.Client.find(record.client_id).then((client) => {
      if (!client) throw new InputError('client not accepted');
    }).catch((error) => {
      clients.delete(record.client_id);
      throw new InputError(`invalid client metadata: ${error.error_description || error.message}`);
    });
    return record;
  },
  'POST /__test/clients/delete': async ({ client_id: clientId }) => ({ deleted: clients.delete(clientId) }),
  'POST /__test/users': async (body) => {
    const record = userRecord(body);
    users.set(record.sub, record);
    return record;
  },
  'POST /__test/users/delete': async ({ sub }) => ({ deleted: users.delete(sub) }),
  'POST /__test/fault': async ({ kind = null }) => {
    if (kind !== null && !FAULTS.has(kind)) throw new InputError(`unknown fault ${kind}`);
    fault = kind;
    return { fault };
  },
  'POST /__test/delay': async ({ seconds = 0 }) => {
    if (typeof seconds !== 'number' || seconds < 0) throw new InputError('seconds must be >= 0');
    delaySeconds = seconds;
    return { delay: delaySeconds };
  },
  'POST /__test/rotate-keys': async ({ keep_previous: keepPrevious = true }) => {
    const key = await newSigningKey();
    keys = keepPrevious ? [key, ...keys] : [key];
    rebuild();
    return { signing_kid: key.kid, kids: keys.map((k) => k.kid) };
  },
  'POST /__test/drop-old-keys': async () => {
    keys = [keys[0]];
    rebuild();
    return { signing_kid: keys[0].kid, kids: keys.map((k) => k.kid) };
  },
  'POST /__test/logout-token': async (body) => ({ logout_token: await logoutToken(body) }),
  'POST /__test/logout-user': async ({ sub }) => ({ sent: await logoutUser(sub) }),
  'GET /__test/sessions': async (_body, query) => ({
    sessions: sessionsOf(query.get('sub')).map(({ payload }) => ({
      sub: payload.accountId,
      clients: Object.entries(payload.authorizations || {})
        .map(([clientId, { sid }]) => ({ client_id: clientId, sid })),
    })),
  }),
  'POST /__test/reset': async (body) => {
    // Back to the given clients and users (those of --config by default), no fault, no delay,
    // no sessions; the keys stay, as a relying party may have cached them.
    storage.clear();
    await applyConfig({ ...initial, ...body, keys, fault: null, delay: 0 });
    rebuild();
    return { ok: true };
  },
};

function sendJson(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value));
}

async function control(req, res, url) {
  const action = controls[`${req.method} ${url.pathname.replace(/\/$/, '')}`];
  if (!action) return sendJson(res, 404, { error: `no control ${req.method} ${url.pathname}` });
  try {
    const raw = req.method === 'POST' ? await readBody(req) : '';
    return sendJson(res, 200, await action(raw ? JSON.parse(raw) : {}, url.searchParams));
  } catch (error) {
    const status = error instanceof InputError || error instanceof SyntaxError ? 400 : 500;
    if (status === 500) console.error(error);
    return sendJson(res, status, { error: error.message });
  }
}

// --- The server ------------------------------------------------------------------------------

let current;
let handler;
await applyConfig(initial);
rebuild();

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname.startsWith('/__test/')) return control(req, res, url);
  if (delaySeconds && SLOW_PATHS.has(url.pathname)) {
    await new Promise((resolve) => { setTimeout(resolve, delaySeconds * 1000); });
  }
  return handler(req, res);
});
server.keepAliveTimeout = 1000;

server.listen(port, '127.0.0.1', () => {
  console.log(`READY ${issuer}`);
});

if (args['with-parent']) {
  const parent = process.ppid;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      process.exit(0);
    }
  }, 1000).unref();
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
