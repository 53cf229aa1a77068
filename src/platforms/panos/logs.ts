/**
 * PAN-OS log dialects: one dialect, id 'panos', reads the System log in its syslog CSV,
 * CEF, GUI ("Event:") and `show log system` forms, bare description sentences, and
 * ikemgr.log (`less mp-log ikemgr.log`). Implementation in ./log/; which texts are
 * matched and their sources: docs/platforms/panos-logs.md.
 */
import type { LogDialect } from '../log-dialect.js';
import { panosDialect } from './log/dialect.js';

export const panosLogDialects: readonly LogDialect[] = [panosDialect];
