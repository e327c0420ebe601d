/** The mesh's limits and timings (mesh.ts): how many peers, how long to wait for what. */

/** Most admitted peers one participant connects to. */
export const MAX_PEERS = 32;
/** Most connections still waiting for a valid hello, apart from admitted peers: a new one past
 * this replaces the oldest (which is retried like a lost one), so offers that never say hello
 * cannot keep newcomers out. A newcomer connects to everyone at once, hence as many as peers. */
export const MAX_PENDING = MAX_PEERS;
/** A peer that has not said a valid hello this long after its channel opened is dropped, ms. */
export const HELLO_TIMEOUT_MS = 10_000;
/** Failed connects to one peer retried before giving up (until it announces again). */
export const MAX_CONNECT_ATTEMPTS = 6;
/** First reconnect delay of the side that makes the offer; the other side only nudges (a
 * directed announce) if no offer came after its longer delay, ms. */
export const RETRY_OFFERER_MS = 100;
export const RETRY_ANSWERER_MS = 1_500;
/** How long a refused peer is ignored, ms. */
export const REFUSED_FOR_MS = 5 * 60_000;
/** Every peer sends a `ping` this often, ms… */
export const PING_MS = 1_000;
/** …and drops (as lost) a peer it has not heard from for this long, ms. */
export const SILENT_MS = 5_000;
/** A removed peer is told why this long before its connection is closed, ms. */
export const REMOVE_NOTICE_MS = 300;
/** How long leaving waits for the bye to reach peers, ms. */
export const BYE_WAIT_MS = 500;
