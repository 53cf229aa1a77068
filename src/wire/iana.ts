/**
 * Names from the IANA registries "Internet Key Exchange Version 2 (IKEv2)
 * Parameters" (RFC 7296 and updates) and "Internet Security Association and Key
 * Management Protocol (ISAKMP) Identifiers" / "IPSEC DOI" (RFC 2407, 2408, 2409,
 * 3947). Unknown numbers stay numbers: nameOf() returns the number as a string.
 */

export function nameOf(table: Readonly<Record<number, string>>, n: number): string {
  return table[n] ?? String(n);
}

// ---- IKEv2 -------------------------------------------------------------

export const IKEV2_EXCHANGE: Record<number, string> = {
  34: 'IKE_SA_INIT', 35: 'IKE_AUTH', 36: 'CREATE_CHILD_SA', 37: 'INFORMATIONAL', 38: 'IKE_SESSION_RESUME',
  39: 'GSA_AUTH', 40: 'GSA_REGISTRATION', 41: 'GSA_REKEY', 43: 'IKE_INTERMEDIATE', 44: 'IKE_FOLLOWUP_KE',
};

/** short names as strongSwan prints them in "[ SA KE No N(NATD_S_IP) ]" */
export const IKEV2_PAYLOAD: Record<number, string> = {
  0: 'NONE', 33: 'SA', 34: 'KE', 35: 'IDi', 36: 'IDr', 37: 'CERT', 38: 'CERTREQ', 39: 'AUTH', 40: 'No', 41: 'N', 42: 'D',
  43: 'V', 44: 'TSi', 45: 'TSr', 46: 'SK', 47: 'CP', 48: 'EAP', 49: 'GSPM', 50: 'IDg', 51: 'GSA', 52: 'KD', 53: 'SKF', 54: 'PS',
};

export const IKEV2_TRANSFORM_TYPE: Record<number, string> = {
  1: 'ENCR', 2: 'PRF', 3: 'INTEG', 4: 'KE', 5: 'ESN', 6: 'ADDKE1', 7: 'ADDKE2', 8: 'ADDKE3', 9: 'ADDKE4', 10: 'ADDKE5', 11: 'ADDKE6', 12: 'ADDKE7',
};

export const IKEV2_ENCR: Record<number, string> = {
  1: 'ENCR_DES_IV64', 2: 'ENCR_DES', 3: 'ENCR_3DES', 4: 'ENCR_RC5', 5: 'ENCR_IDEA', 6: 'ENCR_CAST', 7: 'ENCR_BLOWFISH', 8: 'ENCR_3IDEA',
  9: 'ENCR_DES_IV32', 11: 'ENCR_NULL', 12: 'ENCR_AES_CBC', 13: 'ENCR_AES_CTR', 14: 'ENCR_AES_CCM_8', 15: 'ENCR_AES_CCM_12',
  16: 'ENCR_AES_CCM_16', 18: 'ENCR_AES_GCM_8', 19: 'ENCR_AES_GCM_12', 20: 'ENCR_AES_GCM_16', 21: 'ENCR_NULL_AUTH_AES_GMAC',
  23: 'ENCR_CAMELLIA_CBC', 24: 'ENCR_CAMELLIA_CTR', 25: 'ENCR_CAMELLIA_CCM_8', 26: 'ENCR_CAMELLIA_CCM_12', 27: 'ENCR_CAMELLIA_CCM_16',
  28: 'ENCR_CHACHA20_POLY1305', 32: 'ENCR_KUZNYECHIK_MGM_KTREE', 33: 'ENCR_MAGMA_MGM_KTREE',
};

export const IKEV2_PRF: Record<number, string> = {
  1: 'PRF_HMAC_MD5', 2: 'PRF_HMAC_SHA1', 3: 'PRF_HMAC_TIGER', 4: 'PRF_AES128_XCBC', 5: 'PRF_HMAC_SHA2_256', 6: 'PRF_HMAC_SHA2_384',
  7: 'PRF_HMAC_SHA2_512', 8: 'PRF_AES128_CMAC', 9: 'PRF_HMAC_STREEBOG_512',
};

export const IKEV2_INTEG: Record<number, string> = {
  0: 'NONE', 1: 'AUTH_HMAC_MD5_96', 2: 'AUTH_HMAC_SHA1_96', 3: 'AUTH_DES_MAC', 4: 'AUTH_KPDK_MD5', 5: 'AUTH_AES_XCBC_96',
  6: 'AUTH_HMAC_MD5_128', 7: 'AUTH_HMAC_SHA1_160', 8: 'AUTH_AES_CMAC_96', 9: 'AUTH_AES_128_GMAC', 10: 'AUTH_AES_192_GMAC',
  11: 'AUTH_AES_256_GMAC', 12: 'AUTH_HMAC_SHA2_256_128', 13: 'AUTH_HMAC_SHA2_384_192', 14: 'AUTH_HMAC_SHA2_512_256',
};

/** Key exchange methods (formerly "Diffie-Hellman Group Transform IDs"); IKEv1 Group Description uses the same numbers. */
export const DH_GROUP: Record<number, string> = {
  0: 'NONE', 1: 'MODP_768', 2: 'MODP_1024', 3: 'EC2N_155', 4: 'EC2N_185', 5: 'MODP_1536', 14: 'MODP_2048', 15: 'MODP_3072',
  16: 'MODP_4096', 17: 'MODP_6144', 18: 'MODP_8192', 19: 'ECP_256', 20: 'ECP_384', 21: 'ECP_521', 22: 'MODP_1024_160',
  23: 'MODP_2048_224', 24: 'MODP_2048_256', 25: 'ECP_192', 26: 'ECP_224', 27: 'ECP_224_BP', 28: 'ECP_256_BP', 29: 'ECP_384_BP',
  30: 'ECP_512_BP', 31: 'CURVE_25519', 32: 'CURVE_448', 33: 'GOST3410_2012_256', 34: 'GOST3410_2012_512', 35: 'ML_KEM_512',
  36: 'ML_KEM_768', 37: 'ML_KEM_1024',
};

export const IKEV2_ESN: Record<number, string> = { 0: 'NO_ESN', 1: 'ESN' };

export const IKE_PROTOCOL: Record<number, string> = { 1: 'IKE', 2: 'AH', 3: 'ESP', 4: 'FC_ESP_HEADER', 5: 'FC_CT_AUTHENTICATION' };

export const IKEV2_NOTIFY: Record<number, string> = {
  1: 'UNSUPPORTED_CRITICAL_PAYLOAD', 4: 'INVALID_IKE_SPI', 5: 'INVALID_MAJOR_VERSION', 7: 'INVALID_SYNTAX', 9: 'INVALID_MESSAGE_ID',
  11: 'INVALID_SPI', 14: 'NO_PROPOSAL_CHOSEN', 17: 'INVALID_KE_PAYLOAD', 24: 'AUTHENTICATION_FAILED', 34: 'SINGLE_PAIR_REQUIRED',
  35: 'NO_ADDITIONAL_SAS', 36: 'INTERNAL_ADDRESS_FAILURE', 37: 'FAILED_CP_REQUIRED', 38: 'TS_UNACCEPTABLE', 39: 'INVALID_SELECTORS',
  40: 'UNACCEPTABLE_ADDRESSES', 41: 'UNEXPECTED_NAT_DETECTED', 42: 'USE_ASSIGNED_HoA', 43: 'TEMPORARY_FAILURE', 44: 'CHILD_SA_NOT_FOUND',
  45: 'INVALID_GROUP_ID', 46: 'AUTHORIZATION_FAILED', 47: 'STATE_NOT_FOUND', 48: 'TS_MAX_QUEUE',
  16384: 'INITIAL_CONTACT', 16385: 'SET_WINDOW_SIZE', 16386: 'ADDITIONAL_TS_POSSIBLE', 16387: 'IPCOMP_SUPPORTED',
  16388: 'NAT_DETECTION_SOURCE_IP', 16389: 'NAT_DETECTION_DESTINATION_IP', 16390: 'COOKIE', 16391: 'USE_TRANSPORT_MODE',
  16392: 'HTTP_CERT_LOOKUP_SUPPORTED', 16393: 'REKEY_SA', 16394: 'ESP_TFC_PADDING_NOT_SUPPORTED', 16395: 'NON_FIRST_FRAGMENTS_ALSO',
  16396: 'MOBIKE_SUPPORTED', 16397: 'ADDITIONAL_IP4_ADDRESS', 16398: 'ADDITIONAL_IP6_ADDRESS', 16399: 'NO_ADDITIONAL_ADDRESSES',
  16400: 'UPDATE_SA_ADDRESSES', 16401: 'COOKIE2', 16402: 'NO_NATS_ALLOWED', 16403: 'AUTH_LIFETIME', 16404: 'MULTIPLE_AUTH_SUPPORTED',
  16405: 'ANOTHER_AUTH_FOLLOWS', 16406: 'REDIRECT_SUPPORTED', 16407: 'REDIRECT', 16408: 'REDIRECTED_FROM', 16409: 'TICKET_LT_OPAQUE',
  16410: 'TICKET_REQUEST', 16411: 'TICKET_ACK', 16412: 'TICKET_NACK', 16413: 'TICKET_OPAQUE', 16414: 'LINK_ID', 16415: 'USE_WESP_MODE',
  16416: 'ROHC_SUPPORTED', 16417: 'EAP_ONLY_AUTHENTICATION', 16418: 'CHILDLESS_IKEV2_SUPPORTED', 16419: 'QUICK_CRASH_DETECTION',
  16420: 'IKEV2_MESSAGE_ID_SYNC_SUPPORTED', 16421: 'IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED', 16422: 'IKEV2_MESSAGE_ID_SYNC',
  16423: 'IPSEC_REPLAY_COUNTER_SYNC', 16424: 'SECURE_PASSWORD_METHODS', 16425: 'PSK_PERSIST', 16426: 'PSK_CONFIRM',
  16427: 'ERX_SUPPORTED', 16428: 'IFOM_CAPABILITY', 16429: 'SENDER_REQUEST_ID', 16430: 'IKEV2_FRAGMENTATION_SUPPORTED',
  16431: 'SIGNATURE_HASH_ALGORITHMS', 16432: 'CLONE_IKE_SA_SUPPORTED', 16433: 'CLONE_IKE_SA', 16434: 'PUZZLE', 16435: 'USE_PPK',
  16436: 'PPK_IDENTITY', 16437: 'NO_PPK_AUTH', 16438: 'INTERMEDIATE_EXCHANGE_SUPPORTED', 16439: 'IP4_ALLOWED', 16440: 'IP6_ALLOWED',
  16441: 'ADDITIONAL_KEY_EXCHANGE', 16442: 'USE_AGGFRAG',
};

// ---- IKEv1 / ISAKMP ---------------------------------------------------------

export const IKEV1_EXCHANGE: Record<number, string> = {
  0: 'None', 1: 'Base', 2: 'Main Mode', 3: 'Authentication Only', 4: 'Aggressive Mode', 5: 'Informational', 6: 'Transaction',
  32: 'Quick Mode', 33: 'New Group Mode',
};

export const IKEV1_PAYLOAD: Record<number, string> = {
  0: 'NONE', 1: 'SA', 2: 'P', 3: 'T', 4: 'KE', 5: 'ID', 6: 'CERT', 7: 'CR', 8: 'HASH', 9: 'SIG', 10: 'NONCE', 11: 'N', 12: 'D',
  13: 'V', 14: 'ATTR', 15: 'SAK', 16: 'SAT', 17: 'KD', 18: 'SEQ', 19: 'POP', 20: 'NAT-D', 21: 'NAT-OA', 22: 'GAP',
  130: 'NAT-D', 131: 'NAT-OA', 132: 'FRAG',
};

/** RFC 2408 §3.14.1 (error types 1–30), RFC 2407 §4.6.3 (status), RFC 3706 (DPD). Underscored like the IKEv2 names so checks match one vocabulary. */
export const IKEV1_NOTIFY: Record<number, string> = {
  1: 'INVALID_PAYLOAD_TYPE', 2: 'DOI_NOT_SUPPORTED', 3: 'SITUATION_NOT_SUPPORTED', 4: 'INVALID_COOKIE', 5: 'INVALID_MAJOR_VERSION',
  6: 'INVALID_MINOR_VERSION', 7: 'INVALID_EXCHANGE_TYPE', 8: 'INVALID_FLAGS', 9: 'INVALID_MESSAGE_ID', 10: 'INVALID_PROTOCOL_ID',
  11: 'INVALID_SPI', 12: 'INVALID_TRANSFORM_ID', 13: 'ATTRIBUTES_NOT_SUPPORTED', 14: 'NO_PROPOSAL_CHOSEN', 15: 'BAD_PROPOSAL_SYNTAX',
  16: 'PAYLOAD_MALFORMED', 17: 'INVALID_KEY_INFORMATION', 18: 'INVALID_ID_INFORMATION', 19: 'INVALID_CERT_ENCODING',
  20: 'INVALID_CERTIFICATE', 21: 'CERT_TYPE_UNSUPPORTED', 22: 'INVALID_CERT_AUTHORITY', 23: 'INVALID_HASH_INFORMATION',
  24: 'AUTHENTICATION_FAILED', 25: 'INVALID_SIGNATURE', 26: 'ADDRESS_NOTIFICATION', 27: 'NOTIFY_SA_LIFETIME',
  28: 'CERTIFICATE_UNAVAILABLE', 29: 'UNSUPPORTED_EXCHANGE_TYPE', 30: 'UNEQUAL_PAYLOAD_LENGTHS',
  16384: 'CONNECTED', 24576: 'RESPONDER_LIFETIME', 24577: 'REPLAY_STATUS', 24578: 'INITIAL_CONTACT',
  36136: 'R_U_THERE', 36137: 'R_U_THERE_ACK',
};

/** Phase 1 (RFC 2409 Appendix A) attribute classes. */
export const IKEV1_P1_ATTR = {
  ENCRYPTION: 1, HASH: 2, AUTH: 3, GROUP: 4, GROUP_TYPE: 5, LIFE_TYPE: 11, LIFE_DURATION: 12, PRF: 13, KEY_LENGTH: 14,
} as const;

export const IKEV1_ENCRYPTION: Record<number, string> = {
  1: 'DES_CBC', 2: 'IDEA_CBC', 3: 'BLOWFISH_CBC', 4: 'RC5_R16_B64_CBC', 5: '3DES_CBC', 6: 'CAST_CBC', 7: 'AES_CBC', 8: 'CAMELLIA_CBC',
};

export const IKEV1_HASH: Record<number, string> = { 1: 'MD5', 2: 'SHA1', 3: 'TIGER', 4: 'SHA2_256', 5: 'SHA2_384', 6: 'SHA2_512' };

export const IKEV1_AUTH: Record<number, string> = {
  1: 'PSK', 2: 'DSS_SIG', 3: 'RSA_SIG', 4: 'RSA_ENC', 5: 'RSA_ENC_REV', 6: 'ELGAMAL_ENC', 7: 'ELGAMAL_ENC_REV', 8: 'ECDSA_SIG',
  9: 'ECDSA_SHA256_P256', 10: 'ECDSA_SHA384_P384', 11: 'ECDSA_SHA512_P521', 64221: 'HYBRID_INIT_RSA', 64222: 'HYBRID_RESP_RSA',
  64223: 'HYBRID_INIT_DSS', 64224: 'HYBRID_RESP_DSS', 65001: 'XAUTH_INIT_PSK', 65002: 'XAUTH_RESP_PSK', 65003: 'XAUTH_INIT_DSS',
  65004: 'XAUTH_RESP_DSS', 65005: 'XAUTH_INIT_RSA', 65006: 'XAUTH_RESP_RSA', 65007: 'XAUTH_INIT_RSA_ENC', 65008: 'XAUTH_RESP_RSA_ENC',
};

/** IPsec DOI (RFC 2407 §4.5) Quick Mode attribute classes. */
export const IKEV1_P2_ATTR = {
  LIFE_TYPE: 1, LIFE_DURATION: 2, GROUP: 3, ENCAPSULATION: 4, AUTH_ALG: 5, KEY_LENGTH: 6, KEY_ROUNDS: 7,
} as const;

export const IKEV1_P2_AUTH: Record<number, string> = {
  1: 'HMAC_MD5', 2: 'HMAC_SHA1', 3: 'DES_MAC', 4: 'KPDK', 5: 'HMAC_SHA2_256', 6: 'HMAC_SHA2_384', 7: 'HMAC_SHA2_512', 8: 'HMAC_RIPEMD',
  9: 'AES_XCBC_MAC', 10: 'SIG_RSA', 11: 'AES_128_GMAC', 12: 'AES_192_GMAC', 13: 'AES_256_GMAC',
};

/** IPsec DOI ESP transform IDs (RFC 2407 §4.4.4 and IANA updates). */
export const IKEV1_ESP_TRANSFORM: Record<number, string> = {
  1: 'ESP_DES_IV64', 2: 'ESP_DES', 3: 'ESP_3DES', 4: 'ESP_RC5', 5: 'ESP_IDEA', 6: 'ESP_CAST', 7: 'ESP_BLOWFISH', 8: 'ESP_3IDEA',
  9: 'ESP_DES_IV32', 10: 'ESP_RC4', 11: 'ESP_NULL', 12: 'ESP_AES', 13: 'ESP_AES_CTR', 14: 'ESP_AES_CCM_8', 15: 'ESP_AES_CCM_12',
  16: 'ESP_AES_CCM_16', 18: 'ESP_AES_GCM_8', 19: 'ESP_AES_GCM_12', 20: 'ESP_AES_GCM_16', 21: 'ESP_SEED_CBC', 22: 'ESP_CAMELLIA',
  23: 'ESP_NULL_AUTH_AES_GMAC',
};

export const IKEV1_AH_TRANSFORM: Record<number, string> = {
  2: 'AH_MD5', 3: 'AH_SHA', 4: 'AH_DES', 5: 'AH_SHA2_256', 6: 'AH_SHA2_384', 7: 'AH_SHA2_512', 8: 'AH_RIPEMD', 9: 'AH_AES_XCBC_MAC',
};

export const IKEV1_ENCAPSULATION: Record<number, string> = {
  1: 'TUNNEL', 2: 'TRANSPORT', 3: 'UDP_TUNNEL', 4: 'UDP_TRANSPORT', 61443: 'UDP_TUNNEL_DRAFT', 61444: 'UDP_TRANSPORT_DRAFT',
};

export const ID_TYPE: Record<number, string> = {
  1: 'IPV4_ADDR', 2: 'FQDN', 3: 'RFC822_ADDR', 4: 'IPV4_ADDR_SUBNET', 5: 'IPV6_ADDR', 6: 'IPV6_ADDR_SUBNET', 7: 'IPV4_ADDR_RANGE',
  8: 'IPV6_ADDR_RANGE', 9: 'DER_ASN1_DN', 10: 'DER_ASN1_GN', 11: 'KEY_ID', 12: 'FC_NAME', 13: 'NULL',
};

/**
 * Well-known vendor IDs (MD5 hashes of a string, sometimes followed by version
 * bytes: matched by prefix). Sources: RFC 3947 §4, RFC 3706 §7, Wireshark
 * packet-isakmp.c vendor table, libreswan vendor.c, strongSwan vendor_id_payload.
 */
export const VENDOR_IDS: ReadonlyArray<readonly [prefix: string, name: string]> = [
  ['4a131c81070358455c5728f20e95452f', 'RFC 3947 NAT-T'],
  ['4485152d18b6bbcd0be8a8469579ddcc', 'draft-ietf-ipsec-nat-t-ike-00'],
  ['16f6ca16e4a4066d83821a0f0aeaa862', 'draft-ietf-ipsec-nat-t-ike-01'],
  ['cd60464335df21f87cfdb2fc68b6a448', 'draft-ietf-ipsec-nat-t-ike-02'],
  ['90cb80913ebb696e086381b5ec427b1f', 'draft-ietf-ipsec-nat-t-ike-02\\n'],
  ['7d9419a65310ca6f2c179d9215529d56', 'draft-ietf-ipsec-nat-t-ike-03'],
  ['439b59f8ba676c4c7737ae22eab8f582', 'draft-ietf-ipsec-nat-t-ike-07'],
  ['27bab5dc01ea0760ea4e3190ac27c0d0', 'draft-stenberg-ipsec-nat-traversal-01'],
  ['6105c422e76847e43f9684801292aecd', 'draft-stenberg-ipsec-nat-traversal-02'],
  ['afcad71368a1f1c96b8696fc77570100', 'RFC 3706 DPD'],
  ['4048b7d56ebce88525e7de7f00d6c2d3', 'IKE FRAGMENTATION'],
  ['12f5f28c457168a9702d9fe274cc0100', 'Cisco Unity'],
  ['09002689dfd6b712', 'XAUTH'],
  ['882fe56d6fd20dbc2251613b2ebe5beb', 'strongSwan'],
  ['4f45', 'Openswan/libreswan'],
  ['1e2b516905991c7d7c96fcbfb587e461', 'Microsoft Windows'],
  ['26244d38eddb61b3172a36e3d0cfb819', 'Microsoft Vid-Initial-Contact'],
  ['fb1de3cdf341b7ea16b7e5be0855f120', 'MS-Negotiation Discovery Capable'],
  ['1f07f70eaa6514d3b0fa96542a500100', 'Cisco VPN Concentrator 3000 4.0.x'],
  ['1f07f70eaa6514d3b0fa96542a50', 'Cisco VPN Concentrator'],
  ['4865617274426561745f4e6f74696679', 'Heartbeat Notify'],
  ['f4ed19e0c114eb516faaac0ee37daf2807b4381f', 'Check Point'],
  ['699369228741c6d4ca094c93e242c9de19e7b7c6', 'Juniper/NetScreen'],
  ['8299031757a36082c6a621de', 'Fortinet FortiGate'],
];

export function vendorName(hexId: string): string | undefined {
  for (const [prefix, name] of VENDOR_IDS) if (hexId.startsWith(prefix)) return name;
  return undefined;
}
