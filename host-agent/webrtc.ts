/** WebRTC for Node: node-datachannel's W3C polyfill, injected into the isomorphic mesh. */
import ndc from 'node-datachannel';
import { RTCPeerConnection } from 'node-datachannel/polyfill';

export const NodeRTCPeerConnection = RTCPeerConnection as unknown as typeof globalThis.RTCPeerConnection;

/** Stops libdatachannel's threads; without it a process can hang on exit. */
export function cleanupWebRTC(): void {
  ndc.cleanup();
}
