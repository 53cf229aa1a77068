/**
 * What the error code of a failed Windows VPN connection (RasClient event 20227, "The
 * error code returned on failure is N") means, in Microsoft's words, and which log
 * event it amounts to. The Windows client is the IKE initiator of the connection it dials.
 *
 * Sources (facts only, summarised):
 * - [RRAS] Microsoft Learn, "Routing and Remote Access Error Codes" (ras.h, RASBASE = 600):
 *   786-790 ERROR_OAKLEY_* are the L2TP/IPsec (IKEv1) failures, 809 ERROR_VPN_TIMEOUT.
 * - [SYS] Microsoft Learn, "System Error Codes (12000-15999)": 13801-13870 ERROR_IPSEC_IKE_*.
 * - [AOVPN] Microsoft Learn, "Always On VPN troubleshooting" (MicrosoftDocs/windowsserverdocs,
 *   always-on-vpn-deploy-troubleshooting.md): 809 (UDP 500/4500 blocked by a firewall),
 *   13801 (server certificate: no Server Authentication EKU, expired, root CA missing on the
 *   client, name used by the client ≠ subject), 13806 (no machine certificate / root).
 * Codes not listed here are still reported, as a negotiation failure with their number.
 */
export type WindowsCause =
  /** no answer from the server: IKE_NO_RESPONSE */
  | { kind: 'no-response' }
  /** authentication refused, by the client or the server: AUTH_FAILED */
  | { kind: 'auth'; method?: 'psk' | 'cert'; own?: true }
  /** the peers found no common proposal: IKE_PROPOSAL_MISMATCH */
  | { kind: 'proposal' }
  /** a failure Windows names without a cause the checks can judge */
  | { kind: 'other' };

export interface WindowsError {
  name: string;
  /** Microsoft's description, shortened */
  text: string;
  cause: WindowsCause;
}

export const WINDOWS_ERRORS: ReadonlyMap<number, WindowsError> = new Map<number, WindowsError>([
  // [RRAS] L2TP/IPsec (IKEv1 Main Mode) failures
  [786, { name: 'ERROR_OAKLEY_NO_CERT', text: 'the L2TP connection attempt failed because there is no valid machine certificate on this computer for security authentication', cause: { kind: 'auth', method: 'cert', own: true } }],
  [787, { name: 'ERROR_OAKLEY_AUTH_FAIL', text: 'the L2TP connection attempt failed because the security layer could not authenticate the remote computer', cause: { kind: 'auth' } }],
  [788, { name: 'ERROR_OAKLEY_ATTRIB_FAIL', text: 'the L2TP connection attempt failed because the security layer could not negotiate compatible parameters with the remote computer', cause: { kind: 'proposal' } }],
  [789, { name: 'ERROR_OAKLEY_GENERAL_PROCESSING', text: 'the L2TP connection attempt failed because the security layer encountered a processing error during initial negotiations with the remote computer', cause: { kind: 'other' } }],
  [790, { name: 'ERROR_OAKLEY_NO_PEER_CERT', text: 'the L2TP connection attempt failed because certificate validation on the remote computer failed', cause: { kind: 'auth', method: 'cert' } }],
  // [RRAS] + [AOVPN]
  [809, { name: 'ERROR_VPN_TIMEOUT', text: 'the remote server is not responding; a firewall, NAT or router between this computer and the server may not allow VPN connections (for IKEv2: UDP ports 500 and 4500)', cause: { kind: 'no-response' } }],
  // [SYS] + [AOVPN]
  [13801, { name: 'ERROR_IPSEC_IKE_AUTH_FAIL', text: 'IKE authentication credentials are unacceptable: typically the server certificate (no Server Authentication EKU, expired, its root CA missing on the client, or the server name the client dials does not match its subject), or the server refused the client\'s credentials or identity', cause: { kind: 'auth' } }],
  [13802, { name: 'ERROR_IPSEC_IKE_ATTRIB_FAIL', text: 'IKE security attributes are unacceptable', cause: { kind: 'proposal' } }],
  [13805, { name: 'ERROR_IPSEC_IKE_TIMED_OUT', text: 'negotiation timed out', cause: { kind: 'no-response' } }],
  // [AOVPN] says the typical cause is the machine or root certificate missing on the (Windows) VPN server; with a
  // strongSwan/libreswan server it is the client's certificate handling: no machine certificate to offer, or no trust
  // in the server's chain (R. Hicks, "Always On VPN Error 13806") — not a refusal the server logged
  [13806, { name: 'ERROR_IPSEC_IKE_NO_CERT', text: 'IKE failed to find a valid machine certificate (the client\'s own, or a trusted chain for the server\'s; per Microsoft also the machine or root certificate of a Windows VPN server)', cause: { kind: 'auth', method: 'cert', own: true } }],
  [13813, { name: 'ERROR_IPSEC_IKE_DROP_NO_RESPONSE', text: 'no response from peer', cause: { kind: 'no-response' } }],
  [13817, { name: 'ERROR_IPSEC_IKE_CRL_FAILED', text: 'certificate revocation check failed', cause: { kind: 'auth', method: 'cert' } }],
  [13818, { name: 'ERROR_IPSEC_IKE_INVALID_KEY_USAGE', text: 'invalid certificate key usage', cause: { kind: 'auth', method: 'cert' } }],
  [13819, { name: 'ERROR_IPSEC_IKE_INVALID_CERT_TYPE', text: 'invalid certificate type', cause: { kind: 'auth', method: 'cert' } }],
  [13820, { name: 'ERROR_IPSEC_IKE_NO_PRIVATE_KEY', text: 'the machine certificate used has no private key', cause: { kind: 'auth', method: 'cert', own: true } }],
  [13826, { name: 'ERROR_IPSEC_IKE_INVALID_SIGNATURE', text: 'failed to verify signature', cause: { kind: 'auth', method: 'cert' } }],
  [13843, { name: 'ERROR_IPSEC_IKE_INVALID_PAYLOAD', text: 'invalid payload received', cause: { kind: 'other' } }],
  [13847, { name: 'ERROR_IPSEC_IKE_NO_PEER_CERT', text: 'peer failed to send valid machine certificate', cause: { kind: 'auth', method: 'cert' } }],
  [13848, { name: 'ERROR_IPSEC_IKE_PEER_CRL_FAILED', text: 'certification revocation check of the peer\'s certificate failed', cause: { kind: 'auth', method: 'cert' } }],
  [13868, { name: 'ERROR_IPSEC_IKE_POLICY_MATCH', text: 'policy match error (in the public reports, cured by giving the client IPsec settings the server accepts: Set-VpnConnectionIPsecConfiguration cipher, integrity, DH group)', cause: { kind: 'proposal' } }],
  [13870, { name: 'ERROR_IPSEC_IKE_INVALID_HASH', text: 'hash verification failed', cause: { kind: 'auth' } }],
]);
