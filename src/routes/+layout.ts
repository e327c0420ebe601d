// A single-page app served as static files by the signaling server: no SSR, no prerendered data.
export const ssr = false;
export const prerender = false;
