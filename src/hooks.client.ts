// Runs as the app starts, before the route's code loads: a session link starts joining now.
import type { ClientInit } from '@sveltejs/kit';
import { startEarlyJoin } from '$lib/session/early-join.ts';

export const init: ClientInit = () => startEarlyJoin(location);
