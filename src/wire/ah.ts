/** AH lives with ESP in esp.ts (same SPI/sequence shape); re-exported under its own name. */
export { decodeAh } from './esp.js';
