/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />

// Precaches the whole app at install so that, after the first visit, every route opens with no network.
// A new version waits until the page asks for it (UpdatePrompt -> SKIP_WAITING): taking over on its own
// would swap the files under a page that is still running the old code.

import { base, build, files, prerendered, version } from '$service-worker';
import { clientsClaim, setCacheNameDetails } from 'workbox-core';
import {
	cleanupOutdatedCaches,
	createHandlerBoundToURL,
	precacheAndRoute,
	type PrecacheEntry
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope;

/** The page adapter-static writes as the fallback: it renders any route in the browser. */
const APP_SHELL = `${base}/index.html`;
const IMMUTABLE = `${base}/_app/immutable/`;

// One precache per deployment. Workbox keeps the registration scope as the suffix, which
// cleanupOutdatedCaches needs in order to find (and delete) the caches of older versions.
setCacheNameDetails({ prefix: 'rollcall', precache: `precache-${version}` });

function precacheEntries(): PrecacheEntry[] {
	const entries = new Map<string, PrecacheEntry>();
	for (const url of build) {
		// Hashed file names change whenever their content does, so they need no revision.
		entries.set(url, { url, revision: url.startsWith(IMMUTABLE) ? null : version });
	}
	for (const url of [...files, ...prerendered, APP_SHELL]) {
		if (!entries.has(url)) entries.set(url, { url, revision: version });
	}
	return [...entries.values()];
}

self.addEventListener('message', (event: ExtendableMessageEvent) => {
	const data: unknown = event.data;
	if (typeof data === 'object' && data !== null && 'type' in data && data.type === 'SKIP_WAITING') {
		void self.skipWaiting();
	}
});

precacheAndRoute(precacheEntries());
cleanupOutdatedCaches();
// Every other navigation (a deep link, a bookmark, a reload on any route) gets the app shell, and the
// client-side router renders the route. Registered after the precache route, which answers first for
// precached files (the manifest, an icon) opened directly.
// The relay's own pages (API, activation links, sign-in, mailbox) are never the app: an installed app
// must let those navigations reach the relay, or an activation link would open the app shell instead.
registerRoute(
	new NavigationRoute(createHandlerBoundToURL(APP_SHELL), {
		denylist: [/^\/(?:api|activate|signin|mailbox)(?:\/|$)/]
	})
);
// Only matters on the very first install (no older worker to displace): the page that installed the
// worker is controlled at once, so chunks it loads later also come from the precache.
clientsClaim();
