/**
 * Every platform ipsec-doctor reads, in detection order: when two readers claim the
 * same input equally, the earlier platform wins (strongSwan before libreswan, as
 * charon and pluto lines can meet in one interop log). Adding a platform is one
 * folder, one line here, its samples and its tests (test/conventions.test.ts).
 */
import type { LogDialect } from './log-dialect.js';
import type { ConfigReader, PlatformDescriptor, RulesetReader } from './types.js';
import type { SaTableReader } from '../evidence/sa-table-types.js';
import type { IpvsReader } from '../evidence/ipvs-types.js';
import { strongswan } from './strongswan/index.js';
import { libreswan } from './libreswan/index.js';
import { freeswan } from './freeswan/index.js';
import { linux } from './linux/index.js';
import { netfilter } from './netfilter/index.js';
import { ciscoAsa } from './cisco-asa/index.js';
import { ciscoIos } from './cisco-ios/index.js';
import { fortigate } from './fortigate/index.js';
import { juniperSrx } from './juniper-srx/index.js';
import { panos } from './panos/index.js';
import { lvs } from './lvs/index.js';
import { windows } from './windows/index.js';
import { mikrotik } from './mikrotik/index.js';
import { f5 } from './f5/index.js';

export const platforms: readonly PlatformDescriptor[] = [strongswan, libreswan, freeswan, linux, netfilter, ciscoAsa, ciscoIos, fortigate, juniperSrx, panos, lvs, f5, windows, mikrotik];

/** Every log dialect, in detection priority order (ties go to the first). */
export const logDialects: readonly LogDialect[] = platforms.flatMap((p) => p.logs ?? []);
export const configReaders: readonly ConfigReader[] = platforms.flatMap((p) => p.configs ?? []);
export const rulesetReaders: readonly RulesetReader[] = platforms.flatMap((p) => p.rulesets ?? []);
export const tableReaders: readonly SaTableReader[] = platforms.flatMap((p) => p.tables ?? []);
export const ipvsReaders: readonly IpvsReader[] = platforms.flatMap((p) => p.ipvs ?? []);

export function dialectById(id: string): LogDialect | undefined {
  return logDialects.find((d) => d.id === id);
}

/** The platform whose descriptor holds this reader (for the inputs table). */
export function platformOf(reader: LogDialect | ConfigReader | RulesetReader | SaTableReader | IpvsReader): PlatformDescriptor | undefined {
  return platforms.find((p) => [p.logs, p.configs, p.rulesets, p.tables, p.ipvs].some((list) => (list as readonly unknown[] | undefined)?.includes(reader)));
}
