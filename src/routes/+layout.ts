// Rollcall is a single-page app: everything renders in the browser, from data on the device.
export const ssr = false;
export const prerender = false;
