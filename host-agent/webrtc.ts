/** WebRTC for Node: node-datachannel's W3C polyfill, injected into the isomorphic mesh. */
import ndc from 'node-datachannel';
import { RTCPeerConnection } from 'node-datachannel/polyfill';

export const NodeRTCPeerConnection = RTCPeerConnection as unknown as typeof globalThis.RTCPeerConnection;

/** Stops libdatachannel's threads; without it a process can hang on exit. */
export function cleanupWebRTC(): void {
  ndc.cleanup();
}

/**
 * node-datachannel hands ICE servers to libdatachannel as `turn:USER:PASS@HOST:PORT` URLs, which
 * it URL-decodes: a TURN REST username has a colon (`<expiry>:<participant>`) and a password may
 * have `/` or `+`, so both are encoded first.
 */
export function nodeRtcConfig(c: RTCConfiguration): RTCConfiguration {
  const iceServers = c.iceServers?.map((s) =>
    s.username === undefined ? s : { ...s, username: encodeURIComponent(s.username), credential: encodeURIComponent(String(s.credential ?? '')) }
  );
  return { ...c, iceServers };
}
