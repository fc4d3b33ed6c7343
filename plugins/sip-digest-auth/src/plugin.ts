import crypto from 'node:crypto';
import { SipTokens, getSipHooks } from '@switchyard/plugin-sip';
import { HookStage, definePlugin, type Plugin } from '@switchyard/sdk';
import { DigestAuthenticator } from './authenticator';
import { SipDigestTokens, type CredentialStore } from './credential-store';
import { CredentialsFile } from './credentials-file';
import { DigestAuthError } from './errors';
import { DIGEST_EVENTS } from './events';
import { NonceCounts } from './nonce-counts';
import { NonceSigner } from './nonce';
import { digestOptionsSchema } from './options';

/** Status section key: `switchyard status --json` → `nodes[].sipDigestAuth`. */
export const DIGEST_STATUS_KEY = 'sipDigestAuth';

const NOT_READY = Object.freeze({ status: 503, reason: 'Service Unavailable', headers: [{ name: 'Retry-After', value: '5' }] });

/** This node's `sip-digest-auth` status section. */
export interface DigestStatus {
  realm: string;
  /** `file` (with its path and how many credentials are loaded) or `service` (a third-party store). */
  store: { kind: 'file'; file: string; credentials: number } | { kind: 'service' } | { kind: 'none' };
  algorithms: string[];
  methods: string[];
  /** Whether nonces verify on the other node too (a shared `secret` is configured). */
  sharedSecret: boolean;
  trackedNonces: number;
}

/**
 * `sip-digest-auth`: SIP digest authentication in front of the `sip`
 * plugin's registrar (its `request` hook, stage EARLY). REGISTER (and any
 * method listed in `methods`) must carry Digest credentials for `realm`
 * (SHA-256 or MD5), checked against the HA1 of the credentials file or of
 * a third-party {@link CredentialStore}.
 */
export const sipDigestAuthPlugin: Plugin<typeof digestOptionsSchema> = definePlugin({
  name: 'sip-digest-auth',
  version: '0.1.0',
  options: digestOptionsSchema,
  requires: { plugins: ['sip'], services: [SipTokens.Api] },
  events: DIGEST_EVENTS,
  apply(engine) {
    const options = engine.options;
    const emit = (id: string, fields: Record<string, unknown>) => engine.events.emit(id, fields);
    // Without a shared secret each node process signs with its own random key (see the README: what holds).
    const signer = new NonceSigner(engine.clock, options.secret ?? crypto.randomBytes(32), options.realm, options.nonceLifetime * 1000);
    // Nonces issued before this node started are not trusted afresh (their counts were never seen here).
    const counts = new NonceCounts(options.maxTrackedNonces, options.nonceLifetime * 1000, engine.clock.now());
    let store: CredentialStore | undefined;
    let file: CredentialsFile | undefined;
    let storeKind: DigestStatus['store']['kind'] = 'none';
    const authenticator = new DigestAuthenticator(options, {
      clock: engine.clock,
      emit,
      signer,
      counts,
      store: () => store!,
    });

    engine.hooks.start.tapPromise({ name: 'credentials', stage: HookStage.FIRST }, async () => {
      // Resolved at start, not in apply: the plugin that provides the store may be applied after this one.
      const provided = engine.services.has(SipDigestTokens.CredentialStore);
      if (provided === (options.credentials !== undefined)) {
        throw new DigestAuthError(
          'SWY_ERR_DIGEST_STORE',
          provided
            ? `node ${engine.nodeId}: plugins.sip-digest-auth.credentials is set and a plugin registers the SipDigestTokens.CredentialStore service too; remove one of them`
            : `node ${engine.nodeId}: no credential store: set plugins.sip-digest-auth.credentials to the absolute path of an HA1 file, or enable a plugin that provides one`,
        );
      }
      if (options.credentials !== undefined) {
        file = new CredentialsFile(options.credentials, { clock: engine.clock, emit, reloadIntervalMs: options.reloadInterval * 1000 });
        file.start();
        store = file;
        storeKind = 'file';
      } else {
        store = engine.services.resolve(SipDigestTokens.CredentialStore);
        storeKind = 'service';
      }
    });
    engine.hooks.stop.tapPromise('credentials', async () => {
      file?.stop();
    });
    // Fails closed: no request is let through before the store is in place.
    getSipHooks(engine).request.tapPromise({ name: 'sip-digest-auth', stage: HookStage.EARLY }, (inbound) =>
      store === undefined ? Promise.resolve(NOT_READY) : authenticator.authenticate(inbound),
    );
    engine.hooks.statusReport.tap('status', (report) => ({
      ...report,
      [DIGEST_STATUS_KEY]: {
        realm: options.realm,
        store: storeKind === 'file' ? { kind: 'file', file: file!.file, credentials: file!.count } : { kind: storeKind },
        algorithms: [...options.algorithms],
        methods: [...options.methods],
        sharedSecret: options.secret !== undefined,
        trackedNonces: counts.size,
      } satisfies DigestStatus,
    }));
  },
});
