// dexie-export-import (used here to make a foreign Dexie export, and to read a backup as one) reads `self`
// when it loads and reads blobs with FileReader: browser and worker globals that Node lacks.
const scope = globalThis as { self?: unknown; FileReader?: unknown };
scope.self ??= globalThis;
scope.FileReader ??= class {
	result: ArrayBuffer | undefined;
	onload: ((event: { target: unknown }) => void) | undefined;
	onerror: ((event: { target: { error: unknown } }) => void) | undefined;
	onabort: (() => void) | undefined;
	readAsArrayBuffer(blob: Blob): void {
		blob.arrayBuffer().then(
			(result) => {
				this.result = result;
				this.onload?.({ target: this });
			},
			(error: unknown) => this.onerror?.({ target: { error } })
		);
	}
};
