/**
 * The explicit, sorted registry of checks. A conventions test fails when a file in
 * checks/ is missing here, has no test, or its id differs from its file name.
 */
import type { Check } from '../src/engine/types.js';
import authentication from './authentication.js';
import captureCoverage from './capture-coverage.js';
import configDiff from './config-diff.js';
import deadPeerDetection from './dead-peer-detection.js';
import espFlows from './esp-flows.js';
import firewall from './firewall.js';
import host from './host.js';
import ikeFragmentation from './ike-fragmentation.js';
import ikeReachability from './ike-reachability.js';
import klipsInterfaces from './klips-interfaces.js';
import logPerspective from './log-perspective.js';
import lvsDirector from './lvs-director.js';
import middleBox from './middle-box.js';
import natTable from './nat-table.js';
import natTraversal from './nat-traversal.js';
import pathMtu from './path-mtu.js';
import peerIdentity from './peer-identity.js';
import proposalMismatch from './proposal-mismatch.js';
import saInstall from './sa-install.js';
import saState from './sa-state.js';
import staleIkeSa from './stale-ike-sa.js';
import trafficSelectors from './traffic-selectors.js';
import tunnelMonitor from './tunnel-monitor.js';
import tunnelState from './tunnel-state.js';

export const allChecks: readonly Check[] = [
  authentication,
  captureCoverage,
  configDiff,
  deadPeerDetection,
  espFlows,
  firewall,
  host,
  ikeFragmentation,
  ikeReachability,
  klipsInterfaces,
  logPerspective,
  lvsDirector,
  middleBox,
  natTable,
  natTraversal,
  pathMtu,
  peerIdentity,
  proposalMismatch,
  saInstall,
  saState,
  staleIkeSa,
  trafficSelectors,
  tunnelMonitor,
  tunnelState,
];
