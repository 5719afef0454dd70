/**
 * What the import worker sends the page as progress besides (done, total): 'still working, nothing to
 * count', while it reads the directory. The page's watchdog sees it as life; the progress bar ignores it.
 */
export const STILL_WORKING = -1;

/** How often the worker says it is still working during a step it cannot count. */
export const STILL_WORKING_EVERY_MS = 2_000;
