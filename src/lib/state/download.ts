/** Hands bytes to the browser as a file download, named as given. */
export function download(bytes: Uint8Array, name: string, type: string): void {
	const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
	const link = document.createElement('a');
	link.href = url;
	link.download = name;
	link.click();
	// The click has started the download; the URL is no longer needed once this task ends.
	setTimeout(() => URL.revokeObjectURL(url), 0);
}
