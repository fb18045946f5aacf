import { LogError, type ItemValue, type ScanDecision, type ScanKind } from '@replstorm/core';
import { cleaningWrites, defineDesign, type DesignScanContext, type ScannerDesign } from '../design.js';
import { SSO_TAG, computeTag, heldAndCurrentTag, heldTag, verifyTag } from '../tag.js';

/** The `smsdom` configuration (event-log.md, "Built-in scanner design smsdom"). Defaults: SSO on, nothing else changed. */
export interface SmsdomConfig {
  sso: boolean;
  ignoreSsoOnScheduled: boolean;
  rewriteValidTags: boolean;
  key: string;
  tagIncludesScanTime: boolean;
  tagIncludesDefinitions: boolean;
  onWrite: boolean;
  scanReplicatedWrites: boolean;
  mail: boolean;
  scanMsPerDoc: number;
  /** A scheduled scan of every database this often; 0 or absent: none. */
  scheduleEveryMs: number;
}

export const SMSDOM_DEFAULTS: SmsdomConfig = {
  sso: true,
  ignoreSsoOnScheduled: false,
  rewriteValidTags: true,
  key: 'SSOKEY0000000001',
  tagIncludesScanTime: false,
  tagIncludesDefinitions: true,
  onWrite: true,
  scanReplicatedWrites: false,
  mail: true,
  scanMsPerDoc: 10,
  scheduleEveryMs: 0,
};

const isPass = (kind: ScanKind) => kind === 'scheduled' || kind === 'manual';

/** Whether SSO (honouring and writing tags) applies to this kind of scan (R14). */
function ssoApplies(c: SmsdomConfig, kind: ScanKind): boolean {
  return c.sso && !(c.ignoreSsoOnScheduled && isPass(kind));
}

/**
 * The SMSDOM scan (event-log.md): a verified tag skips the virus scan (and a scheduled or manual scan with
 * `rewriteValidTags` saves the current tag anyway: the seed's "undesired modifications"); otherwise the document is
 * scanned; infected attachments are removed with any tag; a clean document gets the current tag when SSO applies
 * (always a write: a held tag equal to it would have verified).
 */
export function smsdomScan(ctx: DesignScanContext<SmsdomConfig>): ScanDecision {
  // No closures or option objects per scan unless the tag carries its time: this runs once per document scanned.
  const c = ctx.config;
  const sso = ssoApplies(c, ctx.kind);
  let held: ItemValue | undefined;
  // Without the scan time in it, the tag a scan would write is the tag that verifies: computed once. Each decision gets
  // a `set` list of its own: smsdomScan is public, and a design wrapping it may add to the list it returns (a list
  // shared through the tag cache carried one design's addition into every later scan of those items).
  let current: string | undefined;
  let verifies: boolean;
  if (c.tagIncludesScanTime) {
    held = heldTag(ctx.note);
    verifies = verifyTag(ctx.note, held, { key: c.key, includeDefinitions: c.tagIncludesDefinitions, definitions: ctx.definitions, withScanTime: true });
  } else {
    const tags = heldAndCurrentTag(ctx.note, c.key, c.tagIncludesDefinitions, ctx.definitions);
    held = tags.held;
    current = tags.current;
    verifies = held === current;
  }
  if (sso && verifies) {
    if (isPass(ctx.kind) && c.rewriteValidTags) return { verdict: 'skipped', set: [[SSO_TAG, current ?? tagOf(ctx, c, ctx.clock)]] };
    return { verdict: 'skipped' };
  }
  const result = ctx.virusScan();
  if (result.infected) {
    const w = cleaningWrites(result);
    return { verdict: 'infected', set: w.set, remove: held === undefined ? w.remove : [...w.remove, SSO_TAG] };
  }
  if (!sso) return { verdict: 'clean' };
  // The held tag did not verify, so it is not the one written now (a tag equal to it would have verified above, with
  // or without the scan time in it): the stamp is always a write. (The comparison that stood here could never be true:
  // a mutation review, 2026-12-06.)
  return { verdict: 'clean', set: [[SSO_TAG, current ?? tagOf(ctx, c, ctx.clock)]] };
}

/** The tag this scan writes when the design includes the scan time. */
function tagOf(ctx: DesignScanContext<SmsdomConfig>, c: SmsdomConfig, scanTime: number): string {
  return computeTag(ctx.note, { key: c.key, includeDefinitions: c.tagIncludesDefinitions, definitions: ctx.definitions, scanTime });
}

const CONFIG_HELP: Record<keyof SmsdomConfig, string> = {
  sso: 'Secure Scanning Optimization: clean documents with attachments are stamped with X-SSOTag (R15)',
  ignoreSsoOnScheduled: 'scheduled and manual scans neither honour nor write tags (the vendor\'s fix)',
  rewriteValidTags: 'scheduled and manual scans that skip a document for its valid tag still write the current tag',
  key: 'the 16-character key (letters or digits); servers with the same key verify each other\'s tags',
  tagIncludesScanTime: 'the tag carries its scan time, so every stamping writes a new value',
  tagIncludesDefinitions: 'the tag covers the server\'s definitions version: a definitions event invalidates tags',
  onWrite: 'real-time scanning of documents saved on the server',
  scanReplicatedWrites: 'on-write scanning also covers documents that arrive by replication or that the replicator makes',
  mail: 'messages in mail.box are scanned (and stamped when sso)',
  scanMsPerDoc: 'virtual time one document scan takes',
  scheduleEveryMs: 'a scheduled scan of every database this often, from the scanner event on (0: none)',
};

/**
 * What the engine cannot run or the product would not accept: times that are not whole milliseconds >= 0 (virtual
 * time is whole milliseconds; a negative `scheduleEveryMs` used to read as "no schedule"), and a key that is not 16
 * letters or digits (event-log.md: "the 16-character key"; R14: "16 letters/digits").
 */
function checkSmsdomConfig(c: SmsdomConfig): void {
  for (const name of ['scanMsPerDoc', 'scheduleEveryMs'] as const) {
    const v = c[name];
    if (!Number.isSafeInteger(v) || v < 0) throw new LogError('BAD_CONFIG', `field "config.${name}": expected a whole number of milliseconds >= 0${name === 'scheduleEveryMs' ? ' (0: no scheduled scans)' : ''}, got ${v}`, { field: `config.${name}` });
  }
  if (!/^[A-Za-z0-9]{16}$/.test(c.key)) throw new LogError('BAD_CONFIG', `field "config.key": expected 16 letters or digits (R14), got ${JSON.stringify(c.key)}`, { field: 'config.key' });
}

/**
 * The kinds of scan that never save a clean document (promises.readOnlyKinds), by where SSO applies (ssoApplies): none
 * with SSO off (every kind: a clean document is never stamped, R14), scheduled and manual with ignoreSsoOnScheduled.
 * (With SSO off, only scheduled and manual were declared, and verify called every run VACUOUS, "stampings never
 * happened", with advice to declare a promise a built-in design's user cannot change: a QA pass.)
 */
function smsdomReadOnlyKinds(c: SmsdomConfig): ScanKind[] {
  if (!c.sso) return ['mail', 'on-write', 'scheduled', 'manual'];
  return c.ignoreSsoOnScheduled ? ['scheduled', 'manual'] : [];
}

/** Builds an SMSDOM-like design; the variants below differ in name, defaults and one or two decisions. */
export function smsdomLike(name: string, description: string, overrides: Partial<ScannerDesign<SmsdomConfig>> = {}, defaults: Partial<SmsdomConfig> = {}): ScannerDesign<SmsdomConfig> {
  return defineDesign<SmsdomConfig>({
    name,
    description,
    defaults: { ...SMSDOM_DEFAULTS, ...defaults },
    configHelp: CONFIG_HELP,
    check: checkSmsdomConfig,
    scanMsPerDoc: (c) => c.scanMsPerDoc,
    scheduleEveryMs: (c) => (c.scheduleEveryMs > 0 ? c.scheduleEveryMs : undefined),
    watches: (w, c) => c.onWrite && (w.origin === 'save' || c.scanReplicatedWrites),
    scansMail: (c) => c.mail,
    // With SSO off, or ignored on scheduled scans, passes never save a clean document.
    promises: (c) => ({ readOnlyKinds: smsdomReadOnlyKinds(c) }),
    // The tag's key is configuration (a per-server key is a different configuration per server), never the name.
    symmetric: true,
    scan: smsdomScan,
    ...overrides,
  });
}

/** Symantec Mail Security for Domino 7.5+ as the seed describes it (R13–R16). */
export const smsdom = smsdomLike('smsdom', 'Symantec Mail Security for Domino with Secure Scanning Optimization (R14): tags every clean document it scans');

/** The seed author's fix: tags only on mail.box and on-write scans; scheduled and manual scans never use them. */
export const ssoMailOnly = smsdomLike(
  'sso-mail-only',
  'SMSDOM with X-SSOTag used only for mail.box and real-time scans, never for scheduled or manual scans (the seed author\'s proposal)',
  {
    promises: (c) => ({ readOnlyKinds: smsdomReadOnlyKinds({ ...c, ignoreSsoOnScheduled: true }), quiescent: !c.scanReplicatedWrites }),
    scan: (ctx) => smsdomScan({ ...ctx, config: { ...ctx.config, ignoreSsoOnScheduled: true } }),
    // The two settings of scheduled and manual scans' tags are kept (a log written for smsdom loads unchanged) and
    // said to do nothing here: `designs` listed them as if they changed this design (a review).
    configHelp: {
      ...CONFIG_HELP,
      ignoreSsoOnScheduled: 'no effect in this design: its scheduled and manual scans never honour nor write tags',
      rewriteValidTags: 'no effect in this design: its scheduled and manual scans never skip for a tag, so none is rewritten',
    },
  },
);

/** SMSDOM, but only the cluster's first server by name runs scheduled scans ("cluster aware"). */
export const clusterAware = smsdomLike('cluster-aware', 'SMSDOM whose scheduled scans run on one cluster member only (the first by name; a server in no cluster runs its own, as smsdom)', {
  promises: (c) => ({ quiescent: !c.scanReplicatedWrites, readOnlyKinds: smsdomReadOnlyKinds(c) }),
  runsScheduledPass: (where) => where.clusterMembers[0] === where.server,
  // Which member scans depends on the names: renaming two members changes what the cluster does.
  symmetric: false,
});
