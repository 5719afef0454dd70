/** Hands bytes (or a Blob, kept as it is: a backup may be large) to the browser as a file download. */
export function download(data: Uint8Array | Blob, name: string, type: string): void {
	const blob = data instanceof Blob ? data : new Blob([data as Uint8Array<ArrayBuffer>], { type });
	const url = URL.createObjectURL(blob);
	const link = document.createElement('a');
	link.href = url;
	link.download = name;
	link.click();
	// The click has started the download; the URL is no longer needed once this task ends.
	setTimeout(() => URL.revokeObjectURL(url), 0);
}
