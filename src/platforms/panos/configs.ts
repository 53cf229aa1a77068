/**
 * PAN-OS configuration readers: the running configuration as XML (`show config running`,
 * an exported running-config.xml, the XML API's response) and as `set` commands
 * (`show config running` in set format, or commands as integration guides print them).
 * Both are read into the same records (config/records.ts) and then into neutral config
 * facts (config/facts.ts), so every check and config-diff treat a Palo Alto firewall like
 * any other peer. Formats: ../shared/reference/platforms.md §1.4.
 */
import type { ConfigReader } from '../types.js';
import { DiagnosticSink } from '../freeswan/config-common.js';
import { panosFacts } from './config/facts.js';
import { looksLikePanosXml, readPanosXml } from './config/xml.js';
import { looksLikePanosSet, readPanosSet } from './config/set-commands.js';

const panosXmlReader: ConfigReader = {
  types: ['panos-xml'],
  name: 'PAN-OS configuration (XML)',
  detect: (_noComments, text) => (looksLikePanosXml(text) ? { dialect: 'panos' } : undefined),
  decode: (text, source) => {
    const sink = new DiagnosticSink('panos-xml');
    return panosFacts(readPanosXml(text, source, sink), source, 'panos-xml', sink);
  },
};

const panosSetReader: ConfigReader = {
  types: ['panos-set'],
  name: 'PAN-OS configuration (set commands)',
  detect: (_noComments, text) => (looksLikePanosSet(text) ? { dialect: 'panos' } : undefined),
  decode: (text, source) => {
    const sink = new DiagnosticSink('panos-set');
    return panosFacts(readPanosSet(text, source, sink), source, 'panos-set', sink);
  },
};

export const panosConfigReaders: readonly ConfigReader[] = [panosXmlReader, panosSetReader];
