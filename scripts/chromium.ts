// The one place that says how Rollcall's tools start a browser: Debian's Chromium (Playwright never
// downloads one here), with the flags that keep it off the network it cannot reach.

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run'
];
